"""Payment references: generate, format and validate them, and find them in bank text.

A bank transfer can only be matched to an invoice or a prepaid top-up if it carries a
reference the merchant can find again. Each scheme is a module with python-stdnum's
vocabulary (``compact``, ``validate``, ``is_valid``, ``format``, ``calc_check_digit(s)``) plus
``generate``:

=================  ==========================================================================
:mod:`.rf`         ISO 11649 creditor reference, ``RF18 5390 0754 7034``
:mod:`.fi`         Finnish reference number (7-3-1) and its RF form
:mod:`.no_kid`     Norwegian KID, MOD10 and MOD11
:mod:`.ch_qrr`     Swiss QR reference, 27 digits
:mod:`.be_ogm`     Belgian structured communication, ``+++010/8068/17183+++``
:mod:`.billpay`    BillPay invoice purchase reference, ``BP1234567/3333``
:mod:`.template`   the merchant's own pattern, ``{customer_number}-{invoice_number}``
=================  ==========================================================================

Across schemes: :func:`parse` tells which scheme a reference belongs to, :func:`generate`
makes one by scheme name, and :func:`find` picks references out of bank statement text.

>>> from payportal import references
>>> references.parse("+++010/8068/17183+++").scheme
'be_ogm'
>>> references.generate("ch_qrr", base="21000000000313947143000901").formatted
'21 00000 00003 13947 14300 09017'
>>> [(m.value, m.confidence.name) for m in references.find("EREF+rf18 5390 0754 7o34")]
[('RF18539007547034', 'CERTAIN')]

Every ``validate`` raises a subclass of :class:`~payportal.exceptions.InvalidReferenceError`
(a :class:`~payportal.exceptions.ValidationError`) that says what is wrong:
:class:`~payportal.exceptions.InvalidFormatError`,
:class:`~payportal.exceptions.InvalidLengthError` or
:class:`~payportal.exceptions.InvalidChecksumError`.
"""

from __future__ import annotations

from payportal.references import be_ogm, billpay, ch_qrr, fi, no_kid, rf, template
from payportal.references._common import CheckStrength
from payportal.references._find import FIND_DEFAULT, Confidence, Match, find
from payportal.references._registry import PARSE_DEFAULT, Reference, SchemeLike, generate, parse
from payportal.references.template import Template

__all__ = [
    "FIND_DEFAULT",
    "PARSE_DEFAULT",
    "SCHEMES",
    "CheckStrength",
    "Confidence",
    "Match",
    "Reference",
    "SchemeLike",
    "Template",
    "be_ogm",
    "billpay",
    "ch_qrr",
    "fi",
    "find",
    "generate",
    "no_kid",
    "parse",
    "rf",
    "template",
]

#: The names of the built-in schemes.
SCHEMES: tuple[str, ...] = ("rf", "fi", "no_kid", "ch_qrr", "be_ogm", "billpay")
