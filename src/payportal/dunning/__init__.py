"""Dunning: which invoices to remind, at which level, with which fees and default interest.

A :class:`DunningPolicy` holds the merchant's rules: :class:`DunningLevel` s (days after the
due date or after the previous reminder, a fee per currency, a payment deadline), default
interest (German statutory interest under § 288 BGB on the Bundesbank's § 247 BGB base rate,
or a fixed contractual rate), the § 288(5) BGB 40 € flat fee for business debtors, grace
days and minimum amounts. ``policy.due(account, documents, on=day)`` is pure: it reads the
customer's account and documents and returns :class:`ReminderProposal` s, which build
:class:`~payportal.documents.Reminder` documents; it stores and sends nothing.

Interest is computed in integers, exactly: act/365 (each day at the rate in force on it,
every year 365 days, a new piece at every base-rate change and part payment), rounded once
per invoice and reminder, half up, to the currency's minor unit.

>>> from datetime import date
>>> from payportal import Customer, CustomerAccount, Money, OpenItem
>>> from payportal.documents import Invoice, LineItem
>>> policy = DunningPolicy(
...     levels=[DunningLevel(days=7), DunningLevel(days=14, fees=Money("5.00", "EUR"))],
...     interest=StatutoryInterest())
>>> invoice = Invoice(id="inv-1", number="RE-1", customer_id="42",
...                   issued_on=date(2026, 2, 1), due_on=date(2026, 2, 15),
...                   lines=[LineItem(title="Work", quantity=1,
...                                   unit_price=Money("1000.00", "EUR"))])
>>> account = CustomerAccount(customer_id="42", currency="EUR").add(
...     OpenItem.from_document(invoice))
>>> [proposal] = policy.due(account, [invoice], on=date(2026, 2, 25),
...                         customer=Customer(id="42", number="K-42", name="Erika Muster"))
>>> proposal.level, proposal.fee, proposal.interest, proposal.due_on
(1, Money('0.00', 'EUR'), Money('1.72', 'EUR'), datetime.date(2026, 3, 11))
"""

from payportal.dunning._interest import (
    BaseRate,
    BaseRateTable,
    ContractualInterest,
    DebtorKind,
    InterestCalculation,
    InterestPeriod,
    InterestRule,
    StatutoryInterest,
    accrue,
)
from payportal.dunning._policy import (
    FLAT_FEE,
    BlockReason,
    CountedFrom,
    DefaultBegins,
    DunningBlock,
    DunningLevel,
    DunningPolicy,
    ProposedInvoice,
    ReminderProposal,
)

__all__ = [
    "FLAT_FEE",
    "BaseRate",
    "BaseRateTable",
    "BlockReason",
    "ContractualInterest",
    "CountedFrom",
    "DebtorKind",
    "DefaultBegins",
    "DunningBlock",
    "DunningLevel",
    "DunningPolicy",
    "InterestCalculation",
    "InterestPeriod",
    "InterestRule",
    "ProposedInvoice",
    "ReminderProposal",
    "StatutoryInterest",
    "accrue",
]
