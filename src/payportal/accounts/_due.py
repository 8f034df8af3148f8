"""What is due on an account, each open amount once: reminders carry what they remind of."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from payportal._money import Money, currency_exponent
from payportal.accounts._open_item import units_to_money

if TYPE_CHECKING:
    from collections.abc import Iterable

    from payportal.accounts._open_item import OpenItem

__all__ = ["Due", "dues_of"]


@attrs.frozen
class Due:
    """One thing the customer is asked to pay; every open amount is in exactly one.

    A reminder's due carries the reminded invoices still open, so a portal that lists
    dues shows the reminded principal once, under the reminder, and never beside it.

    Attributes:
        key: the item to name when paying it (the document number).
        subject: the document, as ``"<type>:<id>"`` (empty if the item names none).
        amount: all of it: ``own`` plus what is open on the ``includes``.
        own: what is open on the item itself (a reminder's charges).
        includes: the keys of the items this due carries (the reminded invoices with
            something open), oldest first.
        due_on: when the item is due.
    """

    key: str
    subject: str
    amount: Money
    own: Money
    includes: tuple[str, ...]
    due_on: date


def _carrier_rank(item: OpenItem) -> tuple[int, int, int, str]:
    # The reminder that carries an invoice is the furthest one: highest level (burden),
    # then the latest issued, then the latest due, then the key for a stable choice.
    return (item.burden, item.issued_on.toordinal(), item.due_ordinal, item.key)


def dues_of(items: Iterable[OpenItem], currency: str) -> tuple[Due, ...]:
    """The dues of ``items`` (one account's), oldest first; see :class:`Due`.

    An item that reminds of others (``reminds``) carries those of them that have something
    open and remind of nothing themselves; an item reminded of by several carries goes
    under the furthest one (highest level, then latest). Every other item with something
    open is a due of its own. The amounts add up to the items' open total exactly.
    """
    by_key = {item.key: item for item in items}
    carried_by: dict[str, OpenItem] = {}
    for item in by_key.values():
        for key in item.reminds:
            linked = by_key.get(key)
            if linked is None or linked.reminds or not linked.open_units:
                continue
            current = carried_by.get(key)
            if current is None or _carrier_rank(item) > _carrier_rank(current):
                carried_by[key] = item
    carries: dict[str, list[OpenItem]] = {}
    for key, carrier in carried_by.items():
        carries.setdefault(carrier.key, []).append(by_key[key])
    exponent = currency_exponent(currency)
    found = []
    for item in sorted(by_key.values(), key=lambda i: i.rank):
        if item.key in carried_by:
            continue
        included = sorted(carries.get(item.key, ()), key=lambda i: i.rank)
        units = item.open_units + sum(i.open_units for i in included)
        if not units:
            continue
        found.append(
            Due(
                key=item.key,
                subject=item.subject,
                amount=units_to_money(units, currency, exponent),
                own=units_to_money(item.open_units, currency, exponent),
                includes=tuple(i.key for i in included),
                due_on=item.due_on,
            )
        )
    return tuple(found)
