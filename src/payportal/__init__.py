"""payportal: the domain of a customer self-service portal for invoicing software.

Public names are re-exported here; the modules behind them are private unless documented.
"""

from payportal._money import Money, currency_exponent, format_money, is_currency
from payportal.customers import Address, BankAccount, Company, Customer, MasterDataChange
from payportal.exceptions import (
    AccessDeniedError,
    CurrencyMismatchError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    PayportalError,
    UnknownCurrencyError,
    ValidationError,
)
from payportal.portal import AccessPolicy, Action, CustomerAccess, PortalSettings

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "AccessPolicy",
    "Action",
    "Address",
    "BankAccount",
    "Company",
    "CurrencyMismatchError",
    "Customer",
    "CustomerAccess",
    "InsufficientFundsError",
    "InvalidAmountError",
    "InvalidTransitionError",
    "MasterDataChange",
    "Money",
    "PayportalError",
    "PortalSettings",
    "UnknownCurrencyError",
    "ValidationError",
    "__version__",
    "currency_exponent",
    "format_money",
    "is_currency",
]
