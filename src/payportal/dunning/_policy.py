"""The dunning policy: when to remind which invoice, at which level, with which charges."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, Final

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent
from payportal.accounts import CustomerAccount
from payportal.accounts._open_item import units_to_money
from payportal.customers import Customer
from payportal.documents import (
    Document,
    Invoice,
    LineItem,
    PaymentState,
    RemindedInvoice,
    Reminder,
)
from payportal.dunning._interest import (
    ContractualInterest,
    DebtorKind,
    InterestPeriod,
    StatutoryInterest,
    _percent,
    accrue_units,
    check_day,
    interest_units,
)
from payportal.exceptions import ValidationError

__all__ = [
    "BlockReason",
    "CountedFrom",
    "DefaultBegins",
    "DunningBlock",
    "DunningLevel",
    "DunningPolicy",
    "ProposedInvoice",
    "ReminderProposal",
]

#: § 288(5) BGB: 40 euros for a business debtor in default on a payment claim.
FLAT_FEE: Final = Money("40.00", "EUR")


class CountedFrom(enum.Enum):
    """What a level's ``days`` count from."""

    #: The invoice's due date (its issue date if it has none).
    DUE_DATE = "due_date"
    #: The day of the last reminder for the invoice (the due date for the first level).
    PREVIOUS_REMINDER = "previous_reminder"


class DefaultBegins(enum.Enum):
    """When the debtor is in default (§ 286 BGB), which is when interest and the § 288(5)
    flat fee start. payportal cannot tell from the documents; the merchant decides."""

    #: The day after the due date: the due date was set by the calendar in the contract
    #: (§ 286(2) no. 1), or the 30 days of § 286(3) have passed by then.
    AFTER_DUE_DATE = "after_due_date"
    #: With the first reminder (§ 286(1)): the first level charges no interest and no flat
    #: fee; interest runs from the first reminder's day.
    WITH_FIRST_REMINDER = "with_first_reminder"


class BlockReason(enum.Enum):
    """Why dunning is held for a customer or an invoice."""

    DISPUTE = "dispute"  # the customer disputes the invoice or the claim
    PAYMENT_PLAN = "payment_plan"  # instalments are agreed
    DIRECT_DEBIT = "direct_debit"  # a direct debit of the invoice is on its way to the bank
    OTHER = "other"


def _money_by_currency(value: object) -> object:
    """Converter: Money, an iterable of Money or a mapping of currency to Money, as a tuple
    sorted by currency (hashable and picklable, unlike a mapping proxy)."""
    if isinstance(value, Money):
        return (value,)
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        items = tuple(value)
        if all(isinstance(item, Money) for item in items):
            return tuple(sorted(items, key=lambda money: money.currency))
        return items
    return value  # the validator names the field


def _amounts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(Money, "Money")(instance, attribute, value)
    assert isinstance(value, tuple)
    seen: set[str] = set()
    for index, money in enumerate(value):
        if money.currency in seen:
            raise ValidationError(
                "names a currency twice (one amount per currency)",
                field=f"{attribute.name}[{index}].currency",
                value=money.currency,
            )
        seen.add(money.currency)
        if money.amount < 0:
            raise ValidationError(
                "must not be negative", field=f"{attribute.name}[{index}]", value=money
            )


def _in(amounts: tuple[Money, ...], currency: str) -> Money | None:
    for money in amounts:
        if money.currency == currency:
            return money
    return None


def _non_negative_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise v.fail(attribute, value, "must be a whole number of days, 0 or more")


@attrs.frozen(kw_only=True)
class DunningLevel:
    """One dunning level.

    Attributes:
        days: a reminder at this level is due ``days`` after the invoice's due date, or after
            the previous reminder (``counted_from``), plus the policy's grace days.
        fees: the fee per reminder at this level, one Money per currency (given as Money,
            a list of Money or a mapping of currency to Money; kept as a tuple sorted by
            currency); no fee when empty. A reminder in a currency the fees leave out
            raises, so a missing price is never a silent zero.
        payment_days: the reminder asks for payment within this many days of its date.
        counted_from: what ``days`` count from.
        title: the level's name for the app (``"Zahlungserinnerung"``, ``"1. Mahnung"``).

    Raises:
        ValidationError: a field is invalid.
    """

    days: int = attrs.field(validator=_non_negative_int)
    fees: tuple[Money, ...] = attrs.field(
        default=(), converter=_money_by_currency, validator=_amounts
    )
    payment_days: int = attrs.field(default=14, validator=_non_negative_int)
    counted_from: CountedFrom = attrs.field(
        default=CountedFrom.DUE_DATE, validator=v.instance_of(CountedFrom, "a CountedFrom")
    )
    title: str = attrs.field(default="", validator=v.single_line(100))

    def fee(self, currency: str, *, level: int = 0) -> Money:
        """The fee for a reminder in ``currency``.

        Raises:
            ValidationError: the level has fees, but none in ``currency``.
        """
        if not self.fees:
            return Money.zero(currency)
        fee = _in(self.fees, currency)
        if fee is None:
            where = f"levels[{level - 1}].fees" if level else "fees"
            raise ValidationError(
                f"has no fee in {currency}; add one (Money('0.00', {currency!r}) for none)",
                field=where,
                value=self.fees,
            )
        return fee


@attrs.frozen(kw_only=True)
class DunningBlock:
    """Hold dunning for a customer, or for one invoice of theirs, until ``until`` (included;
    None: until the block is lifted)."""

    customer_id: str = attrs.field(validator=v.non_empty_str)
    reason: BlockReason = attrs.field(validator=v.instance_of(BlockReason, "a BlockReason"))
    invoice_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    until: date | None = attrs.field(default=None, validator=v.optional_date)

    def holds(self, on: date) -> bool:
        """Whether the block is in force on ``on``."""
        return self.until is None or on <= self.until


@attrs.frozen
class ProposedInvoice:
    """One invoice of a proposed reminder and what it adds.

    Attributes:
        invoice_id, number, due_on: the invoice.
        amount_open: its open principal on the reminder's day.
        interest: default interest since the due date or the previous reminder (the exact
            sum of ``interest_periods``, rounded half up to the minor unit).
        interest_periods: the pieces it was computed from, one per rate and principal.
        flat_fee: the § 288(5) BGB flat fee, when this reminder claims it (once per invoice).
    """

    invoice_id: str
    number: str
    due_on: date
    amount_open: Money
    interest: Money
    interest_periods: tuple[InterestPeriod, ...]
    flat_fee: Money


@attrs.frozen
class ReminderProposal:
    """A reminder the policy says to send: one per customer and level.

    Nothing is stored or sent; build the document with :meth:`to_reminder`.

    Attributes:
        customer_id: whose invoices.
        level: the dunning level (1 is the first reminder).
        on: the reminder's day (``policy.due(..., on=)``).
        due_on: the payment deadline it states.
        invoices: the reminded invoices, oldest due date first.
        fee: the level's fee (waived when every invoice carries the § 288(5) flat fee,
            which is credited against the cost of dunning, § 288(5) sentence 3).
    """

    customer_id: str
    currency: str
    level: int
    on: date
    due_on: date
    invoices: tuple[ProposedInvoice, ...]
    fee: Money
    title: str = ""

    @property
    def principal(self) -> Money:
        """What is open on the reminded invoices."""
        return sum((i.amount_open for i in self.invoices), Money.zero(self.currency))

    @property
    def interest(self) -> Money:
        """The interest of all reminded invoices."""
        return sum((i.interest for i in self.invoices), Money.zero(self.currency))

    @property
    def flat_fees(self) -> Money:
        """The § 288(5) flat fees claimed with this reminder."""
        return sum((i.flat_fee for i in self.invoices), Money.zero(self.currency))

    @property
    def charges(self) -> Money:
        """Fee, flat fees and interest: what this reminder adds to the principal."""
        return self.fee + self.flat_fees + self.interest

    @property
    def total(self) -> Money:
        """Principal plus charges, as the reminder prints it."""
        return self.principal + self.charges

    def to_reminder(
        self,
        *,
        id: str,  # noqa: A002 - the document field's name
        number: str,
        lines: Iterable[LineItem] = (),
        title: str | None = None,
    ) -> Reminder:
        """The :class:`~payportal.documents.Reminder` for this proposal, dated :attr:`on`,
        with the level fee and flat fees as ``fee`` and the interest as ``interest``.

        Raises:
            ValidationError: ``id``, ``number`` or ``lines`` are invalid.
        """
        return Reminder(
            id=id,
            number=number,
            customer_id=self.customer_id,
            issued_on=self.on,
            currency=self.currency,
            due_on=self.due_on,
            lines=tuple(lines),
            title=self.title if title is None else title,
            reminded=tuple(
                RemindedInvoice(
                    invoice_id=i.invoice_id,
                    number=i.number,
                    amount_open=i.amount_open,
                    due_on=i.due_on,
                )
                for i in self.invoices
            ),
            level=self.level,
            fee=self.fee + self.flat_fees,
            interest=self.interest,
        )


def _levels(value: Iterable[DunningLevel]) -> tuple[DunningLevel, ...]:
    return v.to_tuple(value)


def _check_levels(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(DunningLevel, "a DunningLevel")(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "must hold at least one level")
    last_days: int | None = None
    for index, level in enumerate(value):
        if index and level.counted_from is CountedFrom.PREVIOUS_REMINDER and level.days < 1:
            raise ValidationError(
                "must be at least 1 day after the previous reminder",
                field=f"levels[{index}].days",
                value=level.days,
            )
        if index == 0 or level.counted_from is CountedFrom.DUE_DATE:
            if last_days is not None and level.days <= last_days:
                raise ValidationError(
                    f"must be more than the {last_days} days of an earlier level counted "
                    "from the due date",
                    field=f"levels[{index}].days",
                    value=level.days,
                )
            last_days = level.days


@attrs.frozen(kw_only=True)
class _History:
    # What the earlier reminders say about one invoice: the highest level, first and last day.
    level: int
    first_on: date
    last_on: date


@attrs.frozen(kw_only=True)
class DunningPolicy:
    """When to remind which invoice, at which level, with which fee and interest.

    Attributes:
        levels: the dunning levels, first to last. Levels counted from the due date must
            come ever later; a level counted from the previous reminder at least a day after.
        interest: default interest (:class:`StatutoryInterest`, § 288 BGB, or
            :class:`ContractualInterest`), or None for none.
        flat_fee: claim the § 288(5) BGB 40 € flat fee once per invoice from business
            debtors in default (EUR invoices only: the law names euros).
        default_begins: when the debtor is in default, for interest and the flat fee.
        grace_days: days added to every level's ``days``, for payments on their way.
        minimum: no reminder for an invoice with less open (one Money per currency).

    Earlier reminders are read as made under this policy: interest up to the day of the
    last reminder of an invoice counts as charged, and so does the flat fee once a
    reminder was made while the debtor was in default.

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    levels: tuple[DunningLevel, ...] = attrs.field(converter=_levels, validator=_check_levels)
    interest: StatutoryInterest | ContractualInterest | None = attrs.field(
        default=None,
        validator=v.optional(
            v.instance_of(
                (StatutoryInterest, ContractualInterest),
                "a StatutoryInterest or ContractualInterest",
            )
        ),
    )
    flat_fee: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    default_begins: DefaultBegins = attrs.field(
        default=DefaultBegins.AFTER_DUE_DATE,
        validator=v.instance_of(DefaultBegins, "a DefaultBegins"),
    )
    grace_days: int = attrs.field(default=0, validator=_non_negative_int)
    minimum: tuple[Money, ...] = attrs.field(
        default=(), converter=_money_by_currency, validator=_amounts
    )

    def minimum_in(self, currency: str) -> Money | None:
        """The minimum open amount for a reminder in ``currency``, if there is one."""
        return _in(self.minimum, currency)

    def due(
        self,
        account: CustomerAccount,
        documents: Iterable[Document],
        *,
        on: date,
        customer: Customer | None = None,
        debtor: DebtorKind | None = None,
        blocks: Iterable[DunningBlock] = (),
        due_dates: Mapping[str, date] | None = None,
        instalments: Mapping[str, Iterable[tuple[date, Money]]] | None = None,
    ) -> tuple[ReminderProposal, ...]:
        """The reminders to create for one customer on ``on``, lowest level first.

        An invoice is reminded at the level after the highest one it was reminded at (never
        skipping one, never the same twice) once that level's days (plus grace) have passed.
        No reminder is proposed for an invoice that is paid or cancelled, has nothing open
        on the account, is disputed or otherwise blocked, is under the minimum, or has had
        every level; nor for anything while the account's credit covers all it owes.

        Args:
            account: the customer's account; the open principal of an invoice is its open
                item's (keyed by the invoice number), or the invoice's ``amount_due`` when
                the account does not hold it. Part payments booked on the account lower
                the principal that bears interest from their day on.
            documents: the customer's invoices and reminders (other documents are ignored;
                cancelled reminders do not count).
            on: the day of the reminders.
            customer: the customer, to tell a consumer from a business (:meth:`DebtorKind.of`).
            debtor: say it directly instead (wins over ``customer``).
            blocks: dunning blocks; those of other customers are ignored.
            due_dates: due dates agreed later, by invoice id (an accepted extension,
                :meth:`payportal.arrangements.Arrangements.due_dates`): levels, default and
                interest count from them instead of the invoice's own due date.
            instalments: the instalments of invoices paid under an active plan, by invoice
                id, as ``(due date, amount)`` pairs
                (:meth:`payportal.arrangements.Arrangements.instalment_schedules`): only the
                principal in default is reminded and bears interest, on each day what is
                open less the instalments not yet due on that day.

        Raises:
            ValidationError: a document or block of another customer, an invoice in another
                currency than the account, a day outside the base-rate table, statutory
                interest or flat fee without ``customer`` or ``debtor``, a level without
                a fee in the account's currency, or an instalment that is not a date and
                positive money in the account's currency.
        """
        on = check_day(on, "on")
        if not isinstance(account, CustomerAccount):
            raise ValidationError("must be a CustomerAccount", field="account", value=account)
        customer_id = account.customer_id
        debtor = _debtor(customer_id, customer, debtor)
        held = _held(customer_id, blocks, on)
        if held is None:
            return ()
        invoices, history = _read(customer_id, documents)
        if not invoices or account.balance.amount <= 0:
            return ()
        run = _Run(self, account, on, debtor)
        run.due_dates = _due_dates(due_dates)
        run.schedules = _schedules(instalments, run.currency)
        groups: dict[int, list[tuple[ProposedInvoice, bool]]] = {}
        for index, invoice in enumerate(invoices):
            if invoice.currency != run.currency:
                raise ValidationError(
                    f"must be in the account's currency {run.currency}",
                    field=f"invoices[{index}].currency",
                    value=invoice.currency,
                )
            if invoice.id in held:
                continue
            found = run.propose(invoice, history.get(invoice.id))
            if found is not None:
                groups.setdefault(found[0], []).append(found[1:])
        return tuple(run.reminder(number, groups[number]) for number in sorted(groups))


def _due_dates(value: Mapping[str, date] | None) -> Mapping[str, date]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError("must map invoice ids to dates", field="due_dates", value=value)
    for invoice_id, day in value.items():
        check_day(day, f"due_dates[{invoice_id!r}]")
    return value


def _schedules(
    value: Mapping[str, Iterable[tuple[date, Money]]] | None, currency: str
) -> dict[str, tuple[tuple[int, int], ...]]:
    """Per invoice id, its instalments as (due date ordinal, minor units), by due date."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(
            "must map invoice ids to instalments", field="instalments", value=value
        )
    found: dict[str, tuple[tuple[int, int], ...]] = {}
    for invoice_id, schedule in value.items():
        pairs = []
        for index, pair in enumerate(schedule):
            field = f"instalments[{invoice_id!r}][{index}]"
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise ValidationError("must be a (due date, amount) pair", field=field, value=pair)
            day, amount = pair
            check_day(day, field)
            if not isinstance(amount, Money) or amount.currency != currency or amount.amount <= 0:
                raise ValidationError(
                    f"must be positive Money in {currency}", field=field, value=amount
                )
            pairs.append((day.toordinal(), amount.minor_units))
        found[invoice_id] = tuple(sorted(pairs))
    return found


def _not_yet_due(schedule: tuple[tuple[int, int], ...], day: int) -> int:
    """The units of the instalments not yet due on ``day`` (due that day or later)."""
    return sum(units for due, units in schedule if due >= day)


def _in_default(
    balances: list[tuple[int, int]],
    span: tuple[int, int],
    schedule: tuple[tuple[int, int], ...],
) -> list[tuple[int, int]]:
    """``balances`` (see :func:`accrue_units`) less, on each day, the instalments not yet
    due: the pieces are cut at every due date, so that each keeps one such amount."""
    start, end = span
    cuts = sorted(due for due, _ in schedule if start < due < end)
    result: list[tuple[int, int]] = []
    first = start + 1
    for index, (until, units) in enumerate(balances):
        last = end if index == len(balances) - 1 else min(until, end)
        while first <= last:
            piece_last = next((cut for cut in cuts if first <= cut < last), last)
            result.append((piece_last, max(0, units - _not_yet_due(schedule, piece_last))))
            first = piece_last + 1
        if first > end:
            break
    return result


def _debtor(
    customer_id: str, customer: Customer | None, debtor: DebtorKind | None
) -> DebtorKind | None:
    if customer is not None:
        if not isinstance(customer, Customer):
            raise ValidationError("must be a Customer", field="customer", value=customer)
        if customer.id != customer_id:
            raise ValidationError(
                f"must be the account's customer {customer_id!r}",
                field="customer.id",
                value=customer.id,
            )
    if debtor is not None:
        if not isinstance(debtor, DebtorKind):
            raise ValidationError("must be a DebtorKind", field="debtor", value=debtor)
        return debtor
    return None if customer is None else DebtorKind.of(customer)


def _held(customer_id: str, blocks: Iterable[DunningBlock], on: date) -> set[str] | None:
    """The ids of the blocked invoices, or None when the whole customer is blocked."""
    held: set[str] = set()
    for index, block in enumerate(blocks):
        if not isinstance(block, DunningBlock):
            raise ValidationError("must be a DunningBlock", field=f"blocks[{index}]", value=block)
        if block.customer_id != customer_id or not block.holds(on):
            continue
        if block.invoice_id is None:
            return None
        held.add(block.invoice_id)
    return held


def _read(
    customer_id: str, documents: Iterable[Document]
) -> tuple[list[Invoice], dict[str, _History]]:
    """The invoices, and per invoice id what the (not cancelled) reminders say about it."""
    invoices: list[Invoice] = []
    history: dict[str, _History] = {}
    for index, document in enumerate(documents):
        if not isinstance(document, Document):
            raise ValidationError("must be a document", field=f"documents[{index}]", value=document)
        if document.customer_id != customer_id:
            raise ValidationError(
                f"must belong to the account's customer {customer_id!r}",
                field=f"documents[{index}].customer_id",
                value=document.customer_id,
            )
        if isinstance(document, Invoice):
            invoices.append(document)
        elif isinstance(document, Reminder) and document.state is not PaymentState.CANCELLED:
            day = document.issued_on
            for invoice_id in document.invoice_ids:
                seen = history.get(invoice_id)
                if seen is None:
                    history[invoice_id] = _History(level=document.level, first_on=day, last_on=day)
                else:
                    history[invoice_id] = _History(
                        level=max(seen.level, document.level),
                        first_on=min(seen.first_on, day),
                        last_on=max(seen.last_on, day),
                    )
    return invoices, history


class _Run:
    """One call of :meth:`DunningPolicy.due`: what every invoice of the account shares."""

    def __init__(
        self, policy: DunningPolicy, account: CustomerAccount, on: date, debtor: DebtorKind | None
    ) -> None:
        self.policy = policy
        self.account = account
        self.customer_id = account.customer_id
        self.currency = currency = account.currency
        self.exponent = currency_exponent(currency)
        self.zero = Money.zero(currency)
        minimum = policy.minimum_in(currency)
        self.minimum_units = 0 if minimum is None else minimum.minor_units
        self.on = on
        self.on_ordinal = on.toordinal()
        self.debtor = debtor
        self.after_due = policy.default_begins is DefaultBegins.AFTER_DUE_DATE
        self.flat_fee = policy.flat_fee and currency == FLAT_FEE.currency
        self._payments: dict[str, list[tuple[int, int]]] | None = None
        self.due_dates: Mapping[str, date] = {}
        self.schedules: Mapping[str, tuple[tuple[int, int], ...]] = {}

    def _money(self, units: int) -> Money:
        return units_to_money(units, self.currency, self.exponent)

    def propose(
        self, invoice: Invoice, seen: _History | None
    ) -> tuple[int, ProposedInvoice, bool] | None:
        """(level, proposed invoice, whether it carries the flat fee), or None."""
        if invoice.state is PaymentState.PAID or invoice.state is PaymentState.CANCELLED:
            return None
        item = self.account.items.get(invoice.number)
        principal = item.units[2] if item is not None else invoice.amount_due.minor_units
        schedule = self.schedules.get(invoice.id)
        on_ordinal = self.on_ordinal
        # Under a plan, only what is due: the open principal less the instalments to come.
        open_units = (
            principal if schedule is None else principal - _not_yet_due(schedule, on_ordinal)
        )
        if open_units <= 0 or open_units < self.minimum_units:
            return None
        due_on = self.due_dates.get(invoice.id) or invoice.due_on or invoice.issued_on
        due_ordinal = due_on.toordinal()
        if on_ordinal <= due_ordinal:
            return None
        levels = self.policy.levels
        reached = 0 if seen is None else seen.level
        if reached >= len(levels):
            return None
        level = levels[reached]
        last = None if seen is None else seen.last_on.toordinal()
        counted_from_reminder = level.counted_from is CountedFrom.PREVIOUS_REMINDER
        anchor = last if counted_from_reminder and last is not None else due_ordinal
        if on_ordinal < anchor + level.days + self.policy.grace_days:
            return None
        if last is not None and on_ordinal <= last:
            return None  # reminded today already (or later): at most one reminder a day
        # In default from the day after the due date, or with the first reminder.
        in_default = self.after_due or seen is not None
        interest: Money = self.zero
        periods: tuple[InterestPeriod, ...] = ()
        if self.policy.interest is not None and in_default:
            start = due_ordinal if last is None else last
            interest, periods = self._interest(invoice.number, principal, start, schedule)
        flat_fee, carries_flat_fee = self.zero, False
        if self.flat_fee and in_default and self._business():
            carries_flat_fee = True
            # Claimed once per invoice: by the first reminder made while in default.
            if seen is None or (not self.after_due and reached < 2):
                flat_fee = FLAT_FEE
        proposed = ProposedInvoice(
            invoice.id,
            invoice.number,
            due_on,
            self._money(open_units),
            interest,
            periods,
            flat_fee,
        )
        return reached + 1, proposed, carries_flat_fee

    def _business(self) -> bool:
        if self.debtor is None:
            raise ValidationError(
                "must be given (customer= or debtor=): the § 288(5) BGB flat fee applies to "
                "business debtors only",
                field="debtor",
                value=None,
            )
        return self.debtor is DebtorKind.BUSINESS

    def _interest(
        self,
        key: str,
        open_units: int,
        start: int,
        schedule: tuple[tuple[int, int], ...] | None = None,
    ) -> tuple[Money, tuple[InterestPeriod, ...]]:
        rule = self.policy.interest
        assert rule is not None
        if self._payments is None:
            self._payments = _payments_by_item(self.account)
        balances = _balances(self._payments.get(key, ()), open_units, start)
        if schedule is not None:
            balances = _in_default(balances, (start, self.on_ordinal), schedule)
        pieces: list[tuple[int, int, int, int]] = []
        numerator = accrue_units(rule, self.debtor, (start, self.on_ordinal), balances, pieces)
        periods = tuple(
            InterestPeriod(
                date.fromordinal(first), date.fromordinal(last), self._money(units), _percent(rate)
            )
            for first, last, units, rate in pieces
        )
        return self._money(interest_units(numerator)), periods

    def reminder(
        self, number: int, entries: list[tuple[ProposedInvoice, bool]]
    ) -> ReminderProposal:
        level = self.policy.levels[number - 1]
        fee = level.fee(self.currency, level=number)
        if all(carries for _, carries in entries):
            fee = self.zero  # credited against the flat fee, § 288(5) sentence 3 BGB
        entries.sort(key=lambda entry: (entry[0].due_on, entry[0].number))
        return ReminderProposal(
            customer_id=self.customer_id,
            currency=self.currency,
            level=number,
            on=self.on,
            due_on=self.on + timedelta(days=level.payment_days),
            invoices=tuple(entry[0] for entry in entries),
            fee=fee,
            title=level.title,
        )


def _payments_by_item(account: CustomerAccount) -> dict[str, list[tuple[int, int]]]:
    """Per item key, the (day, principal units) of every payment booked on it."""
    if not account.allocations:
        return {}
    booked = {entry.reference: entry.on for entry in account.ledger}
    found: dict[str, list[tuple[int, int]]] = {}
    for payment_id, result in account.allocations.items():
        day = result.paid_on or booked.get(payment_id)
        if day is None:
            continue
        for key, parts in result.settled_units().items():
            if parts[2]:
                found.setdefault(key, []).append((day.toordinal(), parts[2]))
    return found


def _balances(paid: Iterable[tuple[int, int]], open_now: int, start: int) -> list[tuple[int, int]]:
    """(last day, units) pairs from ``start`` on: before each payment after ``start`` the
    principal was higher by what it paid."""
    later = sorted((day, units) for day, units in paid if day > start)
    if not later:
        return [(start, open_now)]
    balances = []
    before = open_now + sum(units for _, units in later)
    for day, units in later:
        balances.append((day, before))
        before -= units
    balances.append((later[-1][0], before))
    return balances
