"""RenderContext: what it accepts and refuses."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from payportal.customers import Customer
from payportal.documents import Document, Invoice
from payportal.exceptions import ValidationError
from payportal.placeholders import PortalLinks, RenderContext


def test_objects_are_named_as_templates_name_them(
    context: RenderContext, documents: list[Document]
) -> None:
    assert set(context.objects) == {
        "Client",
        "Company",
        "Payment",
        "Invoice",
        "Reminder",
        "CreditNote",
        "Offer",
        "DeliveryNote",
        "OrderConfirmation",
        "Receipt",
    }
    assert context.objects["CreditNote"] is documents[2]
    with pytest.raises(TypeError):
        context.objects["Client"] = None  # type: ignore[index]


def test_a_single_document_may_be_passed_as_is(invoice: Invoice) -> None:
    assert RenderContext(documents=invoice).documents == (invoice,)


def test_two_documents_of_one_type_are_ambiguous(invoice: Invoice) -> None:
    other = attrs.evolve(invoice, id="inv-18", number="RE-18")
    with pytest.raises(ValidationError, match="second Invoice") as caught:
        RenderContext(documents=[invoice, other])
    assert caught.value.field == "documents[1]"


def test_documents_of_another_customer_are_refused(customer: Customer, invoice: Invoice) -> None:
    foreign = attrs.evolve(invoice, customer_id="43")
    with pytest.raises(ValidationError, match="belongs to customer '43'") as caught:
        RenderContext(customer=customer, documents=[foreign])
    assert caught.value.field == "documents[0].customer_id"


def test_invalid_parts_are_refused(customer: Customer) -> None:
    with pytest.raises(ValidationError) as locale:
        RenderContext(locale="xx-YY")
    assert locale.value.field == "locale"
    with pytest.raises(ValidationError, match="customer_url"):
        RenderContext(urls=object())  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as documents:
        RenderContext(documents=["RE-1"])  # type: ignore[list-item]
    assert documents.value.field == "documents[0]"
    with pytest.raises(ValidationError):
        RenderContext(customer="42")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["project", "Pro ject", "", "Client", "Invoice"])
def test_extra_objects_need_a_fresh_object_name(customer: Customer, name: str) -> None:
    with pytest.raises(ValidationError):
        RenderContext(customer=customer, extra={name: object()})


def test_the_link_double_matches_the_protocol(links: object) -> None:
    assert isinstance(links, PortalLinks)


def test_locale_is_normalised() -> None:
    assert RenderContext(locale="de-AT").locale == "de_AT"
    customer = Customer(id="1", number="K", name="A", locale="fr_CH")
    invoice = Invoice(id="i", number="R", customer_id="1", issued_on=date(2026, 1, 1))
    assert RenderContext(customer=customer, documents=invoice).default_locale == "fr_CH"
