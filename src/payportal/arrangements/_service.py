"""Arrangements over storage: plans and holds kept in the storage's keyed store, each step
written with its journal entry and outbox message in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.accounts import ComponentKind, CustomerAccount, EntryKind, LedgerEntry
from payportal.accounts._open_item import KIND_ORDER
from payportal.arrangements._holds import Hold, HoldKind, HoldState
from payportal.arrangements._instalments import (
    InstalmentPlan,
    InstalmentTerms,
    PlanProgress,
    PlanState,
    split_instalments,
)
from payportal.booking._book import _retrying
from payportal.documents import Invoice, PaymentState
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.storage._codec import immutable

if TYPE_CHECKING:
    from payportal.dunning import DunningBlock
    from payportal.storage import Storage, Transaction

__all__ = ["Arrangements", "charge_plan_fee"]

# Where arrangements keep their records in the storage's keyed store (save_order).
PLANS = "payportal.arrangements:plan"  # by invoice id
HOLDS = "payportal.arrangements:hold"  # by "<customer id>/<hold id>"
HOLD_IDS = "payportal.arrangements:hold-ids"  # by customer id: their holds' ids, oldest first
#: The journal kind of every arrangement step.
JOURNAL_KIND = "arrangement"
ATTEMPTS = 5


@attrs.frozen
class HoldIds:
    """Stored under ``(HOLD_IDS, customer id)``: the ids of the customer's holds, oldest
    first, so listing them reads the customer's holds only."""

    ids: tuple[str, ...]


immutable(InstalmentPlan, Hold, HoldIds)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def charge_plan_fee(account: CustomerAccount, key: str, fee: Money, *, on: date) -> CustomerAccount:
    """``account`` with an instalment plan's ``fee`` added to the costs of the item ``key``
    (costs are paid first, BGB §367(1)) and an ITEM ledger entry ``"<key>/instalment-fee"``.

    Raises:
        ValidationError: ``key`` names no item on the account, or ``fee`` is negative.
        CurrencyMismatchError: ``fee`` is in another currency.
    """
    item = account.items.get(key)
    if item is None:
        raise ValidationError("names no item on the account", field="key", value=key)
    if fee.amount < 0:
        raise ValidationError("must not be negative", field="fee", value=fee)
    if not fee:
        return account
    units = list(item.units)
    units[KIND_ORDER.index(ComponentKind.COSTS)] += fee.minor_units
    entry = LedgerEntry(on, EntryKind.ITEM, f"{key}/instalment-fee", fee)
    return attrs.evolve(
        account,
        items={**account.items, key: item.with_units(units)},
        ledger=(*account.ledger, entry),
    )


def _plan_data(plan: InstalmentPlan, by: str) -> dict[str, Any]:
    return {
        "invoice_id": plan.invoice_id,
        "invoice_number": plan.invoice_number,
        "customer_id": plan.customer_id,
        "by": by,
        "amount": str(plan.amount.amount),
        "fee": str(plan.fee.amount),
        "currency": plan.amount.currency,
        "instalments": [
            {"number": i.number, "due_on": i.due_on.isoformat(), "amount": str(i.amount.amount)}
            for i in plan.instalments
        ],
        "state": plan.state.value,
        "note": plan.note,
    }


def _hold_data(hold: Hold) -> dict[str, Any]:
    step = hold.steps[-1]
    return {
        "hold_id": hold.id,
        "kind": hold.kind.value,
        "invoice_id": hold.invoice_id,
        "invoice_number": hold.invoice_number,
        "customer_id": hold.customer_id,
        "state": hold.state.value,
        "by": step.by.value,
        "text": step.text,
        "attachment": hold.attachment,
        "due_on": None if hold.due_on is None else hold.due_on.isoformat(),
        "bank_entry": hold.bank_entry,
    }


class Arrangements:
    """Instalment plans and holds (disputes, paid claims, extensions) of a portal's
    customers, kept in ``storage``.

    Every step is written in one transaction with a journal entry (kind ``"arrangement"``)
    and an outbox message: ``instalments.granted``, ``instalments.cancelled``,
    ``dispute.opened``, ``paid_claim.opened``, ``extension.opened`` and, when the merchant
    resolves one, ``<kind>.accepted``, ``<kind>.rejected`` or ``paid_claim.matched``. The
    payload names the customer, the invoice and the step.

    Args:
        storage: a migrated :class:`~payportal.storage.Storage`.
        terms: the limits for plans customers request themselves (None: customers cannot).
        clock: the current time (tests inject one).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        terms: InstalmentTerms | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        if terms is not None and not isinstance(terms, InstalmentTerms):
            raise ValidationError("must be InstalmentTerms or None", field="terms", value=terms)
        self._storage = storage
        self.terms = terms
        self._clock = clock

    def __repr__(self) -> str:
        return f"Arrangements(storage={self._storage!r}, terms={self.terms!r})"

    def _today(self) -> date:
        return self._clock().date()

    # -- reading ---------------------------------------------------------------------------

    def plan(self, invoice_id: str) -> InstalmentPlan | None:
        """The plan of the invoice ``invoice_id`` (active or cancelled), or None."""
        with self._storage.transaction(read_only=True) as tx:
            return tx.load_order(PLANS, invoice_id, InstalmentPlan)

    def progress(self, invoice_id: str, *, on: date | None = None) -> PlanProgress | None:
        """The invoice's plan on ``on`` (default today), paid as far as its item on the
        account says, or None when it has no plan."""
        day = self._today() if on is None else on
        with self._storage.transaction(read_only=True) as tx:
            plan = tx.load_order(PLANS, invoice_id, InstalmentPlan)
            if plan is None:
                return None
            return plan.progress(_paid(tx, plan), on=day)

    def amount_due(self, invoice_id: str, *, on: date | None = None) -> Money | None:
        """What to ask for on the invoice: the open part of the due instalment while an
        active plan has one, else None (ask for what is due on the invoice)."""
        found = self.progress(invoice_id, on=on)
        if found is None or found.plan.state is not PlanState.ACTIVE or found.due is None:
            return None
        return found.due.open

    def holds(self, customer_id: str) -> tuple[Hold, ...]:
        """The customer's holds, oldest first."""
        with self._storage.transaction(read_only=True) as tx:
            return _holds_of(tx, customer_id)

    def hold(self, customer_id: str, hold_id: str) -> Hold:
        """The customer's hold ``hold_id``.

        Raises:
            ValidationError: the customer has no such hold.
        """
        with self._storage.transaction(read_only=True) as tx:
            found = tx.load_order(HOLDS, f"{customer_id}/{hold_id}", Hold)
        if found is None:
            raise ValidationError("names no hold of the customer", field="hold_id", value=hold_id)
        return found

    def blocks(self, customer_id: str, *, on: date | None = None) -> tuple[DunningBlock, ...]:
        """The dunning blocks on ``on`` (default today) from the customer's kept plans and
        holds: pass them to :meth:`payportal.dunning.DunningPolicy.due` (``blocks=``)."""
        day = self._today() if on is None else on
        found: list[DunningBlock] = []
        with self._storage.transaction(read_only=True) as tx:
            for plan in _plans_of(tx, customer_id):
                block = plan.block(_paid(tx, plan), on=day)
                if block is not None:
                    found.append(block)
        for hold in self.holds(customer_id):
            block = hold.block()
            if block is not None and block.holds(day):
                found.append(block)
        return tuple(found)

    def due_dates(self, customer_id: str) -> dict[str, date]:
        """The due dates agreed later, by invoice id: of an active plan, its first instalment
        with something open; of an accepted extension, its date (it wins). Pass them to
        :meth:`payportal.dunning.DunningPolicy.due` (``due_dates=``), so that dunning levels,
        default and interest count from the agreed date, not the invoice's."""
        found: dict[str, date] = {}
        with self._storage.transaction(read_only=True) as tx:
            for plan in _plans_of(tx, customer_id):
                if plan.state is not PlanState.ACTIVE:
                    continue
                due = plan.progress(_paid(tx, plan), on=plan.agreed_on).due
                if due is not None:
                    found[plan.invoice_id] = due.instalment.due_on
        for hold in self.holds(customer_id):
            if hold.kind is HoldKind.EXTENSION and hold.state is HoldState.ACCEPTED:
                assert hold.due_on is not None  # an extension always names its date
                found[hold.invoice_id] = hold.due_on
        return found

    def instalment_schedules(self, customer_id: str) -> dict[str, tuple[tuple[date, Money], ...]]:
        """The instalments of the customer's active plans, by invoice id, as ``(due date,
        amount)`` pairs. Pass them to :meth:`payportal.dunning.DunningPolicy.due`
        (``instalments=``), so that a reminder for a missed instalment demands what is due,
        not the whole invoice, and interest runs on that alone. A cancelled plan has none:
        its whole invoice is due."""
        with self._storage.transaction(read_only=True) as tx:
            return {
                plan.invoice_id: tuple((i.due_on, i.amount) for i in plan.instalments)
                for plan in _plans_of(tx, customer_id)
                if plan.state is PlanState.ACTIVE
            }

    # -- instalment plans ------------------------------------------------------------------

    def grant_instalments(
        self,
        customer_id: str,
        invoice_id: str,
        *,
        count: int,
        first_due_on: date,
        interval_days: int = 30,
        fee: Money | None = None,
        grace_days: int = 0,
        cancel_after_missed: int = 2,
        note: str = "",
    ) -> InstalmentPlan:
        """The merchant grants a plan: what is open on the invoice, plus ``fee``, in
        ``count`` instalments (see :func:`split_instalments`), the fee booked as costs on
        the invoice's item. Publishes ``instalments.granted``.

        Raises:
            ValidationError: an argument is invalid, or the invoice is unknown, paid,
                cancelled, has nothing open, or has an active plan.
            AccessDeniedError: the invoice is another customer's.
        """
        return self._agree(
            customer_id,
            invoice_id,
            count=count,
            first_due_on=first_due_on,
            interval_days=interval_days,
            fee=fee,
            grace_days=grace_days,
            cancel_after_missed=cancel_after_missed,
            requested=False,
            note=note,
        )

    def request_instalments(
        self, customer_id: str, invoice_id: str, *, count: int, first_due_on: date
    ) -> InstalmentPlan:
        """The customer asks for a plan within the :attr:`terms`; it is agreed at once
        (with the terms' fee, interval, grace days and cancellation rule). Publishes
        ``instalments.granted`` with ``by: customer``.

        Raises:
            AccessDeniedError: no terms are set, or the invoice is another customer's.
            ValidationError: the request is outside the terms, or as for
                :meth:`grant_instalments`.
        """
        terms = self.terms
        if terms is None:
            raise AccessDeniedError("customers may not ask for instalment plans here")
        return self._agree(
            customer_id,
            invoice_id,
            count=count,
            first_due_on=first_due_on,
            interval_days=terms.interval_days,
            fee=None,
            grace_days=terms.grace_days,
            cancel_after_missed=terms.cancel_after_missed,
            requested=True,
            note="",
        )

    def _agree(
        self,
        customer_id: str,
        invoice_id: str,
        *,
        count: int,
        first_due_on: date,
        interval_days: int,
        fee: Money | None,
        grace_days: int,
        cancel_after_missed: int,
        requested: bool,
        note: str,
    ) -> InstalmentPlan:
        today = self._today()

        def once() -> InstalmentPlan:
            with self._storage.transaction() as tx:
                # The account first: its version, saved below, makes a plan another writer
                # agreed after this read conflict (see _serialise).
                stored = tx.load_account(customer_id)
                invoice = _invoice(tx, customer_id, invoice_id)
                old = tx.load_order(PLANS, invoice_id, InstalmentPlan)
                if old is not None and old.state is PlanState.ACTIVE:
                    raise ValidationError(
                        "has an active instalment plan already",
                        field="invoice_id",
                        value=invoice_id,
                    )
                item = None if stored is None else stored.value.items.get(invoice.number)
                if stored is None or item is None or not item.open_units:
                    raise ValidationError(
                        "has nothing open on the customer's account",
                        field="invoice_id",
                        value=invoice_id,
                    )
                amount = item.amount_open
                charged = fee
                if requested:
                    assert self.terms is not None
                    self.terms.check(amount, count, first_due_on=first_due_on, on=today)
                    charged = self.terms.fee_in(amount.currency)
                if charged is None:
                    charged = Money.zero(amount.currency)
                if not isinstance(charged, Money):
                    raise ValidationError("must be Money or None", field="fee", value=charged)
                if charged.currency != amount.currency:
                    raise ValidationError(
                        f"must be in the account's currency {amount.currency}",
                        field="fee",
                        value=charged,
                    )
                plan = InstalmentPlan(
                    customer_id=customer_id,
                    invoice_id=invoice_id,
                    invoice_number=invoice.number,
                    amount=amount,
                    fee=charged,
                    instalments=split_instalments(
                        amount + charged,
                        count,
                        first_due_on=first_due_on,
                        interval_days=interval_days,
                    ),
                    agreed_on=today,
                    requested=requested,
                    grace_days=grace_days,
                    cancel_after_missed=cancel_after_missed,
                    note=_note(note),
                )
                # Saved even without a fee: the account's version makes two agreements
                # on one customer's invoices at once conflict (and the loser retry).
                account = charge_plan_fee(stored.value, invoice.number, charged, on=today)
                tx.save_account(account, version=stored.version)
                tx.save_order(PLANS, invoice_id, plan)
                by = "customer" if requested else "merchant"
                data = _plan_data(plan, by)
                tx.append_journal(
                    customer_id, JOURNAL_KIND, {"event": "instalments.granted", **data}
                )
                tx.publish("instalments.granted", data)
                return plan

        return _retrying(ATTEMPTS, once)

    def cancel_plan(self, invoice_id: str, *, note: str) -> InstalmentPlan:
        """The merchant cancels the invoice's active plan (``note`` says why); dunning
        resumes for what is open. Publishes ``instalments.cancelled``.

        Raises:
            ValidationError: the invoice has no active plan, or ``note`` is empty.
        """

        def once() -> InstalmentPlan:
            with self._storage.transaction() as tx:
                whose = tx.load_order(PLANS, invoice_id, InstalmentPlan)
                if whose is not None:
                    _serialise(tx, whose.customer_id)
                plan = tx.load_order(PLANS, invoice_id, InstalmentPlan)  # read after the lock
                if plan is None or plan.state is not PlanState.ACTIVE:
                    raise ValidationError(
                        "has no active instalment plan", field="invoice_id", value=invoice_id
                    )
                return _cancel(tx, plan, note, "merchant")

        return _retrying(ATTEMPTS, once)

    def cancel_broken_plans(
        self, customer_id: str, *, on: date | None = None
    ) -> tuple[InstalmentPlan, ...]:
        """Cancel the customer's active plans with as many missed instalments as their
        ``cancel_after_missed`` on ``on`` (default today), each with
        ``instalments.cancelled`` (``by: policy``). Run it before dunning; returns the
        cancelled plans."""
        day = self._today() if on is None else on

        def once() -> tuple[InstalmentPlan, ...]:
            cancelled: list[InstalmentPlan] = []
            with self._storage.transaction() as tx:
                _serialise(tx, customer_id)
                for plan in _plans_of(tx, customer_id):
                    if not plan.progress(_paid(tx, plan), on=day).broken:
                        continue
                    note = f"{plan.cancel_after_missed} instalments missed by {day.isoformat()}"
                    cancelled.append(_cancel(tx, plan, note, "policy"))
            return tuple(cancelled)

        return _retrying(ATTEMPTS, once)

    # -- holds -----------------------------------------------------------------------------

    def dispute(self, customer_id: str, invoice_id: str, *, reason: str) -> Hold:
        """The customer disputes the invoice with ``reason``; dunning is held until the
        merchant resolves it. Publishes ``dispute.opened``.

        Raises:
            ValidationError: ``reason`` is empty, the invoice is unknown, settled, or has an
                open hold already.
            AccessDeniedError: the invoice is another customer's.
        """
        return self._open(customer_id, invoice_id, HoldKind.DISPUTE, reason=reason)

    def claim_paid(
        self, customer_id: str, invoice_id: str, *, note: str = "", attachment: str | None = None
    ) -> Hold:
        """The customer says the invoice is paid already, with a ``note`` and an optional
        ``attachment`` (a reference to an uploaded proof). Publishes ``paid_claim.opened``.

        Raises:
            as :meth:`dispute`.
        """
        return self._open(
            customer_id, invoice_id, HoldKind.PAID_CLAIM, reason=note, attachment=attachment
        )

    def request_extension(
        self, customer_id: str, invoice_id: str, *, due_on: date, reason: str = ""
    ) -> Hold:
        """The customer asks to pay by ``due_on``. Publishes ``extension.opened``.

        Raises:
            ValidationError: ``due_on`` is not after the invoice's due date (or today), or
                as for :meth:`dispute`.
        """
        return self._open(customer_id, invoice_id, HoldKind.EXTENSION, reason=reason, due_on=due_on)

    def _open(
        self,
        customer_id: str,
        invoice_id: str,
        kind: HoldKind,
        *,
        reason: str,
        attachment: str | None = None,
        due_on: date | None = None,
    ) -> Hold:
        at = self._clock()
        v.check_aware(at, "clock()")

        def once() -> Hold:
            with self._storage.transaction() as tx:
                invoice = _invoice(tx, customer_id, invoice_id)
                _serialise(tx, customer_id)
                if kind is HoldKind.EXTENSION:
                    if not isinstance(due_on, date):
                        raise ValidationError("must be a date", field="due_on", value=due_on)
                    latest = max(invoice.due_on or invoice.issued_on, at.date())
                    if due_on <= latest:
                        raise ValidationError(
                            f"must be after {latest.isoformat()}", field="due_on", value=due_on
                        )
                for other in _holds_of(tx, customer_id):
                    if other.invoice_id == invoice_id and not other.resolved:
                        what = other.kind.value.replace("_", " ")
                        raise ValidationError(
                            f"has an open {what} already ({other.id})",
                            field="invoice_id",
                            value=invoice_id,
                        )
                number = tx.next_number(HOLDS)
                hold = Hold.open(
                    id=f"H-{number}",
                    customer_id=customer_id,
                    invoice_id=invoice_id,
                    invoice_number=invoice.number,
                    kind=kind,
                    at=at,
                    reason=reason,
                    attachment=attachment,
                    due_on=due_on,
                )
                known = tx.load_order(HOLD_IDS, customer_id, HoldIds)
                ids = () if known is None else known.ids
                tx.save_order(HOLD_IDS, customer_id, HoldIds((*ids, hold.id)))
                _save_hold(tx, hold, f"{kind.value}.opened")
                return hold

        return _retrying(ATTEMPTS, once)

    def accept(self, customer_id: str, hold_id: str, *, message: str = "") -> Hold:
        """The merchant accepts the hold (an extension: dunning waits until its date).
        Publishes ``<kind>.accepted``.

        Raises:
            ValidationError: no such hold.
            InvalidTransitionError: it is resolved already.
        """
        return self._resolve(customer_id, hold_id, HoldState.ACCEPTED, message, None)

    def reject(self, customer_id: str, hold_id: str, *, message: str) -> Hold:
        """The merchant rejects the hold with ``message`` for the customer; dunning
        resumes. Publishes ``<kind>.rejected``.

        Raises:
            ValidationError: no such hold, or ``message`` is empty.
            InvalidTransitionError: it is resolved already.
        """
        return self._resolve(customer_id, hold_id, HoldState.REJECTED, message, None)

    def match(self, customer_id: str, hold_id: str, *, bank_entry: str, message: str = "") -> Hold:
        """The merchant matches a paid claim's proof to the bank entry ``bank_entry`` (book
        the entry itself with ``Portal.receive`` or ``resolve_review``). Publishes
        ``paid_claim.matched``.

        Raises:
            ValidationError: no such hold, or ``bank_entry`` is empty.
            InvalidTransitionError: it is resolved already, or not a paid claim.
        """
        return self._resolve(customer_id, hold_id, HoldState.MATCHED, message, bank_entry)

    def _resolve(
        self, customer_id: str, hold_id: str, state: HoldState, message: str, bank_entry: str | None
    ) -> Hold:
        at = self._clock()

        def once() -> Hold:
            with self._storage.transaction() as tx:
                _serialise(tx, customer_id)
                hold = tx.load_order(HOLDS, f"{customer_id}/{hold_id}", Hold)
                if hold is None:
                    raise ValidationError(
                        "names no hold of the customer", field="hold_id", value=hold_id
                    )
                hold = hold.resolve(state, at=at, message=message, bank_entry=bank_entry)
                _save_hold(tx, hold, f"{hold.kind.value}.{state.value}")
                return hold

        return _retrying(ATTEMPTS, once)


def _serialise(tx: Transaction, customer_id: str) -> None:
    """Save the customer's account unchanged at the version read, before reading what a
    step checks: another step of the customer (or a booking) that committed after this read
    makes the save fail with ConcurrentUpdateError (the step is then done again on what
    that writer left), and one that commits later waits for this transaction's row lock
    and then fails itself. So two steps never both pass a check on stale reads (one open
    hold per invoice, one resolution per hold, one active plan per invoice)."""
    stored = tx.load_account(customer_id)
    if stored is not None:
        tx.save_account(stored.value, version=stored.version)


def _note(text: str) -> str:
    if not isinstance(text, str):
        raise ValidationError("must be a string", field="note", value=text)
    return text.strip()


def _invoice(tx: Transaction, customer_id: str, invoice_id: str) -> Invoice:
    stored = tx.load_document(invoice_id) if isinstance(invoice_id, str) else None
    document = None if stored is None else stored.value
    if not isinstance(document, Invoice):
        raise ValidationError("names no invoice", field="invoice_id", value=invoice_id)
    if document.customer_id != customer_id:
        raise AccessDeniedError(f"invoice {invoice_id!r} is not one of customer {customer_id!r}'s")
    if document.state in (PaymentState.PAID, PaymentState.CANCELLED):
        raise ValidationError(
            f"is {document.state.value}; nothing is open on it",
            field="invoice_id",
            value=invoice_id,
        )
    return document


def _plans_of(tx: Transaction, customer_id: str) -> Iterator[InstalmentPlan]:
    """The plans (active or cancelled) of the customer's documents."""
    for stored in tx.documents_of(customer_id):
        plan = tx.load_order(PLANS, stored.value.id, InstalmentPlan)
        if plan is not None:
            yield plan


def _paid(tx: Transaction, plan: InstalmentPlan) -> Money:
    stored = tx.load_account(plan.customer_id)
    item = None if stored is None else stored.value.items.get(plan.invoice_number)
    if item is None:
        return Money.zero(plan.amount.currency)
    return plan.paid_when_open(item.amount_open)


def _cancel(tx: Transaction, plan: InstalmentPlan, note: str, by: str) -> InstalmentPlan:
    plan = plan.cancel(note)
    tx.save_order(PLANS, plan.invoice_id, plan)
    data = _plan_data(plan, by)
    tx.append_journal(plan.customer_id, JOURNAL_KIND, {"event": "instalments.cancelled", **data})
    tx.publish("instalments.cancelled", data)
    return plan


def _holds_of(tx: Transaction, customer_id: str) -> tuple[Hold, ...]:
    known = tx.load_order(HOLD_IDS, customer_id, HoldIds)
    if known is None:
        return ()
    found = (tx.load_order(HOLDS, f"{customer_id}/{hold_id}", Hold) for hold_id in known.ids)
    return tuple(hold for hold in found if hold is not None)


def _save_hold(tx: Transaction, hold: Hold, topic: str) -> None:
    tx.save_order(HOLDS, f"{hold.customer_id}/{hold.id}", hold)
    data = _hold_data(hold)
    tx.append_journal(hold.customer_id, JOURNAL_KIND, {"event": topic, **data})
    tx.publish(topic, data)
