"""Prepaid balances: top-ups in, charges out, bank transfers held until released."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from payportal import _validators as v
from payportal._money import Money, is_currency
from payportal.exceptions import (
    CurrencyMismatchError,
    InsufficientFundsError,
    UnknownCurrencyError,
    ValidationError,
)

__all__ = ["PrepaidAccount", "TopUp", "TopUpMethod"]


class TopUpMethod(enum.Enum):
    """How a top-up is paid, and so whether it can be credited at once."""

    CARD = "card"
    PAYPAL = "paypal"
    SOFORT = "sofort"
    BANK_TRANSFER = "bank_transfer"
    #: The excess of a payment already received (:attr:`OverpaymentPolicy.PREPAID`).
    OVERPAYMENT = "overpayment"

    @property
    def real_time(self) -> bool:
        """Whether the money is confirmed when the top-up is made (all but bank transfers)."""
        return self is not TopUpMethod.BANK_TRANSFER


def _positive_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise v.fail(attribute, value, "must be Money")
    if value.amount <= 0:
        raise v.fail(attribute, value, "must be positive")


@attrs.frozen
class TopUp:
    """One top-up: ``amount`` paid with ``method``, known by its unique ``reference``."""

    reference: str = attrs.field(converter=v.strip, validator=v.non_empty_str)
    amount: Money = attrs.field(validator=_positive_money)
    method: TopUpMethod = attrs.field(validator=v.instance_of(TopUpMethod, "a TopUpMethod"))


def _currency(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not is_currency(value):
        raise UnknownCurrencyError(
            "is not a known ISO 4217 currency code", field=attribute.name, value=value
        )


@attrs.frozen(kw_only=True)
class PrepaidAccount:
    """A customer's prepaid balance; immutable, every operation returns a new account.

    Top-ups paid in real time (card, PayPal, Sofort) are credited at once; bank transfers
    stay pending until :meth:`release` names their reference, once the money is on the
    merchant's bank account.

    >>> account = PrepaidAccount(currency="EUR")
    >>> account = account.top_up(Money("20.00", "EUR"), method=TopUpMethod.CARD, reference="T-1")
    >>> account = account.top_up(
    ...     Money("50.00", "EUR"), method=TopUpMethod.BANK_TRANSFER, reference="T-2")
    >>> account.balance, account.pending_amount
    (Money('20.00', 'EUR'), Money('50.00', 'EUR'))
    >>> account.release("T-2").charge(Money("60.00", "EUR")).balance
    Money('10.00', 'EUR')

    Attributes:
        currency: the account's currency.
        balance: what can be charged now.
        credited: top-ups credited so far, in order.
        pending: bank-transfer top-ups waiting for :meth:`release`.
        charged: the charges taken, as ``(reference, amount)``, in order.
    """

    currency: str = attrs.field(validator=_currency)
    balance: Money = attrs.field()
    credited: tuple[TopUp, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(TopUp, "a TopUp")
    )
    pending: tuple[TopUp, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(TopUp, "a TopUp")
    )
    charged: tuple[tuple[str, Money], ...] = attrs.field(default=(), converter=v.to_tuple)

    @balance.default
    def _no_balance(self) -> Money:
        return Money.zero(self.currency)

    @balance.validator
    def _balance(self, attribute: attrs.Attribute[Money], value: object) -> None:
        if not isinstance(value, Money) or value.currency != self.currency:
            raise v.fail(attribute, value, f"must be Money in {self.currency}")
        if value.amount < 0:
            raise v.fail(attribute, value, "must not be negative")

    @property
    def pending_amount(self) -> Money:
        """The sum of the pending bank-transfer top-ups."""
        return sum((t.amount for t in self.pending), Money.zero(self.currency))

    def _check_amount(self, amount: object) -> Money:
        if not isinstance(amount, Money):
            raise ValidationError("must be Money", field="amount", value=amount)
        if amount.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot book {amount} on a prepaid account in {self.currency}"
            )
        if amount.amount <= 0:
            raise ValidationError("must be positive", field="amount", value=amount)
        return amount

    def top_up(self, amount: Money, *, method: TopUpMethod, reference: str) -> PrepaidAccount:
        """Add a top-up: credited at once if ``method`` is real-time, else pending.

        Raises:
            ValidationError: ``amount`` is not positive, ``reference`` is empty or already
                used by another top-up, or ``method`` is not a :class:`TopUpMethod`.
            CurrencyMismatchError: ``amount`` is in another currency.
        """
        top_up = TopUp(reference, self._check_amount(amount), method)
        if any(t.reference == top_up.reference for t in (*self.credited, *self.pending)):
            raise ValidationError(
                "is already used by another top-up", field="reference", value=reference
            )
        if method.real_time:
            return attrs.evolve(
                self, balance=self.balance + amount, credited=(*self.credited, top_up)
            )
        return attrs.evolve(self, pending=(*self.pending, top_up))

    def release(self, reference: str) -> PrepaidAccount:
        """Credit the pending bank transfer with ``reference``, once its money arrived.

        Raises:
            ValidationError: no pending top-up has this reference.
        """
        wanted = reference.strip() if isinstance(reference, str) else reference
        for index, top_up in enumerate(self.pending):
            if top_up.reference == wanted:
                return attrs.evolve(
                    self,
                    balance=self.balance + top_up.amount,
                    credited=(*self.credited, top_up),
                    pending=self.pending[:index] + self.pending[index + 1 :],
                )
        raise ValidationError("names no pending top-up", field="reference", value=reference)

    def charge(self, amount: Money, *, reference: str = "") -> PrepaidAccount:
        """Take ``amount`` off the balance; pending top-ups do not count.

        Raises:
            InsufficientFundsError: the balance is lower than ``amount``; nothing changes.
            ValidationError: ``amount`` is not positive Money.
            CurrencyMismatchError: ``amount`` is in another currency.
        """
        self._check_amount(amount)
        if amount > self.balance:
            raise InsufficientFundsError(
                f"cannot charge {amount}: the prepaid balance is only {self.balance}"
            )
        return attrs.evolve(
            self, balance=self.balance - amount, charged=(*self.charged, (reference, amount))
        )
