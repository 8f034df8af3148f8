"""The allocation engine: integer minor units inside, Money only on the lines it returns."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import compress, islice
from operator import attrgetter
from typing import NoReturn

from payportal._money import Money, currency_exponent
from payportal.accounts._open_item import KIND_ORDER, OpenItem, units_to_money
from payportal.allocation import _bulk
from payportal.allocation._result import (
    AllocationLine,
    AllocationResult,
    OverpaymentPolicy,
    Strategy,
    Tolerance,
)
from payportal.exceptions import CurrencyMismatchError, ValidationError

__all__ = ["allocate", "split_fairly"]

_RANK = attrgetter("rank")
_KEY = attrgetter("key")
_CURRENCY = attrgetter("currency")
_STATUTORY_RANK = attrgetter("statutory_rank")
# Length of security, burden and issue date in front of the key in OpenItem.statutory_rank.
_GROUP = 12

Plan = Iterator[list[OpenItem]]


def split_fairly(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` minor units by the positive int ``weights`` (largest remainder).

    Every part is the exact share rounded down, and the units left over go one each to the
    largest remainders, earlier parts first on ties; so parts sum to ``total`` and each is
    within one unit of its exact share. The same rule as :meth:`Money.split`, in integer
    arithmetic only, so that it stays fast for a million parts.

    >>> split_fairly(10000, [1, 1, 1])
    [3334, 3333, 3333]
    """
    whole = sum(weights)
    floors: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        floor, remainder = divmod(total * weight, whole)
        floors.append(floor)
        remainders.append(remainder)
    left = total - sum(floors)
    if left:
        # The left-th largest remainder; only ties at exactly that value need the index order.
        # A heap finds it in one pass when few units are left; many need a sort of plain ints.
        if left <= 64:
            threshold = heapq.nlargest(left, remainders)[-1]
        else:
            threshold = sorted(remainders, reverse=True)[left - 1]
        ties = left - sum(1 for r in remainders if r > threshold)
        for index, remainder in enumerate(remainders):
            if remainder > threshold:
                floors[index] += 1
            elif remainder == threshold and ties:
                floors[index] += 1
                ties -= 1
    return floors


class _Pool:
    """The items of one allocation, checked, with what the engine and the result look up.

    A dict from key to item would be the obvious index, but at a million items its table no
    longer fits in the caches and filling it costs more than all the rest of an allocation.
    So the uniqueness check keeps only a set of the keys, the strategies select items without
    looking keys up, and :class:`_ItemIndex` builds the dict only if a result is asked about
    an item the payment did not reach.
    """

    def __init__(self, items: Iterable[OpenItem], currency: str) -> None:
        # C-level passes (map, set) over a flat list: on a million items spread over memory
        # a Python-level loop costs more than the checks themselves. The copy makes the
        # result independent of later changes to the caller's list.
        self.items: list[OpenItem] = list(items)
        kinds = set(map(type, self.items))
        if not all(issubclass(kind, OpenItem) for kind in kinds) or (
            self.items and set(map(_CURRENCY, self.items)) != {currency}
        ):
            for index, item in enumerate(self.items):
                if not isinstance(item, OpenItem) or item.currency != currency:
                    self._refuse(index, item, currency)
        self.keys: list[str] = list(map(_KEY, self.items))
        self.unique = set(self.keys)
        if len(self.unique) != len(self.keys):
            repeated = next(k for k, n in Counter(self.keys).items() if n > 1)
            raise ValidationError(
                "holds two items with the same key; keys must be unique",
                field="items",
                value=repeated,
            )

    @staticmethod
    def _refuse(index: int, item: object, currency: str) -> NoReturn:
        if not isinstance(item, OpenItem):
            raise ValidationError("must be an OpenItem", field=f"items[{index}]", value=item)
        raise CurrencyMismatchError(
            f"cannot allocate a payment in {currency} to item {item.key!r} in {item.currency}"
        )

    def named(self, keys: Sequence[str]) -> list[OpenItem]:
        """The items with the given ``keys`` (all of them present), in that order."""
        if not keys:
            return []
        wanted = set(keys)
        # One C-level pass finds them all; a payer may name many references.
        found = {
            item.key: item for item in compress(self.items, map(wanted.__contains__, self.keys))
        }
        return [found[key] for key in keys]


class _ItemIndex(Mapping[str, OpenItem]):
    """The result's view of the allocated items by key (see :class:`_Pool`): membership from
    the key set, the items the payment reached at hand, the rest indexed on first demand."""

    __slots__ = ("_all", "_keys", "_near", "_pool", "_reached", "_unique")

    def __init__(self, pool: _Pool, reached: list[OpenItem]) -> None:
        self._keys = pool.keys
        self._pool = pool.items
        self._unique = pool.unique
        self._reached = reached
        self._near: dict[str, OpenItem] | None = None
        self._all: dict[str, OpenItem] | None = None

    def __contains__(self, key: object) -> bool:
        return key in self._unique

    def __getitem__(self, key: str) -> OpenItem:
        if self._near is None:
            self._near = {item.key: item for item in self._reached}
        item = self._near.get(key)
        if item is not None:
            return item
        if self._all is None:
            self._all = dict(zip(self._keys, self._pool, strict=True))
        return self._all[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


# How many items the first round of _ascending selects, by how much each round grows, and
# from which share of the items on (1 / _SORT_FROM) one full sort is cheaper than a selection.
_FIRST_ROUND = 32
_GROWTH = 8
_SORT_FROM = 32


def _ascending(items: Sequence[OpenItem], key: Callable[[OpenItem], str]) -> Iterator[OpenItem]:
    """``items`` in ascending order of ``key`` (unique per item), computed as far as consumed.

    A payment usually reaches only the first few items: ``heapq.nsmallest`` finds them in one
    pass, without sorting or even heapifying the rest. Should the payment reach further, the
    next round looks ``_GROWTH`` times as far (the keys are unique, so it starts with the
    items already yielded), and once a round would select a sizeable share of the items one
    full sort is cheaper than ``nsmallest``'s heap. Reaching k items costs O(n log k) at most
    a few times over, or one O(n log n) sort.
    """
    done = 0
    wanted = _FIRST_ROUND
    while done < len(items):
        if wanted * _SORT_FROM >= len(items):
            ordered = sorted(items, key=key)
        else:
            ordered = heapq.nsmallest(wanted, items, key=key)
        yield from islice(ordered, done, None)
        done = len(ordered)
        wanted *= _GROWTH


def _demands(pool: _Pool, named: Sequence[str], skip: set[str]) -> list[list[OpenItem]]:
    """The named items as the debts to pay one after the other, in the named order.

    An item that reminds of others (``OpenItem.reminds``) brings them along: a reminder and
    the invoices it reminds of are one debt, paid by BGB §367(1) (see ``_Run.pay_demand``).
    Two reminders of the same invoice join one debt, as does an invoice named before its
    reminder. The items brought along are added to ``skip``: the fallback leaves them.
    """
    items = pool.named(named)
    if not any(item.reminds for item in items):
        return [[item] for item in items]
    wanted = [k for item in items for k in item.reminds if k in pool.unique]
    linked = {item.key: item for item in pool.named(list(dict.fromkeys(wanted)))}
    demands: list[list[OpenItem]] = []
    home: dict[str, int] = {}
    for item in items:
        if item.key in home:
            continue
        index = next((home[k] for k in item.reminds if k in home), len(demands))
        if index == len(demands):
            demands.append([])
        demands[index].append(item)
        home[item.key] = index
        for key in item.reminds:
            if key in linked and key not in home:
                demands[index].append(linked[key])
                home[key] = index
                skip.add(key)
    return demands


def _oldest_first(items: Sequence[OpenItem], skip: set[str]) -> Plan:
    for item in _ascending(items, _RANK):
        if item.key not in skip:
            yield [item]


def _statutory_de(items: Sequence[OpenItem], skip: set[str], paid_on: int) -> Plan:
    # BGB §366(2): due first, then OpenItem.statutory_rank (least security, most burdensome,
    # oldest); debts equal in all of it form one group and share the payment pro rata. The
    # debts not yet due are only picked out if the due ones leave money over.
    for part in _by_due(items, paid_on):
        group: list[OpenItem] = []
        group_rank = ""
        for item in _ascending(part, _STATUTORY_RANK):
            rank = item.statutory_rank[:_GROUP]
            if rank != group_rank:
                if group:
                    yield group
                group, group_rank = [], rank
            if item.key not in skip:
                group.append(item)
        if group:
            yield group


def _by_due(items: Sequence[OpenItem], paid_on: int) -> Iterator[list[OpenItem]]:
    yield [item for item in items if item.due_ordinal <= paid_on]
    yield [item for item in items if item.due_ordinal > paid_on]


def _proportional(items: Sequence[OpenItem], skip: set[str]) -> Plan:
    # Sorted so that lines and the tie-breaks of the split do not depend on the input order.
    yield sorted((i for i in items if i.open_units and i.key not in skip), key=_RANK)


class _Run:
    """The mutable state of one allocation; never leaves :func:`allocate`."""

    def __init__(self, units: int, paid_on: int | None) -> None:
        self.remaining = units
        self.paid_on = paid_on
        self.allocated: dict[str, list[int]] = {}
        self.discounts: dict[str, int] = {}
        self.write_offs: dict[str, list[int]] = {}
        # The items behind ``allocated``, in the same order: a list, because a dict insert
        # per item is what PROPORTIONAL can least afford at a million items.
        self.reached: list[OpenItem] = []

    def discount(self, item: OpenItem) -> int:
        if (
            item.discount_units
            and self.paid_on is not None
            and self.paid_on <= item.discount_until_ordinal
        ):
            return item.discount_units
        return 0

    def pay(self, group: list[OpenItem]) -> None:
        needs = [item.open_units - self.discount(item) for item in group]
        total = sum(needs)
        if not total:
            return
        shares = needs if self.remaining >= total else split_fairly(self.remaining, needs)
        for item, need, share in zip(group, needs, shares, strict=True):
            if not share:
                continue
            self.reached.append(item)
            units = item.units
            if share == item.open_units:
                parts = list(units)
            elif not units[0] and not units[1]:
                parts = [0, 0, share]  # principal only, the usual invoice
            else:
                parts = [0, 0, 0]
                left = share
                for index, open_units in enumerate(units):
                    taken = min(left, open_units)
                    parts[index] = taken
                    left -= taken
            self.allocated[item.key] = parts
            # A discount only ever settles an item; a partial payment takes none.
            if share == need and need != item.open_units:
                self.discounts[item.key] = item.open_units - need
            self.remaining -= share

    def _parts(self, item: OpenItem) -> list[int]:
        parts = self.allocated.get(item.key)
        if parts is None:
            parts = self.allocated[item.key] = [0, 0, 0]
            self.reached.append(item)
        return parts

    def pay_demand(self, demand: list[OpenItem]) -> None:
        """Pay a reminder and what it reminds of as one debt, by BGB §367(1): the costs of
        all its items, then their interest, then the principal, oldest first. A cash
        discount still running is taken as :meth:`pay` takes it: only by settling."""
        for index in (0, 1):
            for item in demand:
                taken = min(self.remaining, item.units[index])
                if taken:
                    self._parts(item)[index] += taken
                    self.remaining -= taken
        for item in sorted(demand, key=_RANK):
            principal = item.units[2]
            if not self.remaining or not principal:
                continue
            need = principal - min(self.discount(item), principal)
            share = min(self.remaining, need)
            if not share:
                continue
            self._parts(item)[2] += share
            if share == need and need != principal:
                self.discounts[item.key] = principal - need
            self.remaining -= share

    def give_back_discounts(self) -> None:
        """Money left over means the payer did not need all the discount: take less of it,
        last discounted item first."""
        for key in reversed(list(self.discounts)):
            if not self.remaining:
                return
            back = min(self.remaining, self.discounts[key])
            self.allocated[key][2] += back
            self.discounts[key] -= back
            self.remaining -= back
            if not self.discounts[key]:
                del self.discounts[key]

    def write_off(self, tolerance: Tolerance, currency: str) -> None:
        if self.remaining:
            return
        short: dict[str, list[int]] = {}
        base = 0
        for item, (key, parts) in zip(self.reached, self.allocated.items(), strict=True):
            left = [u - p for u, p in zip(item.units, parts, strict=True)]
            if key not in self.discounts and any(left):
                short[key] = left
                base += item.open_units
        shortfall = sum(sum(left) for left in short.values())
        if short and tolerance.accepts(shortfall=shortfall, base=base, currency=currency):
            self.write_offs = short


def _lines(
    source: dict[str, list[int]], currency: str, exponent: int
) -> tuple[AllocationLine, ...]:
    return tuple(
        AllocationLine(key, kind, units_to_money(units, currency, exponent))
        for key, parts in source.items()
        for kind, units in zip(KIND_ORDER, parts, strict=True)
        if units
    )


def _references(specified: str | Iterable[str]) -> list[str]:
    names = [specified] if isinstance(specified, str) else list(specified)
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise ValidationError("must be a string", field=f"specified[{index}]", value=name)
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _check_options(
    *,
    payment: object,
    strategy: object,
    fallback: object,
    overpayment: object,
    tolerance: object,
    paid_on: object,
    payment_id: object,
) -> None:
    if not isinstance(payment, Money):
        raise ValidationError("must be Money", field="payment", value=payment)
    if payment.amount <= 0:
        raise ValidationError("must be positive", field="payment", value=payment)
    for field, value, kind in (
        ("strategy", strategy, Strategy),
        ("fallback", fallback, Strategy),
        ("overpayment", overpayment, OverpaymentPolicy),
    ):
        if not isinstance(value, kind):
            raise ValidationError(f"must be a {kind.__name__}", field=field, value=value)
    if fallback is Strategy.SPECIFIED:
        raise ValidationError(
            "must be a strategy that orders items by itself, not SPECIFIED",
            field="fallback",
            value=fallback,
        )
    if tolerance is not None and not isinstance(tolerance, Tolerance):
        raise ValidationError("must be a Tolerance or None", field="tolerance", value=tolerance)
    absolute = tolerance.absolute if isinstance(tolerance, Tolerance) else None
    if absolute is not None and absolute.currency != payment.currency:
        raise CurrencyMismatchError(
            f"the tolerance {absolute} is not in the payment's currency {payment.currency}"
        )
    if paid_on is not None and (not isinstance(paid_on, date) or isinstance(paid_on, datetime)):
        raise ValidationError("must be a date or None", field="paid_on", value=paid_on)
    ordering = fallback if strategy is Strategy.SPECIFIED else strategy
    if paid_on is None and ordering is Strategy.STATUTORY_DE:
        raise ValidationError(
            "is needed by STATUTORY_DE to tell due from not yet due debts",
            field="paid_on",
            value=paid_on,
        )
    if not isinstance(payment_id, str):
        raise ValidationError("must be a string", field="payment_id", value=payment_id)


def allocate(
    payment: Money,
    items: Iterable[OpenItem],
    *,
    strategy: Strategy,
    tolerance: Tolerance | None = None,
    overpayment: OverpaymentPolicy = OverpaymentPolicy.CREDIT_BALANCE,
    paid_on: date | None = None,
    specified: str | Iterable[str] = (),
    fallback: Strategy = Strategy.OLDEST_FIRST,
    payment_id: str = "",
) -> AllocationResult:
    """Allocate ``payment`` over the open ``items``; a pure function.

    Args:
        payment: the amount received, positive, in the items' currency.
        items: the open items; keys must be unique. Items with nothing open are skipped.
        strategy: the order in which items are paid, see :class:`Strategy`.
        tolerance: a shortfall within it settles the items the payment reached and is
            recorded in ``write_offs``.
        overpayment: what the result says to do with the money no item needs.
        paid_on: the payment's value date: cash discounts within their period are taken
            (only as much as the payment needs), and STATUTORY_DE tells due items from
            not yet due ones by it (required there).
        specified: for SPECIFIED, the item keys the payer named, in the named order;
            names that match no item end up in ``unmatched_references``. A named
            reminder's item brings the items it reminds of (``OpenItem.reminds``) along:
            together they are paid costs first, then interest, then principal, oldest
            first (BGB §367(1)).
        fallback: the strategy SPECIFIED uses for the money left after the named items.
        payment_id: the caller's id for the payment, carried into the result.

    Returns:
        An immutable :class:`AllocationResult` whose lines and unapplied amount add up
        to ``payment`` exactly.

    Raises:
        ValidationError: the payment is not positive Money, an item is not an
            :class:`OpenItem`, two items share a key, or an option is invalid.
        CurrencyMismatchError: an item or the tolerance is in another currency.
    """
    _check_options(
        payment=payment,
        strategy=strategy,
        fallback=fallback,
        overpayment=overpayment,
        tolerance=tolerance,
        paid_on=paid_on,
        payment_id=payment_id,
    )
    currency = payment.currency
    pool = _Pool(items, currency)
    named = _references(specified) if strategy is Strategy.SPECIFIED else []
    matched = [name for name in named if name in pool.unique]
    skip = set(matched)
    ordinal = None if paid_on is None else paid_on.toordinal()

    ordering = fallback if strategy is Strategy.SPECIFIED else strategy
    plan: Plan
    if ordering is Strategy.OLDEST_FIRST:
        plan = _oldest_first(pool.items, skip)
    elif ordering is Strategy.STATUTORY_DE:
        assert ordinal is not None
        plan = _statutory_de(pool.items, skip, ordinal)
    else:
        plan = _proportional(pool.items, skip)

    exponent = currency_exponent(currency)
    opens = (
        _bulk.open_units_if_worth_it(pool.items, payment.minor_units, ordinal)
        if strategy is Strategy.OLDEST_FIRST
        else None
    )
    if opens is not None:
        return _settle_in_bulk(
            pool,
            opens,
            payment=payment,
            paid_on=paid_on,
            overpayment=overpayment,
            tolerance=tolerance,
            payment_id=payment_id,
            currency=currency,
            exponent=exponent,
        )

    run = _Run(payment.minor_units, ordinal)
    for demand in _demands(pool, matched, skip):
        if len(demand) == 1 and not demand[0].reminds:
            run.pay(demand)
        else:
            run.pay_demand(demand)
        if not run.remaining:
            break
    if run.remaining:
        for group in plan:
            run.pay(group)
            if not run.remaining:
                break
    run.give_back_discounts()
    if tolerance is not None:
        run.write_off(tolerance, currency)

    return AllocationResult(
        payment_id=payment_id,
        payment=payment,
        paid_on=paid_on,
        strategy=strategy,
        overpayment=overpayment,
        lines=_lines(run.allocated, currency, exponent),
        discounts=_lines(
            {key: [0, 0, units] for key, units in run.discounts.items()}, currency, exponent
        ),
        write_offs=_lines(run.write_offs, currency, exponent),
        unapplied=units_to_money(run.remaining, currency, exponent),
        unmatched_references=tuple(name for name in named if name not in pool.unique),
        # Built when read: PROPORTIONAL reaches every item, and most callers never ask.
        open_before=_bulk.RankedAmounts(run.reached, currency, exponent, ordered=True),
        items=_ItemIndex(pool, run.reached),
    )


def _settle_in_bulk(
    pool: _Pool,
    opens: list[int],
    *,
    payment: Money,
    paid_on: date | None,
    overpayment: OverpaymentPolicy,
    tolerance: Tolerance | None,
    payment_id: str,
    currency: str,
    exponent: int,
) -> AllocationResult:
    """OLDEST_FIRST over many items without cash discounts, through ``allocation._bulk``."""
    done = _bulk.settle_oldest_first(pool.items, opens, payment.minor_units, tolerance, currency)
    write_offs = (
        ()
        if done.write_off is None
        else _lines({done.write_off[0]: list(done.write_off[1])}, currency, exponent)
    )
    return AllocationResult(
        payment_id=payment_id,
        payment=payment,
        paid_on=paid_on,
        strategy=Strategy.OLDEST_FIRST,
        overpayment=overpayment,
        lines=_bulk.RankedLines(done.items, done.partial, currency, exponent),
        write_offs=write_offs,
        unapplied=units_to_money(done.remaining, currency, exponent),
        open_before=_bulk.RankedAmounts(done.items, currency, exponent),
        items=_ItemIndex(pool, done.items),
    )
