"""EPC QR codes ("GiroCode"): a SEPA credit transfer a payer's banking app can scan.

Specification: European Payments Council, EPC069-12 "Quick Response Code: Guidelines to Enable
Data Capture for the Initiation of a SEPA Credit Transfer", version 2.1 onwards. The payload is
text, one element per line:

====  ===============================  ===========================================================
line  element                          rule
====  ===============================  ===========================================================
1     service tag                      ``BCD``
2     version                          ``001`` or ``002``
3     character set                    ``1`` (UTF-8; the only one payportal writes)
4     identification                   ``SCT``
5     BIC of the beneficiary's bank    8 or 11 characters; required in 001, optional in 002
6     beneficiary name                 1 to 70 characters
7     beneficiary IBAN                 a valid IBAN
8     amount                           ``EUR`` and 0.01 to 999999999.99, or empty
9     purpose                          four-letter ISO 20022 purpose code, or empty
10    structured remittance            ISO 11649 creditor reference (RF), up to 35 characters
11    unstructured remittance          up to 140 characters; not together with line 10
12    beneficiary to originator        up to 70 characters, shown to the payer only
====  ===============================  ===========================================================

Lines are separated by LF, trailing empty lines are left out, and the whole payload is at most
331 bytes (what a version 13 QR code at error correction level M holds).

>>> from payportal import Money
>>> print(payload(
...     name="Red Cross of Belgium", iban="BE72 0000 0000 1616", bic="BPOTBEB1",
...     amount=Money("1.00", "EUR"), text="Urgency fund",
... ))
BCD
002
1
SCT
BPOTBEB1
Red Cross of Belgium
BE72000000001616
EUR1.00
<BLANKLINE>
<BLANKLINE>
Urgency fund

Rendering needs the ``qr`` extra (``pip install 'payportal[qr]'``, which installs segno):
:func:`to_svg` and :func:`to_png` draw the payload at error correction level M, as the
guidelines require.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_exceptions
from stdnum import iban as stdnum_iban

from payportal._money import Money
from payportal.exceptions import ValidationError
from payportal.references import rf

if TYPE_CHECKING:
    import segno

__all__ = ["MAX_PAYLOAD_BYTES", "payload", "to_png", "to_svg"]

#: The largest payload the guidelines allow, in bytes of its UTF-8 encoding.
MAX_PAYLOAD_BYTES = 331
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
_LIMITS = {"name": 70, "text": 140, "information": 70}


def _text(value: object, field: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError("must be a string", field=field, value=value)
    text = value.strip()
    if required and not text:
        raise ValidationError("must not be empty", field=field, value=value)
    if "\n" in text or "\r" in text:
        # A line break would shift every later element of the payload by a line.
        raise ValidationError("must not contain line breaks", field=field, value=value)
    limit = _LIMITS[field]
    if len(text) > limit:
        raise ValidationError(f"must be at most {limit} characters long", field=field, value=value)
    return text


def _bic(value: object, version: str) -> str:
    if value is None or value == "":
        if version == "001":
            raise ValidationError("is required in version 001", field="bic", value=value)
        return ""
    if not isinstance(value, str):
        raise ValidationError("must be a string", field="bic", value=value)
    try:
        return str(stdnum_bic.validate(value))
    except stdnum_exceptions.ValidationError:
        raise ValidationError("is not a valid BIC", field="bic", value=value) from None


def _iban(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError("must be a string", field="iban", value=value)
    try:
        return str(stdnum_iban.validate(value))
    except stdnum_exceptions.ValidationError:
        raise ValidationError("is not a valid IBAN", field="iban", value=value) from None


def _amount(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, Money):
        raise ValidationError("must be payportal.Money in EUR", field="amount", value=value)
    if value.currency != "EUR":
        raise ValidationError("must be in EUR (SEPA)", field="amount", value=value)
    if not MIN_AMOUNT <= value.amount <= MAX_AMOUNT:
        raise ValidationError(
            f"must be between {MIN_AMOUNT} and {MAX_AMOUNT} EUR", field="amount", value=value
        )
    return f"EUR{value.amount}"


def _purpose(value: object) -> str:
    if value is None or value == "":
        return ""
    if not (isinstance(value, str) and len(value) == 4 and value.isascii() and value.isalpha()):
        raise ValidationError(
            "must be a four-letter ISO 20022 purpose code such as 'GDDS'",
            field="purpose",
            value=value,
        )
    return value.upper()


def payload(
    *,
    name: str,
    iban: str,
    amount: Money | None = None,
    bic: str | None = None,
    reference: str | None = None,
    text: str | None = None,
    purpose: str | None = None,
    information: str | None = None,
    version: Literal["001", "002"] = "002",
) -> str:
    """Return the EPC069-12 payload text for a SEPA credit transfer.

    Args:
        name: the beneficiary (the merchant), 1 to 70 characters.
        iban: the beneficiary's IBAN; spaces are removed.
        amount: the amount in EUR, 0.01 to 999999999.99; ``None`` lets the payer fill it in.
        bic: the beneficiary bank's BIC; required for version ``"001"``.
        reference: an ISO 11649 creditor reference (``RF18 5390 0754 7034``), stored compact.
        text: unstructured remittance text, up to 140 characters. Give ``reference`` or
            ``text``, not both.
        purpose: an ISO 20022 purpose code such as ``"GDDS"``.
        information: a note to the payer, up to 70 characters; not transmitted to the bank.
        version: ``"002"`` (default, BIC optional) or ``"001"``.

    Raises:
        ValidationError: an element is missing, malformed or too long, or the payload exceeds
            331 bytes; the error names the argument (``field``) and its value.
        InvalidReferenceError: ``reference`` is not a valid creditor reference.
    """
    if version not in ("001", "002"):
        raise ValidationError("must be '001' or '002'", field="version", value=version)
    if reference is not None and text is not None:
        raise ValidationError(
            "must not be given together with a structured reference; choose one",
            field="text",
            value=text,
        )
    lines = [
        "BCD",
        version,
        "1",
        "SCT",
        _bic(bic, version),
        _text(name, "name", required=True),
        _iban(iban),
        _amount(amount),
        _purpose(purpose),
        "" if reference is None else rf.validate(reference),
        _text(text, "text"),
        _text(information, "information"),
    ]
    while lines[-1] == "":
        lines.pop()
    result = "\n".join(lines)
    size = len(result.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ValidationError(
            f"makes the payload {size} bytes long, more than the {MAX_PAYLOAD_BYTES} allowed",
            field="text" if text else "name",
            value=text or name,
        )
    return result


def _qr(data: str) -> segno.QRCode:
    try:
        import segno  # noqa: PLC0415  optional dependency, imported when first needed
    except ImportError:
        raise ImportError(
            "EPC QR images need segno: install the 'qr' extra (pip install 'payportal[qr]')"
        ) from None
    if not isinstance(data, str) or not data.startswith("BCD\n"):
        raise ValidationError(
            "must be an EPC payload as returned by payportal.epc_qr.payload()",
            field="data",
            value=data,
        )
    # The guidelines fix level M; segno would otherwise raise it when there is room.
    return segno.make(data, error="m", micro=False, boost_error=False, encoding="utf-8")


def to_svg(data: str, *, scale: int = 4, border: int = 4) -> str:
    """Return an SVG document of the QR code for ``data``, a :func:`payload` result.

    Args:
        data: the payload text.
        scale: the size of one module in SVG units.
        border: the quiet zone around the code, in modules (4 is the QR standard's minimum).

    Raises:
        ImportError: segno (the ``qr`` extra) is not installed.
        ValidationError: ``data`` is not an EPC payload.
    """
    buffer = io.BytesIO()
    _qr(data).save(buffer, kind="svg", scale=scale, border=border, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def to_png(data: str, *, scale: int = 4, border: int = 4) -> bytes:
    """Return a PNG image of the QR code for ``data``, a :func:`payload` result.

    Args:
        data: the payload text.
        scale: the size of one module in pixels.
        border: the quiet zone around the code, in modules.

    Raises:
        ImportError: segno (the ``qr`` extra) is not installed.
        ValidationError: ``data`` is not an EPC payload.
    """
    buffer = io.BytesIO()
    _qr(data).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
