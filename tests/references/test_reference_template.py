"""``references.template``: merchant-defined reference patterns."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal.exceptions import (
    InvalidChecksumError,
    InvalidFormatError,
    InvalidLengthError,
    ValidationError,
)
from payportal.references import CheckStrength, template
from payportal.references.template import FIELDS, Template


def test_generate_parse_round_trip() -> None:
    t = Template("{customer_number}-{invoice_number}")
    reference = t.generate(customer_number="k10023", invoice_number=17)
    assert reference == "K10023-17"
    assert t.parse(reference) == {"customer_number": "K10023", "invoice_number": "17"}
    assert t.validate(" k10023-17 ") == "K10023-17"
    assert t.format("k10023 - 17") == "K10023-17"
    assert t.fields == ("customer_number", "invoice_number")
    assert t.CHECK is CheckStrength.NONE


def test_check_digit_placement() -> None:
    t = Template("{check}/{customer_number}", check="luhn")
    reference = t.generate(customer_number="7992739871")
    # The Luhn example number 7992739871 has check digit 3.
    assert reference == "3/7992739871"
    assert t.CHECK is CheckStrength.WEAK
    appended = Template("{customer_number}", check="luhn").generate(customer_number="7992739871")
    assert appended == "79927398713"


def test_mod97_check_catches_typing_errors() -> None:
    t = Template("KD{customer_number}-{invoice_number}", check="mod97")
    assert t.CHECK is CheckStrength.STRONG
    assert t.generate(customer_number="10023", invoice_number="202617") == "KD10023-20261748"
    assert t.calc_check_digits("KD10023-202617") == "48"
    with pytest.raises(InvalidChecksumError):
        t.validate("KD10023-20261784")
    with pytest.raises(InvalidChecksumError):
        t.validate("KD10032-20261748")
    with pytest.raises(InvalidFormatError):
        t.validate("XY10023-20261748")
    with pytest.raises(InvalidLengthError):
        t.validate("KD" + "1" * 20 + "-" + "2" * 20)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{customer_number}{invoice_number}", "needs a separator"),
        ("{customer_number}X{invoice_number}", "needs a separator"),
        ("{customer_number.__class__}", "not part of a"),
        ("{customer_number!r}", "not part of a"),
        ("{customer_number:>20}", "not part of a"),
        ("{password}", "unknown field {password}"),
        ("{0}", "not part of a"),
        ("{customer_number", "not part of a"),
        ("customer_number}", "not part of a"),
        ("{customer_number}-{customer_number}", "more than once"),
        ("KD-", "at least one field"),
        ("{customer_number} {invoice_number}", "may contain only"),
        ("{customer_number}#", "may contain only"),
        ("{check}-{customer_number}", "no check algorithm"),
    ],
)
def test_patterns_are_checked_against_the_allow_list(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Template(pattern)
    assert caught.value.field == "pattern"
    assert message in str(caught.value)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Template("{year}", check="crc32")  # type: ignore[arg-type]
    assert caught.value.field == "check"
    with pytest.raises(ValidationError) as caught:
        Template("{year}", name="My Template")
    assert caught.value.field == "name"
    t = Template("{customer_number}-{year}")
    with pytest.raises(ValidationError) as caught:
        t.generate(customer_number="1")
    assert caught.value.field == "year"
    with pytest.raises(ValidationError) as caught:
        t.generate(customer_number="1", year="2026", month="1")
    assert caught.value.field == "month"
    with pytest.raises(ValidationError) as caught:
        t.generate(customer_number="1 0-0", year="2026")
    assert caught.value.field == "customer_number"
    with pytest.raises(ValidationError) as caught:
        Template("{customer_number}-{invoice_number}-{order_number}").generate(
            customer_number="1" * 12, invoice_number="2" * 12, order_number="3" * 12
        )
    assert caught.value.field == "order_number"


def test_module_level_functions() -> None:
    pattern = "{customer_number}-{invoice_number}"
    reference = template.generate(pattern, "mod97", customer_number=7, invoice_number=9)
    assert template.validate(reference.lower(), pattern, "mod97") == reference
    assert template.is_valid(reference, pattern, "mod97")
    assert not template.is_valid(reference, "{customer_number}/{invoice_number}")
    assert template.parse(reference, pattern, "mod97")["invoice_number"] == "9"
    assert template.compact(" 7-9 ", pattern) == "7-9"
    assert template.format("7-9", pattern) == "7-9"
    assert template.calc_check_digits("7-9", pattern) == ""
    assert {"customer_number", "invoice_number", "year"} <= FIELDS


field_values = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=10)


@given(customer=field_values, invoice=field_values, check=st.sampled_from([None, "mod97"]))
def test_generate_always_validates(customer: str, invoice: str, check: str | None) -> None:
    t = Template("KD{customer_number}/{invoice_number}", check=check)  # type: ignore[arg-type]
    reference = t.generate(customer_number=customer, invoice_number=invoice)
    assert t.validate(reference) == reference
    assert t.parse(reference) == {"customer_number": customer, "invoice_number": invoice}


@given(
    customer=st.text(string.digits, min_size=1, max_size=10),
    invoice=st.text(string.digits, min_size=1, max_size=10),
    data=st.data(),
)
def test_single_digit_change_is_always_rejected(
    customer: str, invoice: str, data: st.DataObject
) -> None:
    t = Template(
        "{customer_number}-{invoice_number}", check=data.draw(st.sampled_from(["luhn", "mod97"]))
    )  # type: ignore[arg-type]
    reference = t.generate(customer_number=customer, invoice_number=invoice)
    position = data.draw(st.sampled_from([i for i, c in enumerate(reference) if c.isdigit()]))
    digit = data.draw(st.sampled_from(string.digits).filter(lambda d: d != reference[position]))
    assert not t.is_valid(reference[:position] + digit + reference[position + 1 :])
