from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from payportal import Action, Customer, ValidationError
from payportal.documents import DocumentType, Invoice, Offer
from payportal.links import LinkClaims

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ERIKA = Customer(id="42", number="K-42", name="Erika", link_version=3)
INVOICE = Invoice(id="inv-17", number="RE-17", customer_id="42", issued_on=date(2026, 1, 1))


def _claims(**changes: object) -> LinkClaims:
    values: dict[str, object] = {
        "subject": "customer:42",
        "customer_id": "42",
        "purpose": "portal",
        "issued_at": NOW,
    }
    values.update(changes)
    return LinkClaims(**values)  # type: ignore[arg-type]


def test_for_customer_uses_the_customers_link_version() -> None:
    claims = LinkClaims.for_customer(ERIKA, issued_at=NOW, expires_at=NOW + timedelta(days=1))
    assert (claims.subject, claims.customer_id, claims.purpose, claims.version) == (
        "customer:42",
        "42",
        "portal",
        3,
    )
    assert claims.subject_type == "customer"
    assert claims.subject_id == "42"
    assert claims.document_type is None


def test_for_document_names_type_and_id() -> None:
    claims = LinkClaims.for_document(INVOICE, issued_at=NOW, version=2, actions=[Action.VIEW])
    assert claims.subject == "invoice:inv-17"
    assert claims.customer_id == "42"
    assert claims.purpose == "document"
    assert claims.version == 2
    assert claims.document_type is DocumentType.INVOICE
    assert claims.actions == frozenset({Action.VIEW})
    assert claims.allows(Action.VIEW)
    assert not claims.allows(Action.PAY)
    assert _claims().allows(Action.PAY)


def test_constructors_check_their_subject() -> None:
    with pytest.raises(ValidationError) as info:
        LinkClaims.for_customer(INVOICE, issued_at=NOW)  # type: ignore[arg-type]
    assert info.value.field == "customer"
    with pytest.raises(ValidationError) as info:
        LinkClaims.for_document(ERIKA, issued_at=NOW)  # type: ignore[arg-type]
    assert info.value.field == "document"


def test_times_become_whole_utc_seconds() -> None:
    plus_one = timezone(timedelta(hours=1))
    claims = _claims(
        issued_at=datetime(2026, 1, 1, 1, 0, 0, 999_999, tzinfo=plus_one),
        expires_at=datetime(2026, 1, 2, 0, 0, 0, 500_000, tzinfo=UTC),
    )
    assert claims.issued_at == NOW
    assert claims.issued_at.tzinfo is UTC
    assert claims.expires_at == datetime(2026, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "customer"}, "subject"),
        ({"subject": ":42"}, "subject"),
        ({"subject": "customer:"}, "subject"),
        ({"subject": 42}, "subject"),
        ({"subject": "invoice:" + "x" * 250}, "subject"),
        ({"subject": "customer:43"}, "customer_id"),
        ({"customer_id": " "}, "customer_id"),
        ({"subject": "invoice:1", "customer_id": "\ud800"}, "customer_id"),
        ({"purpose": ""}, "purpose"),
        ({"purpose": "p" * 65}, "purpose"),
        ({"issued_at": datetime(2026, 1, 1)}, "issued_at"),
        ({"issued_at": date(2026, 1, 1)}, "issued_at"),
        ({"issued_at": datetime(1969, 12, 31, tzinfo=UTC)}, "issued_at"),
        ({"issued_at": datetime.min.replace(tzinfo=timezone(timedelta(hours=1)))}, "issued_at"),
        ({"expires_at": NOW}, "expires_at"),
        ({"expires_at": NOW - timedelta(seconds=1)}, "expires_at"),
        ({"expires_at": NOW + timedelta(microseconds=10)}, "expires_at"),  # same second
        ({"version": -1}, "version"),
        ({"version": 2**63}, "version"),
        ({"version": True}, "version"),
        ({"version": "1"}, "version"),
        ({"actions": "view"}, "actions"),
        ({"actions": ["view"]}, "actions"),
        ({"actions": Action.VIEW}, "actions"),
        ({"actions": 3}, "actions"),
    ],
)
def test_invalid_claims_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _claims(**changes)
    assert info.value.field == field


def test_document_type_is_known_only_for_document_subjects() -> None:
    offer = Offer(
        id="o1",
        number="AN-1",
        customer_id="42",
        issued_on=date(2026, 1, 1),
        valid_until=date(2026, 2, 1),
    )
    assert LinkClaims.for_document(offer, issued_at=NOW).document_type is DocumentType.OFFER
    assert _claims(subject="statement:2026-01", customer_id="42").document_type is None
