"""Stable identities for statement entries, so one statement imported twice books once.

An entry the bank gave a reference to is identified by that reference and its account.
Without one, the identity is a SHA-256 over the entry's normalised fields; two identical
entries in one statement (the same customer paying the same amount twice on one day) are told
apart by their order, which is the same each time the same file is read.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from payportal._money import Money
from payportal.reconciliation._entry import Direction, StatementEntry

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Mapping

__all__ = ["EntryIdentifier", "drop_seen"]

# The fields an entry is recognised by when the bank gave no reference. The counterparty
# and the texts are part of it: two transfers of the same amount on the same day from
# different people are different money.
_FINGERPRINT_FIELDS = (
    "booking_date",
    "value_date",
    "amount",
    "direction",
    "counterparty_name",
    "counterparty_iban",
    "remittance_text",
    "creditor_references",
    "end_to_end_id",
    "mandate_id",
    "customer_reference",
)


def _normalised(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, Direction):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "\x1e".join(_normalised(item) for item in value)
    # Banks re-wrap and re-case free text between exports of the same statement.
    return " ".join(str(value).split()).casefold()


class EntryIdentifier:
    """Hands out entry ids for the entries of one account, in file order.

    Args:
        account: the statement's account, part of every id so that two banks' references
            cannot collide.
    """

    def __init__(self, account: str) -> None:
        self._account = account
        self._seen: Counter[str] = Counter()

    def identify(self, fields: Mapping[str, object]) -> str:
        """Return the id of the entry with these :class:`StatementEntry` field values.

        Args:
            fields: the entry's fields by name (without ``entry_id``).

        Returns:
            ``"ref:<account>:<bank reference>"`` or ``"sha256:<hex>"``, with ``"#<n>"``
            appended for the n-th repetition (n ≥ 2) of the same identity in this statement.
        """
        reference = str(fields.get("bank_reference") or "")
        if reference:
            identity = f"ref:{self._account}:{reference}"
        else:
            parts = [
                self._account,
                *(_normalised(fields.get(name)) for name in _FINGERPRINT_FIELDS),
            ]
            digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
            identity = f"sha256:{digest}"
        self._seen[identity] += 1
        count = self._seen[identity]
        return identity if count == 1 else f"{identity}#{count}"


def drop_seen(entries: Iterable[StatementEntry], seen: Container[str]) -> list[StatementEntry]:
    """Return the entries that are new: not in ``seen`` and not repeated within ``entries``.

    Keep the ids of booked entries (for example in a database column with a unique index)
    and pass them as ``seen`` on the next import; overlapping or repeated statements then
    book nothing twice.

    Args:
        entries: freshly imported entries, in any number of statements.
        seen: the :attr:`StatementEntry.entry_id` values already booked (a set, or any
            container with a fast ``in``).

    Returns:
        The new entries in their original order; the first of several entries with the same
        id wins.
    """
    fresh: list[StatementEntry] = []
    taken: set[str] = set()
    for entry in entries:
        if entry.entry_id in seen or entry.entry_id in taken:
            continue
        taken.add(entry.entry_id)
        fresh.append(entry)
    return fresh
