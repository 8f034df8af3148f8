"""The booking decision: (account, documents, intent, event) -> changes, journal, outbox.

Pure: nothing here reads a clock, a database or the network. The storage path
(:func:`payportal.booking.book`) loads the inputs, calls :func:`decide` and writes what it
returns in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from payportal._money import Money
from payportal.accounts import (
    ComponentKind,
    CustomerAccount,
    EntryKind,
    OpenItem,
    PrepaidAccount,
)
from payportal.allocation import (
    AllocationResult,
    OverpaymentPolicy,
    Strategy,
    allocate,
    reverse,
)
from payportal.booking._model import (
    CreditNotePolicy,
    EventKind,
    IntentStatus,
    PaymentEvent,
    PaymentIntent,
    Purpose,
    top_up_method,
)
from payportal.documents import CreditNote, Document, PayableDocument, PaymentState, Reminder
from payportal.exceptions import (
    AllocationError,
    CurrencyMismatchError,
    InvalidTransitionError,
    ValidationError,
)

P = TypeVar("P", bound=PayableDocument)

__all__ = [
    "BookingDecision",
    "DocumentShare",
    "JournalRecord",
    "OutboxEvent",
    "decide",
    "decide_credit_note",
    "decide_waiver",
    "reject",
    "release",
]


@attrs.frozen
class DocumentShare:
    """The part of a booking that went to one open item (and its document).

    Attributes:
        item: the open item's key (the document number).
        subject: the document, as ``"<type>:<id>"`` (empty if the item names none).
        amount: money to (positive) or back from (negative) the item.
    """

    item: str
    subject: str
    amount: Money


@attrs.frozen(kw_only=True)
class JournalRecord:
    """One booking as the accountant sees it.

    Signs: money the merchant receives is positive, money it pays back negative. For every
    record ``amount == sum(documents) + credit + prepaid + pending + refund_due``: the
    money went to documents, the credit balance, the prepaid balance, pending top-ups or a
    refund request, and nowhere else. ``discounts`` and ``write_offs`` settle documents
    without money.

    Attributes:
        kind: ``payment_booked``, ``refund_booked``, ``chargeback_booked``,
            ``top_up_released``, ``top_up_rejected``, ``credit_note_booked``,
            ``fee_waived`` (no money: the waived charge is in ``write_offs``) or
            ``return_fee_charged`` (no money: a direct debit's return fee put on the
            account, in ``charges``).
        at: when the booking counts (the event's time).
        customer_id: whose account.
        booking_id: the id the booking has on the account (an intent id, ``/2`` for its
            second capture; ``credit_note:<id>`` for a credit note).
        intent_id: the intent, if the booking has one.
        provider: who reported the movement (``"paypal"``; ``"merchant"`` for a release).
        provider_payment_id: the provider's payment id, if any.
        event_id: the provider's notification id, if any.
        movement_key: what identifies the money movement.
        reference: the payment reference.
        amount: the money moved by this booking.
        documents: the shares per open item.
        discounts: cash discounts taken (positive) or undone (negative).
        write_offs: shortfalls written off (positive) or undone (negative).
        credit: change of the credit balance.
        prepaid: change of the prepaid balance.
        pending: change of the pending top-ups.
        refund_due: change of the refunds due to the customer.
        charges: costs put on the customer's account by payportal itself (a returned
            direct debit's fee), which no invoice of the app's carries; zero for every
            other booking.
        fee: the provider's fee, if known.
        note: why, for bookings a person decided (the reason a fee was waived).
    """

    kind: str
    at: datetime
    customer_id: str
    booking_id: str
    intent_id: str | None
    provider: str
    provider_payment_id: str | None
    event_id: str | None
    movement_key: str
    reference: str
    amount: Money
    documents: tuple[DocumentShare, ...] = ()
    discounts: Money
    write_offs: Money
    credit: Money
    prepaid: Money
    pending: Money
    refund_due: Money
    charges: Money = attrs.field(
        default=attrs.Factory(lambda self: Money.zero(self.amount.currency), takes_self=True)
    )
    fee: Money | None = None
    note: str = ""

    @property
    def placed(self) -> Money:
        """Where the money went, summed: equals :attr:`amount` for every record."""
        return (
            sum((d.amount for d in self.documents), Money.zero(self.amount.currency))
            + self.credit
            + self.prepaid
            + self.pending
            + self.refund_due
        )


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class OutboxEvent:
    """A message for the app (send a mail, call its own webhook): ``topic`` and JSON data.

    Topics: ``payment.booked``, ``invoice.paid``, ``invoice.partially_paid``,
    ``credit.created``, ``top_up.credited``, ``top_up.pending``, ``top_up.released``,
    ``top_up.rejected``, ``refund.booked``, ``refund.due``, ``payment.authorised``,
    ``payment.failed``, ``payment.cancelled``, ``payment.expired``,
    ``credit_note.booked``, ``reminder.paid`` (and the other document topics),
    ``dunning.stopped`` (a reminded invoice is settled: remind no further),
    ``fee.waived``.
    """

    topic: str
    payload: Mapping[str, Any] = attrs.field(converter=_frozen)


@attrs.frozen(kw_only=True)
class BookingDecision:
    """What one event changes; apply all of it or nothing.

    Attributes:
        account: the account after the booking (the input account if nothing changed).
        documents: the documents whose paid state changed, as they are after it.
        intent: the intent after the booking (``None`` for a credit note).
        journal: the journal records to append.
        outbox: the messages for the app.
        booked: the money this event booked (positive in, negative out; zero: nothing
            to book, such as a repeated report of an older total).
    """

    account: CustomerAccount
    documents: tuple[PayableDocument, ...] = ()
    intent: PaymentIntent | None = None
    journal: tuple[JournalRecord, ...] = ()
    outbox: tuple[OutboxEvent, ...] = ()
    booked: Money

    @property
    def changed(self) -> bool:
        """Whether the decision changes anything that must be stored."""
        return bool(self.journal or self.outbox or self.documents)


# -- helpers -------------------------------------------------------------------------------


def _refunds_total(account: CustomerAccount) -> Money:
    return sum((r.amount for r in account.refunds_due), Money.zero(account.currency))


@attrs.frozen
class _Source:
    """Where a booking comes from, for the journal."""

    provider: str
    provider_payment_id: str | None
    event_id: str | None
    movement_key: str
    reference: str
    fee: Money | None = None


def _record(
    kind: str,
    at: datetime,
    before: CustomerAccount,
    after: CustomerAccount,
    *,
    booking_id: str,
    intent_id: str | None,
    source: _Source,
    amount: Money,
    shares: Iterable[DocumentShare] = (),
    discounts: Money | None = None,
    write_offs: Money | None = None,
    charges: Money | None = None,
    note: str = "",
) -> JournalRecord:
    zero = Money.zero(after.currency)
    return JournalRecord(
        kind=kind,
        at=at,
        customer_id=after.customer_id,
        booking_id=booking_id,
        intent_id=intent_id,
        provider=source.provider,
        provider_payment_id=source.provider_payment_id,
        event_id=source.event_id,
        movement_key=source.movement_key,
        reference=source.reference,
        amount=amount,
        documents=tuple(shares),
        discounts=zero if discounts is None else discounts,
        write_offs=zero if write_offs is None else write_offs,
        credit=after.credit_balance - before.credit_balance,
        prepaid=after.prepaid.balance - before.prepaid.balance,
        pending=after.prepaid.pending_amount - before.prepaid.pending_amount,
        refund_due=_refunds_total(after) - _refunds_total(before),
        charges=zero if charges is None else charges,
        fee=source.fee,
        note=note,
    )


def _documents_by_subject(documents: Iterable[Document]) -> dict[str, PayableDocument]:
    found: dict[str, PayableDocument] = {}
    for index, document in enumerate(documents):
        if not isinstance(document, Document):
            raise ValidationError("must be a Document", field=f"documents[{index}]", value=document)
        if isinstance(document, PayableDocument):
            found[document.subject] = document
    return found


def _with_paid(document: P, paid: Money, still_open: bool) -> P:
    if document.state is PaymentState.CANCELLED:
        return document
    if not still_open:
        state = PaymentState.PAID
    elif paid:
        state = PaymentState.PARTIALLY_PAID
    else:
        state = PaymentState.OPEN
    return document.with_payment(paid, state)


def _update_documents(
    account: CustomerAccount,
    documents: dict[str, PayableDocument],
    shares: Iterable[DocumentShare],
    touched: Iterable[str],
    principal: Mapping[str, Money] | None = None,
) -> dict[str, PayableDocument]:
    """The documents after ``shares`` of money (and the settling of ``touched`` items).

    A reminder whose item names what it reminds of (``OpenItem.reminds``) holds only its
    charges; its paid state follows from the account (see :func:`_reminder_standing`),
    whichever item the money reached. An item stored before that (a reminder's item
    holding the principal itself) passes the ``principal`` money that reaches it on to
    the invoices it reminds of, in the reminder's order (and takes it back from them in
    the reverse order).
    """
    changed: dict[str, PayableDocument] = {}
    money: dict[str, Money] = {}
    for share in shares:
        money[share.item] = money.get(share.item, Money.zero(account.currency)) + share.amount
    keys = list(dict.fromkeys([*money, *touched]))
    for key in keys:
        item = account.items[key]
        document = changed.get(item.subject) or documents.get(item.subject)
        if document is None or (isinstance(document, Reminder) and item.reminds):
            continue
        paid = document.paid + money.get(key, Money.zero(account.currency))
        if paid.amount < 0:
            paid = Money.zero(account.currency)
        changed[item.subject] = _with_paid(document, paid, bool(item.open_units))
        reminder_share = (principal or {}).get(key)
        if isinstance(document, Reminder) and reminder_share:
            _pass_on(document, reminder_share, documents, changed)
    _follow_reminders(account, documents, changed, keys)
    return changed


def _follow_reminders(
    account: CustomerAccount,
    documents: Mapping[str, PayableDocument],
    changed: dict[str, PayableDocument],
    keys: Iterable[str],
) -> None:
    """Bring the reminders whose charges or reminded invoices ``keys`` reached up to date."""
    reached = set(keys)
    if not reached:
        return
    for item in account.items.values():
        if not item.reminds or (item.key not in reached and reached.isdisjoint(item.reminds)):
            continue
        document = changed.get(item.subject) or documents.get(item.subject)
        if isinstance(document, Reminder):
            standing = _reminder_standing(document, account)
            if standing != document:
                changed[item.subject] = standing


def _reminder_standing(reminder: Reminder, account: CustomerAccount) -> Reminder:
    """``reminder`` with ``paid`` and ``state`` as the account has it: what is still
    demanded is its own item's open charges plus, per reminded invoice, what is open on
    that invoice's item (at most what the reminder asked for it); the rest of its total
    is settled (paid, credited or waived)."""
    if reminder.state is PaymentState.CANCELLED:
        return reminder
    zero = Money.zero(reminder.currency)
    own = account.items.get(reminder.number)
    still = own.amount_open if own is not None and own.subject == reminder.subject else zero
    for entry in reminder.reminded:
        invoice = account.items.get(entry.number)
        still += (
            entry.amount_open if invoice is None else min(invoice.amount_open, entry.amount_open)
        )
    settled = reminder.total - still
    paid = settled if settled.amount > 0 else zero
    return _with_paid(reminder, paid, bool(still))


def _stopped_dunning(
    before: CustomerAccount, after: CustomerAccount, booking_id: str
) -> list[OutboxEvent]:
    """``dunning.stopped`` for each reminded invoice this booking settled: the reminders
    of it demand no more principal (their own charges stay due unless waived)."""
    events = []
    reminders: dict[str, list[str]] = {}
    for item in after.items.values():
        for key in item.reminds:
            reminders.setdefault(key, []).append(item.key)
    for key, numbers in reminders.items():
        was, now = before.items.get(key), after.items.get(key)
        if was is None or now is None or not was.open_units or now.open_units:
            continue
        events.append(
            OutboxEvent(
                "dunning.stopped",
                {
                    "customer_id": after.customer_id,
                    "item": key,
                    "subject": now.subject,
                    "reminders": sorted(numbers),
                    "booking_id": booking_id,
                },
            )
        )
    return events


def _pass_on(
    reminder: Reminder,
    amount: Money,
    documents: Mapping[str, PayableDocument],
    changed: dict[str, PayableDocument],
) -> None:
    """Record ``amount`` of a reminder's principal on the invoices it reminds of."""
    reminded = list(reminder.reminded)
    if amount.amount < 0:
        reminded.reverse()
    left = abs(amount)
    for entry in reminded:
        if not left:
            return
        subject = f"invoice:{entry.invoice_id}"
        invoice = changed.get(subject) or documents.get(subject)
        if invoice is None or invoice.state is PaymentState.CANCELLED:
            continue
        if amount.amount > 0:
            step = min(left, invoice.total - invoice.paid)
            if step.amount <= 0:
                continue
            paid = invoice.paid + step
        else:
            step = min(left, invoice.paid)
            if not step:
                continue
            paid = invoice.paid - step
        changed[subject] = _with_paid(invoice, paid, paid < invoice.total)
        left -= step


def _principal(lines: Iterable[Any], currency: str, sign: int) -> dict[str, Money]:
    found: dict[str, Money] = {}
    for line in lines:
        if line.component is ComponentKind.PRINCIPAL:
            found[line.item] = found.get(line.item, Money.zero(currency)) + line.amount * sign
    return found


def _shares(result: Iterable[Any], account: CustomerAccount, sign: int) -> list[DocumentShare]:
    totals: dict[str, Money] = {}
    for line in result:
        totals[line.item] = totals.get(line.item, Money.zero(account.currency)) + line.amount
    return [
        DocumentShare(key, account.items[key].subject, amount * sign)
        for key, amount in totals.items()
    ]


def _sum_lines(lines: Iterable[Any], currency: str) -> Money:
    return sum((line.amount for line in lines), Money.zero(currency))


def _document_outbox(
    documents: Mapping[str, PayableDocument], account: CustomerAccount, booking_id: str
) -> list[OutboxEvent]:
    events = []
    customer_id = account.customer_id
    for document in documents.values():
        # What stays open is the account's business (a reminder's costs and interest); it
        # also spares recomputing the document's totals.
        item = account.items.get(document.number)
        due = (
            item.amount_open
            if item is not None and item.subject == document.subject and not item.reminds
            else document.amount_due
        )
        if document.state is PaymentState.PAID:
            topic = f"{document.type.value}.paid"
        elif document.state is PaymentState.PARTIALLY_PAID:
            topic = f"{document.type.value}.partially_paid"
        else:
            topic = f"{document.type.value}.reopened"
        events.append(
            OutboxEvent(
                topic,
                {
                    "customer_id": customer_id,
                    "document_id": document.id,
                    "number": document.number,
                    "paid": str(document.paid.amount),
                    "due": str(due.amount),
                    "currency": document.currency,
                    "booking_id": booking_id,
                },
            )
        )
    return events


def _money_payload(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _check_inputs(account: CustomerAccount, intent: PaymentIntent, event: PaymentEvent) -> None:
    if not isinstance(account, CustomerAccount):
        raise ValidationError("must be a CustomerAccount", field="account", value=account)
    if not isinstance(intent, PaymentIntent):
        raise ValidationError("must be a PaymentIntent", field="intent", value=intent)
    if not isinstance(event, PaymentEvent):
        raise ValidationError("must be a PaymentEvent", field="event", value=event)
    if account.customer_id != intent.customer_id:
        raise ValidationError(
            f"belongs to customer {account.customer_id!r}, the intent to {intent.customer_id!r}",
            field="account",
            value=account.customer_id,
        )
    if account.currency != intent.currency:
        raise CurrencyMismatchError(
            f"cannot book intent {intent.id!r} in {intent.currency} on an account in "
            f"{account.currency}"
        )
    currency = event.currency
    if currency is not None and currency != intent.currency:
        raise CurrencyMismatchError(
            f"event {event.movement_key!r} is in {currency}, intent {intent.id!r} in "
            f"{intent.currency}"
        )


def _source(intent: PaymentIntent, event: PaymentEvent) -> _Source:
    return _Source(
        provider=event.provider,
        provider_payment_id=event.provider_payment_id,
        event_id=event.event_id,
        movement_key=event.movement_key,
        reference=intent.reference,
        fee=event.fee,
    )


# -- decide --------------------------------------------------------------------------------


def decide(
    account: CustomerAccount,
    documents: Iterable[Document],
    intent: PaymentIntent,
    event: PaymentEvent,
) -> BookingDecision:
    """Decide what ``event`` changes on the ``account`` and the ``documents`` of ``intent``.

    * A capture is allocated per the intent: the chosen items (purpose DOCUMENTS), all
      open items by the intent's strategy (AMOUNT), or the prepaid account (TOP_UP: at
      once for online methods, pending until :func:`release` for a bank transfer). Money
      no item needs follows the intent's overpayment policy.
    * A refund, chargeback or reversal takes back exactly what the captures booked, the
      latest first (see :func:`payportal.allocation.reverse`).
    * Each document gets only its own share; its state is PAID once its item has nothing
      open, PARTIALLY_PAID while it has, OPEN again when everything was taken back.
    * Authorisations, failures, cancellations and expiries change the intent's status.

    When the event carries a cumulative total (``captured_total``, ``refunded_total``),
    only what exceeds the intent's booked total is booked: a repeated or older report
    books nothing (``booked`` zero).

    Args:
        account: the customer's account as stored.
        documents: the customer's documents; those not affected are ignored.
        intent: the intent the event belongs to.
        event: the event.

    Returns:
        A :class:`BookingDecision`; the inputs are not changed.

    Raises:
        ValidationError: the inputs do not belong together (other customer).
        CurrencyMismatchError: the event, intent or account differ in currency.
        AllocationError: a refund is more than what stands booked, or takes back credit
            the customer has since spent.
        InsufficientFundsError: a top-up to refund was already spent.
    """
    _check_inputs(account, intent, event)
    by_subject = _documents_by_subject(documents)
    if event.kind.moves_money_in:
        return _capture(account, by_subject, intent, event)
    if event.kind.moves_money_out:
        return _take_back(account, by_subject, intent, event)
    return _status_only(account, intent, event)


_STATUS = {
    EventKind.AUTHORISED: IntentStatus.AUTHORISED,
    EventKind.FAILED: IntentStatus.FAILED,
    EventKind.CANCELLED: IntentStatus.CANCELLED,
    EventKind.EXPIRED: IntentStatus.EXPIRED,
}


def _status_only(
    account: CustomerAccount, intent: PaymentIntent, event: PaymentEvent
) -> BookingDecision:
    zero = Money.zero(account.currency)
    status = _STATUS[event.kind]
    # Money already booked stays booked: a late failure report does not undo a capture.
    if intent.status is not IntentStatus.OPEN and intent.status is not IntentStatus.AUTHORISED:
        return BookingDecision(account=account, intent=intent, booked=zero)
    if intent.status is status:
        return BookingDecision(account=account, intent=intent, booked=zero)
    topic = "payment.authorised" if status is IntentStatus.AUTHORISED else f"payment.{status.value}"
    message = OutboxEvent(
        topic,
        {
            "customer_id": account.customer_id,
            "intent_id": intent.id,
            "provider": event.provider,
            "provider_payment_id": event.provider_payment_id,
        },
    )
    new_intent = attrs.evolve(
        intent, status=status, payment_id=intent.payment_id or event.provider_payment_id
    )
    return BookingDecision(account=account, intent=new_intent, outbox=(message,), booked=zero)


def _delta(total: Money | None, booked: Money, amount: Money | None) -> Money | None:
    if total is not None:
        return total - booked
    return amount


def _capture(
    account: CustomerAccount,
    documents: dict[str, PayableDocument],
    intent: PaymentIntent,
    event: PaymentEvent,
) -> BookingDecision:
    zero = Money.zero(account.currency)
    amount = _delta(event.captured_total, intent.captured, event.amount)
    if amount is None or amount.amount <= 0:
        return BookingDecision(account=account, intent=intent, booked=zero)
    number = len(intent.bookings) + 1
    booking_id = intent.id if number == 1 else f"{intent.id}/{number}"
    day = event.occurred_at.date()
    source = _source(intent, event)
    base = {
        "customer_id": account.customer_id,
        "intent_id": intent.id,
        "booking_id": booking_id,
        "provider": event.provider,
        "provider_payment_id": event.provider_payment_id,
        "reference": intent.reference,
        **_money_payload(amount),
    }
    outbox = [OutboxEvent("payment.booked", base)]
    changed: dict[str, PayableDocument] = {}
    status = IntentStatus.BOOKED
    if intent.purpose is Purpose.TOP_UP:
        method = top_up_method(intent.method)
        prepaid = account.prepaid.top_up(amount, method=method, reference=booking_id)
        after = attrs.evolve(account, prepaid=prepaid)
        if method.real_time:
            outbox.append(OutboxEvent("top_up.credited", base))
        else:
            outbox.append(OutboxEvent("top_up.pending", base))
            status = IntentStatus.PENDING
        record = _record(
            "payment_booked",
            event.occurred_at,
            account,
            after,
            booking_id=booking_id,
            intent_id=intent.id,
            source=source,
            amount=amount,
        )
    else:
        result = _allocate(account, intent, amount, event.occurred_at, booking_id)
        after = account.apply(result, on=day)
        shares = _shares(result.lines, account, 1)
        touched = [*(d.item for d in result.discounts), *(w.item for w in result.write_offs)]
        principal = _principal(result.lines, account.currency, 1)
        changed = _update_documents(after, documents, shares, touched, principal)
        record = _record(
            "payment_booked",
            event.occurred_at,
            account,
            after,
            booking_id=booking_id,
            intent_id=intent.id,
            source=source,
            amount=amount,
            shares=shares,
            discounts=_sum_lines(result.discounts, account.currency),
            write_offs=_sum_lines(result.write_offs, account.currency),
        )
        outbox += _document_outbox(changed, after, booking_id)
        outbox += _stopped_dunning(account, after, booking_id)
        if record.credit:
            outbox.append(OutboxEvent("credit.created", {**base, **_money_payload(record.credit)}))
        if record.prepaid:
            outbox.append(
                OutboxEvent("top_up.credited", {**base, **_money_payload(record.prepaid)})
            )
        if record.refund_due:
            outbox.append(OutboxEvent("refund.due", {**base, **_money_payload(record.refund_due)}))
    new_intent = attrs.evolve(
        intent,
        status=status,
        captured=intent.captured + amount,
        bookings=(*intent.bookings, booking_id),
        payment_id=intent.payment_id or event.provider_payment_id,
    )
    return BookingDecision(
        account=after,
        documents=tuple(changed.values()),
        intent=new_intent,
        journal=(record,),
        outbox=tuple(outbox),
        booked=amount,
    )


def _allocate(
    account: CustomerAccount,
    intent: PaymentIntent,
    amount: Money,
    at: datetime,
    booking_id: str,
) -> AllocationResult:
    if intent.purpose is Purpose.DOCUMENTS:
        # Only the chosen items (a chosen reminder's with the invoices it reminds of): money
        # they do not need follows the overpayment policy instead of settling documents the
        # customer did not pick.
        keys = dict.fromkeys(intent.item_keys)
        for key in list(keys):
            item = account.items.get(key)
            keys.update(dict.fromkeys(item.reminds if item is not None else ()))
        chosen = [account.items[k] for k in keys if k in account.items]
        return allocate(
            amount,
            chosen,
            strategy=Strategy.SPECIFIED,
            specified=intent.item_keys,
            fallback=Strategy.OLDEST_FIRST,
            overpayment=intent.overpayment,
            tolerance=intent.tolerance,
            paid_on=at.date(),
            payment_id=booking_id,
        )
    items: list[OpenItem] = [i for i in account.items.values() if i.open_units]
    return allocate(
        amount,
        items,
        strategy=intent.strategy,
        overpayment=intent.overpayment,
        tolerance=intent.tolerance,
        paid_on=at.date(),
        payment_id=booking_id,
    )


def _take_back(
    account: CustomerAccount,
    documents: dict[str, PayableDocument],
    intent: PaymentIntent,
    event: PaymentEvent,
) -> BookingDecision:
    zero = Money.zero(account.currency)
    amount = _delta(event.refunded_total, intent.refunded, event.amount)
    if amount is None:  # a chargeback or reversal of the whole payment
        amount = intent.standing
    if amount.amount <= 0:
        return BookingDecision(account=account, intent=intent, booked=zero)
    if amount > intent.standing:
        raise AllocationError(
            f"event {event.movement_key!r} takes back {amount}, but only {intent.standing} "
            f"of intent {intent.id!r} stands booked"
        )
    day = event.occurred_at.date()
    after = account
    left = amount
    shares: list[DocumentShare] = []
    touched: list[str] = []
    principal: dict[str, Money] = {}
    undone_discounts = zero
    undone_write_offs = zero
    for booking_id in reversed(intent.bookings):
        if not left:
            break
        if intent.purpose is Purpose.TOP_UP:
            taken, after = _take_back_top_up(after, booking_id, left, intent)
        else:
            standing = after.allocations.get(booking_id)
            if standing is None or not standing.payment:
                continue
            taken = min(left, standing.payment)
            reversal = reverse(standing, taken)
            shares += _shares(reversal.lines, after, -1)
            for key, money in _principal(reversal.lines, account.currency, -1).items():
                principal[key] = principal.get(key, zero) + money
            touched += [line.item for line in (*reversal.discounts, *reversal.write_offs)]
            undone_discounts -= _sum_lines(reversal.discounts, account.currency)
            undone_write_offs -= _sum_lines(reversal.write_offs, account.currency)
            after = after.reverse(booking_id, taken, on=day)
        left -= taken
    if left:
        raise AllocationError(
            f"event {event.movement_key!r} takes back {amount}, but the account holds only "
            f"{amount - left} of intent {intent.id!r}"
        )
    changed = _update_documents(after, documents, shares, touched, principal)
    kind = {
        EventKind.CHARGEBACK: "chargeback_booked",
        EventKind.REVERSED: "reversal_booked",
    }.get(event.kind, "refund_booked")
    record = _record(
        kind,
        event.occurred_at,
        account,
        after,
        booking_id=intent.bookings[-1] if intent.bookings else intent.id,
        intent_id=intent.id,
        source=_source(intent, event),
        amount=-amount,
        shares=shares,
        discounts=undone_discounts,
        write_offs=undone_write_offs,
    )
    refunded = intent.refunded + amount
    payload = {
        "customer_id": account.customer_id,
        "intent_id": intent.id,
        "kind": event.kind.value,
        "provider": event.provider,
        "provider_payment_id": event.provider_payment_id,
        **_money_payload(amount),
    }
    outbox = [
        OutboxEvent("refund.booked", payload),
        *_document_outbox(changed, after, record.booking_id),
    ]
    new_intent = attrs.evolve(
        intent,
        refunded=refunded,
        status=IntentStatus.REVERSED if refunded == intent.captured else intent.status,
    )
    return BookingDecision(
        account=after,
        documents=tuple(changed.values()),
        intent=new_intent,
        journal=(record,),
        outbox=tuple(outbox),
        booked=-amount,
    )


def _take_back_top_up(
    account: CustomerAccount, booking_id: str, wanted: Money, intent: PaymentIntent
) -> tuple[Money, CustomerAccount]:
    prepaid = account.prepaid
    for index, top_up in enumerate(prepaid.pending):
        if top_up.reference == booking_id:
            taken = min(wanted, top_up.amount)
            rest = top_up.amount - taken
            kept = (attrs.evolve(top_up, amount=rest),) if rest else ()
            pending = prepaid.pending[:index] + kept + prepaid.pending[index + 1 :]
            return taken, attrs.evolve(account, prepaid=attrs.evolve(prepaid, pending=pending))
    booked = sum(
        (t.amount for t in prepaid.credited if t.reference == booking_id),
        Money.zero(account.currency),
    )
    taken_before = sum(
        (amount for ref, amount in prepaid.charged if ref == f"refund:{booking_id}"),
        Money.zero(account.currency),
    )
    taken = min(wanted, booked - taken_before)
    if not taken:
        return taken, account
    # Raises InsufficientFundsError if the customer already spent the top-up.
    charged = prepaid.charge(taken, reference=f"refund:{booking_id}")
    return taken, attrs.evolve(account, prepaid=charged)


# -- merchant decisions on pending top-ups ----------------------------------------------------


def _pending_top_up(account: CustomerAccount, intent: PaymentIntent) -> tuple[str, Money]:
    for top_up in account.prepaid.pending:
        if top_up.reference in intent.bookings:
            return top_up.reference, top_up.amount
    raise InvalidTransitionError(
        f"intent {intent.id!r} has no pending top-up on the account of {account.customer_id!r}"
    )


def release(account: CustomerAccount, intent: PaymentIntent, *, at: datetime) -> BookingDecision:
    """Credit the pending bank-transfer top-up of ``intent`` (the merchant saw the money).

    Raises:
        InvalidTransitionError: the intent has no pending top-up on the account.
    """
    reference, amount = _pending_top_up(account, intent)
    after = attrs.evolve(account, prepaid=account.prepaid.release(reference))
    return _merchant_decision(
        "released",
        before=account,
        after=after,
        intent=intent,
        reference=reference,
        amount=amount,
        at=at,
    )


def reject(account: CustomerAccount, intent: PaymentIntent, *, at: datetime) -> BookingDecision:
    """Drop the pending bank-transfer top-up of ``intent`` (the money never came, or the
    merchant sends it back); nothing is credited.

    Raises:
        InvalidTransitionError: the intent has no pending top-up on the account.
    """
    reference, amount = _pending_top_up(account, intent)
    prepaid: PrepaidAccount = account.prepaid
    pending = tuple(t for t in prepaid.pending if t.reference != reference)
    after = attrs.evolve(account, prepaid=attrs.evolve(prepaid, pending=pending))
    return _merchant_decision(
        "rejected",
        before=account,
        after=after,
        intent=intent,
        reference=reference,
        amount=amount,
        at=at,
    )


def _merchant_decision(
    what: str,
    *,
    before: CustomerAccount,
    after: CustomerAccount,
    intent: PaymentIntent,
    reference: str,
    amount: Money,
    at: datetime,
) -> BookingDecision:
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValidationError("must be a timezone-aware datetime", field="at", value=at)
    source = _Source(
        "merchant", intent.payment_id, None, f"top_up:{what}:{reference}", intent.reference
    )
    record = _record(
        f"top_up_{what}",
        at,
        before,
        after,
        booking_id=reference,
        intent_id=intent.id,
        source=source,
        # A release moves money from pending to the balance: nothing new arrives. A
        # rejection sends back what was pending.
        amount=Money.zero(before.currency) if what == "released" else -amount,
    )
    message = OutboxEvent(
        f"top_up.{what}",
        {
            "customer_id": before.customer_id,
            "intent_id": intent.id,
            "booking_id": reference,
            **_money_payload(amount),
        },
    )
    status = IntentStatus.BOOKED if what == "released" else IntentStatus.REJECTED
    refunded = intent.refunded if what == "released" else intent.refunded + amount
    new_intent = attrs.evolve(intent, status=status, refunded=refunded)
    return BookingDecision(
        account=after,
        intent=new_intent,
        journal=(record,),
        outbox=(message,),
        booked=record.amount,
    )


# -- credit notes --------------------------------------------------------------------------


def decide_credit_note(
    account: CustomerAccount,
    documents: Iterable[Document],
    credit_note: CreditNote,
    policy: CreditNotePolicy,
    *,
    at: datetime,
) -> BookingDecision:
    """Book a credit note as the merchant's ``policy`` says.

    OFFSET settles what is open on the invoice it corrects (``credit_note.invoice_id``,
    found among ``documents``) and keeps the rest as credit balance; CREDIT_BALANCE keeps
    all of it as credit; REFUND records a refund request for all of it.

    Raises:
        AllocationError: the credit note was already booked on the account.
        CurrencyMismatchError: the credit note is in another currency than the account.
        ValidationError: an argument has the wrong type.
    """
    if not isinstance(credit_note, CreditNote):
        raise ValidationError("must be a CreditNote", field="credit_note", value=credit_note)
    if not isinstance(policy, CreditNotePolicy):
        raise ValidationError("must be a CreditNotePolicy", field="policy", value=policy)
    if credit_note.currency != account.currency:
        raise CurrencyMismatchError(
            f"cannot book credit note {credit_note.number} in {credit_note.currency} on an "
            f"account in {account.currency}"
        )
    by_subject = _documents_by_subject(documents)
    booking_id = f"credit_note:{credit_note.id}"
    total = credit_note.total
    zero = Money.zero(account.currency)
    if not total:
        return BookingDecision(account=account, booked=zero)
    items: list[OpenItem] = []
    overpayment = OverpaymentPolicy.CREDIT_BALANCE
    if policy is CreditNotePolicy.OFFSET and credit_note.invoice_id is not None:
        corrected = by_subject.get(f"invoice:{credit_note.invoice_id}")
        item = account.items.get(corrected.number) if corrected is not None else None
        if item is not None and item.open_units:
            items = [item]
    elif policy is CreditNotePolicy.REFUND:
        overpayment = OverpaymentPolicy.REFUND
    result = allocate(
        total,
        items,
        strategy=Strategy.OLDEST_FIRST,
        overpayment=overpayment,
        paid_on=at.date(),
        payment_id=booking_id,
    )
    after = account.apply(result, on=at.date())
    shares = _shares(result.lines, account, 1)
    changed = _update_documents(after, by_subject, shares, ())
    source = _Source("merchant", None, None, booking_id, credit_note.number)
    record = _record(
        "credit_note_booked",
        at,
        account,
        after,
        booking_id=booking_id,
        intent_id=None,
        source=source,
        amount=total,
        shares=shares,
    )
    payload = {
        "customer_id": account.customer_id,
        "credit_note_id": credit_note.id,
        "number": credit_note.number,
        "policy": policy.value,
        **_money_payload(total),
    }
    outbox = [
        OutboxEvent("credit_note.booked", payload),
        *_document_outbox(changed, after, booking_id),
        *_stopped_dunning(account, after, booking_id),
    ]
    if record.credit:
        outbox.append(OutboxEvent("credit.created", {**payload, **_money_payload(record.credit)}))
    if record.refund_due:
        outbox.append(OutboxEvent("refund.due", {**payload, **_money_payload(record.refund_due)}))
    return BookingDecision(
        account=after,
        documents=tuple(changed.values()),
        journal=(record,),
        outbox=tuple(outbox),
        booked=total,
    )


# -- waived charges ------------------------------------------------------------------------


def decide_waiver(
    account: CustomerAccount,
    documents: Iterable[Document],
    key: str,
    *,
    reason: str,
    at: datetime,
    kind: ComponentKind = ComponentKind.COSTS,
    amount: Money | None = None,
) -> BookingDecision:
    """Waive a charge still open on the item ``key`` (a reminder's fee), on request.

    The account loses the charge (see :meth:`~payportal.accounts.CustomerAccount.waive`),
    the reminder's paid state follows, the journal gets a ``fee_waived`` record (no money
    moves: the waived amount is in ``write_offs``, ``reason`` in ``note``) and the outbox
    a ``fee.waived`` message. Pure, all or nothing: an invalid request raises before
    anything is decided.

    Args:
        account: the customer's account as stored.
        documents: the customer's documents (the reminder among them to update it).
        key: the item, normally a reminder's number.
        reason: why the charge is waived; kept in the journal.
        at: when (timezone-aware); its date is the booking day.
        kind: COSTS (fees, the default) or INTEREST.
        amount: how much; everything open of ``kind`` if omitted.

    Raises:
        ValidationError: an argument is invalid or names no item (see ``waive``).
        InvalidTransitionError: nothing of ``kind`` is open on the item.
        CurrencyMismatchError: ``amount`` is in another currency than the account.
    """
    if not isinstance(account, CustomerAccount):
        raise ValidationError("must be a CustomerAccount", field="account", value=account)
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValidationError("must be a timezone-aware datetime", field="at", value=at)
    by_subject = _documents_by_subject(documents)
    after = account.waive(key, reason=reason, on=at.date(), kind=kind, amount=amount)
    waived = account.items[key].amount_open - after.items[key].amount_open
    number = 1 + sum(1 for e in account.ledger if e.kind is EntryKind.WAIVER and e.reference == key)
    booking_id = f"waiver:{key}:{number}"
    changed = _update_documents(after, by_subject, (), (key,))
    source = _Source("merchant", None, None, booking_id, key)
    record = _record(
        "fee_waived",
        at,
        account,
        after,
        booking_id=booking_id,
        intent_id=None,
        source=source,
        amount=Money.zero(account.currency),
        write_offs=waived,
        note=reason.strip(),
    )
    message = OutboxEvent(
        "fee.waived",
        {
            "customer_id": account.customer_id,
            "item": key,
            "subject": account.items[key].subject,
            "component": kind.value,
            "reason": reason.strip(),
            "booking_id": booking_id,
            **_money_payload(waived),
        },
    )
    return BookingDecision(
        account=after,
        documents=tuple(changed.values()),
        journal=(record,),
        outbox=(message, *_document_outbox(changed, after, booking_id)),
        booked=Money.zero(account.currency),
    )
