"""Book every payment exactly once: intents, normalised events, one booking path.

The storage path is :func:`book`: one event, one transaction of a
:class:`~payportal.storage.Storage`, deduplicated by the event's movement key under the
storage's unique constraint. Events it cannot book wait in :func:`review_queue`.

The decision is pure: :func:`decide` takes a customer's account, documents, the
:class:`PaymentIntent` and one :class:`PaymentEvent`, and returns a
:class:`BookingDecision` (the new account, the documents' paid state, the journal records
and the outbox messages). Nothing in it reads a clock or a database.

>>> from datetime import date, datetime, UTC
>>> from payportal import Money
>>> from payportal.accounts import CustomerAccount, OpenItem
>>> account = CustomerAccount(customer_id="42", currency="EUR").add(
...     OpenItem.simple("RE-1", Money("80.00", "EUR"), due=date(2026, 3, 1)))
>>> intent = PaymentIntent(
...     id="pi-1", customer_id="42", amount=Money("100.00", "EUR"), purpose=Purpose.AMOUNT,
...     reference="RF18 0000 0000 0000 1", provider="paypal", method="paypal",
...     created_at=datetime(2026, 3, 2, tzinfo=UTC))
>>> event = PaymentEvent(
...     kind=EventKind.CAPTURED, provider="paypal", provider_payment_id="ORDER-1",
...     movement_key="paypal:capture:CAP-1", occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
...     amount=Money("100.00", "EUR"))
>>> decision = decide(account, [], intent, event)
>>> decision.account.open_total, decision.account.credit_balance
(Money('0.00', 'EUR'), Money('20.00', 'EUR'))
>>> [m.topic for m in decision.outbox]
['payment.booked', 'credit.created']
"""

from payportal.booking._book import (
    BookingOutcome,
    Outcome,
    book,
    book_credit_note,
    book_in,
    book_many,
    journal,
    load_intent,
    reject_top_up,
    release_top_up,
    release_top_up_in,
    resolve_review,
    review_queue,
    save_intent,
    waive_fee,
)
from payportal.booking._decide import (
    BookingDecision,
    DocumentShare,
    JournalRecord,
    OutboxEvent,
    decide,
    decide_credit_note,
    decide_waiver,
    reject,
    release,
)
from payportal.booking._direct_debit import (
    CollectionState,
    DirectDebitBatch,
    DirectDebitCollection,
    collect,
    grant_mandate,
    match_collections,
    receive_direct_debit,
    revoke_mandate,
)
from payportal.booking._export import (
    DatevSettings,
    journal_lines,
    journal_to_csv,
    journal_to_datev,
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
from payportal.booking._normalise import events_from_payment, events_from_webhook, movement_key
from payportal.booking._portal import Checkout, Completion, Portal
from payportal.booking._saved_methods import PendingSetup
from payportal.booking._selected import (
    new_reference,
    overdue_documents,
    pay_overdue,
    pay_selected,
    payment_order,
)

__all__ = [
    "BookingDecision",
    "BookingOutcome",
    "Checkout",
    "CollectionState",
    "Completion",
    "CreditNotePolicy",
    "DatevSettings",
    "DirectDebitBatch",
    "DirectDebitCollection",
    "DocumentShare",
    "EventKind",
    "IntentStatus",
    "JournalRecord",
    "OutboxEvent",
    "Outcome",
    "PaymentEvent",
    "PaymentIntent",
    "PendingSetup",
    "Portal",
    "Purpose",
    "book",
    "book_credit_note",
    "book_in",
    "book_many",
    "collect",
    "decide",
    "decide_credit_note",
    "decide_waiver",
    "events_from_payment",
    "events_from_webhook",
    "grant_mandate",
    "journal",
    "journal_lines",
    "journal_to_csv",
    "journal_to_datev",
    "load_intent",
    "match_collections",
    "movement_key",
    "new_reference",
    "overdue_documents",
    "pay_overdue",
    "pay_selected",
    "payment_order",
    "receive_direct_debit",
    "reject",
    "reject_top_up",
    "release",
    "release_top_up",
    "release_top_up_in",
    "resolve_review",
    "review_queue",
    "revoke_mandate",
    "save_intent",
    "top_up_method",
    "waive_fee",
]
