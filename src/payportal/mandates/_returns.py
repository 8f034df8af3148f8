"""R-transactions: why a direct debit came back, and whether its mandate must be blocked.

The reason codes are ISO 20022's external return reason codes (``ExternalReturnReason1Code``)
as the EPC's guidance on reason codes for SDD R-transactions (EPC173-14) lists them for
rejects, refusals, returns and refunds. A bank statement carries them in camt.054
(``RtrInf/Rsn/Cd``) or in MT940's ``:86:`` text (``/RTRN/AC04/`` or the code in the
purpose); :func:`find_return_reason` finds one in such text.

``blocks_mandate`` is payportal's reading of what the code says about the *next* collection:
True where the account or the mandate cannot be used again until the customer acts (a
closed or blocked account, no valid mandate, a deceased debtor, a debtor who allows only
named creditors); False where the next collection may well succeed (insufficient funds, a
refund the CORE debtor is entitled to, a technical problem on the banks' side).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

import attrs

from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from payportal.reconciliation import StatementEntry

__all__ = ["RETURN_REASONS", "ReturnReason", "find_return_reason", "return_reason"]


@attrs.frozen
class ReturnReason:
    """One ISO 20022 return reason code.

    Attributes:
        code: the four-character code, such as ``"AC04"``.
        name: ISO 20022's name for it, such as ``"ClosedAccountNumber"``.
        meaning: what it means for a SEPA direct debit, in a sentence.
        blocks_mandate: collecting on the mandate again is pointless until the customer acts:
            block it (:meth:`Mandate.block`).
    """

    code: str
    name: str
    meaning: str
    blocks_mandate: bool


_TABLE: Final = (
    ("AC01", "IncorrectAccountNumber", "The debtor's account number (IBAN) is invalid.", True),
    ("AC04", "ClosedAccountNumber", "The debtor's account is closed.", True),
    ("AC06", "BlockedAccount", "The account is blocked, or blocked for direct debits.", True),
    ("AC13", "InvalidDebtorAccountType", "A B2B debit on a consumer's account.", True),
    ("AG01", "TransactionForbidden", "Direct debits are not allowed on this account.", True),
    ("AG02", "InvalidBankOperationCode", "The bank operation code is wrong.", False),
    ("AM04", "InsufficientFunds", "The account did not hold enough money.", False),
    ("AM05", "Duplication", "The collection was presented twice.", False),
    ("BE05", "UnrecognisedInitiatingParty", "The creditor identifier is wrong.", False),
    ("CNOR", "CreditorBankIsNotRegistered", "The creditor's bank is not reachable.", False),
    ("DNOR", "DebtorBankIsNotRegistered", "The debtor's bank is not reachable.", True),
    ("ED05", "SettlementFailed", "Settlement between the banks failed.", False),
    ("FF01", "InvalidFileFormat", "The file or a value in it is malformed.", False),
    ("FOCR", "FollowingCancellationRequest", "Returned as the creditor asked.", False),
    ("MD01", "NoMandate", "There is no valid mandate, or it was not authorised.", True),
    ("MD02", "MissingMandatoryInformationInMandate", "Mandate data are missing or wrong.", True),
    ("MD06", "RefundRequestByEndCustomer", "The debtor asked for a refund (8 weeks).", False),
    ("MD07", "EndCustomerDeceased", "The debtor has died.", True),
    ("MS02", "NotSpecifiedReasonCustomerGenerated", "The debtor refused, no reason given.", False),
    ("MS03", "NotSpecifiedReasonAgentGenerated", "The debtor's bank refused, no reason.", False),
    ("RC01", "BankIdentifierIncorrect", "The debtor bank's BIC is wrong.", True),
    ("RR01", "MissingDebtorAccountOrIdentification", "Regulatory: debtor data missing.", True),
    ("RR02", "MissingDebtorNameOrAddress", "Regulatory: the debtor's name is missing.", True),
    ("RR03", "MissingCreditorNameOrAddress", "Regulatory: creditor's name missing.", False),
    ("RR04", "RegulatoryReason", "Refused for a regulatory reason.", True),
    ("SL01", "SpecificServiceOfferedByDebtorAgent", "The debtor's bank filters this.", True),
    ("TM01", "InvalidCutOffTime", "The file reached the bank after its cut-off.", False),
)

RETURN_REASONS: Final[dict[str, ReturnReason]] = {
    code: ReturnReason(code, name, meaning, blocks) for code, name, meaning, blocks in _TABLE
}
"""The known return reasons by code."""

_CODE: Final = re.compile(r"(?<![A-Z0-9])(" + "|".join(RETURN_REASONS) + r")(?![A-Z0-9])")


def return_reason(code: str) -> ReturnReason:
    """The return reason of ``code`` (surrounding space and case ignored).

    >>> reason = return_reason("ac04")
    >>> reason.name, reason.blocks_mandate
    ('ClosedAccountNumber', True)

    Raises:
        ValidationError: ``code`` is not a known return reason code.
    """
    if not isinstance(code, str):
        raise ValidationError("must be a reason code string", field="code", value=code)
    reason = RETURN_REASONS.get(code.strip().upper())
    if reason is None:
        raise ValidationError("is not a known SEPA return reason code", field="code", value=code)
    return reason


def find_return_reason(text: str | StatementEntry) -> ReturnReason | None:
    """The first known return reason code in ``text``, or None.

    ``text`` is a string (a camt.054 ``Rsn/Cd``, an MT940 ``:86:`` purpose such as
    ``"/RTRN/MD06/"`` or ``"RUECKLASTSCHRIFT AM04 ..."``) or a
    :class:`~payportal.reconciliation.StatementEntry`, whose remittance text is searched. A
    code counts only as a word of its own, in upper case, so an IBAN's ``DE04`` or a word
    such as ``"AMOUNT"`` never matches.

    >>> find_return_reason("RETOURE SEPA-LASTSCHRIFT /RTRN/MD06/ EREF+INV-1").code
    'MD06'
    >>> find_return_reason("IBAN DE04 1234") is None
    True
    """
    if not isinstance(text, str):
        text = text.remittance_text
    match = _CODE.search(text)
    return None if match is None else RETURN_REASONS[match[1]]
