"""SEPA direct debit through the booking path: stored mandates, collections, confirmations
and returns.

The pure parts are :mod:`payportal.mandates` (the mandate, the collection, the pain.008
file, the return reasons); this module keeps their state in a
:class:`~payportal.storage.Storage` and books their money through :func:`book_in`, the
same path every other payment takes:

* :func:`grant_mandate` stores a mandate under a reference drawn from a storage sequence;
  a customer who already has an active mandate and gives a new account gets that mandate
  *amended* (the SEPA rulebooks' AT-24: a new IBAN at the same bank carries the original
  IBAN, at another bank ``SMNDA``), not a second one.
* :func:`collect` turns what is due on the accounts of customers with an active mandate
  into collections (one per due of :meth:`~payportal.accounts.CustomerAccount.dues`, so a
  reminder's demand is collected with the invoices it reminds of), writes them as one
  pain.008 file and books each as *pending*: a payment intent of provider
  :data:`PROVIDER`, a journal entry and an outbox message ``direct_debit.pending`` with the
  pre-notification data. Nothing is paid yet, and a due in a pending or confirmed
  collection is never collected again.
* :func:`receive_direct_debit` reads a bank statement entry: a credit for a collection (by
  end-to-end id, by the batch's message or block id, or by mandate and amount) books the
  collection as a capture, once; a debit that returns one (an R-transaction) cancels a
  pending collection or charges back a confirmed one, adds the merchant's return fee to the
  account as an open item, blocks the mandate when the return reason says so
  (:attr:`~payportal.mandates.ReturnReason.blocks_mandate`) and publishes
  ``direct_debit.returned``.

Every operation runs in one transaction: on any error nothing is stored or booked.

Outbox topics (besides the booking's own, such as ``payment.booked`` and ``invoice.paid``):
``direct_debit.mandate_granted``, ``direct_debit.mandate_amended``,
``direct_debit.mandate_revoked`` (customer, mandate reference, creditor identifier, scheme,
type, state, the IBAN's last four characters); ``direct_debit.pending`` (the
pre-notification's data: customer, mandate, creditor name and identifier, amount, due date,
sequence type, items, end-to-end id, the debtor's name and the IBAN's last four
characters); ``direct_debit.collected``; ``direct_debit.returned`` (also the reason code and
name, whether the mandate was blocked, the fee and its item). The journal keeps an entry of
the same data for each (kinds ``direct_debit_pending``, ``direct_debit_returned``,
``direct_debit_mandate_granted`` ...), beside the booking's journal records.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.accounts import Component, ComponentKind, OpenItem
from payportal.booking._book import (
    ATTEMPTS,
    MOVEMENTS,
    BookingOutcome,
    Outcome,
    _retrying,
    book_in,
    save_intent,
)
from payportal.booking._decide import _record, _Source
from payportal.booking._journal import journal_data
from payportal.booking._model import EventKind, PaymentEvent, PaymentIntent, Purpose
from payportal.dunning import BlockReason, DunningBlock
from payportal.exceptions import ValidationError
from payportal.mandates import (
    PAIN_008_VERSIONS,
    Collection,
    Consent,
    Creditor,
    Mandate,
    MandateReferences,
    MandateState,
    MandateType,
    Scheme,
    SequenceType,
    UnusableMandateError,
    check_iban,
    earliest_due_date,
    find_return_reason,
    mandates_after,
    return_reason,
    sequence_types,
    write_pain008,
)
from payportal.reconciliation import Direction
from payportal.storage._codec import immutable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from payportal.accounts import CustomerAccount
    from payportal.mandates import ReturnReason
    from payportal.reconciliation import StatementEntry
    from payportal.storage import Storage, Transaction, Versioned

__all__ = [
    "PROVIDER",
    "CollectionState",
    "DirectDebitBatch",
    "DirectDebitCollection",
    "active_mandate",
    "collect",
    "collections_of",
    "grant_mandate",
    "mandates",
    "match_collections",
    "receive_direct_debit",
    "revoke_mandate",
]

PROVIDER = "sepa_direct_debit"
"""The provider and method name of direct-debit intents and events."""

# Where the direct debit keeps its records in the storage's keyed store (save_order).
MANDATES = "payportal.booking:mandate"  # mandate reference -> StoredMandate
CUSTOMERS = "payportal.booking:direct_debit"  # customer id -> Listed (has mandates)
# Per customer, written once and never changed (so concurrent writers cannot lose one):
# f"{MANDATES_OF}{customer id}": mandate reference -> Listed;
# f"{COLLECTIONS_OF}{customer id}": end-to-end id -> Listed. References and end-to-end ids
# are zero-padded sequence numbers, so their sorted order is the order they were made in.
MANDATES_OF = "payportal.booking:mandates_of:"
COLLECTIONS_OF = "payportal.booking:dd_collections_of:"
COLLECTIONS = "payportal.booking:dd_collection"  # end-to-end id -> DirectDebitCollection
BATCHES = "payportal.booking:dd_batch"  # message id -> BatchRecord
# The storage sequences the references come from.
MANDATE_NUMBERS = "payportal.booking:mandate"
COLLECTION_NUMBERS = "payportal.booking:dd_collection"
BATCH_NUMBERS = "payportal.booking:dd_batch"

_MANDATE_PREFIX = "PPM"
_MANDATE_REFERENCES = MandateReferences(_MANDATE_PREFIX)
# Message ids and end-to-end ids of the files collect writes start with this.
_FILE_PREFIX = "PPDD"
_REMITTANCE_LIMIT = 140


class CollectionState(enum.Enum):
    """Where a collection stands."""

    PENDING = "pending"
    """In a pain.008 file handed to the bank; the money has not arrived."""
    CONFIRMED = "confirmed"
    """The bank statement credited it: booked as paid."""
    RETURNED = "returned"
    """It came back (rejected, refused, returned or refunded): nothing of it stays booked."""


@attrs.frozen
class StoredMandate:
    """A mandate as stored, with its customer."""

    customer_id: str
    mandate: Mandate


@attrs.frozen
class Listed:
    """A write-once entry of a per-customer list: the key it is stored under."""

    key: str


@attrs.frozen
class BatchRecord:
    """A pain.008 file written by :func:`collect`: its collections by end-to-end id."""

    message_id: str
    end_to_end_ids: tuple[str, ...]


@attrs.frozen
class DirectDebitCollection:
    """One collection as stored: what it collects and where it stands.

    Attributes:
        end_to_end_id: the collection's end-to-end id (pain.008 ``EndToEndId``); banks
            report it with the credit and with every R-transaction.
        customer_id: whose account.
        mandate_reference: the mandate collected on.
        intent_id: the booking intent of the collection.
        message_id: the pain.008 file's message id.
        block_id: the file's payment-information block (``PmtInfId``) that holds it.
        amount: the amount collected.
        due_date: the day the debtor's account is debited.
        sequence_type: FRST, RCUR, OOFF or FNAL.
        item_keys: the open items it collects.
        state: pending, confirmed or returned.
        return_reason: the ISO return reason code, once returned (empty if the bank gave
            none).
    """

    end_to_end_id: str
    customer_id: str
    mandate_reference: str
    intent_id: str
    message_id: str
    block_id: str
    amount: Money
    due_date: date
    sequence_type: SequenceType
    item_keys: tuple[str, ...]
    state: CollectionState = CollectionState.PENDING
    return_reason: str = ""


immutable(StoredMandate, Listed, BatchRecord, DirectDebitCollection)


@attrs.frozen
class DirectDebitBatch:
    """What :func:`collect` wrote: one pain.008 file and its collections.

    An empty batch (nothing was due, or everything due is already being collected) has no
    file: ``xml`` is ``b""`` and ``message_id`` is ``""``; it is false in a boolean
    context.

    Attributes:
        message_id: the file's message id (``MsgId``).
        xml: the pain.008 file, UTF-8 XML, for the creditor's bank.
        collections: the collections in the file.
        records: the stored collections, in the same order (their state is pending).
    """

    message_id: str
    xml: bytes
    collections: tuple[Collection, ...] = ()
    records: tuple[DirectDebitCollection, ...] = ()

    @property
    def end_to_end_ids(self) -> tuple[str, ...]:
        """The end-to-end id of each collection, in order."""
        return tuple(c.end_to_end_id for c in self.collections)

    @property
    def total(self) -> Money | None:
        """The sum of the collections (``None`` for an empty batch)."""
        if not self.collections:
            return None
        return sum((c.amount for c in self.collections[1:]), self.collections[0].amount)

    def __len__(self) -> int:
        return len(self.collections)


# -- reading the stored state --------------------------------------------------------------


def _listed(tx: Transaction, namespace: str, customer_id: str) -> list[str]:
    return tx.order_references(namespace + customer_id)


def _list(tx: Transaction, namespace: str, customer_id: str, key: str) -> None:
    tx.save_order(namespace + customer_id, key, Listed(key))


def _mandates_in(tx: Transaction, customer_id: str) -> tuple[Mandate, ...]:
    found = []
    for reference in _listed(tx, MANDATES_OF, customer_id):
        stored = tx.load_order(MANDATES, reference, StoredMandate)
        if stored is not None:
            found.append(stored.mandate)
    return tuple(found)


def _active_in(tx: Transaction, customer_id: str) -> Mandate | None:
    for mandate in reversed(_mandates_in(tx, customer_id)):
        if mandate.state is MandateState.ACTIVE:
            return mandate
    return None


def _collections_in(tx: Transaction, customer_id: str) -> list[DirectDebitCollection]:
    found = []
    for end_to_end_id in _listed(tx, COLLECTIONS_OF, customer_id):
        record = tx.load_order(COLLECTIONS, end_to_end_id, DirectDebitCollection)
        if record is not None:
            found.append(record)
    return found


def _check_customer(customer_id: object) -> str:
    if not isinstance(customer_id, str) or not customer_id.strip():
        raise ValidationError(
            "must be a non-empty customer id", field="customer_id", value=customer_id
        )
    return customer_id


def mandates(storage: Storage, customer_id: str) -> tuple[Mandate, ...]:
    """The customer's mandates, oldest first, in every state.

    Raises:
        ValidationError: ``customer_id`` is empty or not a string.
    """
    _check_customer(customer_id)
    with storage.transaction() as tx:
        return _mandates_in(tx, customer_id)


def active_mandate(storage: Storage, customer_id: str) -> Mandate | None:
    """The customer's active mandate (the newest, if ever there were two), or ``None``.

    Raises:
        ValidationError: ``customer_id`` is empty or not a string.
    """
    _check_customer(customer_id)
    with storage.transaction() as tx:
        return _active_in(tx, customer_id)


def collections_of(storage: Storage, customer_id: str) -> tuple[DirectDebitCollection, ...]:
    """The customer's collections, oldest first, with their states.

    Raises:
        ValidationError: ``customer_id`` is empty or not a string.
    """
    _check_customer(customer_id)
    with storage.transaction() as tx:
        return tuple(_collections_in(tx, customer_id))


def dunning_blocks(storage: Storage, customer_id: str) -> tuple[DunningBlock, ...]:
    """Dunning blocks for the invoices a pending collection is collecting: no reminder while
    the money is on its way. A confirmed collection has paid them; a returned one lifts
    its blocks, so dunning resumes. Pass them to
    :meth:`payportal.dunning.DunningPolicy.due` (``blocks=``).

    Raises:
        ValidationError: ``customer_id`` is empty or not a string.
    """
    _check_customer(customer_id)
    with storage.transaction() as tx:
        pending = {
            key
            for record in _collections_in(tx, customer_id)
            if record.state is CollectionState.PENDING
            for key in record.item_keys
        }
        if not pending:
            return ()
        # Open items are keyed by the document number; blocks name the document id.
        held = sorted(
            stored.value.id
            for stored in tx.documents_of(customer_id)
            if stored.value.number in pending
        )
    return tuple(
        DunningBlock(
            customer_id=customer_id, reason=BlockReason.DIRECT_DEBIT, invoice_id=invoice_id
        )
        for invoice_id in held
    )


# -- mandates --------------------------------------------------------------------------------


def _need_creditor(creditor: Creditor | None) -> Creditor:
    if not isinstance(creditor, Creditor):
        raise ValidationError(
            "must be configured on the Portal (Portal(creditor=Creditor(...))) to take or "
            "collect direct-debit mandates",
            field="creditor",
            value=creditor,
        )
    return creditor


def _iban_tail(iban: str) -> str:
    return "…" + iban[-4:]


def grant_mandate(
    storage: Storage,
    creditor: Creditor | None,
    customer_id: str,
    *,
    iban: str,
    holder: str,
    consent_text: str,
    at: datetime,
    bic: str | None = None,
    scheme: Scheme = Scheme.CORE,
    type: MandateType = MandateType.RECURRING,  # noqa: A002  # the rulebook's word
) -> Mandate:
    """Store the customer's mandate, granted ``at`` with consent to ``consent_text``.

    A new mandate gets a reference from the storage's sequence (``PPM00000001``...) and an
    outbox message ``direct_debit.mandate_granted``. If the customer already has an active
    mandate of the same scheme and type, it is amended instead (new account, new holder
    name: see :meth:`Mandate.amend`; ``direct_debit.mandate_amended``) and returned; the
    same details again change nothing. An active mandate of another scheme or type is
    revoked and replaced by a new one (a change of scheme is no amendment).

    Raises:
        ValidationError: no creditor is configured, an IBAN or BIC is invalid (the error
            names it), the holder name is empty or too long, the consent text is empty,
            or ``at`` is not timezone-aware. Nothing is stored.
    """
    chosen = _need_creditor(creditor)
    _check_customer(customer_id)
    v.check_aware(at, "at")
    consent = Consent(at, consent_text, channel="portal")
    compact = check_iban(iban)

    def once() -> Mandate:
        with storage.transaction() as tx:
            current = _active_in(tx, customer_id)
            if current is not None and (current.scheme, current.type) == (scheme, type):
                amended = current.amend(iban=compact, bic=bic, debtor_name=holder)
                if amended == current:
                    return current
                tx.save_order(MANDATES, amended.reference, StoredMandate(customer_id, amended))
                _mandate_message(tx, "direct_debit.mandate_amended", customer_id, amended, at)
                return amended
            number = tx.next_number(MANDATE_NUMBERS)
            mandate = Mandate.grant(
                reference=_MANDATE_REFERENCES.make(number),
                creditor_id=chosen.creditor_id,
                debtor_name=holder,
                iban=compact,
                bic=bic,
                signed_on=at.date(),
                consent=consent,
                scheme=scheme,
                type=type,
            )
            if current is not None:
                replaced = current.revoke(f"replaced by mandate {mandate.reference}")
                tx.save_order(MANDATES, replaced.reference, StoredMandate(customer_id, replaced))
                _mandate_message(tx, "direct_debit.mandate_revoked", customer_id, replaced, at)
            tx.save_order(MANDATES, mandate.reference, StoredMandate(customer_id, mandate))
            _list(tx, MANDATES_OF, customer_id, mandate.reference)
            tx.save_order(CUSTOMERS, customer_id, Listed(customer_id))
            _mandate_message(tx, "direct_debit.mandate_granted", customer_id, mandate, at)
            return mandate

    return _retrying(ATTEMPTS, once)


def _mandate_message(
    tx: Transaction, topic: str, customer_id: str, mandate: Mandate, at: datetime
) -> None:
    data = {
        "customer_id": customer_id,
        "mandate_reference": mandate.reference,
        "creditor_id": mandate.creditor_id,
        "scheme": mandate.scheme.value,
        "type": mandate.type.value,
        "state": mandate.state.value,
        "iban": _iban_tail(mandate.iban),
        "at": at.isoformat(),
    }
    tx.append_journal(customer_id, topic.replace(".", "_"), data)
    tx.publish(topic, data)


def revoke_mandate(
    storage: Storage, customer_id: str, reference: str, *, at: datetime, reason: str = ""
) -> Mandate:
    """Revoke the customer's mandate ``reference``; nothing is collected on it any more.

    Collections already in a file at the bank stay pending: the bank collects them unless
    the merchant recalls them there.

    Raises:
        ValidationError: the customer has no mandate of that reference.
        MandateStateError: the mandate is not active (revoked, blocked or expired).
    """
    _check_customer(customer_id)
    v.check_aware(at, "at")

    def once() -> Mandate:
        with storage.transaction() as tx:
            stored = _own_mandate(tx, customer_id, reference)
            revoked = stored.mandate.revoke(reason or f"revoked on {at.date().isoformat()}")
            tx.save_order(MANDATES, reference, StoredMandate(customer_id, revoked))
            _mandate_message(tx, "direct_debit.mandate_revoked", customer_id, revoked, at)
            return revoked

    return _retrying(ATTEMPTS, once)


def _own_mandate(tx: Transaction, customer_id: str, reference: object) -> StoredMandate:
    stored = (
        tx.load_order(MANDATES, reference, StoredMandate) if isinstance(reference, str) else None
    )
    if stored is None or stored.customer_id != customer_id:
        raise ValidationError(
            f"names no mandate of customer {customer_id!r}", field="reference", value=reference
        )
    return stored


# -- collecting ------------------------------------------------------------------------------


def _block_ids(message_id: str, collections: list[Collection]) -> list[str]:
    """The ``PmtInfId`` of each collection's block, as :func:`write_pain008` numbers them
    (by due date, scheme and sequence type)."""
    order = {SequenceType.FRST: 0, SequenceType.OOFF: 1, SequenceType.RCUR: 2, SequenceType.FNAL: 3}
    kinds = sequence_types(collections)
    keys = [
        (c.due_date, c.mandate.scheme.value, order[k])
        for c, k in zip(collections, kinds, strict=True)
    ]
    numbers = {key: n for n, key in enumerate(sorted(set(keys)), start=1)}
    return [message_id[: 35 - len(f"-{numbers[k]}")] + f"-{numbers[k]}" for k in keys]


def _remittance(keys: tuple[str, ...]) -> str:
    text = " ".join(keys)
    return text if len(text) <= _REMITTANCE_LIMIT else text[: _REMITTANCE_LIMIT - 1] + "…"


def collect(
    storage: Storage,
    creditor: Creditor | None,
    *,
    on: date,
    at: datetime,
    due: date | None = None,
    customer_ids: Iterable[str] | None = None,
    version: str = "pain.008.001.08",
) -> DirectDebitBatch:
    """Collect what is due from every customer with an active mandate (or from
    ``customer_ids``), as one pain.008 file submitted ``on``.

    Each due of the account (:meth:`~payportal.accounts.CustomerAccount.dues`: an invoice,
    or a reminder's demand with the invoices it reminds of) that falls due by the
    collection's due date and is in no pending or confirmed collection becomes one
    collection; a one-off mandate collects its first due only. The due date is ``due`` or
    the earliest the rules allow (:func:`~payportal.mandates.earliest_due_date`: 14 days'
    pre-notification from ``on``, D-1 interbank). Each collection is stored as pending with
    a payment intent, a journal entry and the outbox message ``direct_debit.pending``
    (customer, mandate, creditor identifier, amount, due date, account: what the
    pre-notification needs); the mandates move on (sequence types, amendments carried).

    In a sweep (no ``customer_ids``) a customer whose mandate cannot be collected on at the
    due date (expired by 36 months unused) is skipped; named customers must be collectable.

    Returns:
        The batch; empty (nothing stored) if nothing new is due.

    Raises:
        ValidationError: no creditor is configured, ``due`` is earlier than the rules allow,
            an unknown ``version``, or a named customer has no mandate.
        UnusableMandateError: a named customer's mandate is revoked, blocked, expired or
            used up at the due date.
    """
    chosen = _need_creditor(creditor)
    if not isinstance(on, date):
        raise ValidationError("must be a date", field="on", value=on)
    if due is not None and not isinstance(due, date):
        raise ValidationError("must be a date or None", field="due", value=due)
    if version not in PAIN_008_VERSIONS:
        raise ValidationError(
            f"is not a pain.008 version payportal writes ({', '.join(PAIN_008_VERSIONS)})",
            field="version",
            value=version,
        )
    v.check_aware(at, "at")
    if isinstance(customer_ids, str):
        customer_ids = [customer_ids]
    named = None if customer_ids is None else [_check_customer(c) for c in customer_ids]

    def once() -> DirectDebitBatch:
        with storage.transaction() as tx:
            return _collect_in(tx, chosen, on=on, at=at, due=due, named=named, version=version)

    return _retrying(ATTEMPTS, once)


def _collectable(
    tx: Transaction, customer_id: str, *, on: date, due: date | None, named: bool
) -> tuple[Mandate, date] | None:
    """The customer's active mandate and the due date to collect on it, or ``None`` (in a
    sweep) if the customer cannot be collected from; a named customer raises instead."""
    mandate = _active_in(tx, customer_id)
    if mandate is None:
        if not named:
            return None
        known = _mandates_in(tx, customer_id)
        if known:
            raise UnusableMandateError(
                f"is {known[-1].state.value}; customer {customer_id!r} has no active mandate",
                field="mandate",
                value=known[-1].reference,
            )
        raise ValidationError(
            "has no direct-debit mandate", field="customer_ids", value=customer_id
        )
    earliest = earliest_due_date(notified_on=on, submitted_on=on, scheme=mandate.scheme)
    due_date = earliest if due is None else due
    if due_date < earliest:
        raise ValidationError(
            f"is earlier than {earliest.isoformat()}, the earliest due date for a file "
            f"submitted and pre-notified on {on.isoformat()}",
            field="due",
            value=due_date,
        )
    problem = mandate.problem(due_date)
    if problem is not None:
        if not named:
            return None
        raise UnusableMandateError(problem, field="mandate", value=mandate.reference)
    return mandate, due_date


def _collect_in(
    tx: Transaction,
    creditor: Creditor,
    *,
    on: date,
    at: datetime,
    due: date | None,
    named: list[str] | None,
    version: str,
) -> DirectDebitBatch:
    customers = named if named is not None else tx.order_references(CUSTOMERS)
    planned: list[tuple[str, Mandate, tuple[str, ...], Money, date]] = []
    accounts: dict[str, Versioned[CustomerAccount]] = {}
    for customer_id in dict.fromkeys(customers):
        usable = _collectable(tx, customer_id, on=on, due=due, named=named is not None)
        if usable is None:
            continue
        mandate, due_date = usable
        stored = tx.load_account(customer_id)
        if stored is None or stored.value.currency != "EUR":
            continue  # SEPA direct debits are in euro; nothing to collect here
        busy = {
            key
            for record in _collections_in(tx, customer_id)
            if record.state is not CollectionState.RETURNED
            for key in record.item_keys
        }
        for owed in stored.value.dues():
            if owed.due_on > due_date or not owed.amount or not busy.isdisjoint(owed.keys):
                continue
            planned.append((customer_id, mandate, owed.keys, owed.amount, due_date))
            accounts[customer_id] = stored
            if mandate.type is MandateType.ONE_OFF:
                break
    if not planned:
        return DirectDebitBatch(message_id="", xml=b"")
    message_id = f"{_FILE_PREFIX}{tx.next_number(BATCH_NUMBERS):08d}"
    collections = [
        Collection(
            mandate,
            amount,
            f"{_FILE_PREFIX}{tx.next_number(COLLECTION_NUMBERS):010d}",
            due_date,
            remittance=_remittance(keys),
        )
        for _, mandate, keys, amount, due_date in planned
    ]
    xml = write_pain008(
        creditor, collections, message_id=message_id, created_at=at, version=version
    )
    kinds = sequence_types(collections)
    blocks = _block_ids(message_id, collections)
    for stored in accounts.values():
        # Saved unchanged at the version read: a concurrent collect of the same customer
        # fails with ConcurrentUpdateError, is redone, and then sees these collections.
        tx.save_account(stored.value, version=stored.version)
    for reference, mandate in mandates_after(collections).items():
        owner = tx.load_order(MANDATES, reference, StoredMandate)
        assert owner is not None
        tx.save_order(MANDATES, reference, StoredMandate(owner.customer_id, mandate))
    records = []
    for (customer_id, mandate, keys, amount, due_date), collection, kind, block in zip(
        planned, collections, kinds, blocks, strict=True
    ):
        e2e = collection.end_to_end_id
        intent = PaymentIntent(
            id=f"dd_{e2e}",
            customer_id=customer_id,
            amount=amount,
            purpose=Purpose.DOCUMENTS,
            item_keys=keys,
            reference=e2e,
            provider=PROVIDER,
            method=PROVIDER,
            created_at=at,
            payment_id=e2e,
        )
        save_intent(tx, intent)
        record = DirectDebitCollection(
            end_to_end_id=e2e,
            customer_id=customer_id,
            mandate_reference=mandate.reference,
            intent_id=intent.id,
            message_id=message_id,
            block_id=block,
            amount=amount,
            due_date=due_date,
            sequence_type=kind,
            item_keys=keys,
        )
        tx.save_order(COLLECTIONS, e2e, record)
        _list(tx, COLLECTIONS_OF, customer_id, e2e)
        data = {
            **_collection_data(record),
            "creditor_name": creditor.name,
            "creditor_id": mandate.creditor_id,
            "iban": _iban_tail(mandate.iban),
            "debtor_name": mandate.debtor_name,
            "at": at.isoformat(),
        }
        tx.append_journal(customer_id, "direct_debit_pending", data)
        tx.publish("direct_debit.pending", data)
        records.append(record)
    tx.save_order(
        BATCHES, message_id, BatchRecord(message_id, tuple(c.end_to_end_id for c in collections))
    )
    return DirectDebitBatch(
        message_id=message_id, xml=xml, collections=tuple(collections), records=tuple(records)
    )


def _collection_data(record: DirectDebitCollection) -> dict[str, Any]:
    return {
        "customer_id": record.customer_id,
        "end_to_end_id": record.end_to_end_id,
        "intent_id": record.intent_id,
        "mandate_reference": record.mandate_reference,
        "message_id": record.message_id,
        "amount": str(record.amount.amount),
        "currency": record.amount.currency,
        "due_date": record.due_date.isoformat(),
        "sequence_type": record.sequence_type.value,
        "items": list(record.item_keys),
    }


# -- what the bank statement says ------------------------------------------------------------


def _load(tx: Transaction, end_to_end_id: str) -> DirectDebitCollection | None:
    if not end_to_end_id:
        return None
    return tx.load_order(COLLECTIONS, end_to_end_id, DirectDebitCollection)


def _file_ids(entry: StatementEntry) -> list[str]:
    """The words of the entry's references and texts that may name a file we wrote."""
    texts = " ".join((entry.customer_reference, entry.remittance_text, entry.end_to_end_id))
    return [w for w in texts.replace("/", " ").split() if w.startswith(_FILE_PREFIX)]


def may_concern_collections(entry: StatementEntry) -> bool:
    """Whether ``entry`` may be about a collection of :func:`collect` (it names an id of
    the kind collect makes): a cheap test before any storage is read."""
    return entry.mandate_id.startswith(_MANDATE_PREFIX) or bool(_file_ids(entry))


def _batch_match(tx: Transaction, entry: StatementEntry) -> list[DirectDebitCollection]:
    """The collections of a batch credit: the entry names a file or block we wrote, and its
    amount is the sum of that file's or block's collections still pending."""
    for word in _file_ids(entry):
        message_id = word.rsplit("-", 1)[0] if "-" in word else word
        batch = tx.load_order(BATCHES, message_id, BatchRecord)
        if batch is None:
            continue
        records = [r for r in (_load(tx, e) for e in batch.end_to_end_ids) if r is not None]
        if word != message_id:
            records = [r for r in records if r.block_id == word]
        if sum(r.amount.amount for r in records) == entry.amount.amount:
            return records
    return []


def _mandate_match(tx: Transaction, entry: StatementEntry) -> list[DirectDebitCollection]:
    stored = tx.load_order(MANDATES, entry.mandate_id, StoredMandate) if entry.mandate_id else None
    if stored is None:
        return []
    wanted = (
        (CollectionState.PENDING,)
        if entry.direction is Direction.CREDIT
        else (CollectionState.CONFIRMED, CollectionState.PENDING)
    )
    candidates = [
        r
        for r in _collections_in(tx, stored.customer_id)
        if r.mandate_reference == entry.mandate_id
        and r.amount.amount == entry.amount.amount
        and r.state in wanted
    ]
    if not candidates:
        return []
    return [candidates[0] if entry.direction is Direction.CREDIT else candidates[-1]]


def match_collections(tx: Transaction, entry: StatementEntry) -> list[DirectDebitCollection]:
    """The stored collections ``entry`` is about: by end-to-end id, by the batch's
    message or block id, or by mandate reference and amount (in that order); ``[]`` if
    none."""
    record = _load(tx, entry.end_to_end_id)
    if record is not None:
        return [record]
    if entry.direction is Direction.CREDIT:
        found = _batch_match(tx, entry)
        if found:
            return found
    return _mandate_match(tx, entry)


def _reason_of(entry: StatementEntry) -> ReturnReason | None:
    if entry.return_reason:
        try:
            return return_reason(entry.return_reason)
        except ValidationError:
            return None
    return find_return_reason(entry)


def _occurred(entry: StatementEntry) -> datetime:
    return datetime.combine(entry.booking_date, datetime.min.time(), UTC)


def receive_direct_debit(
    storage: Storage,
    entry: StatementEntry,
    *,
    return_fee: Money | None = None,
) -> tuple[BookingOutcome, ...] | None:
    """Book what a bank statement entry says about direct-debit collections, once.

    A credit confirms the collections it matches (:func:`match_collections`): each is
    booked through :func:`~payportal.booking.book_in` as a capture of its intent, so its
    invoices are paid and their dunning stops. A debit is a return (an R-transaction;
    banks mark some as reversals, some not): a
    pending collection is cancelled (its invoices stay open and become due again), a
    confirmed one is charged back (exactly what it booked is taken back); ``return_fee``,
    if given, is added to the account as an open item of costs (key ``RLS-<end-to-end
    id>``); the mandate is blocked when the return reason requires it; and the outbox
    message ``direct_debit.returned`` says what happened. The same entry, or another
    report of the same movement, books nothing more (:attr:`Outcome.ALREADY_BOOKED`).

    Returns:
        One outcome per matched collection, or ``None`` if the entry matches no
        collection (book it as an ordinary payment).

    Raises:
        ValidationError: ``return_fee`` is not Money.
    """
    if return_fee is not None and (not isinstance(return_fee, Money) or return_fee.amount <= 0):
        raise ValidationError(
            "must be positive Money or None", field="return_fee", value=return_fee
        )

    if not may_concern_collections(entry):
        return None

    def once() -> tuple[BookingOutcome, ...] | None:
        with storage.transaction() as tx:
            if entry.direction is Direction.CREDIT and entry.reversal:
                return None  # money back after a debit: not a collection's credit
            records = match_collections(tx, entry)
            if not records:
                return None
            if entry.direction is Direction.CREDIT:
                return tuple(_confirm(tx, record, entry) for record in records)
            return tuple(_return(tx, record, entry, return_fee) for record in records)

    return _retrying(ATTEMPTS, once)


def _event(
    record: DirectDebitCollection, entry: StatementEntry, kind: EventKind, what: str
) -> PaymentEvent:
    return PaymentEvent(
        kind=kind,
        provider=PROVIDER,
        provider_payment_id=record.end_to_end_id,
        movement_key=f"{PROVIDER}:{record.end_to_end_id}:{what}",
        occurred_at=_occurred(entry),
        event_id=entry.entry_id[:300],
        intent_id=record.intent_id,
        amount=record.amount if kind.moves_money_in or kind.moves_money_out else None,
    )


def _confirm(
    tx: Transaction, record: DirectDebitCollection, entry: StatementEntry
) -> BookingOutcome:
    event = _event(record, entry, EventKind.CAPTURED, "collected")
    if record.state is CollectionState.RETURNED:
        # Returned before its credit showed up: the credit and the return cancel out.
        tx.mark_processed(MOVEMENTS, event.movement_key)
        return BookingOutcome(Outcome.NOTHING_TO_BOOK, reason="the collection was returned")
    outcome = book_in(tx, event)
    if outcome.outcome is Outcome.BOOKED:
        confirmed = attrs.evolve(record, state=CollectionState.CONFIRMED)
        tx.save_order(COLLECTIONS, record.end_to_end_id, confirmed)
        tx.publish("direct_debit.collected", _collection_data(confirmed))
    return outcome


def _return(
    tx: Transaction,
    record: DirectDebitCollection,
    entry: StatementEntry,
    fee: Money | None,
) -> BookingOutcome:
    if record.state is CollectionState.RETURNED:
        return BookingOutcome(Outcome.ALREADY_BOOKED)
    reason = _reason_of(entry)
    if record.state is CollectionState.PENDING:
        outcome = book_in(tx, _event(record, entry, EventKind.CANCELLED, "returned"))
        # The credit must not book it later either.
        tx.mark_processed(MOVEMENTS, f"{PROVIDER}:{record.end_to_end_id}:collected")
    else:
        outcome = book_in(tx, _event(record, entry, EventKind.CHARGEBACK, "returned"))
    if outcome.outcome in {Outcome.ALREADY_BOOKED, Outcome.REVIEW}:
        # Booked before, or the booking could not take it back (it waits for review with
        # the reason): the collection stays as it is, no fee is charged.
        return outcome
    returned = attrs.evolve(
        record, state=CollectionState.RETURNED, return_reason=reason.code if reason else ""
    )
    tx.save_order(COLLECTIONS, record.end_to_end_id, returned)
    fee_key = ""
    if fee is not None:
        fee_key = _charge_fee(tx, record, fee, entry)
    blocked = False
    stored = tx.load_order(MANDATES, record.mandate_reference, StoredMandate)
    if (
        reason is not None
        and reason.blocks_mandate
        and stored is not None
        and stored.mandate.state is MandateState.ACTIVE
    ):
        mandate = stored.mandate.block(f"return {reason.code} ({reason.name})")
        tx.save_order(MANDATES, mandate.reference, StoredMandate(stored.customer_id, mandate))
        blocked = True
    data = {
        **_collection_data(returned),
        "was": record.state.value,
        "reason": reason.code if reason else "",
        "reason_name": reason.name if reason else "",
        "mandate_blocked": blocked,
        "fee": str(fee.amount) if fee is not None and fee_key else None,
        "fee_item": fee_key or None,
        "entry_id": entry.entry_id,
    }
    tx.append_journal(record.customer_id, "direct_debit_returned", data)
    tx.publish("direct_debit.returned", data)
    if outcome.outcome is Outcome.BOOKED:
        return outcome
    return BookingOutcome(Outcome.BOOKED, outcome.decision, outcome.reason)


def _charge_fee(
    tx: Transaction, record: DirectDebitCollection, fee: Money, entry: StatementEntry
) -> str:
    stored = tx.load_account(record.customer_id)
    if stored is None or stored.value.currency != fee.currency:
        return ""
    key = f"RLS-{record.end_to_end_id}"
    if key in stored.value.items:
        return ""
    item = OpenItem(
        key=key,
        components=(Component(ComponentKind.COSTS, fee),),
        due_on=entry.booking_date,
        issued_on=entry.booking_date,
    )
    charged = stored.value.add(item)
    tx.save_account(charged, version=stored.version)
    # A receivable no invoice of the app's carries: the accountant must see it (the
    # journal's exports book it debtor to the charge account). No money moves.
    source = _Source(
        PROVIDER,
        record.end_to_end_id,
        entry.entry_id[:300],
        f"{PROVIDER}:{record.end_to_end_id}:return_fee",
        key,
    )
    journal = _record(
        "return_fee_charged",
        _occurred(entry),
        stored.value,
        charged,
        booking_id=f"return_fee:{record.end_to_end_id}",
        intent_id=record.intent_id,
        source=source,
        amount=Money.zero(fee.currency),
        charges=fee,
    )
    tx.append_journal(record.customer_id, journal.kind, journal_data(journal))
    return key
