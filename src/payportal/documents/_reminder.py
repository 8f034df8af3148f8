"""Dunning reminders."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.documents._document import DocumentType, PayableDocument
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from payportal.documents._lines import Totals

__all__ = ["RemindedInvoice", "Reminder"]


@attrs.frozen(kw_only=True)
class RemindedInvoice:
    """An invoice a reminder is about, with what was still open on it when reminding."""

    invoice_id: str = attrs.field(validator=v.non_empty_str)
    number: str = attrs.field(validator=v.non_empty_str)
    amount_open: Money = attrs.field(validator=v.instance_of(Money, "Money"))
    due_on: date | None = attrs.field(default=None, validator=v.optional_date)


def _reminded(instance: Reminder, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(RemindedInvoice, "a RemindedInvoice")(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "must name at least one invoice")
    for index, item in enumerate(value):
        if item.amount_open.currency != instance.currency:
            raise ValidationError(
                f"must be in the reminder's currency {instance.currency}",
                field=f"{attribute.name}[{index}].amount_open",
                value=item.amount_open,
            )


def _charge(instance: Reminder, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money) or value.currency != instance.currency:
        raise v.fail(attribute, value, f"must be Money in {instance.currency}")
    if value.amount < 0:
        raise v.fail(attribute, value, "must not be negative")


def _zero(instance: Reminder) -> Money:
    return Money.zero(instance.currency)


@attrs.frozen(kw_only=True)
class Reminder(PayableDocument):
    """A dunning reminder for one or more invoices, with fee and default interest.

    A reminder is a demand, not a new debt: it asks for what was open on the reminded
    invoices (:attr:`principal`, as of its date) plus its own :attr:`charges` (``fee``,
    ``interest`` and further ``lines``). Its printed :attr:`total` is both together. On a
    customer account only the charges are its own open item; the principal stays open on
    the invoices' items (see :meth:`payportal.accounts.OpenItem.from_document`), so no
    money is owed twice. Paying the reminder pays its charges, then the invoices (BGB
    §367(1): costs, then interest, then principal).

    Its ``paid`` and ``state`` say how much of its total is no longer demanded, whichever
    way that happened (a payment of the reminder, of a reminded invoice, a credit note or a
    waived fee): the booking keeps them so. A reminder is PAID (settled) once its charges
    and the invoices it reminds of are settled.
    """

    type: ClassVar[DocumentType] = DocumentType.REMINDER

    reminded: tuple[RemindedInvoice, ...] = attrs.field(converter=v.to_tuple, validator=_reminded)
    level: int = attrs.field(default=1, validator=v.instance_of(int, "an int dunning level"))
    fee: Money = attrs.field(default=attrs.Factory(_zero, takes_self=True), validator=_charge)
    interest: Money = attrs.field(default=attrs.Factory(_zero, takes_self=True), validator=_charge)

    @level.validator
    def _level(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < 1:
            raise v.fail(attribute, value, "must be 1 or more")

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        return tuple(r.invoice_id for r in self.reminded)

    @property
    def principal(self) -> Money:
        """What was open on the reminded invoices."""
        return sum((r.amount_open for r in self.reminded), Money.zero(self.currency))

    @property
    def charges(self) -> Money:
        """What the reminder itself charges: ``fee``, ``interest`` and its further lines."""
        totals: Totals = self.totals
        return self.fee + self.interest + totals.gross

    @property
    def total(self) -> Money:
        """The printed total: the reminded principal plus the charges, as of its date."""
        return self.principal + self.charges
