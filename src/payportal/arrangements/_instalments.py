"""Instalment plans: an invoice's open amount (plus an optional fee) split into instalments
that add up exactly, settled in order by what has been paid."""

from __future__ import annotations

import enum
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.dunning import BlockReason, DunningBlock
from payportal.exceptions import CurrencyMismatchError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "Instalment",
    "InstalmentPlan",
    "InstalmentStatus",
    "InstalmentTerms",
    "PlanProgress",
    "PlanState",
    "plans_blocks",
    "split_instalments",
]


def _positive_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise v.fail(attribute, value, "must be a whole number, 1 or more")


def _non_negative_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise v.fail(attribute, value, "must be a whole number, 0 or more")


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise v.fail(attribute, value, "must be Money of more than zero")


def _optional_fee(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, Money) or value.amount < 0):
        raise v.fail(attribute, value, "must be None or Money of zero or more")


@attrs.frozen(kw_only=True)
class Instalment:
    """One instalment: its position (1 is the first), due date and amount."""

    number: int = attrs.field(validator=_positive_int)
    due_on: date = attrs.field(validator=v.a_date)
    amount: Money = attrs.field(validator=_positive_money)


def split_instalments(
    total: Money, count: int, *, first_due_on: date, interval_days: int = 30
) -> tuple[Instalment, ...]:
    """``total`` split into ``count`` instalments ``interval_days`` apart from
    ``first_due_on``, which differ by at most one minor unit and add up to ``total``
    exactly (the earlier instalments take the units left over).

    >>> [str(i.amount) for i in split_instalments(Money("100.00", "EUR"), 3,
    ...                                           first_due_on=date(2026, 5, 1))]
    ['33.34 EUR', '33.33 EUR', '33.33 EUR']

    Raises:
        ValidationError: ``total`` is not positive, ``count`` is not a positive int or more
            than there are minor units in ``total`` (an instalment would be zero), or
            ``interval_days`` is not a positive int.
    """
    if not isinstance(total, Money) or total.amount <= 0:
        raise ValidationError("must be Money of more than zero", field="total", value=total)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValidationError("must be a whole number, 1 or more", field="count", value=count)
    if count > total.minor_units:
        raise ValidationError(
            f"must be at most {total.minor_units}: {total} cannot be split into more "
            "instalments than it has minor units",
            field="count",
            value=count,
        )
    if not isinstance(interval_days, int) or isinstance(interval_days, bool) or interval_days < 1:
        raise ValidationError(
            "must be a whole number of days, 1 or more", field="interval_days", value=interval_days
        )
    if not isinstance(first_due_on, date):
        raise ValidationError("must be a date", field="first_due_on", value=first_due_on)
    return tuple(
        Instalment(
            number=index + 1,
            due_on=first_due_on + timedelta(days=index * interval_days),
            amount=amount,
        )
        for index, amount in enumerate(total.split_evenly(count))
    )


@attrs.frozen(kw_only=True)
class InstalmentTerms:
    """The merchant's limits for plans customers may request themselves, and the rule for
    plans that are not kept.

    Attributes:
        max_instalments: a customer may ask for at most this many instalments.
        minimum_instalment: no instalment of a requested plan may be smaller (None: any).
        fee: what a plan costs, added to the amount split (None: no fee).
        interval_days: days between two instalments of a requested plan.
        first_within_days: a requested plan's first instalment is due at most this many
            days after the request.
        grace_days: an instalment is missed this many days after its due date.
        cancel_after_missed: a plan with this many missed instalments is cancelled and
            dunning resumes for everything still open.

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    max_instalments: int = attrs.field(default=6, validator=_positive_int)
    minimum_instalment: Money | None = attrs.field(
        default=None, validator=v.optional(_positive_money)
    )
    fee: Money | None = attrs.field(default=None, validator=_optional_fee)
    interval_days: int = attrs.field(default=30, validator=_positive_int)
    first_within_days: int = attrs.field(default=30, validator=_non_negative_int)
    grace_days: int = attrs.field(default=0, validator=_non_negative_int)
    cancel_after_missed: int = attrs.field(default=2, validator=_positive_int)

    def fee_in(self, currency: str) -> Money:
        """The plan fee in ``currency`` (zero when there is none).

        Raises:
            CurrencyMismatchError: the fee is in another currency.
        """
        if self.fee is None:
            return Money.zero(currency)
        if self.fee.currency != currency:
            raise CurrencyMismatchError(
                f"the instalment fee {self.fee} cannot be charged on an amount in {currency}"
            )
        return self.fee

    def check(self, amount: Money, count: int, *, first_due_on: date, on: date) -> None:
        """Raise unless a customer may ask, on ``on``, for ``amount`` in ``count``
        instalments starting ``first_due_on``.

        Raises:
            ValidationError: ``count`` is above the limit, an instalment would be below the
                minimum, or ``first_due_on`` is in the past or too far ahead.
            CurrencyMismatchError: the minimum or the fee is in another currency.
        """
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValidationError("must be a whole number, 1 or more", field="count", value=count)
        if count > self.max_instalments:
            raise ValidationError(
                f"must be at most {self.max_instalments} instalments", field="count", value=count
            )
        if not isinstance(first_due_on, date) or first_due_on < on:
            raise ValidationError(
                "must be a date, today or later", field="first_due_on", value=first_due_on
            )
        if first_due_on > on + timedelta(days=self.first_within_days):
            raise ValidationError(
                f"must be within {self.first_within_days} days of the request",
                field="first_due_on",
                value=first_due_on,
            )
        if self.minimum_instalment is not None:
            if self.minimum_instalment.currency != amount.currency:
                raise CurrencyMismatchError(
                    f"the minimum instalment {self.minimum_instalment} cannot apply to an "
                    f"amount in {amount.currency}"
                )
            smallest = min((amount + self.fee_in(amount.currency)).split_evenly(count))
            if smallest < self.minimum_instalment:
                raise ValidationError(
                    f"is too many: an instalment would be {smallest}, less than the minimum "
                    f"of {self.minimum_instalment}",
                    field="count",
                    value=count,
                )


class PlanState(enum.Enum):
    """Where a plan stands."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


def _instalments(instance: InstalmentPlan, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(Instalment, "an Instalment")(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "must hold at least one instalment")
    for index, instalment in enumerate(value):
        if instalment.number != index + 1:
            raise ValidationError(
                f"must be {index + 1} (instalments are numbered in order)",
                field=f"instalments[{index}].number",
                value=instalment.number,
            )
        if instalment.amount.currency != instance.amount.currency:
            raise ValidationError(
                f"must be in the plan's currency {instance.amount.currency}",
                field=f"instalments[{index}].amount",
                value=instalment.amount,
            )
        if index and instalment.due_on <= value[index - 1].due_on:
            raise ValidationError(
                "must come after the previous instalment's due date",
                field=f"instalments[{index}].due_on",
                value=instalment.due_on,
            )
    total = sum((i.amount for i in value), Money.zero(instance.amount.currency))
    if total != instance.total:
        raise ValidationError(
            f"must add up to the plan's amount plus fee, {instance.total}, not {total}",
            field="instalments",
            value=value,
        )


def _fee(instance: InstalmentPlan, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money) or value.amount < 0:
        raise v.fail(attribute, value, "must be Money of zero or more")
    if value.currency != instance.amount.currency:
        raise v.fail(attribute, value, f"must be in the plan's currency {instance.amount.currency}")


@attrs.frozen(kw_only=True)
class InstalmentStatus:
    """One instalment as it stands: what of it is paid and open, and whether it is overdue
    (past its due date) or missed (past it by more than the grace days)."""

    instalment: Instalment
    paid: Money
    open: Money
    overdue: bool
    missed: bool


@attrs.frozen(kw_only=True)
class PlanProgress:
    """A plan on a day, given what was paid on it (see :meth:`InstalmentPlan.progress`).

    Attributes:
        plan: the plan.
        on: the day.
        paid: what was paid towards the plan, at most its total.
        instalments: every instalment's status, first to last.
    """

    plan: InstalmentPlan
    on: date
    paid: Money
    instalments: tuple[InstalmentStatus, ...]

    @property
    def open(self) -> Money:
        """What is still open on the plan."""
        return self.plan.total - self.paid

    @property
    def due(self) -> InstalmentStatus | None:
        """The first instalment with something open: what the portal asks for (None when
        the plan is paid)."""
        return next((s for s in self.instalments if s.open), None)

    @property
    def missed(self) -> int:
        """How many instalments are missed."""
        return sum(1 for s in self.instalments if s.missed)

    @property
    def kept(self) -> bool:
        """Whether the plan is active and no instalment is missed (dunning is held)."""
        return self.plan.state is PlanState.ACTIVE and not self.missed and bool(self.open)

    @property
    def complete(self) -> bool:
        """Whether the plan is paid in full."""
        return not self.open

    @property
    def broken(self) -> bool:
        """Whether the plan is active but has reached the missed instalments after which it
        is cancelled."""
        return self.plan.state is PlanState.ACTIVE and self.missed >= self.plan.cancel_after_missed


@attrs.frozen(kw_only=True)
class InstalmentPlan:
    """An agreed instalment plan for one invoice.

    The instalments add up exactly to ``amount`` (what was open on the invoice when the
    plan was agreed) plus ``fee``. Payments on the invoice settle the instalments in order,
    first to last: :meth:`progress` tells, from what has been paid, which instalment is due,
    which are missed and whether dunning is held.

    Attributes:
        customer_id, invoice_id, invoice_number: the invoice (the number is its item on the
            account).
        amount: what was open on the invoice when the plan was agreed.
        fee: what the plan costs (booked as costs on the invoice's item; zero: none).
        instalments: the instalments, numbered from 1, due dates increasing.
        agreed_on: the day the plan was agreed.
        requested: whether the customer asked for it (within the terms) rather than the
            merchant granting it.
        grace_days: an instalment is missed this many days after its due date.
        cancel_after_missed: the plan is cancelled after this many missed instalments.
        state: ACTIVE, or CANCELLED (by the merchant, or when it was not kept).
        note: why it was cancelled, or the merchant's note.

    Raises:
        ValidationError: a field is invalid, or the instalments do not add up.
    """

    customer_id: str = attrs.field(validator=v.non_empty_str)
    invoice_id: str = attrs.field(validator=v.non_empty_str)
    invoice_number: str = attrs.field(validator=v.non_empty_str)
    amount: Money = attrs.field(validator=_positive_money)
    fee: Money = attrs.field(validator=_fee)
    instalments: tuple[Instalment, ...] = attrs.field(converter=v.to_tuple, validator=_instalments)
    agreed_on: date = attrs.field(validator=v.a_date)
    requested: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    grace_days: int = attrs.field(default=0, validator=_non_negative_int)
    cancel_after_missed: int = attrs.field(default=2, validator=_positive_int)
    state: PlanState = attrs.field(
        default=PlanState.ACTIVE, validator=v.instance_of(PlanState, "a PlanState")
    )
    note: str = attrs.field(default="", validator=v.optional_str)

    @property
    def total(self) -> Money:
        """What the instalments add up to: ``amount`` plus ``fee``."""
        return self.amount + self.fee

    def paid_when_open(self, open_now: Money) -> Money:
        """What was paid towards the plan when ``open_now`` is open on the invoice's item
        (which holds the plan's total while nothing is paid): the total less what is open,
        never below zero or above the total."""
        if open_now.currency != self.amount.currency:
            raise CurrencyMismatchError(f"{open_now} is not in the plan's currency")
        paid = self.total - open_now
        zero = Money.zero(self.amount.currency)
        return min(max(paid, zero), self.total)

    def progress(self, paid: Money, *, on: date) -> PlanProgress:
        """The plan on ``on`` after ``paid`` was paid towards it: the money goes to the
        instalments in order, each filled before the next gets anything (what is above the
        total is ignored; the account keeps it as credit).

        Raises:
            ValidationError: ``paid`` is negative or ``on`` is not a date.
            CurrencyMismatchError: ``paid`` is in another currency.
        """
        if not isinstance(paid, Money):
            raise ValidationError("must be Money", field="paid", value=paid)
        if paid.currency != self.amount.currency:
            raise CurrencyMismatchError(f"{paid} is not in the plan's currency")
        if paid.amount < 0:
            raise ValidationError("must not be negative", field="paid", value=paid)
        if not isinstance(on, date):
            raise ValidationError("must be a date", field="on", value=on)
        left = min(paid, self.total)
        statuses = []
        for instalment in self.instalments:
            part = min(left, instalment.amount)
            left -= part
            rest = instalment.amount - part
            statuses.append(
                InstalmentStatus(
                    instalment=instalment,
                    paid=part,
                    open=rest,
                    overdue=bool(rest) and on > instalment.due_on,
                    missed=bool(rest) and on > instalment.due_on + timedelta(days=self.grace_days),
                )
            )
        return PlanProgress(
            plan=self, on=on, paid=min(paid, self.total), instalments=tuple(statuses)
        )

    def block(self, paid: Money, *, on: date) -> DunningBlock | None:
        """The dunning block for the invoice while the plan is kept on ``on``, or None: a
        missed instalment, a cancelled plan or a paid one hold nothing, so dunning resumes.
        """
        if not self.progress(paid, on=on).kept:
            return None
        return DunningBlock(
            customer_id=self.customer_id,
            reason=BlockReason.PAYMENT_PLAN,
            invoice_id=self.invoice_id,
        )

    def cancel(self, note: str) -> InstalmentPlan:
        """This plan, cancelled with ``note`` saying why.

        Raises:
            ValidationError: the plan is cancelled already, or ``note`` is empty.
        """
        if self.state is PlanState.CANCELLED:
            raise ValidationError(
                "is cancelled already", field="plan.invoice_id", value=self.invoice_id
            )
        if not isinstance(note, str) or not note.strip():
            raise ValidationError("must say why the plan is cancelled", field="note", value=note)
        return attrs.evolve(self, state=PlanState.CANCELLED, note=note.strip())


def plans_blocks(
    plans: Iterable[tuple[InstalmentPlan, Money]], *, on: date
) -> tuple[DunningBlock, ...]:
    """The dunning blocks of the kept plans among ``(plan, paid)`` pairs on ``on``."""
    found = []
    for plan, paid in plans:
        block = plan.block(paid, on=on)
        if block is not None:
            found.append(block)
    return tuple(found)
