"""BillPay invoice purchase reference: ``BP<order number>/<merchant id>``.

Specification: BillPay GmbH's XML API answers a pre-authorisation for invoice purchase with
``invoice_bank_account/@invoice_reference``, the text the buyer must put on the transfer, such
as ``BP555666777/9999``: ``BP``, BillPay's order number, a slash and the merchant id, digits
only. There is no check digit, so only the structure can be validated.

>>> generate("1234567", "3333")
'BP1234567/3333'
>>> validate("bp 1234567 / 3333")
'BP1234567/3333'
>>> format("BP1234567/3333")
'BP1234567/3333'
>>> is_valid("BP1234567")
False
"""

from __future__ import annotations

import re

from payportal.references._common import (
    DIGIT,
    CheckStrength,
    Pattern,
    check_digits_of,
    compactor,
    fail_format,
    fail_length,
    passes,
    spaced_digits,
)

__all__ = [
    "PATTERNS",
    "calc_check_digits",
    "compact",
    "format",
    "generate",
    "is_valid",
    "split",
    "validate",
]

NAME = "billpay"
LABEL = "BillPay reference"
CHECK = CheckStrength.NONE
MAX_ORDER_NUMBER = 20
MAX_MERCHANT_ID = 10

#: Where :func:`payportal.references.find` looks for BillPay references: ``BP`` not glued to a
#: preceding letter, the order number (payers may split it with single spaces), ``/`` and the
#: merchant id. There is no check digit to tell where a spaced merchant id would end, so it
#: must be typed whole. The pattern admits nothing :func:`validate` refuses.
PATTERNS = (
    Pattern(
        rf"B(?<![A-Z]B)P ?{spaced_digits(1, MAX_ORDER_NUMBER)} ?/ ?{DIGIT}{{1,{MAX_MERCHANT_ID}}}"
        r"(?![0-9])",
        needles=("BP",),
    ),
)

_SEPARATORS = compactor(" ")
_SHAPE = re.compile(r"BP([0-9]+)/([0-9]+)", re.ASCII)


def compact(number: str) -> str:
    """Return ``number`` without spaces, in upper case."""
    return number.translate(_SEPARATORS).upper().strip()


def calc_check_digits(number: str) -> str:
    """Return ``""``: BillPay references carry no check digits.

    Present so that every scheme module speaks the same vocabulary.
    """
    return ""


def generate(order_number: str | int, merchant_id: str | int) -> str:
    """Return the reference for BillPay's ``order_number`` at merchant ``merchant_id``.

    Raises:
        ValidationError: either is not digits or too long (20 and 10 digits); the error names
            ``order_number`` or ``merchant_id``.
    """
    order = check_digits_of(
        order_number, "order_number", max_length=MAX_ORDER_NUMBER, digits_only=True
    )
    merchant = check_digits_of(
        merchant_id, "merchant_id", max_length=MAX_MERCHANT_ID, digits_only=True
    )
    return f"BP{order}/{merchant}"


def validate(number: str) -> str:
    """Check the structure of ``number`` and return it compacted.

    Raises:
        InvalidFormatError: not ``BP``, digits, ``/``, digits.
        InvalidLengthError: an order number over 20 or a merchant id over 10 digits.
    """
    if not isinstance(number, str):
        fail_format(LABEL, number, "it must be a string")
    value = compact(number)
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        fail_format(LABEL, number, "it must be BP, the order number, '/' and the merchant id")
    if len(shape[1]) > MAX_ORDER_NUMBER or len(shape[2]) > MAX_MERCHANT_ID:
        fail_length(LABEL, number, "the order number or merchant id is too long")
    return value


def is_valid(number: str) -> bool:
    """Whether ``number`` has the structure of a BillPay reference (see :func:`validate`)."""
    return passes(validate, number)


def format(number: str) -> str:  # noqa: A001  python-stdnum's vocabulary, on purpose
    """Return ``number`` as it is printed, which is its compact form."""
    return compact(number)


def split(number: str) -> tuple[str, str]:
    """Return ``(order_number, merchant_id)`` from a valid reference.

    Raises:
        InvalidReferenceError: ``number`` is not a BillPay reference.
    """
    order, _, merchant = validate(number)[2:].partition("/")
    return order, merchant
