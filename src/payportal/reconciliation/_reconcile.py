"""Matching statement entries to open items and prepaid top-ups, and booking what was approved.

:func:`reconcile` is pure: it indexes the open items once (by payment reference, by
normalised document number, by amount per customer) and then makes one pass per entry, one
:func:`~payportal.references.find` over its text and a few dictionary look-ups, so that
reconciling a statement costs time in proportion to the entries plus the items, never their
product. :func:`book_approved` books the matches a person approved through the one booking
path (:mod:`payportal.booking`): documents, accounts, journal and outbox together, all or
nothing. :func:`apply`, which only updated accounts, is deprecated.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
import warnings
from collections.abc import Callable, Container, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from payportal.accounts._customer import CustomerAccount, EntryKind
from payportal.accounts._open_item import OpenItem
from payportal.accounts._prepaid import TopUpMethod
from payportal.allocation._allocate import allocate
from payportal.allocation._result import AllocationResult, OverpaymentPolicy, Strategy, Tolerance
from payportal.exceptions import AllocationError, ValidationError
from payportal.reconciliation._entry import Direction, StatementEntry
from payportal.references._find import FIND_DEFAULT, Confidence, find
from payportal.references._registry import SchemeLike
from payportal.references.template import Template

if TYPE_CHECKING:
    from datetime import datetime

    from payportal._money import Money
    from payportal.customers import Customer
    from payportal.storage import Storage, Transaction

__all__ = [
    "Booking",
    "DebitKind",
    "DebitMatch",
    "EntryMatch",
    "MatchReason",
    "ReconciliationProposal",
    "apply",
    "book_approved",
    "reconcile",
]


class MatchReason(enum.Enum):
    """Why an entry was matched, and what its amount says about the match.

    An :class:`EntryMatch` has one reason for how it was found (the first three) and any of
    the others that describe the amount.
    """

    #: A structured creditor reference (camt ``Strd/CdtrRefInf/Ref``) names the item exactly.
    STRUCTURED_REFERENCE = "structured_reference"
    #: A payment reference or a document number was found in the remittance text.
    REFERENCE_IN_TEXT = "reference_in_text"
    #: No reference; the payer's name or IBAN names a customer, and the amount fits.
    AMOUNT_AND_NAME = "amount_and_name"
    #: One transfer pays several items.
    SEVERAL_ITEMS = "several_items"
    #: The amount leaves something open on the items it pays.
    PARTIAL_PAYMENT = "partial_payment"
    #: The amount is more than the items need; the rest follows the overpayment policy.
    OVERPAYMENT = "overpayment"


@attrs.frozen(kw_only=True)
class EntryMatch:
    """What :func:`reconcile` proposes for one credit entry.

    Exactly one of ``allocation`` and ``top_up`` is set.

    Attributes:
        entry: the statement entry.
        customer_id: the account the money goes to; ``None`` when reconciling bare open items.
        items: keys of the matched open items, in the order they were named.
        allocation: how the amount is spread over ``items`` (its ``payment_id`` is the
            entry's ``entry_id``); ``None`` for a top-up.
        top_up: the reference of the pending bank-transfer top-up this entry pays.
        references: the references and document numbers found in the entry, compact.
        confidence: how sure the match is.
        reasons: how the entry was matched, then what the amount says (see
            :class:`MatchReason`).
    """

    entry: StatementEntry
    customer_id: str | None
    items: tuple[str, ...] = ()
    allocation: AllocationResult | None = None
    top_up: str | None = None
    references: tuple[str, ...] = ()
    confidence: Confidence
    reasons: tuple[MatchReason, ...]

    @property
    def entry_id(self) -> str:
        """The entry's stable id, the key for approving it."""
        return self.entry.entry_id

    @property
    def reason(self) -> MatchReason:
        """How the entry was matched (the first of :attr:`reasons`)."""
        return self.reasons[0]


class DebitKind(enum.Enum):
    """What a debit entry that concerns a customer is, as far as the statement tells."""

    #: A direct debit the payer's bank returned (a reversal, ``RC``, "Rücklastschrift").
    RETURNED_DEBIT = "returned_debit"
    #: A card or payment provider took a payment back ("chargeback", "Rückbelastung").
    CHARGEBACK = "chargeback"
    #: Money we paid to a customer: a refund or the payout of a credit balance.
    REFUND = "refund"


@attrs.frozen(kw_only=True)
class DebitMatch:
    """What :func:`reconcile` proposes for a debit entry: whose money went out, and for what.

    A debit never pays an open item. Booking one reverses a payment (a returned direct debit,
    a chargeback) or records a refund; payportal has no booking path for that yet, so a
    DebitMatch is for a person to act on, and :func:`apply` ignores it.

    Attributes:
        entry: the statement entry.
        kind: what the debit is (:class:`DebitKind`).
        customer_id: the customer it concerns; ``None`` when reconciling bare open items.
        items: keys of the items it names (the invoice a refund or chargeback is for), in
            the order they were named; empty when only the counterparty names the customer.
        references: the references and document numbers found in the entry, compact.
        confidence: how sure the match is.
    """

    entry: StatementEntry
    kind: DebitKind
    customer_id: str | None
    items: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    confidence: Confidence

    @property
    def entry_id(self) -> str:
        """The entry's stable id."""
        return self.entry.entry_id


@attrs.frozen(kw_only=True)
class ReconciliationProposal:
    """The outcome of :func:`reconcile`; nothing is booked until :func:`apply`.

    Attributes:
        matches: the matched credit entries, in statement order.
        unmatched: credit entries nothing could be found for, to be handled by a person.
        already_booked: entries booked by an earlier import; proposed again never.
        debits: debit entries that name a customer or their items (refunds, chargebacks,
            returned direct debits), never proposed as payments.
        ignored: debits that name none of the customers or items (fees, the merchant's own
            payments) and reversed debits coming back, which pay no open item.
        accounts: the accounts the proposal was made for, by customer id (empty when
            reconciling bare open items).
    """

    matches: tuple[EntryMatch, ...] = ()
    unmatched: tuple[StatementEntry, ...] = ()
    already_booked: tuple[StatementEntry, ...] = ()
    debits: tuple[DebitMatch, ...] = ()
    ignored: tuple[StatementEntry, ...] = ()
    accounts: Mapping[str, CustomerAccount] = attrs.field(
        factory=lambda: MappingProxyType({}), repr=False
    )

    def at_least(self, confidence: Confidence) -> tuple[EntryMatch, ...]:
        """The matches at least as sure as ``confidence``, to approve them in one go."""
        return tuple(m for m in self.matches if m.confidence >= confidence)

    def match_for(self, entry_id: str) -> EntryMatch | None:
        """The match proposed for the entry ``entry_id``, if any."""
        return self._by_id.get(entry_id)

    @functools.cached_property
    def _by_id(self) -> dict[str, EntryMatch]:
        return {m.entry_id: m for m in self.matches}


@attrs.frozen(kw_only=True)
class Booking:
    """What :func:`apply` booked.

    Attributes:
        accounts: every account of the proposal, as it stands after the booking.
        booked: ids of the entries booked now; store them and pass them as ``booked`` to
            the next :func:`reconcile` (or to :func:`drop_seen`).
        skipped: ids of approved entries that were already booked on their account, and so
            were not booked again.
    """

    accounts: Mapping[str, CustomerAccount]
    booked: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Indexing

# A target is (customer id or None, item key) for an open item, or the same with the top-up
# reference for a pending top-up; the flag tells which.
_Target = tuple[str | None, str, bool]

_WORD = re.compile(r"[0-9A-Z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# Separators a payer may type inside a document number ("RE-2026/17", "RE 2026 17").
_NUMBER_JOINERS = frozenset("-/._ ")
_LONGEST_GAP = 3  # " / "
# The most runs a document number is split into when searched for in text.
_MOST_RUNS = 4
# Numbers shorter than this are looked for only as structured references: "17" is in too
# many amounts and dates to mean invoice 17.
_SHORTEST_NUMBER = 4
_NAME_WORD = re.compile(r"\w+")


def _compact(reference: str) -> str:
    return "".join(reference.split()).upper()


def _number(key: str) -> str:
    """A document number as it is looked for in text: upper case, letters and digits only."""
    return _NOT_ALNUM.sub("", key.upper())


def _name_key(name: str) -> frozenset[str]:
    return frozenset(word for word in _NAME_WORD.findall(name.casefold()) if len(word) > 1)


class _Index:
    """The open items and pending top-ups, indexed once, with their open amounts as they
    change while the entries are reconciled in order."""

    def __init__(
        self,
        accounts: Mapping[str | None, Iterable[OpenItem]],
        top_ups: Iterable[tuple[str, str, Money]],
        known_references: Mapping[str, str],
        customers: Iterable[Customer],
    ) -> None:
        customers = list(customers)
        self.items: dict[tuple[str | None, str], OpenItem] = {}
        self.settled: dict[tuple[str | None, str], tuple[int, int, int]] = {}
        self.by_key: dict[str, list[str | None]] = {}
        self.numbers: dict[str, list[_Target]] = {}
        self.amounts: dict[tuple[str | None, int, str], list[str]] = {}
        self.open_total: dict[str | None, int] = {}
        self.keys_of: dict[str | None, list[str]] = {}
        for owner, items in accounts.items():
            total = 0
            keys = self.keys_of[owner] = []
            for item in items:
                if not item.open_units:
                    continue
                self.items[owner, item.key] = item
                keys.append(item.key)
                self.by_key.setdefault(item.key, []).append(owner)
                number = _number(item.key)
                if len(number) >= _SHORTEST_NUMBER and any(c.isdigit() for c in number):
                    self.numbers.setdefault(number, []).append((owner, item.key, False))
                if customers:  # amounts only matter with a payer's name or IBAN
                    by_amount = self.amounts.setdefault((owner, item.open_units, item.currency), [])
                    by_amount.append(item.key)
                total += item.open_units
            self.open_total[owner] = total
        self.top_ups: dict[tuple[str | None, str], Money] = {}
        self.references: dict[str, list[_Target]] = {}
        for owner, reference, amount in top_ups:
            self.top_ups[owner, reference] = amount
            target = (owner, reference, True)
            self.references.setdefault(_compact(reference), []).append(target)
            if len(number := _number(reference)) >= _SHORTEST_NUMBER:
                self.numbers.setdefault(number, []).append(target)
        for reference, key in known_references.items():
            for owner in self.by_key.get(key, ()):
                self.references.setdefault(_compact(reference), []).append((owner, key, False))
        self.known = frozenset(self.references)
        self.ibans: dict[str, set[str]] = {}
        self.names: dict[frozenset[str], set[str]] = {}
        for customer in customers:
            if customer.id not in self.open_total:
                continue
            for account in customer.bank_accounts:
                self.ibans.setdefault(account.iban, set()).add(customer.id)
            for name in (customer.name, customer.company):
                if words := _name_key(name):
                    self.names.setdefault(words, set()).add(customer.id)

    def current(self, owner: str | None, key: str) -> OpenItem:
        """The item as the entries so far left it."""
        item = self.items[owner, key]
        settled = self.settled.pop((owner, key), None)
        if settled is not None:
            left = tuple(u - p for u, p in zip(item.units, settled, strict=True))
            item = self.items[owner, key] = item.with_units(left)
        return item

    def open_item(self, owner: str | None, key: str, currency: str) -> OpenItem | None:
        item = self.items.get((owner, key))
        if item is None:
            return None
        if (owner, key) in self.settled:
            item = self.current(owner, key)
        if item.currency != currency or not item.open_units:
            return None
        return item

    def book(self, owner: str | None, settled: Mapping[str, tuple[int, int, int]]) -> None:
        """Take what an allocation ``settled`` (per item key) off the open amounts."""
        # Most items are paid once: the reduced item is built only if it is matched again.
        for key, parts in settled.items():
            self.settled[owner, key] = parts
            self.open_total[owner] -= sum(parts)


# ---------------------------------------------------------------------------------------------
# Finding candidates in one entry


@attrs.define
class _Found:
    targets: list[_Target] = attrs.Factory(list)
    references: list[str] = attrs.Factory(list)
    reason: MatchReason = MatchReason.REFERENCE_IN_TEXT
    confidence: Confidence | None = None

    def add(
        self, value: str, targets: list[_Target], reason: MatchReason, confidence: Confidence
    ) -> None:
        new = [t for t in targets if t not in self.targets]
        if not new:
            return
        self.targets.extend(new)
        self.references.append(value)
        if self.confidence is None or confidence > self.confidence:
            self.confidence = confidence
        if reason is MatchReason.STRUCTURED_REFERENCE:
            self.reason = reason


def _numbers_in(text: str) -> Iterable[str]:
    """Letter-and-digit words of ``text`` and runs of up to four of them joined by short
    separators, as document numbers are typed ("RE-2026-17", "RE 2026 / 17")."""
    upper = text.upper()
    words = [(m.start(), m.end(), m[0]) for m in _WORD.finditer(upper)]
    for i, (_, end, word) in enumerate(words):
        joined = word
        yield joined
        last_end = end
        for start, next_end, following in words[i + 1 : i + _MOST_RUNS]:
            gap = upper[last_end:start]
            if len(gap) > _LONGEST_GAP or not _NUMBER_JOINERS.issuperset(gap):
                break
            joined += following
            last_end = next_end
            yield joined


def _search(
    entry: StatementEntry, index: _Index, schemes: tuple[SchemeLike, ...] | SchemeLike
) -> _Found:
    found = _Found()
    for reference in entry.creditor_references:
        value = _compact(reference)
        targets = index.references.get(value) or index.numbers.get(_number(reference), [])
        found.add(value, targets, MatchReason.STRUCTURED_REFERENCE, Confidence.CERTAIN)
    text = entry.remittance_text
    if entry.end_to_end_id:
        text = f"{text} {entry.end_to_end_id}" if text else entry.end_to_end_id
    if not text:
        return found
    for match in find(text, schemes=schemes, known=index.known):
        targets = index.references.get(match.value, [])
        found.add(match.value, targets, MatchReason.REFERENCE_IN_TEXT, match.confidence)
    for number in _numbers_in(text):
        if len(number) < _SHORTEST_NUMBER:
            continue
        numbered = index.numbers.get(number)
        if numbered and any(c.isdigit() for c in number):
            found.add(number, numbered, MatchReason.REFERENCE_IN_TEXT, Confidence.LIKELY)
    return found


def _payer(entry: StatementEntry, index: _Index) -> tuple[str, Confidence] | None:
    """The one customer the payer's IBAN (likely) or name (possible) names."""
    if entry.counterparty_iban:
        owners = index.ibans.get(_compact(entry.counterparty_iban), set())
        if len(owners) == 1:
            return next(iter(owners)), Confidence.LIKELY
    if entry.counterparty_name:
        owners = index.names.get(_name_key(entry.counterparty_name), set())
        if len(owners) == 1:
            return next(iter(owners)), Confidence.POSSIBLE
    return None


# ---------------------------------------------------------------------------------------------
# Reconciling


@attrs.frozen
class _Options:
    schemes: tuple[SchemeLike, ...] | SchemeLike
    tolerance: Tolerance | None
    overpayment: OverpaymentPolicy


def _propose(
    entry: StatementEntry,
    owner: str | None,
    keys: list[str],
    index: _Index,
    options: _Options,
    *,
    reason: MatchReason,
    confidence: Confidence,
    references: tuple[str, ...] = (),
) -> EntryMatch:
    """Allocate ``entry`` over the items ``keys`` (in that order), book it in the index, and
    say what the amount did."""
    items = [index.current(owner, key) for key in keys]
    # A reminder's item brings the invoices it reminds of (OpenItem.reminds): the entry
    # pays its charges, then those invoices, as the booking will.
    linked = dict.fromkeys(
        k for item in items for k in item.reminds if k not in keys and (owner, k) in index.items
    )
    items += [index.current(owner, key) for key in linked]
    tolerance = options.tolerance
    # An absolute tolerance is in one currency; entries in others get none.
    absolute = None if tolerance is None else tolerance.absolute
    if absolute is not None and absolute.currency != entry.amount.currency:
        tolerance = None
    result = allocate(
        entry.amount,
        items,
        strategy=Strategy.SPECIFIED,
        specified=keys,
        tolerance=tolerance,
        overpayment=options.overpayment,
        paid_on=entry.value_date or entry.booking_date,
        payment_id=entry.entry_id,
    )
    settled = result.settled_units()
    index.book(owner, settled)
    reasons = [reason]
    if len(keys) > 1:
        reasons.append(MatchReason.SEVERAL_ITEMS)
    if any(sum(settled.get(item.key, ())) < item.open_units for item in items):
        reasons.append(MatchReason.PARTIAL_PAYMENT)
    if result.unapplied:
        reasons.append(MatchReason.OVERPAYMENT)
    return EntryMatch(
        entry=entry,
        customer_id=owner,
        items=tuple(keys),
        allocation=result,
        references=references,
        confidence=confidence,
        reasons=tuple(reasons),
    )


def _match_found(
    entry: StatementEntry, found: _Found, index: _Index, options: _Options
) -> EntryMatch | None:
    currency = entry.amount.currency
    # Top-ups first: their reference is unique and was issued for exactly this transfer.
    for owner, reference, is_top_up in found.targets:
        if is_top_up and index.top_ups.get((owner, reference)) == entry.amount:
            del index.top_ups[owner, reference]
            # The merchant issued the reference for this one transfer and the amount is
            # exactly the one announced: nothing is left to guess.
            return EntryMatch(
                entry=entry,
                customer_id=owner,
                top_up=reference,
                references=tuple(found.references),
                confidence=Confidence.CERTAIN,
                reasons=(found.reason,),
            )
    items = [
        (owner, key)
        for owner, key, is_top_up in found.targets
        if not is_top_up and index.open_item(owner, key, currency) is not None
    ]
    if not items:
        return None
    # References to several customers' items: the first customer named gets the money.
    owner = items[0][0]
    keys = list(dict.fromkeys(key for o, key in items if o == owner))
    return _propose(
        entry,
        owner,
        keys,
        index,
        options,
        reason=found.reason,
        confidence=found.confidence or Confidence.POSSIBLE,
        references=tuple(found.references),
    )


def _match_payer(entry: StatementEntry, index: _Index, options: _Options) -> EntryMatch | None:
    payer = _payer(entry, index)
    if payer is None:
        return None
    owner, confidence = payer
    units, currency = entry.amount.minor_units, entry.amount.currency
    keys = [
        key
        for key in index.amounts.get((owner, units, currency), ())
        if (item := index.open_item(owner, key, currency)) is not None and item.open_units == units
    ]
    if len(keys) != 1:
        # The whole open balance at once pays every open item; otherwise a person decides.
        if keys or units != index.open_total.get(owner):
            return None
        open_items = [index.current(owner, key) for key in index.keys_of[owner]]
        open_items = [item for item in open_items if item.open_units]
        if not open_items or any(item.currency != currency for item in open_items):
            return None
        keys = [item.key for item in sorted(open_items, key=lambda item: item.rank)]
    return _propose(
        entry,
        owner,
        keys,
        index,
        options,
        reason=MatchReason.AMOUNT_AND_NAME,
        confidence=confidence,
    )


# Words banks write for a returned direct debit and for a chargeback, upper case without
# accents (German, English, French, Dutch, Italian).
_RETURN_WORDS = re.compile(
    r"RUECKLASTSCHRIFT|RUCKLASTSCHRIFT|RÜCKLASTSCHRIFT|RETOURLASTSCHRIFT|LASTSCHRIFTRUECKGABE"
    r"|RETURNED DIRECT DEBIT|DIRECT DEBIT RETURN|SEPA RETURN|STORNO|RETOUR|STORNERING"
    r"|RIMBORSO SDD|REJET DE PRELEVEMENT|/RTRN/"
)
_CHARGEBACK_WORDS = re.compile(r"CHARGE ?BACK|RUECKBELASTUNG|RÜCKBELASTUNG|RUCKBELASTUNG")


def _debit_kind(entry: StatementEntry) -> DebitKind:
    text = f"{entry.remittance_text} {entry.counterparty_name}".upper()
    if _CHARGEBACK_WORDS.search(text):
        return DebitKind.CHARGEBACK
    if entry.reversal or _RETURN_WORDS.search(text):
        return DebitKind.RETURNED_DEBIT
    return DebitKind.REFUND


def _match_debit(
    entry: StatementEntry, index: _Index, schemes: tuple[SchemeLike, ...] | SchemeLike
) -> DebitMatch | None:
    """The customer and items a debit names, by reference, document number or payee."""
    found = _search(entry, index, schemes)
    targets = [(owner, key) for owner, key, is_top_up in found.targets if not is_top_up]
    if targets:
        owner = targets[0][0]
        keys = tuple(dict.fromkeys(key for o, key in targets if o == owner))
        return DebitMatch(
            entry=entry,
            kind=_debit_kind(entry),
            customer_id=owner,
            items=keys,
            references=tuple(found.references),
            confidence=found.confidence or Confidence.POSSIBLE,
        )
    payee = _payer(entry, index)
    if payee is None:
        return None
    owner, confidence = payee
    return DebitMatch(
        entry=entry, kind=_debit_kind(entry), customer_id=owner, confidence=confidence
    )


def _accounts(
    accounts_or_items: Iterable[CustomerAccount] | Iterable[OpenItem],
) -> tuple[dict[str, CustomerAccount], list[OpenItem]]:
    accounts: dict[str, CustomerAccount] = {}
    items: list[OpenItem] = []
    keys: set[str] = set()
    for position, value in enumerate(accounts_or_items):
        if isinstance(value, CustomerAccount):
            if value.customer_id in accounts:
                raise ValidationError(
                    "repeats the customer of an earlier account",
                    field=f"accounts_or_items[{position}].customer_id",
                    value=value.customer_id,
                )
            accounts[value.customer_id] = value
        elif isinstance(value, OpenItem):
            if value.key in keys:
                raise ValidationError(
                    "repeats the key of an earlier item",
                    field=f"accounts_or_items[{position}].key",
                    value=value.key,
                )
            items.append(value)
            keys.add(value.key)
        else:
            raise ValidationError(
                "must be a CustomerAccount or an OpenItem",
                field=f"accounts_or_items[{position}]",
                value=value,
            )
    if accounts and items:
        raise ValidationError(
            "mixes accounts and bare open items; pass one or the other",
            field="accounts_or_items",
            value=f"{len(accounts)} accounts, {len(items)} items",
        )
    return accounts, items


def _booked_ids(account: CustomerAccount) -> Iterable[str]:
    return (e.reference for e in account.ledger if e.kind is EntryKind.PAYMENT)


def reconcile(
    entries: Iterable[StatementEntry],
    accounts_or_items: Iterable[CustomerAccount] | Iterable[OpenItem],
    *,
    schemes: SchemeLike | Iterable[SchemeLike] = FIND_DEFAULT,
    tolerance: Tolerance | None = None,
    known_references: Mapping[str, str] | None = None,
    customers: Iterable[Customer] = (),
    overpayment: OverpaymentPolicy = OverpaymentPolicy.CREDIT_BALANCE,
    booked: Container[str] = frozenset(),
    progress: Callable[[int], None] | None = None,
) -> ReconciliationProposal:
    """Propose, for every credit entry, the open items it pays and how; a pure function.

    Debit entries never pay anything: those that name a customer or their items (by
    reference, document number, or the payee's IBAN or name) are proposed as
    :class:`DebitMatch` of a :class:`DebitKind` (refund, chargeback, returned direct debit)
    for a person to act on; the rest are ignored.

    Each entry is matched, in this order of preference, by:

    1. a structured creditor reference (camt ``CdtrRefInf``) that is a known reference, a
       pending top-up's reference or an item's document number (certain);
    2. references of ``schemes`` in the remittance text and end-to-end id (as sure as
       :func:`~payportal.references.find` says; certain when known), and document numbers
       of open items written in the text, in any spacing (likely);
    3. without any of these: the payer's IBAN (likely) or name (possible) names exactly one
       of ``customers``, and the amount is exactly what one of their items, or all of them
       together, have open.

    A pending bank-transfer top-up whose reference is found and whose amount equals the
    entry is released. Items are paid in the order their references appear in the text
    (:attr:`Strategy.SPECIFIED`), with cash discounts and ``tolerance``; what is left over
    follows ``overpayment``. Entries are taken in order and each sees what the earlier ones
    left open, so a second payment of one invoice shows as an overpayment.

    Args:
        entries: statement entries, such as ``statement.entries``.
        accounts_or_items: customer accounts (their open items and pending top-ups are
            matched, and :func:`apply` books into them), or bare open items with unique keys
            (for a proposal only).
        schemes: the reference schemes to look for in text, as for
            :func:`~payportal.references.find`.
        tolerance: passed to :func:`~payportal.allocation.allocate`; an absolute tolerance
            applies to entries in its currency only.
        known_references: the references the merchant issued (compact, as ``generate``
            returns them), each mapped to the key of the item it was issued for.
        customers: the account holders, whose names and IBANs let an entry without a
            reference be matched.
        overpayment: what to do with money no matched item needs.
        booked: ids of entries booked by earlier imports (see :attr:`Booking.booked`);
            payments already on an account's ledger count as booked too.
        progress: called with the number of entries done, every 1,000 entries and at the
            end (for a progress bar).

    Returns:
        The :class:`ReconciliationProposal`; nothing is booked.

    Raises:
        ValidationError: an entry is not a :class:`StatementEntry`, ``accounts_or_items``
            holds something else, mixes both kinds or repeats a customer or item key,
            ``known_references`` is not a mapping of strings, or ``schemes`` names an unknown
            scheme.
    """
    accounts, bare = _accounts(accounts_or_items)
    known = _known(known_references)
    owners: dict[str | None, Iterable[OpenItem]]
    if accounts:
        owners = {cid: account.items.values() for cid, account in accounts.items()}
    else:
        owners = {None: bare}
    top_ups = [
        (cid, top_up.reference, top_up.amount)
        for cid, account in accounts.items()
        for top_up in account.prepaid.pending
        if top_up.method is TopUpMethod.BANK_TRANSFER
    ]
    index = _Index(owners, top_ups, known, customers)
    already = {pid for account in accounts.values() for pid in _booked_ids(account)}
    find_schemes = schemes if isinstance(schemes, str | Template) else tuple(schemes)
    find("", schemes=find_schemes)  # refuses unknown schemes before anything is done
    options = _Options(find_schemes, tolerance, overpayment)
    matches: list[EntryMatch] = []
    unmatched: list[StatementEntry] = []
    seen: list[StatementEntry] = []
    debits: list[DebitMatch] = []
    ignored: list[StatementEntry] = []
    done = 0
    for position, entry in enumerate(entries):
        if not isinstance(entry, StatementEntry):
            raise ValidationError(
                "must be a StatementEntry", field=f"entries[{position}]", value=entry
            )
        done += 1
        if progress is not None and done % 1000 == 0:
            progress(done)
        if entry.entry_id in booked or entry.entry_id in already:
            seen.append(entry)
            continue
        if entry.direction is Direction.DEBIT:
            # Money out is never a customer's payment: at most a refund, a chargeback or a
            # returned direct debit of one.
            debit = _match_debit(entry, index, find_schemes)
            if debit is None:
                ignored.append(entry)
            else:
                debits.append(debit)
            continue
        if entry.reversal:
            # A reversed debit (RD): our own payment coming back, not a customer's.
            ignored.append(entry)
            continue
        found = _search(entry, index, find_schemes)
        match = _match_found(entry, found, index, options) if found.targets else None
        if match is None:
            match = _match_payer(entry, index, options)
        if match is None:
            unmatched.append(entry)
        else:
            matches.append(match)
    if progress is not None:
        progress(done)
    return ReconciliationProposal(
        matches=tuple(matches),
        unmatched=tuple(unmatched),
        already_booked=tuple(seen),
        debits=tuple(debits),
        ignored=tuple(ignored),
        accounts=MappingProxyType(accounts),
    )


def _known(known_references: Mapping[str, str] | None) -> Mapping[str, str]:
    if known_references is None:
        return {}
    if not isinstance(known_references, Mapping):
        raise ValidationError(
            "must be a mapping of references to item keys",
            field="known_references",
            value=known_references,
        )
    for reference, key in known_references.items():
        if not isinstance(reference, str) or not isinstance(key, str):
            raise ValidationError(
                "must map reference strings to item key strings",
                field=f"known_references[{reference!r}]",
                value=key,
            )
    return known_references


# ---------------------------------------------------------------------------------------------
# Booking


def _approved(
    proposal: ReconciliationProposal, approved: Iterable[str | EntryMatch]
) -> list[EntryMatch]:
    by_id = proposal._by_id
    chosen: dict[str, EntryMatch] = {}
    for position, value in enumerate(approved):
        entry_id = value.entry_id if isinstance(value, EntryMatch) else value
        match = by_id.get(entry_id) if isinstance(entry_id, str) else None
        if match is None or (isinstance(value, EntryMatch) and value != match):
            raise ValidationError(
                "is not a match of this proposal",
                field=f"approved[{position}]",
                value=entry_id,
            )
        chosen[entry_id] = match
    # In statement order, whatever order they were approved in: later entries were
    # allocated on what the earlier ones left open.
    return [m for m in proposal.matches if m.entry_id in chosen]


def apply(
    proposal: ReconciliationProposal,
    approved: Iterable[str | EntryMatch],
    *,
    accounts: Iterable[CustomerAccount] | None = None,
) -> Booking:
    """Book the ``approved`` matches of ``proposal`` into their accounts; all or nothing.

    .. deprecated::
        It changes accounts only, so documents stay unpaid and nothing reaches the journal
        or the outbox. Use :func:`book_approved`, which books through
        :mod:`payportal.booking`. Calling it warns with :class:`DeprecationWarning`.

    Allocations are applied with :meth:`CustomerAccount.apply` (the entry id is the payment
    id), top-ups are released on the prepaid account. An approved entry whose payment is
    already on its account's ledger, or whose top-up is no longer pending but credited, is
    skipped: importing the same statement twice books nothing twice.

    Args:
        proposal: what :func:`reconcile` proposed for accounts.
        approved: the matches a person approved, or their entry ids.
        accounts: the accounts to book into, if they changed since :func:`reconcile`
            (default: the proposal's own).

    Returns:
        A :class:`Booking` with every account after the booking and the ids booked.

    Raises:
        ValidationError: an approved id or match is not part of the proposal.
        AllocationError: a match was proposed for bare open items, its account is missing,
            or it no longer fits its account (it settles more than is open). Nothing is
            booked then: the accounts are immutable and only returned when all succeeded.
    """
    warnings.warn(
        "payportal.reconciliation.apply updates accounts only (not documents, journal or "
        "outbox) and is deprecated; book approved matches with "
        "payportal.reconciliation.book_approved(storage, proposal, approved, at=...)",
        DeprecationWarning,
        stacklevel=2,
    )
    chosen = _approved(proposal, approved)
    current = dict(proposal.accounts)
    if accounts is not None:
        current = {account.customer_id: account for account in accounts}
    booked: list[str] = []
    skipped: list[str] = []
    on_ledger: dict[str, set[str]] = {}  # payments booked per account, read once
    for match in chosen:
        owner = match.customer_id
        account = current.get(owner) if owner is not None else None
        if account is None:
            raise AllocationError(
                f"entry {match.entry_id!r} was proposed for "
                + ("bare open items" if owner is None else f"customer {owner!r}")
                + ", but no account to book it into was given"
            )
        if match.top_up is not None:
            prepaid = account.prepaid
            if any(t.reference == match.top_up for t in prepaid.credited):
                skipped.append(match.entry_id)
                continue
            try:
                released = prepaid.release(match.top_up)
            except ValidationError as error:
                raise AllocationError(
                    f"entry {match.entry_id!r}: the top-up {match.top_up!r} is not pending"
                ) from error
            account = attrs.evolve(account, prepaid=released)
        else:
            assert match.allocation is not None
            payments = on_ledger.get(account.customer_id)
            if payments is None:
                payments = on_ledger[account.customer_id] = set(_booked_ids(account))
            if match.entry_id in payments:
                skipped.append(match.entry_id)
                continue
            account = account.apply(match.allocation)
            payments.add(match.entry_id)
        current[account.customer_id] = account
        booked.append(match.entry_id)
    return Booking(accounts=MappingProxyType(current), booked=tuple(booked), skipped=tuple(skipped))


#: Entry ids longer than an intent id may be are replaced by this prefix and a digest.
_LONG_ENTRY = "stmt:"


def statement_intent_id(entry_id: str) -> str:
    """The id of the payment intent :func:`book_approved` records for the statement entry
    ``entry_id``: the entry id itself (so the account's ledger names the entry, and a later
    :func:`reconcile` lists it as already booked), or, for an id longer than 100
    characters, ``"stmt:"`` and its SHA-256."""
    if len(entry_id) <= 100:
        return entry_id
    return _LONG_ENTRY + hashlib.sha256(entry_id.encode()).hexdigest()


def book_approved(
    storage: Storage,
    proposal: ReconciliationProposal,
    approved: Iterable[str | EntryMatch],
    *,
    at: datetime,
) -> Booking:
    """Book the ``approved`` matches of ``proposal`` through :mod:`payportal.booking`, in one
    transaction of ``storage``: all or nothing.

    * A match for open items records a payment intent for its customer (purpose
      documents, the matched items in order, the allocation's overpayment policy; id
      :func:`statement_intent_id`) and books a captured bank payment
      (movement key ``"bank:<entry id>"``, the key :meth:`payportal.booking.Portal.receive`
      uses for the same entry) against it: documents, account, journal and outbox change
      together. The booking allocates again over the stored state, so it follows what is
      open now rather than the proposal's allocation.
    * A match for a pending bank-transfer top-up releases it
      (:func:`payportal.booking.release_top_up_in`): the top-up's reference names the
      intent that booked it.

    An entry booked before (the movement was seen, or the top-up is credited already) is
    skipped, so importing the same statement twice books nothing twice. ``accounts`` of the
    returned :class:`Booking` holds the stored accounts of the customers touched.

    Raises:
        ValidationError: an approved id or match is not part of the proposal.
        AllocationError: a match is for bare open items or a customer without a stored
            account, its top-up is not pending, or the booking path refused it (the
            reason is in the message). Nothing is booked then.
        ConcurrentUpdateError: other writers kept changing the accounts.
    """
    # Imported here: payportal.booking imports this package.
    from payportal.exceptions import ConcurrentUpdateError  # noqa: PLC0415

    chosen = _approved(proposal, approved)
    for match in chosen:
        if match.customer_id is None:
            raise AllocationError(
                f"entry {match.entry_id!r} was proposed for bare open items; "
                "only matches for a customer's account can be booked"
            )

    def once() -> Booking:
        booked: list[str] = []
        skipped: list[str] = []
        touched: dict[str, None] = {}
        with storage.transaction() as tx:
            for match in chosen:
                owner = match.customer_id
                assert owner is not None
                if tx.load_account(owner) is None:
                    raise AllocationError(
                        f"entry {match.entry_id!r} was proposed for customer {owner!r}, "
                        "who has no stored account"
                    )
                touched[owner] = None
                done = (
                    _release_match(tx, match, at)
                    if match.top_up is not None
                    else _book_match(tx, match, at)
                )
                (booked if done else skipped).append(match.entry_id)
            accounts = {}
            for owner in touched:
                stored = tx.load_account(owner)
                assert stored is not None
                accounts[owner] = stored.value
        return Booking(
            accounts=MappingProxyType(accounts), booked=tuple(booked), skipped=tuple(skipped)
        )

    for attempt in range(1, 6):
        try:
            return once()
        except ConcurrentUpdateError:
            if attempt == 5:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _release_match(tx: Transaction, match: EntryMatch, at: datetime) -> bool:
    """Release the pending top-up ``match`` pays; ``False`` if it was released before."""
    from payportal.booking import load_intent, release_top_up_in  # noqa: PLC0415
    from payportal.booking._book import MOVEMENTS  # noqa: PLC0415
    from payportal.exceptions import InvalidTransitionError  # noqa: PLC0415

    assert match.top_up is not None
    assert match.customer_id is not None
    if not tx.mark_processed(MOVEMENTS, f"bank:{match.entry_id}"):
        return False
    # A top-up's reference is the booking id: the intent's id, "/<n>" added from its
    # second capture on.
    intent_id = match.top_up
    head, _, number = intent_id.rpartition("/")
    if head and number.isdigit() and load_intent(tx, intent_id) is None:
        intent_id = head
    try:
        release_top_up_in(tx, intent_id, at=at)
    except (InvalidTransitionError, ValidationError) as exc:
        stored = tx.load_account(match.customer_id)
        assert stored is not None
        if any(t.reference == match.top_up for t in stored.value.prepaid.credited):
            return False
        raise AllocationError(
            f"entry {match.entry_id!r}: the top-up {match.top_up!r} is not pending ({exc})"
        ) from exc
    return True


def _book_match(tx: Transaction, match: EntryMatch, at: datetime) -> bool:
    """Book ``match`` as a captured bank payment of its own intent; ``False`` if its
    movement was booked before."""
    from payportal.booking import (  # noqa: PLC0415
        EventKind,
        Outcome,
        PaymentEvent,
        PaymentIntent,
        Purpose,
        book_in,
        load_intent,
        save_intent,
    )
    from payportal.booking._book import REVIEW, ReviewItem  # noqa: PLC0415

    entry = match.entry
    assert match.customer_id is not None
    assert match.allocation is not None
    intent_id = statement_intent_id(entry.entry_id)
    if load_intent(tx, intent_id) is None:
        save_intent(
            tx,
            PaymentIntent(
                id=intent_id,
                customer_id=match.customer_id,
                amount=entry.amount,
                purpose=Purpose.DOCUMENTS,
                item_keys=match.items,
                overpayment=match.allocation.overpayment,
                reference=(match.references or (entry.entry_id,))[0],
                provider="bank",
                method="bank_transfer",
                created_at=at,
                payment_id=entry.entry_id,
            ),
        )
    event = PaymentEvent(
        kind=EventKind.CAPTURED,
        provider="bank",
        provider_payment_id=entry.entry_id,
        movement_key=f"bank:{entry.entry_id}",
        occurred_at=at,
        intent_id=intent_id,
        amount=entry.amount,
    )
    outcome = book_in(tx, event)
    if (
        outcome.outcome is Outcome.ALREADY_BOOKED
        and tx.load_order(REVIEW, event.movement_key, ReviewItem) is not None
    ):
        # Seen before without an intent (Portal.receive of an unmatched entry): it waits
        # for review; this approval names its intent, so it leaves the queue booked.
        tx.delete_order(REVIEW, event.movement_key)
        outcome = book_in(tx, event, mark=False)
    if outcome.outcome is Outcome.REVIEW:
        raise AllocationError(f"entry {entry.entry_id!r} cannot be booked: {outcome.reason}")
    return outcome.outcome is Outcome.BOOKED
