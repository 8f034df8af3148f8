"""The DOWNLOAD action's formats: what the merchant offers, and what each customer may get."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    AccessDeniedError,
    AccessPolicy,
    Action,
    Customer,
    CustomerAccess,
    Money,
    PortalSettings,
    ValidationError,
)
from payportal.documents import CreditNote, DeliveryNote, DocumentType, Invoice, LineItem
from payportal.portal import APPLICABLE_ACTIONS, EINVOICE_DOCUMENT_TYPES, DownloadFormat

TODAY = date(2026, 3, 10)
ERIKA = Customer(id="42", number="K-42", name="Erika")
ALL = tuple(DownloadFormat)
INVOICE = Invoice(
    id="i1",
    number="RE-1",
    customer_id="42",
    issued_on=date(2026, 3, 1),
    lines=[LineItem(title="x", quantity=1, unit_price=Money("10.00", "EUR"))],
)
CREDIT = CreditNote(id="c1", number="GS-1", customer_id="42", issued_on=date(2026, 3, 1))
NOTE = DeliveryNote(id="d1", number="LS-1", customer_id="42", issued_on=date(2026, 3, 1))


def settings(formats: tuple[DownloadFormat, ...] = ALL, **kwargs: object) -> PortalSettings:
    return PortalSettings(document_actions=APPLICABLE_ACTIONS, download_formats=formats, **kwargs)  # type: ignore[arg-type]


def test_plain_settings_offer_only_the_pdf() -> None:
    plain = PortalSettings(document_actions=APPLICABLE_ACTIONS)
    assert plain.download_formats == (DownloadFormat.PDF,)
    assert plain.einvoice_format is None
    assert AccessPolicy(plain).download_formats(ERIKA, INVOICE, on=TODAY) == (DownloadFormat.PDF,)


def test_default_settings_offer_pdf_and_facturx() -> None:
    default = PortalSettings.default()
    assert default.einvoice_format is DownloadFormat.FACTURX_PDF
    assert AccessPolicy(default).download_formats(ERIKA, CREDIT, on=TODAY) == (
        DownloadFormat.PDF,
        DownloadFormat.FACTURX_PDF,
    )


def test_the_first_einvoice_format_is_the_default_and_order_is_kept() -> None:
    chosen = settings((DownloadFormat.XRECHNUNG_UBL, DownloadFormat.PDF, DownloadFormat.PDF))
    assert chosen.download_formats == (DownloadFormat.XRECHNUNG_UBL, DownloadFormat.PDF)
    assert chosen.einvoice_format is DownloadFormat.XRECHNUNG_UBL


def test_einvoices_only_for_invoices_and_credit_notes() -> None:
    policy = AccessPolicy(settings())
    assert policy.download_formats(ERIKA, INVOICE, on=TODAY) == ALL
    assert policy.download_formats(ERIKA, CREDIT, on=TODAY) == ALL
    assert policy.download_formats(ERIKA, NOTE, on=TODAY) == (DownloadFormat.PDF,)
    with pytest.raises(AccessDeniedError, match="delivery notes have no e-invoice"):
        policy.check_download(ERIKA, NOTE, DownloadFormat.XRECHNUNG_CII, on=TODAY)


def test_no_format_without_the_download_action() -> None:
    actions = {**APPLICABLE_ACTIONS, DocumentType.INVOICE: frozenset({Action.VIEW})}
    policy = AccessPolicy(PortalSettings(document_actions=actions, download_formats=ALL))
    assert policy.download_formats(ERIKA, INVOICE, on=TODAY) == ()
    with pytest.raises(AccessDeniedError, match="does not allow to download invoices"):
        policy.check_download(ERIKA, INVOICE, DownloadFormat.PDF, on=TODAY)


def test_another_customers_document_offers_nothing() -> None:
    other = Customer(id="43", number="K-43", name="Max")
    assert AccessPolicy(settings()).download_formats(other, INVOICE, on=TODAY) == ()


def test_a_format_the_merchant_does_not_offer_is_refused() -> None:
    policy = AccessPolicy(settings((DownloadFormat.PDF,)))
    with pytest.raises(AccessDeniedError, match=r"does not offer downloads as XRechnung \(UBL\)"):
        policy.check_download(ERIKA, INVOICE, DownloadFormat.XRECHNUNG_UBL, on=TODAY)


def test_overrides_narrow_the_formats_per_customer() -> None:
    access = CustomerAccess(download_formats={DownloadFormat.PDF})
    policy = AccessPolicy(settings().with_override(ERIKA, access))
    assert policy.download_formats(ERIKA, INVOICE, on=TODAY) == (DownloadFormat.PDF,)
    with pytest.raises(AccessDeniedError, match="customer '42' may not download"):
        policy.check_download(ERIKA, INVOICE, DownloadFormat.FACTURX_PDF, on=TODAY)


@pytest.mark.parametrize("bad", ["pdf", DownloadFormat.PDF, 3, ["pdf"]])
def test_settings_refuse_what_is_not_a_sequence_of_formats(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(bad)  # type: ignore[arg-type]
    assert caught.value.field == "download_formats"


def test_customer_access_refuses_other_members() -> None:
    with pytest.raises(ValidationError) as caught:
        CustomerAccess(download_formats={"pdf"})  # type: ignore[arg-type]
    assert caught.value.field == "download_formats"


def test_check_download_refuses_a_string_format() -> None:
    with pytest.raises(ValidationError) as caught:
        AccessPolicy(settings()).check_download(ERIKA, INVOICE, "pdf", on=TODAY)  # type: ignore[arg-type]
    assert caught.value.field == "format"


def test_format_properties() -> None:
    assert [f for f in DownloadFormat if f.is_pdf] == [
        DownloadFormat.PDF,
        DownloadFormat.FACTURX_PDF,
    ]
    assert DownloadFormat.XRECHNUNG_CII.media_type == "application/xml"
    assert DownloadFormat.FACTURX_PDF.media_type == "application/pdf"
    assert len({f.label for f in DownloadFormat}) == len(DownloadFormat)


@given(
    offered=st.lists(st.sampled_from(ALL), unique=True),
    narrowed=st.none() | st.frozensets(st.sampled_from(ALL)),
    document=st.sampled_from([INVOICE, CREDIT, NOTE]),
)
def test_allowed_formats_are_offered_allowed_and_fit_the_document(
    offered: list[DownloadFormat],
    narrowed: frozenset[DownloadFormat] | None,
    document: Invoice | CreditNote | DeliveryNote,
) -> None:
    chosen = settings(tuple(offered)).with_override(
        ERIKA, CustomerAccess(download_formats=narrowed)
    )
    policy = AccessPolicy(chosen)
    allowed = policy.download_formats(ERIKA, document, on=TODAY)
    for format_ in ALL:
        expected = (
            format_ in offered
            and (narrowed is None or format_ in narrowed)
            and (not format_.is_einvoice or document.type in EINVOICE_DOCUMENT_TYPES)
        )
        assert (format_ in allowed) == expected
        assert (policy.download_denial(ERIKA, document, format_, on=TODAY) is None) == expected
    assert list(allowed) == [f for f in offered if f in allowed]
