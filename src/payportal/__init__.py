"""payportal: the domain of a customer self-service portal for invoicing software.

Public names are re-exported here; the modules behind them are private unless documented.
"""

from payportal._money import Money, currency_exponent, format_money, is_currency
from payportal.accounts import CustomerAccount, OpenItem, PrepaidAccount
from payportal.customers import Address, BankAccount, Company, Customer, MasterDataChange
from payportal.exceptions import (
    AccessDeniedError,
    AllocationError,
    BadSignatureError,
    CurrencyMismatchError,
    ExpiredLinkError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidLinkError,
    InvalidTransitionError,
    MalformedLinkError,
    NotYetValidLinkError,
    PayportalError,
    RevokedLinkError,
    UnknownCurrencyError,
    UnknownKeyError,
    ValidationError,
    WrongPurposeError,
)
from payportal.links import (
    Ed25519Key,
    HmacKey,
    KeyRing,
    LinkClaims,
    LinkSigner,
    LinkVersions,
    PortalUrls,
)
from payportal.portal import AccessPolicy, Action, CustomerAccess, PortalSettings
from payportal.reconciliation import Statement, StatementEntry, read_statement, reconcile

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "AccessPolicy",
    "Action",
    "Address",
    "AllocationError",
    "BadSignatureError",
    "BankAccount",
    "Company",
    "CurrencyMismatchError",
    "Customer",
    "CustomerAccess",
    "CustomerAccount",
    "Ed25519Key",
    "ExpiredLinkError",
    "HmacKey",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidLinkError",
    "InvalidTransitionError",
    "KeyRing",
    "LinkClaims",
    "LinkSigner",
    "LinkVersions",
    "MalformedLinkError",
    "MasterDataChange",
    "Money",
    "NotYetValidLinkError",
    "OpenItem",
    "PayportalError",
    "PortalSettings",
    "PortalUrls",
    "PrepaidAccount",
    "RevokedLinkError",
    "Statement",
    "StatementEntry",
    "UnknownCurrencyError",
    "UnknownKeyError",
    "ValidationError",
    "WrongPurposeError",
    "__version__",
    "currency_exponent",
    "format_money",
    "is_currency",
    "read_statement",
    "reconcile",
]
