"""The registry: ``parse`` and ``generate`` across schemes."""

from __future__ import annotations

import pytest

from payportal import references
from payportal.exceptions import (
    InvalidChecksumError,
    InvalidFormatError,
    InvalidReferenceError,
    ValidationError,
)
from payportal.references import PARSE_DEFAULT, SCHEMES, Reference, Template, generate, parse


@pytest.mark.parametrize(
    ("text", "scheme", "value", "formatted"),
    [
        ("rf18 5390 0754 7034", "rf", "RF18539007547034", "RF18 5390 0754 7034"),
        ("BP1234567/3333", "billpay", "BP1234567/3333", "BP1234567/3333"),
        ("+++010/8068/17183+++", "be_ogm", "010806817183", "+++010/8068/17183+++"),
        (
            "210000000003139471430009017",
            "ch_qrr",
            "210000000003139471430009017",
            "21 00000 00003 13947 14300 09017",
        ),
        ("1 23453", "fi", "123453", "1 23453"),
        ("123456785", "no_kid", "123456785", "123456785"),
    ],
)
def test_parse_tells_the_scheme(text: str, scheme: str, value: str, formatted: str) -> None:
    assert parse(text) == Reference(scheme, value, formatted)
    assert str(parse(text)) == formatted


def test_parse_tries_schemes_in_the_given_order() -> None:
    # 123453 is a valid Finnish reference; as a KID its MOD10 check fails, MOD11 too.
    assert parse("123453", schemes=["no_kid", "fi"]).scheme == "fi"
    # 12345678903 passes the KID MOD10 check and is tried as a KID first when asked to.
    assert parse("12345678903", schemes=["no_kid", "fi"]).scheme == "no_kid"


def test_parse_with_one_scheme_raises_its_error() -> None:
    with pytest.raises(InvalidChecksumError):
        parse("RF19 5390 0754 7034", schemes="rf")


def test_parse_with_several_schemes_raises_format_error() -> None:
    with pytest.raises(InvalidFormatError) as caught:
        parse("hello")
    assert caught.value.field == "reference"
    assert ", ".join(PARSE_DEFAULT) in str(caught.value)


def test_parse_accepts_templates() -> None:
    topup = Template("KD{customer_number}", check="luhn", name="topup")
    reference = topup.generate(customer_number=10023)
    assert parse(reference.lower(), schemes=["rf", topup]) == Reference(
        "topup", reference, reference
    )


def test_unknown_or_repeated_schemes_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse("x", schemes=["rf", "iban"])
    assert caught.value.field == "scheme"
    with pytest.raises(ValidationError) as caught:
        parse("x", schemes=["rf", "rf"])
    assert caught.value.field == "schemes"
    with pytest.raises(ValidationError) as caught:
        parse("x", schemes=[])
    assert caught.value.field == "schemes"
    assert not isinstance(caught.value, InvalidReferenceError)


@pytest.mark.parametrize(
    ("scheme", "data", "value"),
    [
        ("rf", {"body": "539007547034"}, "RF18539007547034"),
        ("fi", {"base": 12345}, "123453"),
        ("no_kid", {"base": "12345678", "variant": "mod11"}, "123456785"),
        ("ch_qrr", {"base": "21000000000313947143000901"}, "210000000003139471430009017"),
        ("be_ogm", {"base": "0108068171"}, "010806817183"),
        ("billpay", {"order_number": "1234567", "merchant_id": 3333}, "BP1234567/3333"),
    ],
)
def test_generate_by_scheme_name(scheme: str, data: dict[str, object], value: str) -> None:
    reference = generate(scheme, **data)
    assert reference.scheme == scheme
    assert reference.value == value
    assert parse(reference.formatted, schemes=scheme) == reference


def test_generate_with_a_template() -> None:
    template = Template("{customer_number}-{year}", name="yearly")
    assert generate(template, customer_number="k7", year=2026) == Reference(
        "yearly", "K7-2026", "K7-2026"
    )


def test_generate_names_bad_arguments() -> None:
    with pytest.raises(ValidationError) as caught:
        generate("rf", body="")
    assert caught.value.field == "body"
    with pytest.raises(TypeError):
        generate("rf", base="1")


def test_package_exports_every_scheme() -> None:
    assert SCHEMES == ("rf", "fi", "no_kid", "ch_qrr", "be_ogm", "billpay")
    for name in SCHEMES:
        module = getattr(references, name)
        for function in ("compact", "validate", "is_valid", "format", "generate"):
            assert callable(getattr(module, function)), (name, function)
        assert name == module.NAME
