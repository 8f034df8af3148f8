"""``payportal.epc_qr``: EPC069-12 payloads and their QR images."""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money, epc_qr
from payportal.exceptions import InvalidChecksumError, ValidationError
from payportal.testing.strategies import money

IBAN = "DE89370400440532013000"


def test_payload_of_the_guidelines_example() -> None:
    # EPC069-12 annex: the Belgian Red Cross example, version 001 with a BIC.
    text = epc_qr.payload(
        name="Red Cross of Belgium",
        iban="BE72000000001616",
        bic="BPOTBEB1",
        amount=Money("1.00", "EUR"),
        purpose="CHAR",
        text="Urgency fund",
        information="Sample EPC QR code",
        version="001",
    )
    assert text.split("\n") == [
        "BCD",
        "001",
        "1",
        "SCT",
        "BPOTBEB1",
        "Red Cross of Belgium",
        "BE72000000001616",
        "EUR1.00",
        "CHAR",
        "",
        "Urgency fund",
        "Sample EPC QR code",
    ]


def test_version_002_with_reference_and_no_bic() -> None:
    text = epc_qr.payload(
        name="ACME GmbH", iban="de89 3704 0044 0532 0130 00", reference="rf18 5390 0754 7034"
    )
    assert text == "BCD\n002\n1\nSCT\n\nACME GmbH\nDE89370400440532013000\n\n\nRF18539007547034"


def test_trailing_empty_elements_are_left_out() -> None:
    assert epc_qr.payload(name="ACME", iban=IBAN).split("\n")[-1] == IBAN


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 71}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"name": 5}, "name"),
        ({"iban": "DE89370400440532013001"}, "iban"),
        ({"iban": None}, "iban"),
        ({"bic": "NOTABIC!"}, "bic"),
        ({"bic": 7}, "bic"),
        ({"version": "001"}, "bic"),
        ({"version": "003"}, "version"),
        ({"amount": Money("0.00", "EUR")}, "amount"),
        ({"amount": Money("1000000000.00", "EUR")}, "amount"),
        ({"amount": Money("12.00", "USD")}, "amount"),
        ({"amount": Decimal("12.00")}, "amount"),
        ({"purpose": "GDS"}, "purpose"),
        ({"purpose": "GD5S"}, "purpose"),
        ({"text": "x" * 141}, "text"),
        ({"text": "a", "reference": "RF18539007547034"}, "text"),
        ({"information": "x" * 71}, "information"),
        ({"reference": "RF19539007547034"}, "reference"),
        ({"name": "€" * 70, "text": "€" * 140}, "text"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"name": "ACME", "iban": IBAN, **kwargs}
    with pytest.raises(ValidationError) as caught:
        epc_qr.payload(**arguments)
    assert caught.value.field == field


def test_bad_reference_is_a_checksum_error() -> None:
    with pytest.raises(InvalidChecksumError):
        epc_qr.payload(name="ACME", iban=IBAN, reference="RF19539007547034")


def test_amount_limits_are_inclusive() -> None:
    low = epc_qr.payload(name="A", iban=IBAN, amount=Money("0.01", "EUR"))
    high = epc_qr.payload(name="A", iban=IBAN, amount=Money("999999999.99", "EUR"))
    assert low.split("\n")[7] == "EUR0.01"
    assert high.split("\n")[7] == "EUR999999999.99"


@given(
    amount=money(currency="EUR", min_value=Decimal("0.01"), max_value=Decimal("999999999.99")),
    text=st.text(min_size=0, max_size=140).map(lambda s: s.replace("\n", " ").replace("\r", " ")),
)
def test_payload_always_has_the_elements_in_place(amount: Money, text: str) -> None:
    if len(text.strip().encode()) > 140:
        # Only multi-byte text can push the payload past 331 bytes.
        return
    result = epc_qr.payload(name="ACME", iban=IBAN, amount=amount, text=text or None)
    lines = result.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert Decimal(lines[7].removeprefix("EUR")) == amount.amount
    assert len(result.encode()) <= epc_qr.MAX_PAYLOAD_BYTES
    if text.strip():
        assert lines[10] == text.strip()


def test_svg_and_png() -> None:
    pytest.importorskip("segno")
    data = epc_qr.payload(name="ACME", iban=IBAN, amount=Money("12.30", "EUR"))
    svg = epc_qr.to_svg(data, scale=2)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    png = epc_qr.to_png(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValidationError) as caught:
        epc_qr.to_svg("not a payload")
    assert caught.value.field == "data"


def test_qr_code_uses_level_m_and_fits_version_13() -> None:
    segno = pytest.importorskip("segno")
    data = epc_qr.payload(name="A" * 70, iban=IBAN, text="B" * 140, information="C" * 70)
    assert len(data.encode()) <= epc_qr.MAX_PAYLOAD_BYTES
    code = epc_qr._qr(data)
    assert isinstance(code, segno.QRCode)
    assert code.error == "M"
    assert code.version <= 13


def test_missing_segno_gives_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_segno(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "segno":
            raise ImportError("No module named 'segno'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_segno)
    data = epc_qr.payload(name="ACME", iban=IBAN)
    with pytest.raises(ImportError, match=r"payportal\[qr\]"):
        epc_qr.to_png(data)
