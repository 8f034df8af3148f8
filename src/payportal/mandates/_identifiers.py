"""Validation of the identifiers a SEPA direct debit carries: IBAN, BIC, creditor identifier,
mandate reference and the other ``Max35Text`` identifiers of pain.008.

IBAN and BIC are checked with python-stdnum (``stdnum.iban``, ``stdnum.bic``) and the creditor
identifier with ``stdnum.eu.at_02`` (the EPC's attribute AT-02, ISO 7064 MOD 97-10 over the
identifier without its creditor business code). Every function raises
:class:`~payportal.exceptions.ValidationError` naming the field and the value.
"""

from __future__ import annotations

import re
from typing import Final

import stdnum.be.iban
import stdnum.bic
import stdnum.cz.bankaccount
import stdnum.eu.at_02
import stdnum.exceptions
import stdnum.iban

from payportal.customers import compact_identifier
from payportal.exceptions import ValidationError

__all__ = [
    "check_bic",
    "check_creditor_id",
    "check_iban",
    "check_identifier",
    "check_mandate_reference",
    "derive_bic",
]

# Nothing real comes near this; python-stdnum's work grows with its input.
_MAX_INPUT: Final = 100

# The EPC implementation guidelines restrict identifiers (the mandate reference AT-01, the
# end-to-end id AT-10, message and payment-information ids) to the Latin characters below, with
# no "/" at the start or the end and never "//". Spaces are left out: German banks (DK
# specification) refuse them in mandate references, and a reference that needs none is safer
# everywhere.
_SEPA_ID: Final = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")
_BIC: Final = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")


def check_iban(value: object, field: str = "iban") -> str:
    """Return ``value`` as a compact, upper-case IBAN, or raise :class:`ValidationError`.

    >>> check_iban("de89 3704 0044 0532 0130 00")
    'DE89370400440532013000'
    """
    return compact_identifier(stdnum.iban, "IBAN", field, value)


def check_bic(value: object, field: str = "bic") -> str:
    """Return ``value`` as a compact, upper-case BIC (ISO 9362), or raise.

    Beyond python-stdnum's check, the location code follows SWIFT's rule that
    pain.008.001.02's schema spells out: its first character is not ``0`` or ``1``, its
    second not ``O``.

    >>> check_bic("cobadeff xxx")
    'COBADEFFXXX'
    """
    compact = compact_identifier(stdnum.bic, "BIC", field, value).upper()
    if not _BIC.fullmatch(compact):
        raise ValidationError(
            "is not a valid BIC: the location code (characters 7 and 8) may not start "
            "with 0 or 1 or end with O",
            field=field,
            value=value,
        )
    return compact


def derive_bic(iban: str) -> str | None:
    """The BIC of the bank that holds ``iban`` where python-stdnum's bank registers know it;
    None for an invalid IBAN.

    python-stdnum ships the registers of Belgium (National Bank of Belgium) and the Czech
    Republic (ČNB); for other countries there is no public register in it, and ``None`` is
    returned: the caller has to ask for the BIC.

    >>> derive_bic("BE48 3200 7018 4927")
    'BBRUBEBB'
    >>> derive_bic("DE89370400440532013000") is None
    True
    """
    if not isinstance(iban, str) or len(iban) > _MAX_INPUT or not stdnum.iban.is_valid(iban):
        return None
    compact = str(stdnum.iban.compact(iban))
    bic: object = None
    if compact.startswith("BE"):
        bic = stdnum.be.iban.to_bic(compact)
    elif compact.startswith("CZ") and len(compact) == 24:
        # CZkk BBBB PPPPPP AAAAAAAAAA: the bank code, then prefix and account number.
        bank, prefix, account = compact[4:8], compact[8:14], compact[14:]
        try:
            bic = stdnum.cz.bankaccount.to_bic(f"{prefix}-{account}/{bank}")
        except stdnum.exceptions.ValidationError:
            bic = None
    return str(bic) if bic else None


def check_creditor_id(value: object, field: str = "creditor_id") -> str:
    """Return ``value`` as a compact SEPA creditor identifier (AT-02), or raise.

    >>> check_creditor_id("DE98 ZZZ 09999999999")
    'DE98ZZZ09999999999'
    """
    compact = compact_identifier(stdnum.eu.at_02, "SEPA creditor identifier", field, value).upper()
    if len(compact) > 35:
        raise ValidationError(
            "is not a valid SEPA creditor identifier: longer than 35 characters",
            field=field,
            value=value,
        )
    return compact


def check_identifier(value: object, field: str, what: str = "identifier") -> str:
    """Return ``value`` if it is a SEPA identifier (1-35 characters of the restricted Latin
    set ``A-Z a-z 0-9 / - ? : ( ) . , ' +``, no leading or trailing ``/``, no ``//``).

    >>> check_identifier("INV-2024/0001", "end_to_end_id")
    'INV-2024/0001'
    """
    if not isinstance(value, str):
        raise ValidationError(f"must be a {what} string", field=field, value=value)
    if not value:
        raise ValidationError(f"must not be empty ({what})", field=field, value=value)
    if len(value) > 35:
        raise ValidationError(
            f"must be at most 35 characters long ({what})", field=field, value=value
        )
    if not _SEPA_ID.fullmatch(value):
        bad = next(c for c in value if not _SEPA_ID.fullmatch(c))
        raise ValidationError(
            f"may only hold the SEPA characters A-Z a-z 0-9 / - ? : ( ) . , ' + "
            f"({what}; found {bad!r})",
            field=field,
            value=value,
        )
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValidationError(
            f"must not start or end with '/' or hold '//' ({what})", field=field, value=value
        )
    return value


def check_mandate_reference(value: object, field: str = "reference") -> str:
    """Return ``value`` if it is a valid unique mandate reference (AT-01), else raise.

    >>> check_mandate_reference("M-2024-000017")
    'M-2024-000017'
    """
    return check_identifier(value, field, "mandate reference")
