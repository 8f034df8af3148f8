"""The booking path over storage: dedupe, load, decide, write; one transaction per event."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeVar

import attrs

from payportal import _validators as v
from payportal.accounts import ComponentKind
from payportal.booking._decide import (
    BookingDecision,
    decide,
    decide_credit_note,
    decide_waiver,
    reject,
    release,
)
from payportal.booking._journal import journal_data, journal_record
from payportal.booking._model import CreditNotePolicy, PaymentEvent, PaymentIntent
from payportal.documents import CreditNote, Document, PayableDocument, Reminder
from payportal.exceptions import (
    AllocationError,
    ConcurrentUpdateError,
    CurrencyMismatchError,
    InsufficientFundsError,
    InvalidTransitionError,
    ValidationError,
)
from payportal.receipts._issue import store_receipts
from payportal.storage._codec import immutable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from payportal._money import Money
    from payportal.accounts import CustomerAccount
    from payportal.booking._decide import JournalRecord
    from payportal.storage import Storage, Transaction, Versioned

__all__ = [
    "BookingOutcome",
    "Outcome",
    "book",
    "book_credit_note",
    "book_in",
    "book_many",
    "journal",
    "load_intent",
    "reject_top_up",
    "release_top_up",
    "release_top_up_in",
    "resolve_review",
    "review_queue",
    "save_intent",
    "waive_fee",
]

T = TypeVar("T")

# Where the booking keeps its own records in the storage's keyed store (save_order): the
# intents, the link from a provider's payment id to its intent, and the review queue.
INTENTS = "payportal.booking:intent"
PAYMENTS = "payportal.booking:payment"
REVIEW = "payportal.booking:review"
# The source under which movement keys are marked processed (one unique key per movement).
MOVEMENTS = "payportal.booking:movement"
CREDIT_NOTES = "payportal.booking:credit_note"
WAIVERS = "payportal.booking:waiver"

#: How often a booking is redone after another writer changed the account in between.
ATTEMPTS = 5


class Outcome(enum.Enum):
    """What :func:`book` did with an event."""

    #: The event changed the books (money, documents or the intent's status).
    BOOKED = "booked"
    #: The movement was booked before (the database said so); nothing changed.
    ALREADY_BOOKED = "already_booked"
    #: The event was new but had nothing to book (an older cumulative total, a status the
    #: intent already has).
    NOTHING_TO_BOOK = "nothing_to_book"
    #: The event could not be booked (no intent, no account, refused by the decision); it
    #: waits in the review queue with the reason.
    REVIEW = "review"


@attrs.frozen
class BookingOutcome:
    """The result of :func:`book`: what happened, the decision applied, the reason of a
    review."""

    outcome: Outcome
    decision: BookingDecision | None = None
    reason: str = ""


@attrs.frozen
class IntentLink:
    """Stored under ``(provider, payment id)``: the intent a provider's payment belongs to."""

    intent_id: str


@attrs.frozen
class ReviewItem:
    """An event that could not be booked, kept with the reason until someone resolves it."""

    event: PaymentEvent
    reason: str


# Deeply immutable: the storage may share their decoded models between loads.
immutable(PaymentIntent, IntentLink, ReviewItem)


def _payment_key(provider: str, payment_id: str) -> str:
    return f"{provider}:{payment_id}"


def save_intent(tx: Transaction, intent: PaymentIntent, *, link: bool = True) -> None:
    """Store ``intent`` (replacing its stored state) and, unless ``link`` is false (it is
    linked already), link its provider payment to it."""
    if not isinstance(intent, PaymentIntent):
        raise ValidationError("must be a PaymentIntent", field="intent", value=intent)
    tx.save_order(INTENTS, intent.id, intent)
    if link and intent.payment_id is not None:
        tx.save_order(
            PAYMENTS, _payment_key(intent.provider, intent.payment_id), IntentLink(intent.id)
        )


def load_intent(tx: Transaction, intent_id: str) -> PaymentIntent | None:
    """The stored intent ``intent_id``, or ``None``."""
    return tx.load_order(INTENTS, intent_id, PaymentIntent)


def _find_intent(tx: Transaction, event: PaymentEvent) -> PaymentIntent | None:
    intent_id = event.intent_id
    if intent_id is None:
        link = tx.load_order(
            PAYMENTS, _payment_key(event.provider, event.provider_payment_id), IntentLink
        )
        if link is None:
            return None
        intent_id = link.intent_id
    return load_intent(tx, intent_id)


def _retrying(attempts: int, work: Callable[[], T]) -> T:
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except ConcurrentUpdateError:
            # Another writer saved the account in between: the whole transaction was
            # rolled back (the movement mark too), so doing it again is safe.
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def book(storage: Storage, event: PaymentEvent, *, attempts: int = ATTEMPTS) -> BookingOutcome:
    """Book ``event`` exactly once, in one transaction of ``storage``.

    The event's movement key is marked processed under the storage's unique constraint
    first: if it was, nothing else happens (:attr:`Outcome.ALREADY_BOOKED`), however many
    processes deliver the same movement at once. Otherwise the intent (``event.intent_id``
    or the intent linked to the provider's payment id), the customer's account and the
    affected documents are loaded, :func:`~payportal.booking.decide` decides, and the
    account (at the version read), the documents, the intent, the journal records and
    the outbox messages are written together.

    An event without a known intent or account, or one the decision refuses (a refund of
    more than was booked, ...), is never lost: it goes to the review queue
    (:func:`review_queue`) with the reason, and an outbox message ``payment.review``
    tells the app.

    Raises:
        ConcurrentUpdateError: another writer changed the account ``attempts`` times in a
            row (each time everything was rolled back and redone).
        StorageError: the storage failed; nothing was written, so delivering the event
            again later books it.
    """
    if not isinstance(event, PaymentEvent):
        raise ValidationError("must be a PaymentEvent", field="event", value=event)

    def once() -> BookingOutcome:
        with storage.transaction() as tx:
            return book_in(tx, event)

    return _retrying(attempts, once)


def book_many(
    storage: Storage, events: Iterable[PaymentEvent], *, attempts: int = ATTEMPTS
) -> list[BookingOutcome]:
    """Book ``events`` as :func:`book` does, one after the other, but in one transaction
    (a group commit: one ``BEGIN``/``COMMIT``, on SQLite with ``synchronous=FULL`` one
    flush to the disk, for the whole batch). For importers and poll sweeps that have many
    events at hand; a webhook handler books its one event with :func:`book`.

    Each event sees what the earlier ones booked (two events of one customer in a batch
    book one after the other), and a movement delivered twice in the batch books once.
    All or nothing: if the storage fails, nothing of the batch is booked, and delivering
    the events again books them; if another writer changed an account in between, the
    whole batch is rolled back and redone (up to ``attempts`` times).

    Returns:
        One :class:`BookingOutcome` per event, in order.

    Raises:
        ValidationError: an element is not a :class:`PaymentEvent` (before anything is
            booked).
        ConcurrentUpdateError: as :func:`book`.
        StorageError: as :func:`book`.
    """
    batch = list(events)
    for position, event in enumerate(batch):
        if not isinstance(event, PaymentEvent):
            raise ValidationError(
                "must be a PaymentEvent", field=f"events[{position}]", value=event
            )

    def once() -> list[BookingOutcome]:
        with storage.transaction() as tx:
            return [book_in(tx, event) for event in batch]

    return _retrying(attempts, once)


def book_in(tx: Transaction, event: PaymentEvent, *, mark: bool = True) -> BookingOutcome:
    """:func:`book` inside a transaction the caller holds (to book along with other writes).

    With ``mark=False`` the movement key is not marked (it already was, as for an event
    taken from the review queue).

    Raises:
        ConcurrentUpdateError: the account changed since it was read in this transaction;
            roll back and redo (:func:`book` does).
    """
    if mark and not tx.mark_processed(MOVEMENTS, event.movement_key):
        return BookingOutcome(Outcome.ALREADY_BOOKED)
    intent = _find_intent(tx, event)
    if intent is None:
        return _to_review(tx, event, "no payment intent is known for this payment")
    stored = tx.load_account(intent.customer_id)
    if stored is None:
        return _to_review(tx, event, f"customer {intent.customer_id!r} has no account")
    documents = _load_documents(tx, stored.value, intent)
    try:
        decision = decide(stored.value, [d.value for d in documents.values()], intent, event)
    except (
        AllocationError,
        InsufficientFundsError,
        CurrencyMismatchError,
        ValidationError,
    ) as exc:
        return _to_review(tx, event, str(exc))
    if not decision.changed:
        return BookingOutcome(Outcome.NOTHING_TO_BOOK, decision)
    _write(tx, decision, stored.version, documents, linked=intent.payment_id)
    return BookingOutcome(Outcome.BOOKED, decision)


def load_payable(tx: Transaction, document_id: str) -> PayableDocument:
    """The stored invoice or reminder ``document_id``, which a payment names.

    Raises:
        ValidationError: no invoice or reminder of that id is stored.
    """
    stored = tx.load_document(document_id)
    document = stored.value if stored is not None else None
    if not isinstance(document, PayableDocument):
        raise ValidationError("names no invoice or reminder", field="documents", value=document_id)
    return document


def _load_documents(
    tx: Transaction, account: CustomerAccount, intent: PaymentIntent | None
) -> dict[str, Versioned[Document]]:
    """The documents a booking for ``intent`` may touch, by id: those of the open items, of
    the items the intent's bookings reached, and of the reminders of any of these."""
    keys = {key for key, item in account.items.items() if item.open_units}
    if intent is not None:
        for booking_id in intent.bookings:
            standing = account.allocations.get(booking_id)
            if standing is not None:
                keys.update(standing.open_before)
    subjects: dict[str, None] = {}
    for item in account.items.values():
        # A reminder follows the invoices it reminds of, even once its own charges are paid.
        if item.subject and (item.key in keys or not keys.isdisjoint(item.reminds)):
            subjects[item.subject] = None
    found: dict[str, Versioned[Document]] = {}
    wanted = [subject.partition(":")[2] for subject in subjects]
    while wanted:
        # One statement per round: the items' documents, then the invoices their
        # reminders remind of (money on a reminder's principal is recorded on those).
        batch = list(dict.fromkeys(key for key in wanted if key and key not in found))
        wanted = []
        for document_id, loaded in tx.load_documents(batch).items():
            if isinstance(loaded.value, PayableDocument):
                found[document_id] = loaded
                if isinstance(loaded.value, Reminder):
                    wanted += loaded.value.invoice_ids
    return found


def _write(
    tx: Transaction,
    decision: BookingDecision,
    account_version: int,
    documents: dict[str, Versioned[Document]],
    *,
    linked: str | None = None,
) -> None:
    tx.save_account(decision.account, version=account_version)
    tx.save_documents([(d, documents[d.id].version) for d in decision.documents])
    if decision.intent is not None:
        save_intent(tx, decision.intent, link=decision.intent.payment_id != linked)
    for record in decision.journal:
        tx.append_journal(record.customer_id, record.kind, journal_data(record))
    # In the booking's transaction: a receipt exists exactly when its booking does.
    _, announced = store_receipts(tx, decision)
    tx.publish_many([(m.topic, m.payload) for m in decision.outbox] + announced)


def _to_review(tx: Transaction, event: PaymentEvent, reason: str) -> BookingOutcome:
    tx.save_order(REVIEW, event.movement_key, ReviewItem(event, reason))
    tx.publish(
        "payment.review",
        {
            "movement_key": event.movement_key,
            "provider": event.provider,
            "provider_payment_id": event.provider_payment_id,
            "kind": event.kind.value,
            "reason": reason,
        },
    )
    return BookingOutcome(Outcome.REVIEW, reason=reason)


def review_queue(storage: Storage) -> list[tuple[PaymentEvent, str]]:
    """The events waiting for review, with their reasons, by movement key."""
    with storage.transaction() as tx:
        items = []
        for key in tx.order_references(REVIEW):
            item = tx.load_order(REVIEW, key, ReviewItem)
            if item is not None:
                items.append((item.event, item.reason))
        return items


def resolve_review(
    storage: Storage, movement_key: str, *, intent_id: str | None = None
) -> BookingOutcome:
    """Book the event waiting for review under ``movement_key`` again, optionally for the
    intent ``intent_id`` (when the payment could not be matched to one). It leaves the
    queue if it books; else it stays with the new reason.

    Raises:
        ValidationError: no event waits under ``movement_key``.
    """

    def once() -> BookingOutcome:
        with storage.transaction() as tx:
            item = tx.load_order(REVIEW, movement_key, ReviewItem)
            if item is None:
                raise ValidationError(
                    "names no event waiting for review", field="movement_key", value=movement_key
                )
            event = item.event
            if intent_id is not None:
                event = attrs.evolve(event, intent_id=intent_id)
            tx.delete_order(REVIEW, movement_key)
            return book_in(tx, event, mark=False)

    return _retrying(ATTEMPTS, once)


def _merchant_action(
    storage: Storage,
    intent_id: str,
    at: datetime,
    action: Callable[..., BookingDecision],
) -> BookingDecision:
    v.check_aware(at, "at")

    def once() -> BookingDecision:
        with storage.transaction() as tx:
            return _merchant_action_in(tx, intent_id, at, action)

    return _retrying(ATTEMPTS, once)


def _merchant_action_in(
    tx: Transaction,
    intent_id: str,
    at: datetime,
    action: Callable[..., BookingDecision],
) -> BookingDecision:
    intent = load_intent(tx, intent_id)
    if intent is None:
        raise ValidationError("names no payment intent", field="intent_id", value=intent_id)
    stored = tx.load_account(intent.customer_id)
    if stored is None:
        raise InvalidTransitionError(f"customer {intent.customer_id!r} has no account")
    decision = action(stored.value, intent, at=at)
    _write(tx, decision, stored.version, {})
    return decision


def release_top_up_in(tx: Transaction, intent_id: str, *, at: datetime) -> BookingDecision:
    """:func:`release_top_up` inside a transaction the caller holds (to release along with
    other bookings, all or nothing).

    Raises:
        InvalidTransitionError: nothing of the intent is pending.
        ValidationError: no such intent.
        ConcurrentUpdateError: the account changed since it was read in this transaction.
    """
    v.check_aware(at, "at")
    return _merchant_action_in(tx, intent_id, at, release)


def release_top_up(storage: Storage, intent_id: str, *, at: datetime) -> BookingDecision:
    """The merchant saw the money of the pending bank-transfer top-up ``intent_id``:
    credit it (see :func:`~payportal.booking.release`), in one transaction.

    Raises:
        InvalidTransitionError: nothing of the intent is pending.
        ValidationError: no such intent.
    """
    return _merchant_action(storage, intent_id, at, release)


def reject_top_up(storage: Storage, intent_id: str, *, at: datetime) -> BookingDecision:
    """Drop the pending bank-transfer top-up ``intent_id`` (see
    :func:`~payportal.booking.reject`), in one transaction.

    Raises:
        InvalidTransitionError: nothing of the intent is pending.
        ValidationError: no such intent.
    """
    return _merchant_action(storage, intent_id, at, reject)


def book_credit_note(
    storage: Storage, credit_note: CreditNote, policy: CreditNotePolicy, *, at: datetime
) -> BookingOutcome:
    """Book ``credit_note`` once (see :func:`~payportal.booking.decide_credit_note`).

    Booking the same credit note again changes nothing (:attr:`Outcome.ALREADY_BOOKED`).

    Raises:
        InvalidTransitionError: the customer has no account.
    """
    if not isinstance(credit_note, CreditNote):
        raise ValidationError("must be a CreditNote", field="credit_note", value=credit_note)
    v.check_aware(at, "at")

    def once() -> BookingOutcome:
        with storage.transaction() as tx:
            if not tx.mark_processed(CREDIT_NOTES, credit_note.id):
                return BookingOutcome(Outcome.ALREADY_BOOKED)
            stored = tx.load_account(credit_note.customer_id)
            if stored is None:
                raise InvalidTransitionError(
                    f"customer {credit_note.customer_id!r} has no account to book credit "
                    f"note {credit_note.number} on"
                )
            documents = _load_documents(tx, stored.value, None)
            decision = decide_credit_note(
                stored.value, [d.value for d in documents.values()], credit_note, policy, at=at
            )
            _write(tx, decision, stored.version, documents)
            return BookingOutcome(Outcome.BOOKED, decision)

    return _retrying(ATTEMPTS, once)


def waive_fee(
    storage: Storage,
    customer_id: str,
    key: str,
    *,
    reason: str,
    at: datetime,
    kind: ComponentKind = ComponentKind.COSTS,
    amount: Money | None = None,
    request_id: str | None = None,
) -> BookingOutcome:
    """Waive a reminder's fee (or interest) on request, in one transaction: the account,
    the reminder's paid state, a ``fee_waived`` journal record with ``reason`` and a
    ``fee.waived`` outbox message are written together or not at all (see
    :func:`~payportal.booking.decide_waiver`).

    Args:
        storage: where the portal's state is.
        customer_id: whose account.
        key: the item, normally the reminder's number.
        reason: why; kept in the journal record's ``note``.
        at: when (timezone-aware).
        kind: COSTS (fees, the default) or INTEREST.
        amount: how much; all that is open of ``kind`` if omitted.
        request_id: the caller's id of this request: a request repeated with the same id
            changes nothing (:attr:`Outcome.ALREADY_BOOKED`).

    Raises:
        ValidationError: an argument is invalid or names no item on the account.
        InvalidTransitionError: the customer has no account, or nothing of ``kind`` is open
            on the item.
        CurrencyMismatchError: ``amount`` is in another currency than the account.
    """
    v.check_aware(at, "at")
    if request_id is not None and (not isinstance(request_id, str) or not request_id.strip()):
        raise ValidationError(
            "must be a non-empty string or None", field="request_id", value=request_id
        )

    def once() -> BookingOutcome:
        with storage.transaction() as tx:
            if request_id is not None and not tx.mark_processed(WAIVERS, request_id):
                return BookingOutcome(Outcome.ALREADY_BOOKED)
            stored = tx.load_account(customer_id)
            if stored is None:
                raise InvalidTransitionError(
                    f"customer {customer_id!r} has no account to waive a charge on"
                )
            documents = _load_documents(tx, stored.value, None)
            decision = decide_waiver(
                stored.value,
                [d.value for d in documents.values()],
                key,
                reason=reason,
                at=at,
                kind=kind,
                amount=amount,
            )
            _write(tx, decision, stored.version, documents)
            return BookingOutcome(Outcome.BOOKED, decision)

    return _retrying(ATTEMPTS, once)


def journal(
    storage: Storage, customer_id: str | None = None, *, batch: int = 1000
) -> Iterable[JournalRecord]:
    """Every booking's journal record, oldest first, of one customer or all.

    Entries that other parts of payportal appended to the storage's journal are skipped.
    """
    after = 0
    while True:
        with storage.transaction() as tx:
            entries = tx.journal(customer_id, after=after, limit=batch)
        for entry in entries:
            if "movement_key" in entry.data and "booking_id" in entry.data:
                yield journal_record(entry.customer_id, entry.data)
        if len(entries) < batch:
            return
        after = entries[-1].sequence
