"""What an allocation decided: strategies, policies, tolerance and the immutable result."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent
from payportal.accounts._open_item import KIND_ORDER, ComponentKind, OpenItem, units_to_money
from payportal.exceptions import CurrencyMismatchError, ValidationError

__all__ = ["AllocationLine", "AllocationResult", "OverpaymentPolicy", "Strategy", "Tolerance"]


class Strategy(enum.Enum):
    """In which order a payment settles open items.

    Within an item every strategy pays costs, then interest, then principal (BGB §367(1)).
    """

    #: The items the payer named (remittance references) first, in the named order, then
    #: the ``fallback`` strategy for the rest. A named reminder's item brings the items it
    #: reminds of (``OpenItem.reminds``): one debt, paid costs first, then interest, then
    #: principal oldest first (BGB §367(1)).
    SPECIFIED = "specified"
    #: By due date, then issue date, then key (document number).
    OLDEST_FIRST = "oldest_first"
    #: BGB §366(2): due before not yet due, then unsecured before secured, then the more
    #: burdensome, then the older (issue date); debts equal in all of these share pro rata.
    STATUTORY_DE = "statutory_de"
    #: Pro rata over all items by their open amounts, exact to the minor unit.
    PROPORTIONAL = "proportional"


class OverpaymentPolicy(enum.Enum):
    """What happens to the part of a payment that no open item needs."""

    #: Kept as credit on the customer account and used for the next invoices.
    CREDIT_BALANCE = "credit_balance"
    #: Credited to the customer's prepaid account at once.
    PREPAID = "prepaid"
    #: Paid back: the account records a refund request.
    REFUND = "refund"


def _tolerance_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money or None")
    if value.amount < 0:
        raise v.fail(attribute, value, "must not be negative")


def _optional_decimal(value: Decimal | int | str | None) -> object:
    return None if value is None else v.to_decimal(value)


@attrs.frozen
class Tolerance:
    """How short a payment may fall and still settle the items it pays.

    The shortfall is what stays open on the items the payment reached. With both limits the
    lower one applies: the shortfall must be at most ``absolute`` *and* at most ``percent``
    of what those items had open. The shortfall is then written off.

    >>> Tolerance(absolute=Money("1.00", "EUR"), percent=Decimal("0.5")).accepts(
    ...     shortfall=40, base=10_000, currency="EUR")
    True

    Raises:
        ValidationError: neither limit is given, or a limit is negative.
    """

    absolute: Money | None = attrs.field(default=None, validator=_tolerance_money)
    percent: Decimal | None = attrs.field(
        default=None,
        converter=_optional_decimal,
        validator=v.optional(v.decimal_between(Decimal(0), Decimal(100))),
    )

    def __attrs_post_init__(self) -> None:
        if self.absolute is None and self.percent is None:
            raise ValidationError(
                "needs an absolute limit, a percentage or both", field="tolerance", value=self
            )

    def accepts(self, *, shortfall: int, base: int, currency: str) -> bool:
        """Whether ``shortfall`` minor units on items that had ``base`` open may be written off.

        Raises:
            CurrencyMismatchError: ``absolute`` is in another currency.
        """
        if self.absolute is not None:
            if self.absolute.currency != currency:
                raise CurrencyMismatchError(
                    f"the tolerance {self.absolute} is not in the payment's currency {currency}"
                )
            if shortfall > self.absolute.minor_units:
                return False
        return self.percent is None or shortfall * 100 <= self.percent * base


@attrs.frozen
class AllocationLine:
    """``amount`` of one component of the item ``item`` (its key)."""

    item: str
    component: ComponentKind
    amount: Money


class FrozenLines(Sequence[AllocationLine]):
    """Base of immutable sequences of lines that are built when first read (see
    ``allocation._bulk``); they compare equal to the tuple of the same lines."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like the mappings on a result

    def __repr__(self) -> str:
        return repr(tuple(self))


class FrozenAmounts(Mapping[str, Money]):
    """Base of immutable mappings built when first read (``open_before`` of a bulk result)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"mappingproxy({dict(self)!r})"


def _frozen_lines(value: Iterable[AllocationLine]) -> Sequence[AllocationLine]:
    return value if isinstance(value, tuple | FrozenLines) else tuple(value)


def _frozen_money_map(value: Mapping[str, Money]) -> Mapping[str, Money]:
    if isinstance(value, MappingProxyType | FrozenAmounts):
        return value
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class AllocationResult:
    """The outcome of :func:`~payportal.allocation.allocate`; immutable.

    ``payment`` equals the sum of ``lines`` plus ``unapplied`` exactly. ``discounts`` and
    ``write_offs`` settle the rest of an item without money. The result holds only what the
    payment changed: the lines by item key and, in ``open_before``, what was open on each
    item it touched. Items the payment did not reach have no lines and are not copied.

    A result fresh from :func:`~payportal.allocation.allocate` still knows the items it was
    allocated over, so asking about an item the payment did not reach answers with that
    item as it was, and asking about a key that was not among them raises. A result read
    back from storage, or kept on a :class:`~payportal.accounts.CustomerAccount`, knows only
    the items it touched: the amounts of an untouched item are zero and its open amount is
    the account's business (:attr:`CustomerAccount.items`).

    Attributes:
        payment_id: the caller's id for the payment (used to apply and reverse it).
        payment: the amount received.
        paid_on: the day the payment counts for (cash discount, due dates), if given.
        strategy: the strategy that placed the lines.
        overpayment: the policy for ``unapplied``; see :attr:`credit`, :attr:`top_up`,
            :attr:`refund`.
        lines: the allocation lines, in the order they were allocated (an immutable
            sequence: a tuple, or for a payment over many items a sequence that builds its
            lines when first read and compares equal to the tuple of them).
        discounts: cash discounts taken, by item and component.
        write_offs: shortfalls written off within the tolerance.
        unapplied: the overpayment no item needed.
        unmatched_references: references the payer named that match no open item.
        open_before: what was open on each item the payment touched, before it, by key.
    """

    payment_id: str = ""
    payment: Money
    paid_on: date | None = None
    strategy: Strategy
    overpayment: OverpaymentPolicy
    lines: Sequence[AllocationLine] = attrs.field(default=(), converter=_frozen_lines)
    discounts: Sequence[AllocationLine] = attrs.field(default=(), converter=_frozen_lines)
    write_offs: Sequence[AllocationLine] = attrs.field(default=(), converter=_frozen_lines)
    unapplied: Money
    unmatched_references: tuple[str, ...] = ()
    open_before: Mapping[str, Money] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_frozen_money_map
    )
    # The items allocated over, while the result is fresh; not part of its value (eq=False)
    # and never stored: only the items in ``open_before`` belong to the result.
    _items: Mapping[str, OpenItem] | None = attrs.field(
        alias="items", default=None, eq=False, repr=False
    )

    @property
    def currency(self) -> str:
        return self.payment.currency

    @property
    def allocated(self) -> Money:
        """The sum of the lines: the part of the payment that went to items."""
        return self.payment - self.unapplied

    def _total(self, lines: Sequence[AllocationLine], key: str) -> Money:
        self._check_key(key)
        return sum((line.amount for line in lines if line.item == key), Money.zero(self.currency))

    def _check_key(self, key: str) -> None:
        if self._items is not None and key not in self._items and key not in self.open_before:
            raise ValidationError("is not one of the allocated items", field="key", value=key)

    def allocated_to(self, key: str) -> Money:
        """What the payment gave the item ``key`` (zero if it did not reach it).

        Raises:
            ValidationError: the result is fresh and ``key`` was not among the items
                allocated over.
        """
        return self._total(self.lines, key)

    def discount_on(self, key: str) -> Money:
        """The cash discount taken on item ``key``."""
        return self._total(self.discounts, key)

    def written_off(self, key: str) -> Money:
        """The shortfall written off on item ``key``."""
        return self._total(self.write_offs, key)

    def settled_units(self) -> dict[str, tuple[int, int, int]]:
        """Per touched item, the minor units settled per component (lines, discounts,
        write-offs), in :class:`ComponentKind` order."""
        return dict(self._settled)

    @functools.cached_property
    def _settled(self) -> dict[str, tuple[int, int, int]]:
        settled: dict[str, list[int]] = {}
        for line in (*self.lines, *self.discounts, *self.write_offs):
            parts = settled.setdefault(line.item, [0, 0, 0])
            parts[KIND_ORDER.index(line.component)] += line.amount.minor_units
        return {key: (p[0], p[1], p[2]) for key, p in settled.items()}

    def _open_units(self, key: str) -> int:
        before = self.open_before.get(key)
        if before is not None:
            return before.minor_units
        if self._items is not None and key in self._items:
            return self._items[key].open_units
        if self._items is None:
            raise ValidationError(
                "is not an item this result touched; a stored result does not know the "
                "open amounts of the others (read them from the account)",
                field="key",
                value=key,
            )
        raise ValidationError("is not one of the allocated items", field="key", value=key)

    def remaining_open(self, key: str) -> Money:
        """What stays open on item ``key`` after this result (the underpayment).

        Raises:
            ValidationError: ``key`` was not among the items allocated over, or (for a
                result that is not fresh) the payment did not touch it.
        """
        taken = sum(self._settled.get(key, ()))
        return units_to_money(
            self._open_units(key) - taken, self.currency, currency_exponent(self.currency)
        )

    @property
    def remaining(self) -> Mapping[str, Money]:
        """The open amount after this result of every item the payment reached."""
        exponent = currency_exponent(self.currency)
        return MappingProxyType(
            {
                key: units_to_money(self._open_units(key) - sum(parts), self.currency, exponent)
                for key, parts in self._settled.items()
            }
        )

    @property
    def settled(self) -> tuple[str, ...]:
        """Keys of the items this result settled completely, in allocation order."""
        return tuple(key for key, money in self.remaining.items() if not money)

    def _overpayment_as(self, policy: OverpaymentPolicy) -> Money:
        return self.unapplied if self.overpayment is policy else Money.zero(self.currency)

    @property
    def credit(self) -> Money:
        """The overpayment kept as credit balance (zero under other policies)."""
        return self._overpayment_as(OverpaymentPolicy.CREDIT_BALANCE)

    @property
    def top_up(self) -> Money:
        """The overpayment credited to the prepaid account (zero under other policies)."""
        return self._overpayment_as(OverpaymentPolicy.PREPAID)

    @property
    def refund(self) -> Money:
        """The overpayment to pay back (zero under other policies)."""
        return self._overpayment_as(OverpaymentPolicy.REFUND)
