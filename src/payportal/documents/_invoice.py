"""Invoices and their cash-discount terms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

import attrs

from payportal import _validators as v
from payportal._money import Money
from payportal.documents._document import DocumentType, PayableDocument

__all__ = ["CashDiscount", "Invoice"]


@attrs.frozen
class CashDiscount:
    """Skonto: ``percent`` off the gross total when paid within ``days`` of the issue date.

    >>> CashDiscount(Decimal("2"), 10).deadline(date(2026, 3, 1))
    datetime.date(2026, 3, 11)
    """

    percent: Decimal = attrs.field(
        converter=v.to_decimal, validator=v.decimal_between(Decimal(0), Decimal(100))
    )
    days: int = attrs.field(validator=v.instance_of(int, "a whole number of days"))

    @days.validator
    def _days(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value < 0:
            raise v.fail(attribute, value, "must not be negative")

    def deadline(self, issued_on: date) -> date:
        """The last day on which the discount may be taken."""
        return issued_on + timedelta(days=self.days)

    def amount(self, gross: Money) -> Money:
        """The discount on ``gross``, rounded half up to the minor unit."""
        return gross.multiply(self.percent / 100, rounding=ROUND_HALF_UP)


@attrs.frozen(kw_only=True)
class Invoice(PayableDocument):
    """An invoice: lines, totals, due date, optional cash discount, payment state."""

    type: ClassVar[DocumentType] = DocumentType.INVOICE

    cash_discount: CashDiscount | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(CashDiscount, "a CashDiscount"))
    )
    service_date: date | None = attrs.field(default=None, validator=v.optional_date)

    def discount_on(self, paid_on: date) -> Money:
        """The cash discount a payment made on ``paid_on`` may take (zero after the deadline)."""
        terms = self.cash_discount
        if terms is None or paid_on > terms.deadline(self.issued_on):
            return Money.zero(self.currency)
        return terms.amount(self.total)
