"""The customer account: open items, credit balance, applied payments and the ledger."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent, is_currency
from payportal.accounts._due import Due, dues_of
from payportal.accounts._open_item import KIND_ORDER, ComponentKind, OpenItem, units_to_money
from payportal.accounts._prepaid import PrepaidAccount, TopUpMethod
from payportal.allocation._result import (
    AllocationLine,
    AllocationResult,
    OverpaymentPolicy,
    Strategy,
)
from payportal.allocation._reverse import reverse
from payportal.exceptions import (
    AllocationError,
    CurrencyMismatchError,
    InvalidTransitionError,
    UnknownCurrencyError,
    ValidationError,
)

__all__ = [
    "AccountStatement",
    "AccountStatementLine",
    "CustomerAccount",
    "EntryKind",
    "LedgerEntry",
    "RefundRequest",
]


class EntryKind(enum.Enum):
    """What a ledger entry records."""

    ITEM = "item"  # a new open item: the customer owes more
    PAYMENT = "payment"  # money received
    DISCOUNT = "discount"  # cash discount taken (or, positive, undone)
    WRITE_OFF = "write_off"  # shortfall within tolerance written off (or undone)
    TRANSFER = "transfer"  # overpayment moved to the prepaid account or a refund (or back)
    REVERSAL = "reversal"  # a refund or chargeback of a payment
    WAIVER = "waiver"  # costs or interest waived by the merchant (a reminder fee)


@attrs.frozen
class LedgerEntry:
    """One booking; ``amount`` is positive when it raises what the customer owes."""

    on: date
    kind: EntryKind
    reference: str
    amount: Money


@attrs.frozen
class AccountStatementLine:
    """A ledger entry with the balance after it."""

    entry: LedgerEntry
    balance: Money


@attrs.frozen
class AccountStatement:
    """An account statement: opening balance, the entries of the period, closing balance.

    Balances are what the customer owes (negative: what the merchant owes the customer).
    """

    opening: Money
    lines: tuple[AccountStatementLine, ...]
    closing: Money


@attrs.frozen
class RefundRequest:
    """An overpayment that is to be paid back (:attr:`OverpaymentPolicy.REFUND`)."""

    payment_id: str
    amount: Money


def _to_items(value: Iterable[OpenItem] | Mapping[str, OpenItem]) -> Mapping[str, OpenItem]:
    if isinstance(value, MappingProxyType):
        return value
    items = list(value.values()) if isinstance(value, Mapping) else list(value)
    by_key: dict[str, OpenItem] = {}
    for index, item in enumerate(items):
        if not isinstance(item, OpenItem):
            raise ValidationError("must be an OpenItem", field=f"items[{index}]", value=item)
        if item.key in by_key:
            raise ValidationError(
                "repeats the key of an earlier item", field=f"items[{index}].key", value=item.key
            )
        by_key[item.key] = item
    return MappingProxyType(by_key)


def _to_allocations(value: Mapping[str, AllocationResult]) -> Mapping[str, AllocationResult]:
    return MappingProxyType(dict(value))


def _to_ids(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not is_currency(value):
        raise UnknownCurrencyError(
            "is not a known ISO 4217 currency code", field=attribute.name, value=value
        )


def _check_day(on: object, field: str = "on") -> date:
    if not isinstance(on, date) or isinstance(on, datetime):
        raise ValidationError("must be a date", field=field, value=on)
    return on


@attrs.frozen(kw_only=True)
class CustomerAccount:
    """A customer's account with the merchant; immutable, every change returns a new one.

    ``balance`` is what the customer owes: the open items less the credit balance. Payments
    are allocated with :meth:`allocate` (pure) and booked with :meth:`apply`, which checks
    the whole result against the account before it changes anything.

    >>> from payportal.allocation import OverpaymentPolicy, Strategy
    >>> item = OpenItem.simple("RE-1", Money("80.00", "EUR"), due=date(2026, 2, 1))
    >>> account = CustomerAccount(customer_id="42", currency="EUR", items=[item])
    >>> result = account.allocate(Money("100.00", "EUR"), strategy=Strategy.OLDEST_FIRST,
    ...                           paid_on=date(2026, 2, 3), payment_id="P-1")
    >>> account = account.apply(result)
    >>> account.balance, account.credit_balance
    (Money('-20.00', 'EUR'), Money('20.00', 'EUR'))
    >>> account.reverse("P-1", on=date(2026, 2, 9)).balance
    Money('80.00', 'EUR')

    Attributes:
        customer_id: the customer the account belongs to.
        currency: the account's currency; every amount on it is in this currency.
        items: the open items by key (settled items stay, with nothing open).
        credit_balance: overpayments kept for the next invoices.
        prepaid: the customer's prepaid account.
        allocations: the applied allocations by payment id, as they stand after reversals.
        credit_funded: ids of allocations paid from the credit balance.
        refunds_due: overpayments to pay back.
        ledger: every booking, in the order it was made.
    """

    customer_id: str = attrs.field(validator=v.non_empty_str)
    currency: str = attrs.field(validator=_currency)
    items: Mapping[str, OpenItem] = attrs.field(factory=dict, converter=_to_items)
    credit_balance: Money = attrs.field()
    prepaid: PrepaidAccount = attrs.field()
    allocations: Mapping[str, AllocationResult] = attrs.field(
        factory=dict, converter=_to_allocations
    )
    credit_funded: frozenset[str] = attrs.field(default=frozenset(), converter=_to_ids)
    refunds_due: tuple[RefundRequest, ...] = attrs.field(default=(), converter=v.to_tuple)
    ledger: tuple[LedgerEntry, ...] = attrs.field(default=(), converter=v.to_tuple)

    @credit_balance.default
    def _no_credit(self) -> Money:
        return Money.zero(self.currency)

    @prepaid.default
    def _empty_prepaid(self) -> PrepaidAccount:
        return PrepaidAccount(currency=self.currency)

    def __attrs_post_init__(self) -> None:
        for key, item in self.items.items():
            if item.currency != self.currency:
                raise ValidationError(
                    f"must be in the account's currency {self.currency}",
                    field=f"items[{key!r}]",
                    value=item,
                )
        credit = self.credit_balance
        if not isinstance(credit, Money) or credit.currency != self.currency or credit.amount < 0:
            raise ValidationError(
                f"must be Money in {self.currency}, not negative",
                field="credit_balance",
                value=credit,
            )
        if not isinstance(self.prepaid, PrepaidAccount) or self.prepaid.currency != self.currency:
            raise ValidationError(
                f"must be a PrepaidAccount in {self.currency}", field="prepaid", value=self.prepaid
            )

    def _money(self, units: int) -> Money:
        return units_to_money(units, self.currency, currency_exponent(self.currency))

    @property
    def open_total(self) -> Money:
        """The sum of what is open on all items."""
        return self._money(sum(item.open_units for item in self.items.values()))

    @property
    def balance(self) -> Money:
        """What the customer owes: open items less credit balance (negative: in credit)."""
        return self.open_total - self.credit_balance

    @property
    def open_items(self) -> tuple[OpenItem, ...]:
        """The items with something open, oldest first."""
        return tuple(sorted((i for i in self.items.values() if i.open_units), key=lambda i: i.rank))

    def dues(self) -> tuple[Due, ...]:
        """What the customer is asked to pay, each open amount once, oldest first.

        A reminder's due carries the reminded invoices that are still open (their
        principal is listed under the reminder, not beside it), and reminders of the same
        open invoice are one due; every other item with something open is a due of its
        own. List these in a portal, not the items, and nothing is shown as due twice:
        the amounts add up to :attr:`open_total`. Paying a due's :attr:`Due.keys` (or
        its documents) with its amount settles exactly its items.

        >>> from payportal.accounts import Component, ComponentKind
        >>> invoice = OpenItem.simple("RE-1", Money("100.00", "EUR"), due=date(2026, 3, 1))
        >>> reminder = OpenItem(
        ...     key="MA-1", components=[Component(ComponentKind.COSTS, Money("5.00", "EUR"))],
        ...     due_on=date(2026, 3, 20), reminds=["RE-1"])
        >>> account = CustomerAccount(customer_id="42", currency="EUR", items=[invoice, reminder])
        >>> [(d.key, d.amount, d.charges, d.includes) for d in account.dues()]
        [('MA-1', Money('105.00', 'EUR'), Money('5.00', 'EUR'), ('RE-1',))]
        >>> account.open_total
        Money('105.00', 'EUR')
        """
        return dues_of(self.items.values(), self.currency)

    def waive(
        self,
        key: str,
        *,
        reason: str,
        on: date,
        kind: ComponentKind = ComponentKind.COSTS,
        amount: Money | None = None,
    ) -> CustomerAccount:
        """Waive costs or interest still open on the item ``key`` (a reminder fee), all or
        nothing; the ledger records a WAIVER entry under the key.

        Principal is not waived here: settle it with a credit note.

        Args:
            key: the item (a reminder's number).
            reason: why, for the records (the booking's journal keeps it); not empty.
            on: the booking day.
            kind: COSTS (the default: fees) or INTEREST.
            amount: how much; all that is open of ``kind`` if omitted.

        Raises:
            ValidationError: an argument is invalid, ``key`` names no item on the account,
                ``kind`` is PRINCIPAL, or ``amount`` is not positive or more than is open.
            InvalidTransitionError: nothing of ``kind`` is open on the item.
            CurrencyMismatchError: ``amount`` is in another currency.
        """
        day = _check_day(on)
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("must say why the charge is waived", field="reason", value=reason)
        item = self.items.get(key) if isinstance(key, str) else None
        if item is None:
            raise ValidationError("names no item on the account", field="key", value=key)
        if kind is not ComponentKind.COSTS and kind is not ComponentKind.INTEREST:
            raise ValidationError(
                "must be COSTS or INTEREST; settle principal with a credit note",
                field="kind",
                value=kind,
            )
        index = KIND_ORDER.index(kind)
        open_units = item.units[index]
        if not open_units:
            raise InvalidTransitionError(f"nothing of {kind.value} is open on {key!r} to waive")
        if amount is None:
            units = open_units
        else:
            if not isinstance(amount, Money):
                raise ValidationError("must be Money or None", field="amount", value=amount)
            if amount.currency != self.currency:
                raise CurrencyMismatchError(
                    f"cannot waive {amount} on an account in {self.currency}"
                )
            units = amount.minor_units
            if units <= 0 or units > open_units:
                raise ValidationError(
                    f"must be more than zero and at most the {self._money(open_units)} of "
                    f"{kind.value} open on {key!r}",
                    field="amount",
                    value=amount,
                )
        left = list(item.units)
        left[index] -= units
        entry = LedgerEntry(day, EntryKind.WAIVER, key, -self._money(units))
        return attrs.evolve(
            self,
            items={**self.items, key: item.with_units(left)},
            ledger=(*self.ledger, entry),
        )

    def add(self, item: OpenItem, *, on: date | None = None) -> CustomerAccount:
        """Add a new open item, booked on ``on`` (default: its issue date).

        Raises:
            ValidationError: ``item`` is not an OpenItem, or its key is already on the account.
            CurrencyMismatchError: ``item`` is in another currency.
        """
        if not isinstance(item, OpenItem):
            raise ValidationError("must be an OpenItem", field="item", value=item)
        if item.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot add an item in {item.currency} to an account in {self.currency}"
            )
        if item.key in self.items:
            raise ValidationError("is already on the account", field="item.key", value=item.key)
        day = _check_day(item.issued_on if on is None else on)
        entry = LedgerEntry(day, EntryKind.ITEM, item.key, item.amount_open)
        return attrs.evolve(
            self, items={**self.items, item.key: item}, ledger=(*self.ledger, entry)
        )

    def allocate(self, payment: Money, *, strategy: Strategy, **options: Any) -> AllocationResult:
        """Allocate ``payment`` over this account's items (pure; book it with :meth:`apply`).

        Takes the keyword arguments of :func:`payportal.allocation.allocate`.
        """
        # payportal.allocation imports OpenItem from this package: import the engine late.
        from payportal.allocation._allocate import allocate  # noqa: PLC0415

        return allocate(payment, self.items.values(), strategy=strategy, **options)

    def _settle(self, result: AllocationResult) -> dict[str, OpenItem]:
        """The items after ``result``, or AllocationError if it does not fit this account."""
        changed: dict[str, OpenItem] = {}
        for key, parts in result.settled_units().items():
            item = self.items.get(key)
            if item is None:
                raise AllocationError(f"the result settles {key!r}, which is not on the account")
            if any(p > u for p, u in zip(parts, item.units, strict=True)):
                raise AllocationError(
                    f"the result settles more on {key!r} than is open on it; "
                    "allocate again over the account as it is now"
                )
            left = tuple(u - p for u, p in zip(item.units, parts, strict=True))
            changed[key] = item.with_units(left)
        return changed

    def apply(
        self, result: AllocationResult, *, on: date | None = None, from_credit: bool = False
    ) -> CustomerAccount:
        """Book an allocation result; all or nothing.

        The overpayment follows the result's policy: kept as credit balance, credited to the
        prepaid account, or recorded as a refund request.

        Args:
            result: an allocation over this account's items.
            on: the booking day; defaults to the result's ``paid_on``.
            from_credit: the result spends the credit balance rather than new money.

        Raises:
            AllocationError: the result has no payment id or one already applied, names an
                item the account does not hold, or settles more than is open (it was
                computed on another state of the account), or spends more credit than
                the account has.
            CurrencyMismatchError: the result is in another currency.
            ValidationError: no booking day is known.
        """
        if not isinstance(result, AllocationResult):
            raise ValidationError("must be an AllocationResult", field="result", value=result)
        if result.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot apply a payment in {result.currency} to an account in {self.currency}"
            )
        pid = result.payment_id
        if not pid.strip():
            raise AllocationError("the result needs a payment_id to be applied to an account")
        if pid in self.allocations:
            raise AllocationError(f"payment {pid!r} is already applied to the account")
        day = _check_day(result.paid_on if on is None else on)
        changed = self._settle(result)

        credit = self.credit_balance
        prepaid = self.prepaid
        refunds = self.refunds_due
        entries = [*self.ledger]
        if from_credit:
            if result.unapplied:
                raise AllocationError("a result paid from credit must not leave money unapplied")
            if result.payment > credit:
                raise AllocationError(
                    f"the result spends {result.payment} of credit; the account has {credit}"
                )
            credit -= result.payment
        else:
            entries.append(LedgerEntry(day, EntryKind.PAYMENT, pid, -result.payment))
        entries += self._entries(day, pid, EntryKind.DISCOUNT, result.discounts, -1)
        entries += self._entries(day, pid, EntryKind.WRITE_OFF, result.write_offs, -1)
        if result.unapplied:
            if result.overpayment is OverpaymentPolicy.CREDIT_BALANCE:
                credit += result.unapplied
            else:
                if result.overpayment is OverpaymentPolicy.PREPAID:
                    prepaid = prepaid.top_up(
                        result.unapplied, method=TopUpMethod.OVERPAYMENT, reference=pid
                    )
                else:
                    refunds = (*refunds, RefundRequest(pid, result.unapplied))
                entries.append(LedgerEntry(day, EntryKind.TRANSFER, pid, result.unapplied))
        return attrs.evolve(
            self,
            items={**self.items, **changed},
            credit_balance=credit,
            prepaid=prepaid,
            refunds_due=refunds,
            # Kept without the items it was allocated over: the account holds those itself.
            allocations={**self.allocations, pid: attrs.evolve(result, items=None)},
            credit_funded=self.credit_funded | {pid} if from_credit else self.credit_funded,
            ledger=tuple(entries),
        )

    @staticmethod
    def _entries(
        day: date, pid: str, kind: EntryKind, lines: Iterable[AllocationLine], sign: int
    ) -> list[LedgerEntry]:
        return [LedgerEntry(day, kind, f"{pid}:{line.item}", line.amount * sign) for line in lines]

    def use_credit(
        self, *, strategy: Strategy, on: date, payment_id: str, **options: Any
    ) -> CustomerAccount:
        """Spend the credit balance on the open items (the next invoices), as far as it goes.

        Takes the keyword arguments of :func:`payportal.allocation.allocate`; ``on`` is
        also the ``paid_on`` of the allocation. Returns the account unchanged if there is
        no credit or nothing open.

        Raises:
            AllocationError: ``payment_id`` is already used.
        """
        if not self.credit_balance or not self.open_total:
            return self
        result = self.allocate(
            self.credit_balance,
            strategy=strategy,
            paid_on=_check_day(on),
            payment_id=payment_id,
            **options,
        )
        spent = attrs.evolve(result, payment=result.allocated, unapplied=Money.zero(self.currency))
        return self.apply(spent, on=on, from_credit=True)

    def reverse(self, payment_id: str, amount: Money | None = None, *, on: date) -> CustomerAccount:
        """Reverse a booked payment for a refund or chargeback, wholly or partly.

        The open amounts of the items come back exactly (see
        :func:`payportal.allocation.reverse` for the order of a partial reversal). Money
        taken back from the overpayment comes off the credit balance, the prepaid account or
        the refund request, whichever the policy used; an allocation paid from credit returns
        its money to the credit balance.

        Raises:
            AllocationError: no payment with this id is booked, or its overpayment was
                already spent from the credit balance or refunded.
            InsufficientFundsError: the overpayment went to the prepaid account, which no
                longer holds it.
            ValidationError: ``amount`` is not positive or more than the payment.
        """
        day = _check_day(on)
        standing = self.allocations.get(payment_id)
        if standing is None:
            raise AllocationError(f"no payment {payment_id!r} is applied to the account")
        reversal = reverse(standing, amount)
        restored: dict[str, list[int]] = {}
        for line in (*reversal.lines, *reversal.discounts, *reversal.write_offs):
            parts = restored.setdefault(line.item, [0, 0, 0])
            parts[KIND_ORDER.index(line.component)] += line.amount.minor_units
        changed = {
            key: self.items[key].with_units(
                tuple(u + p for u, p in zip(self.items[key].units, parts, strict=True))
            )
            for key, parts in restored.items()
        }

        credit = self.credit_balance
        prepaid = self.prepaid
        refunds = self.refunds_due
        entries = [*self.ledger]
        taken = reversal.unapplied
        if payment_id in self.credit_funded:
            credit += reversal.amount
        else:
            entries.append(LedgerEntry(day, EntryKind.REVERSAL, payment_id, reversal.amount))
        if taken and standing.overpayment is OverpaymentPolicy.CREDIT_BALANCE:
            if taken > credit:
                raise AllocationError(
                    f"cannot take back {taken} of credit from payment {payment_id!r}: "
                    f"the account holds only {credit}, the rest was spent"
                )
            credit -= taken
        elif taken:
            if standing.overpayment is OverpaymentPolicy.PREPAID:
                prepaid = prepaid.charge(taken, reference=f"reversal:{payment_id}")
            else:
                refunds = self._reduce_refund(payment_id, taken)
            entries.append(LedgerEntry(day, EntryKind.TRANSFER, payment_id, -taken))
        entries += self._entries(day, payment_id, EntryKind.DISCOUNT, reversal.discounts, 1)
        entries += self._entries(day, payment_id, EntryKind.WRITE_OFF, reversal.write_offs, 1)
        allocations = dict(self.allocations)
        if reversal.remaining.payment:
            allocations[payment_id] = reversal.remaining
        else:
            del allocations[payment_id]
        return attrs.evolve(
            self,
            items={**self.items, **changed},
            credit_balance=credit,
            prepaid=prepaid,
            refunds_due=refunds,
            allocations=allocations,
            ledger=tuple(entries),
        )

    def _reduce_refund(self, payment_id: str, amount: Money) -> tuple[RefundRequest, ...]:
        for index, request in enumerate(self.refunds_due):
            if request.payment_id == payment_id and request.amount >= amount:
                rest = request.amount - amount
                kept = (RefundRequest(payment_id, rest),) if rest else ()
                return self.refunds_due[:index] + kept + self.refunds_due[index + 1 :]
        raise AllocationError(
            f"cannot take back {amount} of the refund of payment {payment_id!r}: "
            "it is no longer pending"
        )

    def refund_paid(self, payment_id: str) -> CustomerAccount:
        """Drop the refund request of ``payment_id`` once the money was paid back.

        Raises:
            AllocationError: no refund request for this payment is pending.
        """
        kept = tuple(r for r in self.refunds_due if r.payment_id != payment_id)
        if len(kept) == len(self.refunds_due):
            raise AllocationError(f"no refund of payment {payment_id!r} is pending")
        return attrs.evolve(self, refunds_due=kept)

    def statement(self, start: date | None = None, end: date | None = None) -> AccountStatement:
        """The ledger entries booked from ``start`` to ``end`` (inclusive), with balances.

        The opening balance is worked back from today's balance, so items the account was
        created with count as already open before the first entry.
        """
        first = date.min if start is None else _check_day(start, "start")
        last = date.max if end is None else _check_day(end, "end")
        currency = self.currency
        # One pass, summed as Decimals, not Money: every amount is in the account's currency
        # (bench_account_statement: 100k documents and 100k payments).
        since = Decimal(0)
        period = []
        for entry in self.ledger:
            day = entry.on
            if day >= first:
                since += entry.amount.amount
                if day <= last:
                    period.append(entry)
        period.sort(key=_day_of)  # stable: one day's entries stay in booking order
        opening = self.balance - Money._of(since, currency)
        running = opening.amount
        lines = []
        for entry in period:
            running += entry.amount.amount
            lines.append(AccountStatementLine(entry, Money._of(running, currency)))
        return AccountStatement(
            opening=opening, lines=tuple(lines), closing=Money._of(running, currency)
        )


def _day_of(entry: LedgerEntry) -> date:
    return entry.on
