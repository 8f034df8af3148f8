"""What the writers check before any byte is written, and what they write."""

from __future__ import annotations

from decimal import Decimal

import attrs
import defusedxml.ElementTree
import pytest
from einvoice_samples import BUYER, MULTI_RATE, REVERSE_CHARGE, SELLER, SHAPES

import payportal.einvoice
from payportal import Money, ValidationError
from payportal.documents import LineItem
from payportal.einvoice import (
    CardPayment,
    Profile,
    SepaCreditTransfer,
    SepaDirectDebit,
    TaxCategory,
    to_cii,
    to_facturx_pdf,
    to_ubl,
)

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def test_public_names_are_pinned() -> None:
    assert payportal.einvoice.__all__ == [
        "CardPayment",
        "Download",
        "EInvoice",
        "EInvoiceFormatError",
        "OnlinePayment",
        "PaymentMeans",
        "Profile",
        "ReadEInvoice",
        "SepaCreditTransfer",
        "SepaDirectDebit",
        "StatedTotals",
        "TaxCategory",
        "read_einvoice",
        "render_download",
        "to_cii",
        "to_facturx_pdf",
        "to_ubl",
    ]


def _field(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return error.value.field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seller": attrs.evolve(SELLER, vat_id=None, tax_number="")}, "seller.vat_id"),
        ({"buyer_reference": ""}, "buyer_reference"),
        ({"payment": ()}, "payment"),
        ({"seller": attrs.evolve(SELLER, phone="")}, "seller.phone"),
        ({"seller": attrs.evolve(SELLER, address=None)}, "seller.address"),
        ({"buyer": attrs.evolve(BUYER, email=None)}, "buyer.email"),
        (
            {"payment": [SepaCreditTransfer()], "seller": attrs.evolve(SELLER, bank_accounts=())},
            "payment[0].iban",
        ),
        (
            {
                "payment": [SepaDirectDebit(creditor_id="DE98ZZZ09999999999")],
                "buyer": attrs.evolve(BUYER, bank_accounts=()),
            },
            "payment[0].mandate_reference",
        ),
    ],
)
def test_xrechnung_names_the_missing_field(change: dict[str, object], field: str) -> None:
    einvoice = attrs.evolve(MULTI_RATE, **change)
    with pytest.raises(ValidationError) as error:
        to_cii(einvoice, profile=Profile.XRECHNUNG)
    assert _field(error) == field
    with pytest.raises(ValidationError):
        to_ubl(einvoice, profile=Profile.XRECHNUNG)


def test_a_tax_number_alone_does_not_identify_the_seller() -> None:
    seller = attrs.evolve(SELLER, vat_id=None)
    with pytest.raises(ValidationError) as error:
        to_cii(attrs.evolve(MULTI_RATE, seller=seller))
    assert _field(error) == "seller.vat_id"
    registered = attrs.evolve(seller, register_entry="HRB 12345 B")
    assert b'schemeID="FC"' in to_cii(attrs.evolve(MULTI_RATE, seller=registered))


def test_reverse_charge_needs_the_buyers_vat_id_and_a_reason() -> None:
    with pytest.raises(ValidationError) as error:
        to_cii(attrs.evolve(REVERSE_CHARGE, buyer=attrs.evolve(BUYER, vat_id=None)))
    assert _field(error) == "buyer.vat_id"
    with pytest.raises(ValidationError) as error:
        to_cii(attrs.evolve(REVERSE_CHARGE, exemption_reason=""))
    assert _field(error) == "exemption_reason"


def test_a_document_without_priced_lines_is_refused() -> None:
    document = attrs.evolve(MULTI_RATE.document, lines=())
    with pytest.raises(ValidationError) as error:
        to_cii(attrs.evolve(MULTI_RATE, document=document))
    assert _field(error) == "document.lines"


def test_a_negative_unit_price_is_written_as_a_negative_quantity() -> None:
    data = to_ubl(SHAPES["discount_line"])
    assert b'<cbc:InvoicedQuantity unitCode="C62">-1</cbc:InvoicedQuantity>' in data
    assert b'<cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount>' in data
    assert b'<cbc:LineExtensionAmount currencyID="EUR">-25.00</cbc:LineExtensionAmount>' in data


def test_totals_follow_br_co_10_and_br_co_15() -> None:
    root = defusedxml.ElementTree.fromstring(to_cii(SHAPES["partly_paid"]))
    summation = root.find(f".//{RAM}SpecifiedTradeSettlementHeaderMonetarySummation")
    assert summation is not None
    values = {child.tag.removeprefix(RAM): Decimal(child.text or "") for child in summation}
    lines = [Decimal(e.text or "") for e in root.iter(f"{RAM}LineTotalAmount")][:-1]
    assert values["LineTotalAmount"] == sum(lines)
    assert values["GrandTotalAmount"] == values["TaxBasisTotalAmount"] + values["TaxTotalAmount"]
    assert values["DuePayableAmount"] == values["GrandTotalAmount"] - Decimal("50.00")


def test_skonto_is_written_in_the_xrechnung_notation() -> None:
    assert b"#SKONTO#TAGE=10#PROZENT=2.00#\n" in to_cii(SHAPES["skonto"])
    partly = to_ubl(SHAPES["partly_paid"])
    assert b"#SKONTO#TAGE=14#PROZENT=3.00#BASISBETRAG=" in partly


def test_direct_debit_carries_creditor_id_mandate_and_debtor_iban() -> None:
    data = to_cii(SHAPES["direct_debit"])
    for value in (b"DE98ZZZ09999999999", b"MANDATE-2026-7", b"DE02120300000000202051"):
        assert value in data


def test_card_payment_keeps_only_the_last_digits() -> None:
    with pytest.raises(ValidationError):
        CardPayment(last_digits="4111111111111111")


def test_zero_rate_categories_are_written() -> None:
    assert b"<ram:CategoryCode>AE</ram:CategoryCode>" in to_cii(REVERSE_CHARGE)
    zero = attrs.evolve(REVERSE_CHARGE, zero_rate_category=TaxCategory.ZERO_RATED)
    assert b"<ram:CategoryCode>Z</ram:CategoryCode>" in to_cii(zero)


def test_facturx_pdf_refuses_what_is_not_a_pdf() -> None:
    with pytest.raises(ValidationError) as error:
        to_facturx_pdf(MULTI_RATE, b"<html>")
    assert _field(error) == "pdf"


def test_not_subject_to_vat_names_no_vat_ids_and_needs_a_register_entry() -> None:
    data = to_cii(SHAPES["not_subject"])
    assert b'schemeID="VA"' not in data
    assert b"HRB 12345 B" in data
    without = attrs.evolve(SHAPES["not_subject"], seller=SELLER)
    with pytest.raises(ValidationError) as error:
        to_cii(without)
    assert _field(error) == "seller.register_entry"


def test_not_subject_to_vat_cannot_be_mixed_with_taxed_lines() -> None:
    mixed = attrs.evolve(SHAPES["not_subject"], document=MULTI_RATE.document)
    document = attrs.evolve(
        MULTI_RATE.document,
        lines=[
            *MULTI_RATE.document.lines,
            LineItem(title="Fee", quantity=1, unit_price=Money("1.00", "EUR")),
        ],
    )
    mixed = attrs.evolve(mixed, document=document)
    with pytest.raises(ValidationError) as error:
        to_ubl(mixed)
    assert _field(error) == "zero_rate_category"


def test_intra_community_supply_needs_a_delivery_date() -> None:
    einvoice = SHAPES["intra_community"]
    undated = attrs.evolve(einvoice, document=attrs.evolve(einvoice.document, service_date=None))
    with pytest.raises(ValidationError) as error:
        to_cii(undated)
    assert _field(error) == "document.service_date"
