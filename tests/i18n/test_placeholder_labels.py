"""Placeholders show states and statuses by their label in the customer's language."""

from __future__ import annotations

import enum
from datetime import date

import pytest

from payportal import Money
from payportal.customers import Customer
from payportal.documents import Invoice, LineItem, Offer, PaymentState
from payportal.exceptions import ValidationError
from payportal.i18n import TextOverrides, Translations
from payportal.placeholders import PlaceholderRegistry, RenderContext, Template

ERIKA = Customer(id="c-1", number="K-1", name="Erika", locale="de_DE")
LINES = [LineItem(title="Work", quantity=1, unit_price=Money("100.00", "EUR"), tax_rate=19)]
INVOICE = Invoice(
    id="i", number="RE-1", customer_id="c-1", issued_on=date(2026, 1, 1), lines=LINES
).record_payment(Money("19.00", "EUR"))
OFFER = Offer(
    id="o",
    number="AN-1",
    customer_id="c-1",
    issued_on=date(2026, 1, 1),
    lines=LINES,
    valid_until=date(2026, 2, 1),
)
TEMPLATE = Template.compile("[Invoice.payment_state] / [Offer.status] / [Invoice.due_on:long]")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de_DE", "Teilweise bezahlt / Wartet auf Ihre Antwort / "),
        ("fr_FR", "Partiellement payée / En attente de votre réponse / "),
        ("en_GB", "Partially paid / Awaiting your answer / "),
        ("it_IT", "Partially paid / Awaiting your answer / "),
    ],
)
def test_states_render_as_labels_in_the_locales_language(locale: str, expected: str) -> None:
    context = RenderContext(customer=ERIKA, documents=[INVOICE, OFFER])
    assert TEMPLATE.render(context, locale=locale) == expected


def test_the_merchants_wording_of_a_label_reaches_the_template() -> None:
    partially = Translations.label_text(PaymentState.PARTIALLY_PAID)
    assert partially is not None
    texts = TextOverrides({"de": {partially: "Anzahlung erhalten"}})
    context = RenderContext(customer=ERIKA, documents=[INVOICE, OFFER], texts=texts)
    assert TEMPLATE.render(context).startswith("Anzahlung erhalten / ")
    # Other languages keep payportal's wording.
    assert TEMPLATE.render(context, locale="fr").startswith("Partiellement payée / ")


def test_texts_must_be_text_overrides() -> None:
    with pytest.raises(ValidationError, match="texts"):
        RenderContext(customer=ERIKA, texts={"de": {}})  # type: ignore[arg-type]


def test_an_apps_own_enum_or_text_shows_its_value() -> None:
    class Stage(enum.Enum):
        DRAFT = "draft"

    registry = PlaceholderRegistry()
    registry.register("Invoice", "stage", lambda invoice: Stage.DRAFT, kind="label")
    registry.register("Invoice", "auto_stage", lambda invoice: Stage.DRAFT)
    registry.register("Invoice", "word", lambda invoice: "Entwurf", kind="label")
    template = Template.compile(
        "[Invoice.stage] [Invoice.auto_stage] [Invoice.word]", registry=registry
    )
    texts = TextOverrides({"de": {}})
    for context in (
        RenderContext(customer=ERIKA, documents=INVOICE),
        RenderContext(customer=ERIKA, documents=INVOICE, texts=texts),
    ):
        assert template.render(context) == "draft draft Entwurf"
