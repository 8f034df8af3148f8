"""Payment instructions in templates: references, beneficiary, IBAN, BIC, EPC QR, BillPay."""

from __future__ import annotations

import base64
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payportal import Money, epc_qr
from payportal import references as refs
from payportal.accounts import CustomerAccount
from payportal.customers import BankAccount, Company, Customer
from payportal.documents import Document, Invoice, Reminder
from payportal.exceptions import MissingContextError, PlaceholderError, ValidationError
from payportal.placeholders import (
    Beneficiary,
    BillPayTransfer,
    PaymentInstructions,
    PlaceholderRegistry,
    RenderContext,
    Template,
)
from payportal.providers.billpay import parse_answer

DATA = Path(__file__).resolve().parents[1] / "data" / "billpay"
OWN_IBAN = "DE44500105175407324931"  # the customer's own account, unlike the merchant's
MERCHANT_IBAN = "DE89 3704 0044 0532 0130 00"
SCOPES = ("Invoice", "Reminder", "Client")


def _render(text: str, context: RenderContext, **options: object) -> str:
    return Template.compile(text, **options).render(context)  # type: ignore[arg-type]


def _billpay_from_sample(name: str) -> BillPayTransfer:
    """BillPay's answer as the project keeps it (omnipay-billpay's mock, HTTP message)."""
    message = (DATA / name).read_bytes()
    body = message.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in message else message
    body = body.split(b"\n\n", 1)[-1] if not body.lstrip().startswith(b"<") else body
    account = parse_answer(body.strip()).bank_account
    assert account is not None
    return BillPayTransfer.from_bank_account(account)


def parse_epc(payload: str) -> dict[str, str]:
    """Read an EPC069-12 (version 3.0 of the guidelines) payload back into its elements,
    checking the format's rules as a banking app's reader would."""
    assert len(payload.encode("utf-8")) <= 331
    assert not payload.endswith("\n"), "trailing empty lines are left out"
    lines = payload.split("\n")
    assert 7 <= len(lines) <= 12
    lines += [""] * (12 - len(lines))
    names = (
        "service",
        "version",
        "charset",
        "identification",
        "bic",
        "name",
        "iban",
        "amount",
        "purpose",
        "structured",
        "text",
        "information",
    )
    fields = dict(zip(names, lines, strict=True))
    assert fields["service"] == "BCD"
    assert fields["version"] in ("001", "002")
    assert fields["charset"] == "1"  # UTF-8
    assert fields["identification"] == "SCT"
    assert fields["bic"] or fields["version"] == "002"
    assert re.fullmatch(r"|[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", fields["bic"])
    assert 1 <= len(fields["name"]) <= 70
    assert re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", fields["iban"])
    if fields["amount"]:
        found = re.fullmatch(r"EUR([0-9]{1,9}(\.[0-9]{1,2})?)", fields["amount"])
        assert found is not None, fields["amount"]
        assert Decimal("0.01") <= Decimal(found[1]) <= Decimal("999999999.99")
    assert re.fullmatch(r"|[A-Z]{4}", fields["purpose"])
    assert not (fields["structured"] and fields["text"]), "structured or unstructured, not both"
    assert len(fields["structured"]) <= 35
    assert len(fields["text"]) <= 140
    assert len(fields["information"]) <= 70
    return fields


# --- every token, per object -------------------------------------------------------------


def test_invoice_payment_tokens(context: RenderContext, invoice: Invoice) -> None:
    text = (
        "[Invoice.payment_reference]|[Invoice.beneficiary]|[Invoice.iban]|[Invoice.bic]|"
        "[Invoice.beneficiary_iban]|[Invoice.beneficiary_bic]|[Invoice.bank_name]|"
        "[Invoice.amount_due]|[Invoice.due_date]|[Invoice.due_date:long]"
    )
    assert _render(text, context).split("|") == [
        "RF51 RE20 2617",
        "Beispiel AG",
        MERCHANT_IBAN,
        "COBADEFFXXX",
        MERCHANT_IBAN,
        "COBADEFFXXX",
        "Commerzbank",
        "400,00\xa0€",
        "15.10.2026",
        "15. Oktober 2026",
    ]
    assert invoice.amount_due == Money("400.00", "EUR")  # 481.07 less 81.07 paid


def test_reminder_payment_tokens(context: RenderContext) -> None:
    text = (
        "[Reminder.payment_reference]|[Reminder.beneficiary]|[Reminder.iban]|[Reminder.bic]|"
        "[Reminder.amount_due]|[Reminder.due_date]"
    )
    assert _render(text, context).split("|") == [
        "RF64 MA3",
        "Beispiel AG",
        MERCHANT_IBAN,
        "COBADEFFXXX",
        "405,23\xa0€",  # 400.00 reminded + 5.00 fee + 1.23 interest - 1.00 paid
        "08.11.2026",
    ]


def test_client_payment_tokens_use_the_account(context: RenderContext) -> None:
    text = (
        "[Client.payment_reference]|[Client.beneficiary]|[Client.beneficiary_iban]|"
        "[Client.beneficiary_bic]|[Client.amount_due]|[Client.due_date]"
    )
    assert _render(text, context).split("|") == [
        "RF87 K104 2",
        "Beispiel AG",
        MERCHANT_IBAN,
        "COBADEFFXXX",
        "406,23\xa0€",  # the account's balance: each open item once
        "15.10.2026",  # the oldest open item's due date
    ]


def test_client_iban_stays_the_customers_own_account(
    context: RenderContext, customer: Customer
) -> None:
    own = attrs.evolve(customer, bank_accounts=[BankAccount(iban=OWN_IBAN, holder="Erika")])
    changed = attrs.evolve(context, customer=own)
    assert _render("[Client.iban] [Client.beneficiary_iban]", changed) == (
        f"DE44 5001 0517 5407 3249 31 {MERCHANT_IBAN}"
    )


def test_client_amount_due_needs_the_account(context: RenderContext) -> None:
    without = attrs.evolve(context, account=None)
    with pytest.raises(MissingContextError, match="no account"):
        _render("[Client.amount_due]", without)
    # The account's QR code then lets the payer fill in the amount (a top-up).
    assert parse_epc(_render("[Client.epc_qr:payload]", without))["amount"] == ""


def test_an_account_in_credit_owes_nothing(
    context: RenderContext, account: CustomerAccount
) -> None:
    in_credit = attrs.evolve(account, items={}, credit_balance=Money("20.00", "EUR"))
    changed = attrs.evolve(context, account=in_credit)
    assert _render("[Client.amount_due]|[Client.due_date]", changed) == "0,00\xa0€|"
    assert parse_epc(_render("[Client.epc_qr:payload]", changed))["amount"] == ""


def test_account_of_another_customer_is_refused(customer: Customer) -> None:
    with pytest.raises(ValidationError) as error:
        RenderContext(customer=customer, account=CustomerAccount(customer_id="7", currency="EUR"))
    assert error.value.field == "account.customer_id"


# --- reference schemes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "invoice_reference", "reminder_reference"),
    [
        ("rf", "RF51 RE20 2617", "RF64 MA3"),
        ("fi", "20 26176", "37"),
        ("be_ogm", "+++000/0202/61781+++", "+++000/0000/00303+++"),
        ("ch_qrr", "00 00000 00000 00000 00020 26170", "00 00000 00000 00000 00000 00034"),
        ("no_kid", "2026177", "34"),
    ],
)
def test_reference_schemes(
    scheme: str,
    invoice_reference: str,
    reminder_reference: str,
    context: RenderContext,
    instructions: PaymentInstructions,
) -> None:
    configured = attrs.evolve(
        context, instructions=attrs.evolve(instructions, reference_scheme=scheme)
    )
    if scheme == "fi":
        # The Finnish reference needs three significant digits; MA-3 has one.
        with pytest.raises(PlaceholderError, match="reminder MA-3") as error:
            _render("[Reminder.payment_reference]", configured)
        assert error.value.token == "Reminder.payment_reference"
        assert _render("[Invoice.payment_reference]", configured) == invoice_reference
        return
    rendered = _render("[Invoice.payment_reference]|[Reminder.payment_reference]", configured)
    assert rendered.split("|") == [invoice_reference, reminder_reference]
    for reference in rendered.split("|"):
        assert refs.parse(reference, schemes=[scheme]).formatted == reference


def test_a_template_scheme_gets_the_customer_number(
    context: RenderContext, instructions: PaymentInstructions
) -> None:
    pattern = refs.Template("{customer_number}-{document_number}", check="mod97")
    configured = attrs.evolve(
        context, instructions=attrs.evolve(instructions, reference_scheme=pattern)
    )
    invoice_reference = _render("[Invoice.payment_reference]", configured)
    assert pattern.parse(invoice_reference) == {
        "customer_number": "K1042",
        "document_number": "RE202617",
    }
    # A template that needs a document number cannot make the account's reference.
    with pytest.raises(PlaceholderError, match="document_number"):
        _render("[Client.payment_reference]", configured)


def test_prefix_goes_before_the_number(
    context: RenderContext, instructions: PaymentInstructions
) -> None:
    configured = attrs.evolve(context, instructions=attrs.evolve(instructions, prefix="SHOP1"))
    reference = _render("[Invoice.payment_reference]", configured)
    assert refs.rf.compact(reference) == refs.rf.generate("SHOP1RE202617")


def test_the_same_document_always_gets_the_same_reference(
    invoice: Invoice, instructions: PaymentInstructions
) -> None:
    first = instructions.reference_for(invoice)
    assert instructions.reference_for(attrs.evolve(invoice, paid=Money("0.00", "EUR"))) == first
    assert first.value == "RF51RE202617"


# --- missing settings ----------------------------------------------------------------------


def test_without_instructions_strict_fails_keep_and_blank_do_not(context: RenderContext) -> None:
    bare = attrs.evolve(context, instructions=None)
    with pytest.raises(MissingContextError, match="no payment instructions") as error:
        _render("Pay to [Invoice.iban]", bare)
    assert error.value.token == "Invoice.iban"
    assert _render("Pay to [Invoice.iban]", bare, mode="keep") == "Pay to [Invoice.iban]"
    assert _render("Pay to [Invoice.iban]", bare, mode="blank") == "Pay to "


def test_without_a_beneficiary_the_reference_still_works(context: RenderContext) -> None:
    reference_only = attrs.evolve(context, instructions=PaymentInstructions())
    assert _render("[Invoice.payment_reference]", reference_only) == "RF51 RE20 2617"
    for field in ("beneficiary", "iban", "bic", "epc_qr"):
        with pytest.raises(MissingContextError, match="no beneficiary"):
            _render(f"[Invoice.{field}]", reference_only)


def test_instructions_validate_their_settings() -> None:
    with pytest.raises(ValidationError, match="BillPay gives each purchase") as billpay:
        PaymentInstructions(reference_scheme="billpay")
    assert billpay.value.field == "reference_scheme"
    with pytest.raises(ValidationError) as unknown:
        PaymentInstructions(reference_scheme="iso")
    assert unknown.value.field == "reference_scheme"
    with pytest.raises(ValidationError) as prefix:
        PaymentInstructions(prefix="SHOP-1")
    assert prefix.value.field == "prefix"
    with pytest.raises(ValidationError) as purpose:
        PaymentInstructions(purpose="GDDS1")
    assert purpose.value.field == "purpose"
    with pytest.raises(ValidationError) as iban:
        Beneficiary(name="Beispiel AG", iban="DE89370400440532013001")
    assert iban.value.field == "iban"
    with pytest.raises(ValidationError) as name:
        Beneficiary(name="x" * 71, iban=MERCHANT_IBAN)
    assert name.value.field == "name"
    with pytest.raises(ValidationError) as bank_accounts:
        Beneficiary.from_company(Company(name="No Bank AG"))
    assert bank_accounts.value.field == "bank_accounts"


# --- BillPay ---------------------------------------------------------------------------------


def test_billpay_details_come_from_billpays_answer() -> None:
    transfer = _billpay_from_sample("response_invoice_created.http")
    assert transfer == BillPayTransfer(
        account_holder="BillPay GmbH",
        account_number="DE07312312312312312",
        bic="BELADEBEXXX",
        bank_name="Sparkasse Berlin",
        reference="BP555666777/9999",
        due_on=date(2015, 5, 1),
    )


def test_billpay_replaces_the_merchants_account_and_reference_on_the_invoice(
    context: RenderContext,
) -> None:
    billpay = attrs.evolve(
        _billpay_from_sample("response_invoice_created.http"), account_number=OWN_IBAN
    )
    text = (
        "[Invoice.payment_reference]|[Invoice.beneficiary]|[Invoice.iban]|[Invoice.bic]|"
        "[Invoice.bank_name]|[Invoice.due_date]|[Reminder.payment_reference]|"
        "[Client.beneficiary]"
    )
    assert _render(text, attrs.evolve(context, billpay=billpay)).split("|") == [
        "BP555666777/9999",
        "BillPay GmbH",
        "DE44 5001 0517 5407 3249 31",
        "BELADEBEXXX",
        "Sparkasse Berlin",
        "01.05.2015",  # BillPay's due date
        "RF64 MA3",  # BillPay dunns its purchases itself: reminders stay the merchant's
        "Beispiel AG",
    ]
    fields = parse_epc(_render("[Invoice.epc_qr:payload]", attrs.evolve(context, billpay=billpay)))
    assert (fields["name"], fields["iban"], fields["bic"]) == (
        "BillPay GmbH",
        OWN_IBAN,
        "BELADEBEXXX",
    )
    assert (fields["structured"], fields["text"]) == ("", "BP555666777/9999")


def test_billpay_works_without_the_merchants_instructions(context: RenderContext) -> None:
    billpay = _billpay_from_sample("response_preauthorize_invoice_bank_account.http")
    only_billpay = attrs.evolve(context, instructions=None, billpay=billpay)
    assert _render("[Invoice.payment_reference] [Invoice.due_date]", only_billpay) == (
        "BP555666777/9999 15.10.2026"  # no due date from BillPay yet: the invoice's
    )
    # The sample's account number is no IBAN: printed as sent, no QR code possible.
    assert _render("[Invoice.iban]|[Invoice.epc_qr]", only_billpay) == "DE07312312312312312|"


def test_billpay_refuses_a_reference_that_is_not_billpays() -> None:
    with pytest.raises(ValidationError) as error:
        BillPayTransfer(account_holder="BillPay GmbH", account_number=OWN_IBAN, reference="RE-1")
    assert error.value.field == "reference"


# --- EPC QR codes ----------------------------------------------------------------------------


def test_epc_qr_payload_carries_the_invoice(context: RenderContext, invoice: Invoice) -> None:
    fields = parse_epc(_render("[Invoice.epc_qr:payload]", context))
    assert fields == {
        "service": "BCD",
        "version": "002",
        "charset": "1",
        "identification": "SCT",
        "bic": "COBADEFFXXX",
        "name": "Beispiel AG",
        "iban": "DE89370400440532013000",
        "amount": f"EUR{invoice.amount_due.amount}",
        "purpose": "",
        "structured": "RF51RE202617",
        "text": "",
        "information": "",
    }
    assert refs.rf.is_valid(fields["structured"])


def test_a_national_reference_goes_in_the_unstructured_line(
    context: RenderContext, instructions: PaymentInstructions
) -> None:
    ogm = attrs.evolve(
        context,
        instructions=attrs.evolve(instructions, reference_scheme="be_ogm", purpose="GDDS"),
    )
    fields = parse_epc(_render("[Invoice.epc_qr:payload]", ogm))
    assert (fields["structured"], fields["text"], fields["purpose"]) == (
        "",
        "+++000/0202/61781+++",
        "GDDS",
    )


def test_no_qr_code_for_paid_or_foreign_currency_documents(
    context: RenderContext, invoice: Invoice, documents: list[Document], customer: Customer
) -> None:
    paid = attrs.evolve(invoice, paid=invoice.total)
    others = [d for d in documents if not isinstance(d, Invoice)]
    assert _render("[Invoice.epc_qr]", attrs.evolve(context, documents=[paid, *others])) == ""
    swiss = attrs.evolve(context, account=None, customer=attrs.evolve(customer, currency="CHF"))
    assert _render("[Client.epc_qr]", swiss) == ""
    chf = attrs.evolve(invoice, currency="CHF", lines=(), paid=Money("0.00", "CHF"))
    assert (
        _render("[Invoice.epc_qr]", RenderContext(documents=chf, instructions=context.instructions))
        == ""
    )


@settings(max_examples=40, deadline=None)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
    body=st.from_regex(r"\A[A-Z0-9]{1,21}\Z"),
    name=st.from_regex(r"\A[A-Za-zÄÖÜäöüß&.\- ]{1,70}\Z").map(str.strip).filter(bool),
)
def test_epc_payload_round_trips(amount: Decimal, body: str, name: str) -> None:
    reference = refs.rf.generate(body)
    payload = epc_qr.payload(
        name=name, iban=MERCHANT_IBAN, amount=Money(amount, "EUR"), reference=reference
    )
    fields = parse_epc(payload)
    assert fields["name"] == name
    assert fields["iban"] == "DE89370400440532013000"
    assert Decimal(fields["amount"][3:]) == amount
    assert fields["structured"] == reference


def test_the_qr_code_encodes_the_payload_at_level_m(context: RenderContext) -> None:
    payload = _render("[Invoice.epc_qr:payload]", context)
    code = segno.make(payload, error="m", micro=False, boost_error=False, encoding="utf-8")
    assert code.error == "M"
    assert isinstance(code.version, int)
    assert code.version <= 13
    assert _render("[Invoice.epc_qr:svg]", context) == epc_qr.to_svg(payload)


def test_qr_image_forms(context: RenderContext, tmp_path: Path) -> None:
    payload = _render("[Invoice.epc_qr:payload]", context)
    svg = epc_qr.to_svg(payload)
    html = _render("<p>[Invoice.epc_qr]</p>", context, escape="html")
    assert html == f"<p>{svg}</p>"  # inline, not escaped
    uri = _render('<img src="[Invoice.epc_qr:data_uri]">', context, escape="html")
    encoded = uri.removeprefix('<img src="data:image/svg+xml;base64,').removesuffix('">')
    assert base64.b64decode(encoded).decode("utf-8") == svg
    assert _render("[Invoice.epc_qr]", context) == "data:image/svg+xml;base64," + encoded
    png = _render("[Invoice.epc_qr:png]", context)
    assert base64.b64decode(png.removeprefix("data:image/png;base64,")) == epc_qr.to_png(payload)
    path = Path(_render("[Invoice.epc_qr:file]", context))
    assert path.parent == tmp_path
    assert path.read_bytes() == epc_qr.to_png(payload)
    assert Path(_render("[Invoice.epc_qr:file]", context)) == path  # written once
    with pytest.raises(MissingContextError, match="no files"):
        _render("[Invoice.epc_qr:file]", attrs.evolve(context, files=None))


def test_inline_svg_only_between_tags() -> None:
    for text in (
        '<img src="[Invoice.epc_qr]">',
        "<td [Invoice.epc_qr]>",
        "<style>[Invoice.epc_qr:svg]",
    ):
        with pytest.raises(PlaceholderError) as error:
            Template.compile(text, escape="html")
        assert error.value.token.startswith("Invoice.epc_qr")
    Template.compile('<img src="[Invoice.epc_qr:data_uri]" alt="QR">', escape="html")
    Template.compile('<img src="[Invoice.epc_qr:file]">', escape="html")


def test_without_segno_the_placeholder_says_what_to_install(
    context: RenderContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: object, **kwargs: object) -> str:
        raise ImportError("EPC QR images need segno")

    monkeypatch.setattr(epc_qr, "to_svg", missing)
    with pytest.raises(PlaceholderError, match=r"payportal\[qr\]"):
        _render("[Invoice.epc_qr:svg]", context)
    assert _render("[Invoice.epc_qr:payload]", context).startswith("BCD\n")


# --- reminders -------------------------------------------------------------------------------


def test_reminder_tokens(context: RenderContext, documents: list[Document]) -> None:
    reminder = next(d for d in documents if isinstance(d, Reminder))
    second = attrs.evolve(
        reminder.reminded[0], invoice_id="inv-18", number="RE-2026-18", due_on=date(2026, 10, 31)
    )
    two = attrs.evolve(reminder, reminded=[*reminder.reminded, second])
    changed = attrs.evolve(context, documents=[d if d is not reminder else two for d in documents])
    text = (
        "[Reminder.level]|[Reminder.fee]|[Reminder.interest]|[Reminder.charges]|"
        "[Reminder.principal]|[Reminder.new_due_date]|[Reminder.invoice_numbers]\n"
        "[Reminder.invoices]"
    )
    assert _render(text, changed) == (
        "2|5,00\xa0€|1,23\xa0€|6,23\xa0€|800,00\xa0€|08.11.2026|RE-2026-17, RE-2026-18\n"
        "RE-2026-17 · 400,00\xa0€\n"
        "RE-2026-18 · 31.10.2026 · 400,00\xa0€"
    )
    assert Template.compile("[Reminder.invoices:long]").render(changed, locale="en_US") == (
        "RE-2026-17 · €400.00\nRE-2026-18 · October 31, 2026 · €400.00"
    )
    assert _render("<p>[Reminder.invoices:iso]</p>", changed, escape="html") == (
        "<p>RE-2026-17 · 400,00\xa0€<br>\nRE-2026-18 · 2026-10-31 · 400,00\xa0€</p>"
    )


# --- Confirmation, Billomat's name -------------------------------------------------------------


def test_confirmation_is_the_order_confirmation(context: RenderContext) -> None:
    assert _render("[Confirmation.number] [Confirmation.delivery_on:iso]", context) == (
        "AB-4 2026-09-29"
    )
    assert PlaceholderRegistry().fields("Confirmation") == PlaceholderRegistry().fields(
        "OrderConfirmation"
    )
    template = Template.compile("[Confirmation.number] [Client.name]")
    assert template.objects == {"OrderConfirmation", "Client"}
    assert template.objects <= set(context.objects)
    with pytest.raises(ValidationError, match="built-in"):
        RenderContext(extra={"Confirmation": object()})
    empty = PlaceholderRegistry.empty()
    with pytest.raises(PlaceholderError):
        Template.compile("[Confirmation.number]", registry=empty)


# --- HTML escaping -------------------------------------------------------------------------------

HOSTILE = "<script>alert(\"x\")</script> & 'Co'"


def test_every_payment_and_reminder_value_is_escaped_in_html(
    context: RenderContext, customer: Customer, documents: list[Document]
) -> None:
    reminder = next(d for d in documents if isinstance(d, Reminder))
    hostile_reminder = attrs.evolve(
        reminder, reminded=[attrs.evolve(reminder.reminded[0], number="<b>RE-1</b>")]
    )
    hostile = attrs.evolve(
        context,
        customer=attrs.evolve(customer, name=HOSTILE[:70]),
        documents=[d if d is not reminder else hostile_reminder for d in documents],
        instructions=PaymentInstructions(
            beneficiary=Beneficiary(name=HOSTILE[:70], iban=MERCHANT_IBAN, bank_name=HOSTILE)
        ),
        billpay=None,
    )
    registry = PlaceholderRegistry()
    tokens = [
        f"[{f.token}]" for f in registry if f.object in (*SCOPES, "Company") and f.kind != "qr"
    ]
    html = Template.compile("<p>" + "</p><p>".join(tokens) + "</p>", escape="html")
    rendered = html.render(hostile)
    assert "<script" not in rendered
    assert "<b>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;" in rendered
    assert "&lt;b&gt;RE-1&lt;/b&gt;" in rendered
    # The QR code holds the name as data, drawn as paths: no text of it reaches the page.
    svg = Template.compile("<p>[Invoice.epc_qr]</p>", escape="html").render(hostile)
    assert "script" not in svg
    assert "Co" not in svg


# --- lint ----------------------------------------------------------------------------------------


def test_lint_reports_what_cannot_be_filled() -> None:
    from payportal.documents import DocumentType  # noqa: PLC0415
    from payportal.placeholders import lint  # noqa: PLC0415

    [wrong] = lint("[Offer.payment_reference]")
    assert (wrong.code, wrong.severity) == ("wrong-object", "error")
    assert "Client, Invoice and Reminder have it" in wrong.message
    no_beneficiary = PaymentInstructions()
    found = lint(
        "[Invoice.payment_reference] [Invoice.epc_qr] [Reminder.iban] [Client.amount_due]",
        instructions=no_beneficiary,
    )
    assert [(d.column, d.code) for d in found] == [(29, "cannot-fill"), (46, "cannot-fill")]
    assert (
        lint(
            "[Invoice.epc_qr]",
            instructions=PaymentInstructions(
                beneficiary=Beneficiary(name="Beispiel AG", iban=MERCHANT_IBAN)
            ),
        )
        == []
    )
    [other] = lint("[Offer.number] [Invoice.number]", document_type=DocumentType.OFFER)
    assert (other.code, other.severity, other.column) == ("other-document", "warning", 16)
    assert lint("[Confirmation.number]", document_type=DocumentType.ORDER_CONFIRMATION) == []
    [markup] = lint('<img src="[Invoice.epc_qr]">')
    assert markup.code == "markup-context"
    with pytest.raises(ValidationError):
        lint("", instructions="rf")  # type: ignore[arg-type]


# --- property: any document renders --------------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_rendering_never_crashes_for_any_document(data: st.DataObject, company: Company) -> None:
    from payportal.testing import strategies  # noqa: PLC0415

    document = data.draw(strategies.documents(), label="document")
    customer = data.draw(strategies.customers(), label="customer")
    customer = attrs.evolve(customer, id=document.customer_id)
    scheme = data.draw(st.sampled_from(["rf", "be_ogm", "ch_qrr", "no_kid"]), label="scheme")
    context = RenderContext(
        customer=customer,
        documents=document,
        company=company,
        instructions=PaymentInstructions(
            beneficiary=Beneficiary.from_company(company), reference_scheme=scheme
        ),
        account=CustomerAccount(customer_id=customer.id, currency=document.currency),
    )
    objects = (document.type.object_name, "Client", "Company")
    tokens = [
        f"[{f.token}:payload]" if f.kind == "qr" else f"[{f.token}]"
        for f in PlaceholderRegistry()
        if f.object in objects and f.kind != "url"  # links need a signer, tested elsewhere
    ]
    for escape in ("text", "html"):
        rendered = Template.compile(" ".join(tokens), escape=escape).render(context)  # type: ignore[arg-type]
        assert not re.search(r"\[[A-Z][A-Za-z]*\.", rendered), "a placeholder left over"
        if escape == "html":
            assert "<" not in rendered.replace("<br>", "")


PAYMENT_FIELDS = (
    "payment_reference",
    "beneficiary",
    "beneficiary_iban",
    "beneficiary_bic",
    "bank_name",
    "amount_due",
    "due_date",
    "epc_qr",
)
ALL_OBJECTS = (*SCOPES, "Company", "CreditNote", "Offer", "DeliveryNote", "OrderConfirmation")


@pytest.mark.parametrize("field", PAYMENT_FIELDS)
@pytest.mark.parametrize("name", ALL_OBJECTS)
def test_payment_tokens_exactly_on_invoice_reminder_and_client(
    name: str, field: str, context: RenderContext
) -> None:
    from payportal.placeholders import lint  # noqa: PLC0415

    token = f"[{name}.{field}]"
    if name in SCOPES:
        assert _render(token, context).strip(), token
        assert lint(token) == []
    else:
        with pytest.raises(PlaceholderError, match="Client, Invoice and Reminder have it"):
            Template.compile(token)
        assert [d.code for d in lint(token)] == ["wrong-object"]


def test_what_each_payment_field_needs() -> None:
    registry = PlaceholderRegistry()
    needs = {f.token: f.needs for f in registry if f.needs}
    assert needs["Invoice.payment_reference"] == {"instructions"}
    assert needs["Client.epc_qr"] == {"beneficiary"}
    assert needs["Reminder.iban"] == {"beneficiary"}
    assert "Client.iban" not in needs
    assert "Invoice.due_date" not in needs


def test_image_folder_writes_plain_names_only_and_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payportal.placeholders import ImageFolder  # noqa: PLC0415

    with pytest.raises(PlaceholderError, match="not an existing folder"):
        ImageFolder(tmp_path / "missing")
    folder = ImageFolder(tmp_path)
    for name in ("../x.png", ".hidden.png", "a/b.png", ""):
        with pytest.raises(PlaceholderError, match="plain file name"):
            folder.save(name, b"png", "image/png")

    def full_disk(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(PlaceholderError, match="No space left on device"):
        folder.save("epc-qr-1.png", b"png", "image/png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("scheme", ["rf", "be_ogm", "ch_qrr", "no_kid"])
def test_a_transfer_quoting_the_printed_reference_pays_that_document(
    scheme: str, context: RenderContext, documents: list[Document]
) -> None:
    from payportal.accounts import OpenItem  # noqa: PLC0415
    from payportal.reconciliation import Direction, StatementEntry, reconcile  # noqa: PLC0415

    instructions = PaymentInstructions(reference_scheme=scheme)
    configured = attrs.evolve(context, instructions=instructions)
    printed = _render("[Invoice.payment_reference]", configured)
    known = instructions.known_references(documents, customer=context.customer)
    assert sorted(known.values()) == ["MA-3", "RE-2026-17"]  # invoices and reminders only
    items = [
        OpenItem.simple("RE-2026-17", Money("400.00", "EUR"), due=date(2026, 10, 15)),
        OpenItem.simple("MA-3", Money("400.00", "EUR"), due=date(2026, 11, 8)),
    ]
    paid = StatementEntry(
        "e-1",
        date(2026, 10, 20),
        Money("400.00", "EUR"),
        Direction.CREDIT,
        remittance_text=f"Rechnung {printed} Danke",
    )
    [match] = reconcile([paid], items, schemes=[scheme], known_references=known).matches
    assert match.items == ("RE-2026-17",)
    assert match.confidence is refs.Confidence.CERTAIN  # by the known reference
