"""Saved payment methods: what a customer stores at a provider so the merchant can charge it
later without the customer (a merchant-initiated transaction).

The flow, the same for every provider that offers it (``capabilities.saved_methods``):

1. ``setup_method(customer, return_url, cancel_url)`` → :class:`MethodSetup`: send the
   customer to its ``redirect_url`` to approve (PayPal) or enter a card (Billwerk+ Pay).
2. ``confirm_method(setup)`` once they are back → :class:`SavedMethod`, read back from the
   provider: the token id and what may be shown of the method, never the card number.
3. ``list_methods(customer)`` / ``delete_method(method)``.
4. ``charge_method(method, amount, reference, request_id)`` → :class:`~payportal.providers.Payment`,
   captured at once, no redirect. The same ``request_id`` is the provider's idempotency key,
   so a retry after a lost answer charges once.

A charge the provider refuses because the method cannot be used any more (an expired card, a
revoked or deleted token) raises :class:`~payportal.exceptions.SavedMethodUnusableError`; a
decline that may pass another day (insufficient funds) raises
:class:`~payportal.exceptions.PaymentDeclinedError`.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from payportal import _validators as v

if TYPE_CHECKING:
    from payportal._money import Money
    from payportal.providers._models import Payment

__all__ = [
    "AsyncSavedMethodProvider",
    "MethodKind",
    "MethodSetup",
    "SavedMethod",
    "SavedMethodProvider",
    "mask_email",
]

_LAST4 = re.compile(r"[0-9]{4}")
_EXPIRY = re.compile(r"(0[1-9]|1[0-2])/[0-9]{2}")


class MethodKind(enum.Enum):
    """What kind of payment method a token stands for."""

    CARD = "card"
    PAYPAL = "paypal"
    OTHER = "other"


def _last4(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _LAST4.fullmatch(value)):
        raise v.fail(attribute, value, "must be the last four digits of the card, or None")


def _expiry(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _EXPIRY.fullmatch(value)):
        raise v.fail(attribute, value, "must be MM/YY, or None")


def mask_email(email: str) -> str:
    """``email`` with all but the first character of its local part hidden.

    >>> mask_email("jane.doe@example.com")
    'j•••@example.com'
    >>> mask_email("not an address")
    '•••'
    """
    local, at, domain = email.partition("@")
    if not at or not local or not domain:
        return "•••"
    return f"{local[0]}•••@{domain}"


@attrs.frozen
class MethodSetup:
    """A started save: the customer must visit :attr:`redirect_url` to approve.

    Attributes:
        id: the provider's id for the setup (PayPal setup token, Billwerk+ Pay session id).
        provider: the provider's name.
        customer: the customer's reference at the provider.
        redirect_url: where to send the customer.
    """

    id: str = attrs.field(validator=[v.non_empty_str, v.max_length(255)])
    provider: str = attrs.field(validator=v.non_empty_str)
    customer: str = attrs.field(validator=v.non_empty_str)
    redirect_url: str = attrs.field(validator=v.non_empty_str)


@attrs.frozen
class SavedMethod:
    """A payment method saved at a provider, as payportal keeps and shows it.

    It holds the provider's token id and what may be shown to the customer; never a card
    number or a card code (the last four digits at most).

    Attributes:
        id: the provider's token id (PayPal payment token, Billwerk+ Pay ``ca_...``).
        provider: the provider's name.
        customer: the customer's reference at the provider.
        kind: card, PayPal or another kind.
        brand: the card brand as people write it (``"Visa"``), for cards.
        last4: the card number's last four digits, for cards.
        expiry: the card's expiry as ``MM/YY``, for cards.
        email: the PayPal account's e-mail, already masked (:func:`mask_email`).
        usable: ``False`` once the provider said it cannot be charged any more.

    >>> card = SavedMethod(id="ca_1", provider="billwerk", customer="c-1",
    ...                    kind=MethodKind.CARD, brand="Visa", last4="4242", expiry="12/27")
    >>> card.display
    'Visa •••• 4242, 12/27'
    >>> SavedMethod(id="T1", provider="paypal", customer="c-1", kind=MethodKind.PAYPAL,
    ...             email=mask_email("jane@example.com")).display
    'PayPal j•••@example.com'
    """

    id: str = attrs.field(validator=[v.non_empty_str, v.max_length(255)])
    provider: str = attrs.field(validator=v.non_empty_str)
    customer: str = attrs.field(validator=v.non_empty_str)
    kind: MethodKind = attrs.field(validator=v.instance_of(MethodKind, "a MethodKind"))
    brand: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    last4: str | None = attrs.field(default=None, validator=_last4)
    expiry: str | None = attrs.field(default=None, validator=_expiry)
    email: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    usable: bool = attrs.field(default=True, validator=v.instance_of(bool, "a bool"))

    @property
    def display(self) -> str:
        """How to show the method to its owner: ``"Visa •••• 4242, 12/27"``,
        ``"PayPal j•••@example.com"``."""
        if self.kind is MethodKind.PAYPAL:
            return f"PayPal {self.email}" if self.email else "PayPal"
        parts = [self.brand or ("Card" if self.kind is MethodKind.CARD else "Method")]
        if self.last4:
            parts.append(f"•••• {self.last4}")
        text = " ".join(parts)
        return f"{text}, {self.expiry}" if self.expiry else text

    @property
    def masked(self) -> str:
        """The same as :attr:`display`."""
        return self.display


@runtime_checkable
class SavedMethodProvider(Protocol):
    """A provider that saves payment methods and charges them (merchant-initiated).

    Check ``capabilities.saved_methods`` before calling: every HTTP provider has these
    methods, and those without the capability raise
    :class:`~payportal.exceptions.UnsupportedOperationError`.
    """

    @property
    def name(self) -> str: ...

    def setup_method(self, customer: str, return_url: str, cancel_url: str) -> MethodSetup:
        """Start saving a method for ``customer`` (the merchant's customer id)."""
        ...

    def confirm_method(self, setup: MethodSetup) -> SavedMethod:
        """Read the method the customer saved through ``setup`` back.

        Raises:
            InvalidRequestError: the customer has not (yet) completed the setup.
        """
        ...

    def list_methods(self, customer: str) -> tuple[SavedMethod, ...]:
        """The methods ``customer`` has saved and not deleted."""
        ...

    def delete_method(self, method: SavedMethod) -> None:
        """Delete ``method`` at the provider (deleting one already gone is not an error)."""
        ...

    def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Payment:
        """Charge ``amount`` to ``method`` now, captured, without the customer.

        Raises:
            SavedMethodUnusableError: the method is expired, revoked or deleted.
            PaymentDeclinedError: declined for another reason (insufficient funds).
        """
        ...


@runtime_checkable
class AsyncSavedMethodProvider(Protocol):
    """The same as :class:`SavedMethodProvider`, with coroutine methods."""

    @property
    def name(self) -> str: ...

    async def setup_method(
        self, customer: str, return_url: str, cancel_url: str
    ) -> MethodSetup: ...

    async def confirm_method(self, setup: MethodSetup) -> SavedMethod: ...

    async def list_methods(self, customer: str) -> tuple[SavedMethod, ...]: ...

    async def delete_method(self, method: SavedMethod) -> None: ...

    async def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Payment: ...
