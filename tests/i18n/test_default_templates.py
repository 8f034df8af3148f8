"""The default e-mails: valid templates in every language, rendered in the customer's."""

from __future__ import annotations

from datetime import date

import pytest

from payportal import Money
from payportal.customers import Address, BankAccount, Company, Customer
from payportal.documents import (
    CreditNote,
    DeliveryNote,
    Document,
    DocumentType,
    Invoice,
    LineItem,
    Offer,
    OrderConfirmation,
    RemindedInvoice,
    Reminder,
)
from payportal.exceptions import ValidationError
from payportal.i18n import (
    DEFAULT_TEMPLATES,
    EMAIL_KINDS,
    TextOverrides,
    translator_for,
)
from payportal.i18n._text import template_tokens
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.placeholders import RenderContext, Template, lint

LANGUAGES = ("de", "en", "fr")
CUSTOMER = Customer(id="c-42", number="K-1042", name="Erika Mustermann", locale="de_DE")
COMPANY = Company(
    name="Druckerei Beispiel GmbH",
    address=Address(street="Industriestr. 7", postal_code="50667", city="Köln", country="DE"),
    bank_accounts=[
        BankAccount(iban="DE89370400440532013000", bic="COBADEFFXXX", holder="Druckerei")
    ],
)
URLS = PortalUrls(
    "https://portal.example",
    LinkSigner(KeyRing([HmacKey("k1", b"a 32-byte secret of the merchant")])),
)
_EUR = Money("100.00", "EUR")
_LINES = [LineItem(title="Work", quantity=1, unit_price=_EUR, tax_rate=19)]
_COMMON = {"customer_id": CUSTOMER.id, "issued_on": date(2026, 10, 1), "lines": _LINES}
DOCUMENTS: dict[str, Document] = {
    "invoice": Invoice(id="i", number="RE-17", due_on=date(2026, 10, 15), **_COMMON),
    "reminder": Reminder(
        id="r",
        number="MA-3",
        due_on=date(2026, 11, 15),
        reminded=[RemindedInvoice(invoice_id="i", number="RE-17", amount_open=_EUR, due_on=None)],
        customer_id=CUSTOMER.id,
        issued_on=date(2026, 11, 1),
    ),
    "credit_note": CreditNote(id="c", number="GS-2", **_COMMON),
    "offer": Offer(id="o", number="AN-8", valid_until=date(2026, 12, 10), **_COMMON),
    "order_confirmation": OrderConfirmation(id="oc", number="AB-5", **_COMMON),
    "delivery_note": DeliveryNote(
        id="d",
        number="LS-4",
        delivered_on=date(2026, 11, 14),
        customer_id=CUSTOMER.id,
        issued_on=date(2026, 11, 14),
        lines=[LineItem(title="Work", quantity=1)],
    ),
}


def test_there_is_a_default_email_for_every_document_type_and_top_ups() -> None:
    assert set(EMAIL_KINDS) == {t.value for t in DocumentType} | {"top_up_request"}
    assert set(DEFAULT_TEMPLATES) == set(EMAIL_KINDS)
    assert set(DOCUMENTS) == {t.value for t in DocumentType}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_default_email_lints_clean_in_every_language(kind: str, language: str) -> None:
    email = translator_for(language).email(kind)
    for text in (email.subject, email.body):
        assert lint(text) == [], (kind, language, text)
        Template.compile(text, escape="html")  # safe for an HTML e-mail as well


@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_a_document_email_names_only_its_own_document(kind: str) -> None:
    # The e-mail is sent with one document: any other document's placeholder cannot be filled.
    objects = {"Client", "Company"}
    if kind in DOCUMENTS:
        objects.add(DOCUMENTS[kind].type.object_name)
    template = DEFAULT_TEMPLATES[kind]
    for text in (template.subject.msgid, template.body.msgid):
        assert {token.split(".")[0] for token in template_tokens(text)} <= objects


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", EMAIL_KINDS)
def test_every_default_email_renders_fully_in_every_language(kind: str, language: str) -> None:
    document = DOCUMENTS.get(kind)
    context = RenderContext(
        customer=CUSTOMER,
        documents=() if document is None else document,
        company=COMPANY,
        urls=URLS,
    )
    subject, body = translator_for(language).email(kind).render(context)
    assert "[" not in subject + body, (subject, body)
    assert "\n" not in subject
    assert "Erika Mustermann" in body
    assert body.endswith("Druckerei Beispiel GmbH\n")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de_DE", "anbei erhalten Sie unsere Rechnung RE-17 vom 1. Oktober 2026 über 119,00\xa0€."),
        ("de_AT", "anbei erhalten Sie unsere Rechnung RE-17 vom 1. Oktober 2026 über €\xa0119,00."),
        ("fr_FR", "notre facture RE-17 du 1 octobre 2026 d'un montant de 119,00\xa0€."),
        ("en_IE", "our invoice RE-17 of 1 October 2026 for €119.00."),
        # No Italian catalog: English text, and English dates to match it.
        ("it_IT", "our invoice RE-17 of October 1, 2026 for €119.00."),
    ],
)
def test_text_and_dates_are_in_one_language(locale: str, expected: str) -> None:
    context = RenderContext(
        customer=CUSTOMER, documents=DOCUMENTS["invoice"], company=COMPANY, urls=URLS
    )
    _, body = translator_for(locale).email("invoice").render(context)
    assert expected in body


def test_a_german_customer_reads_no_english() -> None:
    context = RenderContext(
        customer=CUSTOMER, documents=DOCUMENTS["reminder"], company=COMPANY, urls=URLS
    )
    subject, body = translator_for("de_DE").email(DocumentType.REMINDER).render(context)
    assert subject == "Zahlungserinnerung MA-3 zur Rechnung RE-17"
    for english in ("Dear", "invoice", "Kind regards", "Pay online", "please"):
        assert english not in body


def test_the_merchants_wording_replaces_a_default_email() -> None:
    body = DEFAULT_TEMPLATES["invoice"].body
    overrides = TextOverrides({"de": {body: "Hallo [Client.name], hier ist [Invoice.number]."}})
    context = RenderContext(
        customer=CUSTOMER, documents=DOCUMENTS["invoice"], company=COMPANY, urls=URLS
    )
    subject, text = translator_for("de_DE", overrides=overrides).email("invoice").render(context)
    assert text == "Hallo Erika Mustermann, hier ist RE-17."
    assert subject == "Rechnung RE-17 von Druckerei Beispiel GmbH"  # the shipped subject


def test_an_unknown_kind_of_email_is_refused() -> None:
    with pytest.raises(ValidationError, match="top_up_request"):
        translator_for("de").email("newsletter")
