"""payportal: the domain of a customer self-service portal for invoicing software.

Public names are re-exported here; the modules behind them are private unless documented.
"""

from payportal._money import Money, currency_exponent, format_money, is_currency, parse_money
from payportal.accounts import CustomerAccount, OpenItem, PrepaidAccount
from payportal.booking import PaymentEvent, PaymentIntent, Portal
from payportal.customers import Address, BankAccount, Company, Customer, MasterDataChange
from payportal.exceptions import (
    AccessDeniedError,
    AllocationError,
    BadSignatureError,
    ConcurrentUpdateError,
    CorruptRecordError,
    CurrencyMismatchError,
    ExpiredLinkError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidLinkError,
    InvalidTransitionError,
    MalformedLinkError,
    NotYetValidLinkError,
    OutcomeUnknownError,
    PayportalError,
    RevokedLinkError,
    StatementFormatError,
    StorageError,
    StorageUnavailableError,
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
from payportal.portal import AccessPolicy, Action, CustomerAccess, DownloadFormat, PortalSettings
from payportal.reconciliation import Statement, StatementEntry, read_statement, reconcile
from payportal.storage import SQLiteStorage

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
    "ConcurrentUpdateError",
    "CorruptRecordError",
    "CurrencyMismatchError",
    "Customer",
    "CustomerAccess",
    "CustomerAccount",
    "DownloadFormat",
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
    "OutcomeUnknownError",
    "PaymentEvent",
    "PaymentIntent",
    "PayportalError",
    "Portal",
    "PortalSettings",
    "PortalUrls",
    "PrepaidAccount",
    "RevokedLinkError",
    "SQLiteStorage",
    "Statement",
    "StatementEntry",
    "StatementFormatError",
    "StorageError",
    "StorageUnavailableError",
    "UnknownCurrencyError",
    "UnknownKeyError",
    "ValidationError",
    "WrongPurposeError",
    "__version__",
    "currency_exponent",
    "format_money",
    "is_currency",
    "parse_money",
    "read_statement",
    "reconcile",
]
