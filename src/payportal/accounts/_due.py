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
    Reminders of the same open invoice (a first and a second reminder) are one due: one
    debt with its costs, paid as one (BGB §367(1)).

    Attributes:
        key: the item that names the due: the furthest reminder (highest level, then the
            latest), or the item itself if no reminder carries it.
        subject: that item's document, as ``"<type>:<id>"`` (empty if it names none).
        amount: everything open on the due's items.
        charges: the costs and interest in ``amount`` (the reminders' fees and interest).
        reminders: the other reminders in the due, furthest first.
        includes: the reminded invoices with something open, oldest first.
        due_on: when ``key``'s item is due.
        subjects: the documents of all the due's items (``key``'s first): pass their ids
            to :meth:`payportal.booking.Portal.pay` to pay exactly this due.
    """

    key: str
    subject: str
    amount: Money
    charges: Money
    reminders: tuple[str, ...]
    includes: tuple[str, ...]
    due_on: date
    subjects: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The items to name in a payment of this due (``PaymentIntent.item_keys``)."""
        return (self.key, *self.reminders, *self.includes)

    @property
    def document_ids(self) -> tuple[str, ...]:
        """The ids of the documents in :attr:`subjects`, for ``Portal.pay``."""
        return tuple(subject.partition(":")[2] for subject in self.subjects)


def _furthest(item: OpenItem) -> tuple[int, int, int, str]:
    # The reminder that names a due is the furthest one: highest level (burden), then the
    # latest issued, then the latest due, then the key for a stable choice.
    return (item.burden, item.issued_on.toordinal(), item.due_ordinal, item.key)


def dues_of(items: Iterable[OpenItem], currency: str) -> tuple[Due, ...]:
    """The dues of ``items`` (one account's), oldest first; see :class:`Due`.

    Reminders (items with ``reminds``) that name a common invoice with something open
    form one due with those invoices; a reminder whose invoices are all settled is a due of
    its charges alone. Every other item with something open is a due of its own. The
    amounts add up to the items' open total exactly, and no item is in two dues.
    """
    by_key = {item.key: item for item in items}
    # Union-find over reminders and the open invoices they name.
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for item in by_key.values():
        if not item.reminds:
            continue
        parent.setdefault(item.key, item.key)
        for key in item.reminds:
            linked = by_key.get(key)
            if linked is None or linked.reminds or not linked.open_units:
                continue
            parent.setdefault(key, key)
            parent[root(key)] = root(item.key)
    groups: dict[str, list[OpenItem]] = {}
    for item in by_key.values():
        group = root(item.key) if item.key in parent else item.key
        groups.setdefault(group, []).append(item)
    exponent = currency_exponent(currency)
    found = []
    for members in groups.values():
        units = sum(i.open_units for i in members)
        if not units:
            continue
        reminders = sorted((i for i in members if i.reminds), key=_furthest, reverse=True)
        head = reminders[0] if reminders else members[0]
        includes = sorted(
            (i for i in members if not i.reminds and i is not head), key=lambda i: i.rank
        )
        ordered = [head, *reminders[1:], *includes]
        found.append(
            (
                head.rank,
                Due(
                    key=head.key,
                    subject=head.subject,
                    amount=units_to_money(units, currency, exponent),
                    charges=units_to_money(
                        sum(i.units[0] + i.units[1] for i in members), currency, exponent
                    ),
                    reminders=tuple(i.key for i in reminders[1:]),
                    includes=tuple(i.key for i in includes),
                    due_on=head.due_on,
                    subjects=tuple(i.subject for i in ordered if i.subject),
                ),
            )
        )
    return tuple(due for _, due in sorted(found, key=lambda pair: pair[0]))
