"""Customer accounts: open items, credit balances, prepaid balances and their ledger.

An :class:`OpenItem` is what is still open on one document, split into costs, interest and
principal. A :class:`CustomerAccount` holds a customer's open items, the credit balance
from overpayments and the payments booked on it; a :class:`PrepaidAccount` holds money paid
in advance. All three are immutable: every change returns a new object, so invalid input
never leaves a half-changed account behind.

>>> from datetime import date
>>> from payportal import Money
>>> item = OpenItem.simple("RE-7", Money("49.90", "EUR"), due=date(2026, 4, 1))
>>> account = CustomerAccount(customer_id="42", currency="EUR").add(item)
>>> account.balance
Money('49.90', 'EUR')
"""

from payportal.accounts._customer import (
    AccountStatement,
    AccountStatementLine,
    CustomerAccount,
    EntryKind,
    LedgerEntry,
    RefundRequest,
)
from payportal.accounts._due import Due
from payportal.accounts._open_item import Component, ComponentKind, OpenItem
from payportal.accounts._prepaid import PrepaidAccount, TopUp, TopUpMethod
from payportal.accounts._statement import (
    STATEMENT_TEXTS,
    AgedItem,
    Ageing,
    AgeingBucket,
    CustomerStatement,
    ageing,
    customer_statement,
    statement_to_csv,
)

__all__ = [
    "STATEMENT_TEXTS",
    "AccountStatement",
    "AccountStatementLine",
    "AgedItem",
    "Ageing",
    "AgeingBucket",
    "Component",
    "ComponentKind",
    "CustomerAccount",
    "CustomerStatement",
    "Due",
    "EntryKind",
    "LedgerEntry",
    "OpenItem",
    "PrepaidAccount",
    "RefundRequest",
    "TopUp",
    "TopUpMethod",
    "ageing",
    "customer_statement",
    "statement_to_csv",
]
