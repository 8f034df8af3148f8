"""Mandates: granting, the life cycle, the 36 months, amendments and reference numbers."""

from __future__ import annotations

import pickle
from datetime import date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mandate_samples import CONSENT, CREDITOR, SIGNED, mandate

from payportal import InvalidTransitionError, ValidationError
from payportal.mandates import (
    Amendment,
    Consent,
    Mandate,
    MandateReferences,
    MandateState,
    MandateStateError,
    MandateType,
    UnusableMandateError,
)
from payportal.mandates._mandate import add_months


def test_grant_stores_compact_values_and_starts_active() -> None:
    m = mandate(iban="de89 3704 0044 0532 0130 00", bic="cobadeff xxx")
    assert (m.iban, m.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    assert m.state is MandateState.ACTIVE
    assert (m.collections, m.last_collected_on, m.finished, m.amendment) == (0, None, False, None)
    assert m.consent.ip_address == "203.0.113.7"


def test_the_bic_is_derived_where_the_register_knows_the_bank() -> None:
    assert mandate(iban="BE48320070184927", bic=None).bic == "BBRUBEBB"
    assert mandate(iban="CZ6508000000192000145399", bic=None).bic == "GIBACZPX"


def test_the_bic_is_required_where_it_cannot_be_derived() -> None:
    with pytest.raises(ValidationError) as caught:
        mandate(bic=None)
    assert caught.value.field == "bic"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"iban": "DE89370400440532013001"}, "iban"),  # wrong check digits
        ({"bic": "COBADEF"}, "bic"),
        ({"reference": "M 0001"}, "reference"),  # a space is outside the SEPA set
        ({"reference": "MANDAT-Ä"}, "reference"),
        ({"reference": "/M-1"}, "reference"),
        ({"reference": "M//1"}, "reference"),
        ({"reference": "M" * 36}, "reference"),
        ({"creditor_id": "DE99ZZZ09999999999"}, "creditor_id"),  # wrong checksum
        ({"debtor_name": ""}, "debtor_name"),
        ({"debtor_name": "x" * 71}, "debtor_name"),
        ({"debtor_name": "Erika\nMustermann"}, "debtor_name"),
        ({"debtor_name": "Erika \uffff"}, "debtor_name"),  # no XML document may hold it
    ],
)
def test_invalid_details_are_refused_naming_the_field(changes: dict[str, str], field: str) -> None:
    details = {
        "reference": "M-1",
        "creditor_id": CREDITOR.creditor_id,
        "debtor_name": "Erika Mustermann",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "signed_on": SIGNED,
        "consent": CONSENT,
    } | changes
    with pytest.raises(ValidationError) as caught:
        Mandate.grant(**details)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.value == changes[field]


def test_consent_needs_an_aware_time_and_the_text() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Consent(datetime(2025, 3, 1, 9, 30), "text")
    with pytest.raises(ValidationError, match="empty"):
        Consent(CONSENT.given_at, " ")


# --- life cycle ---------------------------------------------------------------------------


def test_revoke_block_unblock_return_new_objects() -> None:
    m = mandate()
    revoked = m.revoke("customer asked")
    assert (m.state, revoked.state) == (MandateState.ACTIVE, MandateState.REVOKED)
    assert revoked.state_reason == "customer asked"
    blocked = m.block("AC04")
    assert blocked.unblock().state is MandateState.ACTIVE
    with pytest.raises(MandateStateError):
        revoked.revoke()
    with pytest.raises(MandateStateError):
        revoked.unblock()
    with pytest.raises(InvalidTransitionError):  # the library's tree
        revoked.block()


@pytest.mark.parametrize(
    "leave", [lambda m: m.revoke(), lambda m: m.block("AC04"), lambda m: m.expire(date(2030, 1, 1))]
)
def test_only_an_active_mandate_can_be_collected(leave: object) -> None:
    gone = leave(mandate())  # type: ignore[operator]
    assert gone.problem(date(2025, 6, 2)) is not None
    with pytest.raises(UnusableMandateError) as caught:
        gone.record_collection(date(2025, 6, 2))
    assert caught.value.value == "M-00000001"


def test_a_mandate_expires_36_months_after_signing_or_its_last_collection() -> None:
    m = mandate()
    assert m.usable_until == date(2028, 3, 1)
    assert m.problem(date(2028, 3, 1)) is None
    assert "expired on 2028-03-01" in (m.problem(date(2028, 3, 2)) or "")
    used = m.record_collection(date(2027, 1, 15))
    assert used.usable_until == date(2030, 1, 15)
    assert used.problem(date(2028, 3, 2)) is None
    with pytest.raises(MandateStateError):
        m.expire(date(2028, 3, 1))
    assert m.expire(date(2028, 3, 2)).state is MandateState.EXPIRED


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2990, 12, 31)))
def test_add_36_months_lands_in_the_same_month_three_years_on(day: date) -> None:
    later = add_months(day, 36)
    assert (later.year, later.month) == (day.year + 3, day.month)
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)


def test_a_one_off_mandate_is_finished_after_one_collection() -> None:
    once = mandate(type=MandateType.ONE_OFF).record_collection(date(2025, 6, 2))
    assert once.finished
    assert once.problem(date(2025, 7, 1)) == "has had its one-off collection"


def test_record_collection_keeps_the_latest_date_and_clears_the_amendment() -> None:
    m = mandate().amend(reference="M-2")
    assert m.amendment is not None
    after = m.record_collection(date(2025, 6, 2)).record_collection(date(2025, 5, 2))
    assert (after.collections, after.last_collected_on, after.amendment) == (
        2,
        date(2025, 6, 2),
        None,
    )


# --- amendments ---------------------------------------------------------------------------


def test_a_new_iban_at_the_same_bank_keeps_the_original_iban() -> None:
    m = mandate().amend(iban="DE02120300000000202051", bic="COBADEFFXXX")
    assert m.iban == "DE02120300000000202051"
    assert m.amendment == Amendment(original_iban="DE89370400440532013000")


def test_a_new_iban_at_another_bank_is_smnda() -> None:
    m = mandate().amend(iban="BE48320070184927")  # BIC derived: BBRUBEBB
    assert m.bic == "BBRUBEBB"
    assert m.amendment == Amendment(new_debtor_bank=True)


def test_a_new_iban_whose_bank_is_unknown_needs_a_bic() -> None:
    with pytest.raises(ValidationError) as caught:
        mandate().amend(iban="DE02120300000000202051")
    assert caught.value.field == "bic"


def test_amendments_before_a_collection_keep_the_first_originals() -> None:
    m = (
        mandate("M-1")
        .amend(reference="M-2")
        .amend(reference="M-3", iban="DE02120300000000202051", bic="COBADEFFXXX")
        .amend(creditor_id="AT61ZZZ01234567890")
    )
    assert m.reference == "M-3"
    assert m.amendment == Amendment(
        original_reference="M-1",
        original_iban="DE89370400440532013000",
        original_creditor_id=CREDITOR.creditor_id,
    )


def test_changing_nothing_is_no_amendment() -> None:
    m = mandate()
    assert (
        m.amend(iban=m.iban, reference=m.reference, debtor_name="E. Mustermann").amendment is None
    )


def test_an_inactive_mandate_cannot_be_amended() -> None:
    with pytest.raises(MandateStateError):
        mandate().revoke().amend(reference="M-2")


def test_mandates_pickle_and_compare_by_value() -> None:
    m = mandate().amend(reference="M-2")
    assert pickle.loads(pickle.dumps(m)) == m
    assert attrs.evolve(m) == m


# --- references ---------------------------------------------------------------------------


@given(st.sets(st.integers(min_value=0, max_value=10**12), min_size=2, max_size=50))
def test_mandate_references_never_repeat(numbers: set[int]) -> None:
    make = MandateReferences("SHOP-M").make
    references = [make(n) for n in numbers]
    assert len(set(references)) == len(numbers)
    for reference in references:  # each is a valid AT-01
        mandate(reference)


def test_mandate_references_refuse_what_would_not_fit() -> None:
    with pytest.raises(ValidationError):
        MandateReferences("SHOP M")
    with pytest.raises(ValidationError):
        MandateReferences("X" * 30, width=6)
    with pytest.raises(ValidationError):
        MandateReferences("X" * 30, width=5).make(10**6)
    with pytest.raises(ValidationError):
        MandateReferences("X").make(-1)
