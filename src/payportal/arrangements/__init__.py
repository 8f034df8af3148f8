"""Arrangements with a customer about one invoice: instalment plans, disputes, claims that
it is paid already and requests for a later due date; each pauses dunning.

An :class:`InstalmentPlan` splits what is open on an invoice (plus an optional fee) into
instalments that add up exactly (:func:`split_instalments`, the largest-remainder split of
:meth:`payportal.Money.split`). Payments on the invoice settle the instalments in order;
:meth:`InstalmentPlan.progress` says which one is due, which are missed, and whether the plan
is kept. While it is kept, :meth:`InstalmentPlan.block` holds dunning for the invoice; a
missed instalment lifts the block, and after ``cancel_after_missed`` missed instalments the
plan is cancelled.

A :class:`Hold` is a customer's dispute, paid claim (with an optional proof attachment) or
extension request; it holds dunning until the merchant accepts, rejects (with a message)
or, for a paid claim, matches it to a bank entry. Every step is kept in ``steps``.

:class:`Arrangements` keeps both in a portal's storage, writing a journal entry and an
outbox message with every step. :func:`register_placeholders` adds the ``InstalmentPlan``
and ``Hold`` objects to a placeholder registry, for the app's e-mails.

>>> from datetime import date
>>> from payportal import Money
>>> plan = InstalmentPlan(
...     customer_id="42", invoice_id="inv-1", invoice_number="RE-1",
...     amount=Money("100.00", "EUR"), fee=Money("0.00", "EUR"),
...     instalments=split_instalments(Money("100.00", "EUR"), 3, first_due_on=date(2026, 5, 1)),
...     agreed_on=date(2026, 4, 20))
>>> progress = plan.progress(Money("40.00", "EUR"), on=date(2026, 5, 10))
>>> progress.due.instalment.number, progress.due.open, progress.kept
(2, Money('26.67', 'EUR'), True)
>>> plan.block(Money("40.00", "EUR"), on=date(2026, 6, 1)) is None   # instalment 2 missed
True
"""

from payportal.arrangements._holds import Hold, HoldKind, HoldState, HoldStep, Party
from payportal.arrangements._instalments import (
    Instalment,
    InstalmentPlan,
    InstalmentStatus,
    InstalmentTerms,
    PlanProgress,
    PlanState,
    plans_blocks,
    split_instalments,
)
from payportal.arrangements._placeholders import register_placeholders
from payportal.arrangements._service import Arrangements, charge_plan_fee

__all__ = [
    "Arrangements",
    "Hold",
    "HoldKind",
    "HoldState",
    "HoldStep",
    "Instalment",
    "InstalmentPlan",
    "InstalmentStatus",
    "InstalmentTerms",
    "Party",
    "PlanProgress",
    "PlanState",
    "charge_plan_fee",
    "plans_blocks",
    "register_placeholders",
    "split_instalments",
]
