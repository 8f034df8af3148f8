"""Receipts: issued with the booking, once per money movement, numbered, localised."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from receipts_world import T0, event, intent, m, store_world

from payportal.booking import EventKind, Outcome, Purpose, book, book_in, release_top_up
from payportal.customers import Company, Customer
from payportal.exceptions import ValidationError
from payportal.i18n import translator_for
from payportal.placeholders import Template, lint
from payportal.receipts import (
    RECEIPT_EMAILS,
    TOPIC,
    Receipt,
    ReceiptKind,
    SettledItem,
    load_receipt,
    receipt_context,
    receipt_email,
    receipt_lines,
    receipts_of,
)
from payportal.storage import SQLiteStorage
from payportal.storage._codec import decode, encode
from payportal.testing._memory_storage import MemoryStorage
from payportal.testing.strategies import receipts

if TYPE_CHECKING:
    from pathlib import Path

    from payportal.storage import Storage


def outbox(storage: Storage) -> list[tuple[str, dict[str, object]]]:
    with storage.transaction() as tx:
        return [(o.topic, dict(o.payload)) for o in tx.outbox(limit=1000)]


def test_a_payment_gets_one_receipt_however_often_it_is_reported(storage: Storage) -> None:
    store_world(storage, intent())
    capture = event(EventKind.CAPTURED, 9000, "paypal:capture:C1")
    assert book(storage, capture).outcome is Outcome.BOOKED
    assert book(storage, capture).outcome is Outcome.ALREADY_BOOKED
    (receipt,) = receipts_of(storage, "42")
    assert receipt.number == "Q-000001"
    assert receipt.kind is ReceiptKind.PAYMENT
    assert receipt.amount == m(9000)
    assert receipt.method == "card"
    assert receipt.reference == "REF-pi-1"
    assert receipt.booking_id == "pi-1"
    assert receipt.issued_at == T0
    assert receipt.settled == (
        SettledItem("RE-1", "invoice:inv-1", m(5000)),
        SettledItem("RE-2", "invoice:inv-2", m(3000)),
    )
    assert receipt.credit_left == m(1000)
    issued = [payload for topic, payload in outbox(storage) if topic == TOPIC]
    assert issued == [
        {
            "number": "Q-000001",
            "customer_id": "42",
            "kind": "payment",
            "booking_id": "pi-1",
            "movement_key": "paypal:capture:C1",
            "amount": "90.00",
            "currency": "EUR",
        }
    ]
    assert load_receipt(storage, "42", "Q-000001") == receipt


def test_refunds_get_receipts_and_chargebacks_do_not(storage: Storage) -> None:
    store_world(storage, intent())
    book(storage, event(EventKind.CAPTURED, 9000, "c1"))
    book(storage, event(EventKind.PARTIALLY_REFUNDED, 2000, "r1"))
    book(storage, event(EventKind.CHARGEBACK, 1000, "cb1"))
    receipts = receipts_of(storage, "42")
    assert [(r.number, r.kind, r.amount) for r in receipts] == [
        ("Q-000001", ReceiptKind.PAYMENT, m(9000)),
        ("Q-000002", ReceiptKind.REFUND, m(2000)),
    ]
    # 20.00 back: the 10.00 of credit, then 10.00 of RE-2, which is open again.
    refund = receipts[1]
    assert refund.settled == (SettledItem("RE-2", "invoice:inv-2", m(-1000)),)
    assert refund.credit_left == m(0)


def test_a_top_up_gets_a_receipt_when_the_money_arrives_not_when_released(
    storage: Storage,
) -> None:
    store_world(storage, intent(purpose=Purpose.TOP_UP, method="bank_transfer"))
    book(storage, event(EventKind.CAPTURED, 2500, "bank:1"))
    release_top_up(storage, "pi-1", at=T0)
    (receipt,) = receipts_of(storage, "42")
    assert (receipt.kind, receipt.amount, receipt.method) == (
        ReceiptKind.TOP_UP,
        m(2500),
        "bank_transfer",
    )
    assert receipt.settled == ()


def test_a_booking_rolled_back_leaves_no_receipt_and_no_number_used(storage: Storage) -> None:
    store_world(storage, intent())

    class AbortError(Exception):
        pass

    def book_then_fail() -> None:
        with storage.transaction() as tx:
            assert book_in(tx, event(EventKind.CAPTURED, 9000, "c1")).outcome is Outcome.BOOKED
            raise AbortError

    with pytest.raises(AbortError):
        book_then_fail()
    assert receipts_of(storage, "42") == []
    assert TOPIC not in [topic for topic, _ in outbox(storage)]
    book(storage, event(EventKind.CAPTURED, 9000, "c1"))
    assert [r.number for r in receipts_of(storage, "42")] == ["Q-000001"]


def test_a_customer_sees_only_their_own_receipts(storage: Storage) -> None:
    store_world(storage, intent())
    store_world(storage, intent("pi-2", customer="43"), customer="43", first=3)
    book(storage, event(EventKind.CAPTURED, 1000, "c1"))
    book(storage, event(EventKind.CAPTURED, 2000, "c2", intent_id="pi-2"))
    assert [r.number for r in receipts_of(storage, "42")] == ["Q-000001"]
    assert [r.number for r in receipts_of(storage, "43")] == ["Q-000002"]
    assert load_receipt(storage, "43", "Q-000001") is None
    with pytest.raises(ValidationError):
        receipts_of(storage, "")
    with pytest.raises(ValidationError):
        load_receipt(storage, "42", "")


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(st.sampled_from(["capture", "refund"]), st.integers(1, 3000), st.integers(0, 5)),
        min_size=1,
        max_size=12,
    )
)
def test_receipts_are_one_per_booked_movement_numbered_without_gaps(
    deliveries: list[tuple[str, int, int]],
) -> None:
    storage = MemoryStorage()
    storage.migrate()
    store_world(storage, intent())
    booked = 0
    for kind, cents, movement in deliveries:
        # Movement keys repeat: a redelivery of the same movement must book nothing.
        key = f"{kind}:{movement}"
        event_kind = EventKind.CAPTURED if kind == "capture" else EventKind.PARTIALLY_REFUNDED
        outcome = book(storage, event(event_kind, cents, key)).outcome
        booked += outcome is Outcome.BOOKED
    receipts = receipts_of(storage, "42")
    assert len(receipts) == booked
    assert [r.sequence for r in receipts] == list(range(1, booked + 1))
    assert len({r.movement_key for r in receipts}) == booked
    assert [p["number"] for t, p in outbox(storage) if t == TOPIC] == [r.number for r in receipts]


def sample(kind: ReceiptKind = ReceiptKind.PAYMENT) -> Receipt:
    return Receipt(
        number="Q-000007",
        sequence=7,
        kind=kind,
        customer_id="42",
        issued_at=T0,
        amount=m(9000),
        method="paypal",
        reference="REF-pi-1",
        booking_id="pi-1",
        movement_key="c1",
        settled=[SettledItem("RE-1", "invoice:inv-1", m(8000))],
        credit_left=m(1000),
        prepaid_left=m(2500),
    )


CUSTOMER = Customer(id="42", number="K-42", name="Erika Mustermann", locale="de_DE")
COMPANY = Company(name="Beispiel AG")


class Links:
    def customer_url(self, customer: Customer) -> str:
        return f"https://portal.example/c/{customer.id}"

    def document_url(self, document: object) -> str:
        return "https://portal.example/d"

    def payment_url(self, document: object) -> str:
        return "https://portal.example/p"


@pytest.mark.parametrize("language", ["de", "en", "fr"])
@pytest.mark.parametrize("kind", list(ReceiptKind))
def test_the_receipt_email_renders_fully_in_every_language(
    kind: ReceiptKind, language: str
) -> None:
    email = receipt_email(sample(kind), translator_for(language))
    for text in (email.subject, email.body):
        assert lint(text) == [], text
    context = receipt_context(sample(kind), customer=CUSTOMER, company=COMPANY, urls=Links())
    subject, body = email.render(context)
    assert "Q-000007" in subject
    assert "[" not in subject + body
    assert "90,00" in body if language != "en" else "90.00" in body
    if language != "en":
        english = RECEIPT_EMAILS[kind].body.msgid.split("\n")[2][:20]
        assert english not in body


def test_receipt_placeholders_render_every_field() -> None:
    fields = (
        "number",
        "issued_on",
        "amount",
        "method",
        "reference",
        "settled",
        "credit_left",
        "prepaid_left",
    )
    template = Template.compile(" | ".join(f"[Receipt.{f}]" for f in fields))
    rendered = template.render(receipt_context(sample(), customer=CUSTOMER))
    assert rendered.split(" | ") == [
        "Q-000007",
        "02.03.2026",
        "90,00\xa0€",
        "paypal",
        "REF-pi-1",
        "RE-1 · 80,00\xa0€",
        "10,00\xa0€",
        "25,00\xa0€",
    ]


@pytest.mark.parametrize(
    ("locale", "title", "amount"),
    [
        ("en", "Receipt for your refund", "Amount paid back"),
        ("de_DE", "Quittung für Ihre Erstattung", "Zurückgezahlter Betrag"),
        ("fr_FR", "Reçu de votre remboursement", "Montant remboursé"),
    ],
)
def test_receipt_lines_are_in_the_customers_language(locale: str, title: str, amount: str) -> None:
    lines = receipt_lines(sample(ReceiptKind.REFUND), translator_for(locale))
    assert lines[0] == (title, "")
    assert lines[3][0] == amount


def test_refusals_name_the_offending_input() -> None:
    with pytest.raises(ValidationError) as caught:
        receipt_lines("Q-1", translator_for("en"))  # type: ignore[arg-type]
    assert caught.value.field == "receipt"
    with pytest.raises(ValidationError) as caught:
        receipt_email(sample(), "de")  # type: ignore[arg-type]
    assert caught.value.field == "texts"
    other = Customer(id="43", number="K-43", name="Max", locale="de_DE")
    with pytest.raises(ValidationError) as caught:
        receipt_context(sample(), customer=other)
    assert caught.value.field == "customer"
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(sample(), amount=m(0))
    assert caught.value.field == "amount"


@given(receipts(), st.sampled_from(["de_DE", "en_IE", "fr_FR", "de_CH"]))
def test_receipt_lines_show_every_settled_document_in_every_language(
    receipt: Receipt, locale: str
) -> None:
    lines = receipt_lines(receipt, translator_for(locale))
    assert lines[1][1] == receipt.number
    shown = [heading for heading, _ in lines]
    for settled in receipt.settled:
        assert any(heading.endswith(f": {settled.item}") for heading in shown)
    assert len(lines) == 7 + len(receipt.settled) + (receipt.kind is ReceiptKind.TOP_UP)


@given(receipts())
def test_a_stored_receipt_reads_back_unchanged(receipt: Receipt) -> None:
    body, stored = encode(receipt)
    assert decode(body, stored, Receipt, "receipt") == receipt


def test_concurrent_bookings_take_distinct_numbers_without_gaps(tmp_path: Path) -> None:
    where = tmp_path / "portal.db"
    setup = SQLiteStorage(where)
    setup.migrate()
    customers = [f"c{n}" for n in range(4)]
    for n, customer in enumerate(customers):
        store_world(setup, intent(f"pi-{n}", customer=customer), customer=customer, first=10 * n)
    setup.close()

    def deliver(n: int) -> list[Outcome]:
        storage = SQLiteStorage(where)
        try:
            return [
                book(
                    storage, event(EventKind.CAPTURED, 100 + k, f"c{n}:{k}", intent_id=f"pi-{n}")
                ).outcome
                for k in range(3)
            ]
        finally:
            storage.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = [o for result in pool.map(deliver, range(4)) for o in result]
    assert outcomes == [Outcome.BOOKED] * 12
    storage = SQLiteStorage(where)
    numbers = sorted(r.sequence for c in customers for r in receipts_of(storage, c))
    storage.close()
    assert numbers == list(range(1, 13))
