"""Oldest-first allocation of a payment that reaches a large share of many items.

This module is the one place for speed tricks of the allocation engine. :func:`allocate`
uses it for OLDEST_FIRST when a payment may reach more than a few of many items (a
customer paying most of their invoices at once); everything it returns is what the
item-by-item engine returns for the same input, which the tests check on random input.

Two things make it fast, and both are invisible to a caller:

* **Selection instead of sorting.** Which items a payment settles depends only on where the
  payment runs out in oldest-first order: every item ranked before that point is paid in
  full, the items at it (same due and issue date) are paid by key until the money ends.
  The point is found by narrowing a window of date ranks with C-level passes over flat
  lists (``map``/``compress``/``sum``), a few linear passes instead of an O(n log n) sort
  of a million Python objects.
* **Lines built when read.** A result that settles 700,000 items has 700,000 lines;
  :class:`RankedLines` and :class:`RankedAmounts` hold the items and build the lines (and
  ``open_before``) in oldest-first order the first time someone reads them. They compare
  equal to the tuples and mappings the item-by-item engine builds.
"""

from __future__ import annotations

import bisect
from itertools import accumulate, compress, repeat
from operator import attrgetter, eq, ge, lt, not_
from typing import TYPE_CHECKING, overload

from payportal.accounts._open_item import DATE_SPAN, KIND_ORDER, OpenItem, units_to_money
from payportal.allocation._result import AllocationLine, FrozenAmounts, FrozenLines

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from payportal._money import Money
    from payportal.allocation._result import Tolerance

__all__ = [
    "BULK_FROM",
    "SHARE_FROM",
    "RankedAmounts",
    "RankedLines",
    "Settlement",
    "open_units_if_worth_it",
    "settle_oldest_first",
]

#: From how many items on a payment is settled here rather than item by item.
BULK_FROM = 512
#: ... and from which share of what is open (1 / SHARE_FROM) on.
SHARE_FROM = 32

_DATE_RANK = attrgetter("date_rank")
_OPEN = attrgetter("open_units")
_RANK = attrgetter("rank")
_DISCOUNT = attrgetter("discount_units")
# Below this many candidates a window is sorted outright.
_DIRECT = 8_192
# Every how many-th item the first estimate of the window looks at (at least this many).
_SAMPLE = 4_096
# Window bounds beyond every date rank (ranks are non-negative ints below DATE_SPAN**2).
_BEFORE_ALL = -1
_AFTER_ALL = DATE_SPAN * DATE_SPAN


class RankedLines(FrozenLines):
    """The lines of the items a payment settled, built in oldest-first order when read.

    ``items`` are the settled items in any order; all are paid in full but ``partial``,
    which gets ``parts`` (costs, interest, principal) and is the last one by rank.
    """

    __slots__ = ("_currency", "_exponent", "_items", "_lines", "_partial")

    def __init__(
        self,
        items: list[OpenItem],
        partial: tuple[OpenItem, tuple[int, int, int]] | None,
        currency: str,
        exponent: int,
    ) -> None:
        self._items = items
        self._partial = partial
        self._currency = currency
        self._exponent = exponent
        self._lines: tuple[AllocationLine, ...] | None = None

    def ordered(self) -> list[OpenItem]:
        """The settled items, oldest first (the partially settled one last)."""
        return sorted(self._items, key=_RANK)

    def _built(self) -> tuple[AllocationLine, ...]:
        if self._lines is None:
            partial_item, partial_parts = self._partial or (None, (0, 0, 0))
            lines: list[AllocationLine] = []
            add = lines.append
            # Money is immutable and invoices repeat amounts: one object per amount.
            amounts: dict[int, Money] = {}
            for item in self.ordered():
                parts = partial_parts if item is partial_item else item.units
                for kind, units in zip(KIND_ORDER, parts, strict=True):
                    if units:
                        money = amounts.get(units)
                        if money is None:
                            money = amounts[units] = units_to_money(
                                units, self._currency, self._exponent
                            )
                        add(AllocationLine(item.key, kind, money))
            self._lines = tuple(lines)
        return self._lines

    @overload
    def __getitem__(self, index: int) -> AllocationLine: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[AllocationLine]: ...

    def __getitem__(self, index: int | slice) -> AllocationLine | Sequence[AllocationLine]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self) -> Iterator[AllocationLine]:
        return iter(self._built())


class RankedAmounts(FrozenAmounts):
    """``open_before`` of a result: each settled item's open amount, looked up (or listed,
    oldest first or in the given order if ``ordered``) only when read."""

    __slots__ = ("_currency", "_exponent", "_index", "_items", "_sorted")

    def __init__(
        self, items: list[OpenItem], currency: str, exponent: int, *, ordered: bool = False
    ) -> None:
        self._items = items
        self._sorted = ordered
        self._currency = currency
        self._exponent = exponent
        self._index: dict[str, OpenItem] | None = None

    def __getitem__(self, key: str) -> Money:
        if self._index is None:
            self._index = {item.key: item for item in self._items}
        units = self._index[key].open_units
        return units_to_money(units, self._currency, self._exponent)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        items = self._items if self._sorted else sorted(self._items, key=_RANK)
        return (item.key for item in items)


class Settlement:
    """What :func:`settle_oldest_first` decided: the settled items and what is left."""

    __slots__ = ("items", "partial", "remaining", "write_off")

    def __init__(
        self,
        items: list[OpenItem],
        partial: tuple[OpenItem, tuple[int, int, int]] | None,
        remaining: int,
        write_off: tuple[str, tuple[int, int, int]] | None,
    ) -> None:
        self.items = items
        self.partial = partial
        self.remaining = remaining
        self.write_off = write_off


def discount_applies(items: Sequence[OpenItem], paid_on: int | None) -> bool:
    """Whether a payment on day ordinal ``paid_on`` may take a cash discount on any item."""
    if paid_on is None or not any(map(_DISCOUNT, items)):
        return False
    return any(item.discount_units and paid_on <= item.discount_until_ordinal for item in items)


def _estimate(ranks: list[int], opens: list[int], budget: int) -> tuple[int, int]:
    """A window ``[low, high)`` of date ranks that probably holds the one where ``budget``
    runs out, from every n-th item: its open units times n estimate the sums before."""
    step = max(1, len(ranks) // _SAMPLE)
    sample, amounts = _sorted_pairs(ranks[::step], opens[::step])
    sums = list(accumulate(units * step for units in amounts))
    at = bisect.bisect_right(sums, budget)
    # Four standard errors of the sampled position (and some slack for unequal amounts)
    # cover the true point nearly always; should they not, the caller looks outside.
    size = len(sample)
    margin = 8 + int(4 * (at * max(size - at, 0) / size) ** 0.5)
    low = sample[at - margin] if at - margin >= 0 else _BEFORE_ALL
    high = sample[at + margin] if at + margin < size else _AFTER_ALL
    return low, high


def _threshold(ranks: list[int], opens: list[int], budget: int) -> tuple[int, int]:
    """The largest date rank ``r`` whose items before it need at most ``budget`` units in
    all, and that sum; the items need more than ``budget`` in all (the caller checks)."""
    base = 0
    while len(ranks) > _DIRECT:
        count = len(ranks)
        ranks, opens, below = _narrow(ranks, opens, budget - base)
        base += below
        if len(ranks) == count:
            break  # one date rank holds them all (or nearly): sort them
    budget -= base
    ranks, opens = _sorted_pairs(ranks, opens)
    found, found_sum = ranks[0], 0
    running = 0
    previous = None
    for rank, units in zip(ranks, opens, strict=True):
        if rank != previous:
            if running > budget:
                break
            found, found_sum, previous = rank, running, rank
        running += units
    return found, base + found_sum


def _narrow(ranks: list[int], opens: list[int], budget: int) -> tuple[list[int], list[int], int]:
    """The items of a window that holds the point where ``budget`` runs out, and the open
    units of the items before the window."""
    low, high = _estimate(ranks, opens, budget)
    # Two cuts, each one C-level pass (operator functions over repeat() are cheaper calls
    # than bound methods): first what lies before ``high``...
    if high != _AFTER_ALL:
        before = list(map(lt, ranks, repeat(high)))
        below_high = sum(compress(opens, before))
        if below_high <= budget:  # the money reaches past ``high``: look there
            rest = list(map(not_, before))
            return list(compress(ranks, rest)), list(compress(opens, rest)), below_high
        ranks, opens = list(compress(ranks, before)), list(compress(opens, before))
    # ...then, of that, what lies from ``low`` on.
    if low == _BEFORE_ALL:
        return ranks, opens, 0
    after = list(map(ge, ranks, repeat(low)))
    kept = list(compress(opens, after))
    below_low = sum(opens) - sum(kept)
    if below_low > budget:  # the money runs out before ``low``: look there
        rest = list(map(not_, after))
        return list(compress(ranks, rest)), list(compress(opens, rest)), 0
    return list(compress(ranks, after)), kept, below_low


def _sorted_pairs(ranks: list[int], opens: list[int]) -> tuple[list[int], list[int]]:
    """``ranks`` sorted, and ``opens`` in the same order (ints compare faster alone than
    in tuples)."""
    order = sorted(range(len(ranks)), key=ranks.__getitem__)
    return list(map(ranks.__getitem__, order)), list(map(opens.__getitem__, order))


def _parts(units: tuple[int, int, int], share: int) -> tuple[int, int, int]:
    """``share`` of an item with open ``units``: costs first, then interest, then principal."""
    costs = min(share, units[0])
    interest = min(share - costs, units[1])
    return (costs, interest, share - costs - interest)


def open_units_if_worth_it(
    items: list[OpenItem], budget: int, paid_on: int | None
) -> list[int] | None:
    """The open units of ``items`` if settling ``budget`` here beats item by item, else None.

    It does from :data:`BULK_FROM` items on, when no cash discount applies and the payment
    covers at least 1/:data:`SHARE_FROM` of what is open: a smaller one reaches so few items
    that selecting them with ``heapq.nsmallest`` costs less than the passes here.
    """
    if len(items) < BULK_FROM or discount_applies(items, paid_on):
        return None
    opens = list(map(_OPEN, items))
    return opens if budget * SHARE_FROM >= sum(opens) else None


def settle_oldest_first(
    items: list[OpenItem],
    opens: list[int],
    budget: int,
    tolerance: Tolerance | None,
    currency: str,
) -> Settlement:
    """Settle ``budget`` minor units oldest first over ``items`` (no cash discount applies),
    whose open units are ``opens``.

    The same decision as paying the items one by one in order of ``OpenItem.rank``: all
    items before the point where the money runs out in full, the one there in part.
    """
    total = sum(opens)
    if budget >= total:
        return Settlement(list(compress(items, opens)), None, budget - total, None)
    ranks = list(map(_DATE_RANK, items))
    point, paid = _threshold(ranks, opens, budget)
    settled = list(compress(items, map(lt, ranks, repeat(point))))
    if 0 in opens:  # items with nothing open get no line
        settled = list(compress(settled, map(_OPEN, settled)))
    left = budget - paid
    partial = None
    # The items at the point share due and issue date; the key decides their order.
    for item in sorted(compress(items, map(eq, ranks, repeat(point))), key=_RANK):
        if not left:
            break
        if not item.open_units:
            continue
        settled.append(item)
        if item.open_units <= left:
            left -= item.open_units
        else:
            partial = (item, _parts(item.units, left))
            left = 0
    write_off = None
    if partial is not None and tolerance is not None:
        item, parts = partial
        rest = (item.units[0] - parts[0], item.units[1] - parts[1], item.units[2] - parts[2])
        if tolerance.accepts(shortfall=sum(rest), base=item.open_units, currency=currency):
            write_off = (item.key, rest)
    return Settlement(settled, partial, left, write_off)
