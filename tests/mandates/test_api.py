"""The public names of payportal.mandates, pinned, and junk fed to every identifier check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import payportal.mandates
from payportal import PayportalError, ValidationError
from payportal.mandates import (
    MandateStateError,
    UnusableMandateError,
    check_bic,
    check_creditor_id,
    check_iban,
    check_mandate_reference,
    derive_bic,
)

EXPECTED = {
    "EXPIRY_MONTHS", "MANDATE_TEXTS", "MAX_AMOUNT", "PAIN_008_VERSIONS",
    "PRE_NOTIFICATION_DAYS", "PRE_NOTIFICATION_TEXTS", "pre_notification_text",
    "RETURN_REASONS", "Amendment", "Collection", "Consent",
    "Creditor", "DirectDebitFile", "DirectDebitRecord", "Mandate", "MandateReferences",
    "MandateState", "MandateStateError", "MandateType", "ReturnReason", "Scheme",
    "SequenceType", "UnusableMandateError", "check_bic", "check_creditor_id", "check_iban",
    "check_mandate_reference", "derive_bic", "earliest_due_date", "find_return_reason",
    "is_target_day", "mandate_text", "mandates_after", "next_target_day", "read_pain008",
    "return_reason", "sequence_types", "write_pain008",
}  # fmt: skip


def test_the_public_names_are_exactly_these() -> None:
    assert set(payportal.mandates.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(payportal.mandates, name)


def test_the_errors_sit_in_the_library_tree() -> None:
    assert issubclass(UnusableMandateError, ValidationError)
    assert issubclass(MandateStateError, PayportalError)


@pytest.mark.parametrize(
    "check", [check_iban, check_bic, check_creditor_id, check_mandate_reference]
)
@given(junk=st.one_of(st.text(max_size=120), st.binary(max_size=20), st.integers(), st.none()))
def test_junk_gives_a_validation_error_or_a_compact_value(check: object, junk: object) -> None:
    errors: list[ValidationError] = []
    try:
        value = check(junk)  # type: ignore[operator]
    except ValidationError as error:
        errors.append(error)
    if errors:
        assert errors[0].value == junk
    else:
        assert isinstance(value, str)
        assert value == value.strip()


@given(st.text(max_size=40), st.sampled_from(["", "BE", "CZ", "BE48", "CZ65"]))
def test_derive_bic_never_raises(text: str, prefix: str) -> None:
    result = derive_bic(prefix + text)
    assert result is None or check_bic(result) == result


@pytest.mark.parametrize(
    ("check", "value", "reason"),
    [
        (check_iban, "DE89 3704 0044 0532 0130 01", "not a valid IBAN"),
        (check_creditor_id, "DE98ZZZ09999999998", "not a valid SEPA creditor identifier"),
        (check_bic, "COBADE01", "location code"),
        (check_mandate_reference, "M_1", "found '_'"),
    ],
)
def test_messages_say_what_is_wrong(check: object, value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        check(value)  # type: ignore[operator]


def test_the_errors_pickle_with_their_details() -> None:
    import pickle  # noqa: PLC0415

    error = UnusableMandateError("is revoked", field="mandate", value="M-1")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.field, copy.value) == (
        UnusableMandateError,
        str(error),
        "mandate",
        "M-1",
    )
    assert type(pickle.loads(pickle.dumps(MandateStateError("no")))) is MandateStateError
