"""Line items and the totals computed from them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from payportal import _validators as v
from payportal._money import Money

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["LineItem", "TaxLine", "Totals", "compute_totals"]

_HUNDRED = Decimal(100)


def _money_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money or None")


@attrs.frozen(kw_only=True)
class LineItem:
    """One position of a document.

    ``tax_rate`` and ``discount`` are percentages (``Decimal("19")`` is 19 %). ``unit_price``
    is the net price of one unit; delivery notes may leave it out.

    >>> line = LineItem(title="Consulting", quantity=Decimal("1.5"), unit="h",
    ...                 unit_price=Money("100.00", "EUR"), tax_rate=Decimal("19"))
    >>> line.net
    Money('150.00', 'EUR')
    """

    title: str = attrs.field(converter=v.strip, validator=v.non_empty_str)
    quantity: Decimal = attrs.field(
        converter=v.to_decimal, validator=v.decimal_between(Decimal(0), None)
    )
    unit_price: Money | None = attrs.field(default=None, validator=_money_or_none)
    tax_rate: Decimal = attrs.field(
        default=Decimal(0),
        converter=v.to_decimal,
        validator=v.decimal_between(Decimal(0), _HUNDRED),
    )
    discount: Decimal = attrs.field(
        default=Decimal(0),
        converter=v.to_decimal,
        validator=v.decimal_between(Decimal(0), _HUNDRED),
    )
    unit: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
    description: str = attrs.field(default="", validator=v.optional_str)

    @property
    def net(self) -> Money | None:
        """Quantity times unit price less the discount, rounded half up to the minor unit."""
        price = self.unit_price
        if price is None:
            return None
        exact = self.quantity * price.amount * (_HUNDRED - self.discount) / _HUNDRED
        return Money._of(exact.quantize(price.amount, rounding=ROUND_HALF_UP), price.currency)


@attrs.frozen
class TaxLine:
    """The net amount taxed at one rate and the tax on it."""

    rate: Decimal
    net: Money
    tax: Money

    @property
    def gross(self) -> Money:
        return self.net + self.tax


@attrs.frozen
class Totals:
    """A document's net, tax (per rate) and gross totals."""

    net: Money
    taxes: tuple[TaxLine, ...]
    tax: Money
    gross: Money


def compute_totals(lines: Iterable[LineItem], currency: str) -> Totals:
    """Sum line nets, then compute tax once per rate, rounded half up per rate.

    Rounding per rate rather than per line is what German and most EU invoicing practice
    expects, and it keeps the printed tax summary consistent with its own net figures.
    Lines without a price are skipped.
    """
    zero = Money.zero(currency)
    by_rate: dict[Decimal, Money] = {}
    for line in lines:
        net = line.net
        if net is None:
            continue
        # normalize() makes 19 and 19.00 the same rate.
        rate = line.tax_rate.normalize()
        by_rate[rate] = by_rate.get(rate, zero) + net
    taxes = tuple(
        TaxLine(
            rate=rate,
            net=net,
            tax=net.multiply(rate / _HUNDRED, rounding=ROUND_HALF_UP),
        )
        for rate, net in sorted(by_rate.items())
    )
    net_total = sum((t.net for t in taxes), zero)
    tax_total = sum((t.tax for t in taxes), zero)
    return Totals(net=net_total, taxes=taxes, tax=tax_total, gross=net_total + tax_total)
