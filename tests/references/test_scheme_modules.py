"""The scheme modules: known answers from the specifications, errors, and check properties."""

from __future__ import annotations

import string
from functools import partial
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.be import ogm_vcs
from stdnum.ch import esr

from payportal.exceptions import (
    InvalidChecksumError,
    InvalidFormatError,
    InvalidLengthError,
    InvalidReferenceError,
    ValidationError,
)
from payportal.references import be_ogm, billpay, ch_qrr, fi, no_kid, rf

ALL = (rf, fi, no_kid, ch_qrr, be_ogm, billpay)


def _kid(variant: str) -> SimpleNamespace:
    # A creditor validates with its agreed variant; either-variant validation is weaker.
    return SimpleNamespace(
        __name__=f"no_kid_{variant}",
        generate=partial(no_kid.generate, variant=variant),
        is_valid=partial(no_kid.is_valid, variant=variant),
    )


KID_MOD10, KID_MOD11 = _kid("mod10"), _kid("mod11")
CHECKED = (rf, fi, KID_MOD10, KID_MOD11, ch_qrr, be_ogm)


def test_acceptance_snippet() -> None:
    # Issue 6's acceptance snippet, verbatim.
    from payportal.references import billpay, find, parse, rf  # noqa: PLC0415

    r = rf.generate("539007547034")
    assert rf.is_valid(r) and rf.format(r) == "RF18 5390 0754 7034"  # noqa: PT018
    assert not rf.is_valid("RF19 5390 0754 7034")
    assert parse("BP1234567/3333").scheme == "billpay"
    text = "SVWZ+Rechnung 2026-17 RF18 5390 07 54 7034 danke"
    assert [m.value for m in find(text)] == ["RF18539007547034"]
    assert billpay.generate("1234567", "3333") == "BP1234567/3333"


# --- known answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "formatted", "compact"),
    [
        # ISO 11649 example, and one with letters in the body.
        (rf, "RF18 5390 0754 7034", "RF18539007547034"),
        (rf, "RF18 5390 0754 70Y", "RF185390075470Y"),
        # Finanssiala's example 1 23453 and its RF form.
        (fi, "1 23453", "123453"),
        (fi, "12345 67897", "1234567897"),
        (no_kid, "12345678903", "12345678903"),
        (ch_qrr, "21 00000 00003 13947 14300 09017", "210000000003139471430009017"),
        (be_ogm, "+++010/8068/17183+++", "010806817183"),
        (billpay, "BP555666777/9999", "BP555666777/9999"),
    ],
)
def test_known_references_validate_and_format(
    module: ModuleType, formatted: str, compact: str
) -> None:
    assert module.validate(formatted) == compact
    assert module.is_valid(formatted)
    assert module.format(compact) == formatted
    assert module.compact(formatted) == compact


def test_rf_agrees_with_stdnum_on_known_answers() -> None:
    for number in ("RF18539007547034", "RF185390075470Y", "RF81123453", "RF19539007547034"):
        assert rf.is_valid(number) is iso11649.is_valid(number)


def test_rf_check_digits() -> None:
    assert rf.calc_check_digits("539007547034") == "18"
    assert rf.generate("5390 0754 7034") == "RF18539007547034"
    assert rf.generate(539007547034) == "RF18539007547034"


def test_fi_check_digit_and_rf_form() -> None:
    assert fi.calc_check_digit("12345") == "3"
    assert fi.calc_check_digit("123456789") == "7"
    assert fi.to_rf("1 23453") == "RF81123453"
    assert rf.is_valid(fi.to_rf("1 23453"))
    assert fi.validate("000123453") == "123453"


def test_no_kid_variants() -> None:
    assert no_kid.calc_check_digit("1234567890") == "3"
    assert no_kid.calc_check_digit("12345678", "mod11") == "5"
    # A MOD11 remainder of ten is written as "-".
    # 3*2 + 2*3 = 12, 12 mod 11 = 1, 11 - 1 = 10
    assert no_kid.calc_check_digit("23", "mod11") == "-"
    assert no_kid.validate("23-", variant="mod11") == "23-"
    assert no_kid.is_valid("123456785", variant="mod11")
    assert not no_kid.is_valid("123456785", variant="mod10")
    assert no_kid.is_valid("123456785")
    with pytest.raises(ValidationError) as caught:
        no_kid.validate("123456785", variant="mod12")  # type: ignore[arg-type]
    assert caught.value.field == "variant"


def test_ch_qrr_pads_generated_references() -> None:
    assert ch_qrr.generate("1878") == "000000000000000000000018781"
    assert ch_qrr.format("000000000000000000000018781") == "00 00000 00000 00000 00000 18781"
    assert ch_qrr.calc_check_digit("21000000000313947143000901") == "7"


def test_be_ogm_accepts_asterisks_and_zero_remainder() -> None:
    assert be_ogm.validate("***010/8068/17183***") == "010806817183"
    # 97 * 10 = 970: remainder 0 gives check digits 97.
    assert be_ogm.generate("970") == "000000097097"
    assert be_ogm.calc_check_digits("0000000970") == "97"


def test_billpay_split_and_generate() -> None:
    assert billpay.split("bp 555666777 / 9999") == ("555666777", "9999")
    assert billpay.calc_check_digits("BP1/2") == ""
    with pytest.raises(ValidationError) as caught:
        billpay.generate("12a", "3333")
    assert caught.value.field == "order_number"
    with pytest.raises(ValidationError) as caught:
        billpay.generate("1", "12345678901")
    assert caught.value.field == "merchant_id"


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "number", "error"),
    [
        (rf, "RF19 5390 0754 7034", InvalidChecksumError),
        (rf, "RF1", InvalidLengthError),
        (rf, "RF18" + "1" * 22, InvalidLengthError),
        (rf, "XX18 5390 0754 7034", InvalidFormatError),
        (rf, "RF1X 5390 0754 7034", InvalidFormatError),
        (rf, "RF18 5390 0754 70$4", InvalidFormatError),
        (fi, "123454", InvalidChecksumError),
        (fi, "123", InvalidLengthError),
        (fi, "12a453", InvalidFormatError),
        (no_kid, "12345678904", InvalidChecksumError),
        (no_kid, "1", InvalidLengthError),
        (no_kid, "1x2", InvalidFormatError),
        (ch_qrr, "210000000003139471430009016", InvalidChecksumError),
        (ch_qrr, "21000000000313947143000901", InvalidLengthError),
        (ch_qrr, "21000000000313947143000901x", InvalidFormatError),
        (ch_qrr, "0" * 27, InvalidFormatError),
        (be_ogm, "+++010/8068/17180+++", InvalidChecksumError),
        (be_ogm, "+++010/8068/1718+++", InvalidLengthError),
        (be_ogm, "+++010/8068/1718x+++", InvalidFormatError),
        (billpay, "BP1234567", InvalidFormatError),
        (billpay, "BP123456789012345678901/1", InvalidLengthError),
    ],
)
def test_invalid_references_raise_the_specific_error(
    module: ModuleType, number: str, error: type[InvalidReferenceError]
) -> None:
    with pytest.raises(error) as caught:
        module.validate(number)
    assert type(caught.value) is error
    assert caught.value.field == "reference"
    assert caught.value.value == number
    assert module.LABEL in str(caught.value)
    assert not module.is_valid(number)


@pytest.mark.parametrize("module", ALL)
@pytest.mark.parametrize("junk", [None, 12.5, b"RF18", ["RF18"], object()])
def test_non_strings_are_invalid_format(module: ModuleType, junk: Any) -> None:
    with pytest.raises(InvalidFormatError):
        module.validate(junk)
    assert not module.is_valid(junk)


@pytest.mark.parametrize("module", ALL)
@given(junk=st.text(max_size=40))
def test_validate_raises_only_reference_errors_on_junk(module: ModuleType, junk: str) -> None:
    try:
        value = module.validate(junk)
    except InvalidReferenceError:
        return
    # Whatever it accepts is stable under a second validation.
    assert module.validate(value) == value


@pytest.mark.parametrize(
    ("module", "args", "field"),
    [
        (rf, ("",), "body"),
        (rf, ("A" * 22,), "body"),
        (rf, ("ÄB",), "body"),
        (fi, ("12",), "base"),
        (fi, ("1a3",), "base"),
        (no_kid, ("1" * 25,), "base"),
        (ch_qrr, ("1" * 27,), "base"),
        (ch_qrr, ("000",), "base"),
        (be_ogm, ("1" * 11,), "base"),
        (be_ogm, (-5,), "base"),
    ],
)
def test_generate_names_the_bad_argument(
    module: ModuleType, args: tuple[Any, ...], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        module.generate(*args)
    assert caught.value.field == field


# --- properties -------------------------------------------------------------------------------

digits = st.text(alphabet=string.digits, min_size=1)
alnum = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=21)


def generated(module: Any) -> st.SearchStrategy[str]:
    """Valid references of ``module``, produced by its own ``generate``."""
    if module is rf:
        return alnum.map(rf.generate)
    if module is fi:
        return st.integers(100, 10**19 - 1).map(str).map(fi.generate)
    if module is no_kid:
        return st.builds(
            no_kid.generate,
            st.text(alphabet=string.digits, min_size=1, max_size=24),
            st.sampled_from(["mod10", "mod11"]),
        )
    if module in (KID_MOD10, KID_MOD11):
        return st.text(alphabet=string.digits, min_size=1, max_size=24).map(module.generate)
    if module is ch_qrr:
        return st.integers(1, 10**26 - 1).map(str).map(ch_qrr.generate)
    if module is be_ogm:
        return st.integers(1, 10**10 - 1).map(str).map(be_ogm.generate)
    return st.builds(
        billpay.generate,
        st.text(alphabet=string.digits, min_size=1, max_size=20),
        st.text(alphabet=string.digits, min_size=1, max_size=10),
    )


@pytest.mark.parametrize("module", ALL)
@given(data=st.data())
def test_generate_always_validates(module: ModuleType, data: st.DataObject) -> None:
    reference = data.draw(generated(module))
    assert module.validate(reference) == reference
    assert module.is_valid(reference)


@pytest.mark.parametrize("module", ALL)
@given(data=st.data())
def test_format_and_compact_round_trip(module: ModuleType, data: st.DataObject) -> None:
    reference = data.draw(generated(module))
    formatted = module.format(reference)
    assert module.compact(formatted).lstrip("0") == reference.lstrip("0")
    assert module.validate(formatted) == module.validate(reference)
    # What people type: lower case, spaces in odd places.
    typed = " ".join(formatted.lower())
    assert module.validate(typed) == module.validate(reference)


def _digit_positions(reference: str, module: object) -> list[int]:
    skip = 2 if module is rf else 0  # the "RF" prefix is structure, not digits
    return [i for i, c in enumerate(reference) if c.isdigit() and i >= skip]


@pytest.mark.parametrize("module", CHECKED)
@given(data=st.data())
def test_single_digit_change_is_always_rejected(module: Any, data: st.DataObject) -> None:
    reference = data.draw(generated(module))
    position = data.draw(st.sampled_from(_digit_positions(reference, module)))
    digit = data.draw(st.sampled_from(string.digits).filter(lambda d: d != reference[position]))
    changed = reference[:position] + digit + reference[position + 1 :]
    # A Finnish reference has no leading zeros: "0…" compacts to a shorter, different number.
    assume(not (module is fi and changed.startswith("0")))
    assert not module.is_valid(changed)


# Luhn (KID MOD10) misses 09 <-> 90, the 7-3-1 weights miss swaps of digits five apart, and the
# Swiss recursive modulo 10 misses some pairs too ("…03815" and "…03185" are both valid QRRs):
# the property holds for the modulo 97 schemes, which catch every adjacent transposition.
@pytest.mark.parametrize("module", [rf, be_ogm])
@given(data=st.data())
def test_adjacent_transposition_is_always_rejected(module: ModuleType, data: st.DataObject) -> None:
    reference = data.draw(generated(module))
    pairs = [
        i
        for i in _digit_positions(reference, module)
        if i + 1 < len(reference)
        and reference[i + 1].isdigit()
        and reference[i] != reference[i + 1]
    ]
    assume(pairs)
    i = data.draw(st.sampled_from(pairs))
    swapped = reference[:i] + reference[i + 1] + reference[i] + reference[i + 2 :]
    assert not module.is_valid(swapped)


@given(body=alnum)
def test_rf_agrees_with_stdnum(body: str) -> None:
    reference = rf.generate(body)
    assert iso11649.is_valid(reference)
    broken = reference[:2] + ("00" if reference[2:4] != "00" else "01") + reference[4:]
    assert rf.is_valid(broken) is iso11649.is_valid(broken)


@given(number=st.text(alphabet=string.digits + " /+*", max_size=24))
def test_be_ogm_agrees_with_stdnum(number: str) -> None:
    assert be_ogm.is_valid(number) is ogm_vcs.is_valid(number)


@given(
    base=st.text(alphabet=string.digits, min_size=26, max_size=26),
    check=st.sampled_from(string.digits),
)
def test_ch_qrr_agrees_with_stdnum(base: str, check: str) -> None:
    assert ch_qrr.is_valid(base + check) is esr.is_valid(base + check)


@given(number=st.text(alphabet="RF0123456789ABXYZ ", max_size=26))
def test_rf_validation_agrees_with_stdnum(number: str) -> None:
    compact = rf.compact(number)
    # stdnum does not insist on digits as check digits; payportal does (ISO 11649 says so).
    if compact[2:4].isdigit() or not compact.startswith("RF"):
        assert rf.is_valid(number) is iso11649.is_valid(number)
    else:
        assert not rf.is_valid(number)
