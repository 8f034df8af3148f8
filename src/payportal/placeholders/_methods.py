"""The customer's active payment method in templates: ``[Client.payment_method]``,
``[Client.masked_iban]``, ``[Client.mandate_reference]``, ``[Client.card_brand]``,
``[Client.card_last4]``.

The method is whatever the app passes as ``RenderContext(payment_method=...)``: the active
SEPA :class:`~payportal.mandates.Mandate` (``Portal.active_mandate(customer_id)``), or a
saved provider method (anything with ``brand``, ``last4`` and ``display``, such as
``payportal.providers.SavedMethod``). Without one, these placeholders render nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from payportal.mandates import Mandate, check_iban

if TYPE_CHECKING:
    from payportal.placeholders._context import RenderContext
    from payportal.placeholders._registry import PlaceholderRegistry

__all__ = ["METHOD_FIELDS", "ShownMethod", "mask_iban", "register_method_fields"]

_SHOWN: Final = 4  # characters shown at each end: the country and check digits, the last four
_MASK: Final = "*"


@runtime_checkable
class ShownMethod(Protocol):
    """What the portal may show of a saved provider method (a card, a PayPal account);
    ``payportal.providers.SavedMethod`` is the implementation. Never a full card number."""

    @property
    def brand(self) -> str | None:
        """The card brand as people write it (``"Visa"``), or ``None`` if not a card."""
        ...

    @property
    def last4(self) -> str | None:
        """The card number's last four digits, or ``None``."""
        ...

    @property
    def display(self) -> str:
        """The method in one line for its owner, such as ``"Visa •••• 4242, 12/27"``."""
        ...


def mask_iban(iban: str) -> str:
    """``iban`` with all but its first four and last four characters replaced by ``*``,
    grouped in fours as IBANs are printed: enough for the customer to recognise the
    account, too little to use it.

    >>> mask_iban("DE89370400440532013000")
    'DE89 **** **** **** **30 00'
    >>> mask_iban("at61 1904 3002 3457 3201")
    'AT61 **** **** **** 3201'

    Raises:
        ValidationError: ``iban`` is not a valid IBAN (``field`` is ``"iban"``).
    """
    compact = check_iban(iban)
    hidden = len(compact) - 2 * _SHOWN
    masked = compact[:_SHOWN] + _MASK * hidden + compact[-_SHOWN:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))


def _method(context: RenderContext) -> Mandate | ShownMethod | None:
    return context.payment_method


def _mandate(context: RenderContext) -> Mandate | None:
    method = context.payment_method
    return method if isinstance(method, Mandate) else None


def _card(context: RenderContext) -> ShownMethod | None:
    method = context.payment_method
    return None if method is None or isinstance(method, Mandate) else method


def _payment_method(customer: object, context: RenderContext) -> object:
    method = _method(context)
    if method is None:
        return None
    # A mandate is shown by its scheme's label in the customer's language ("SEPA-
    # Basislastschrift"); a saved method by its own display, which names brand and digits.
    return method.scheme if isinstance(method, Mandate) else method.display


def _mandate_reference(customer: object, context: RenderContext) -> str | None:
    mandate = _mandate(context)
    return None if mandate is None else mandate.reference


def _masked_iban(customer: object, context: RenderContext) -> str | None:
    mandate = _mandate(context)
    return None if mandate is None else mask_iban(mandate.iban)


def _card_brand(customer: object, context: RenderContext) -> str | None:
    card = _card(context)
    return None if card is None else card.brand


def _card_last4(customer: object, context: RenderContext) -> str | None:
    card = _card(context)
    return None if card is None else card.last4


METHOD_FIELDS: Final = (
    "payment_method",
    "mandate_reference",
    "masked_iban",
    "card_brand",
    "card_last4",
)
"""The ``Client`` fields filled from the render context's ``payment_method``."""


def register_method_fields(registry: PlaceholderRegistry, client: str) -> None:
    """Register the payment-method fields of :data:`METHOD_FIELDS` on ``client``."""
    registry.register(client, "payment_method", _payment_method, kind="auto", with_context=True)
    registry.register(
        client, "mandate_reference", _mandate_reference, kind="text", with_context=True
    )
    registry.register(client, "masked_iban", _masked_iban, kind="text", with_context=True)
    registry.register(client, "card_brand", _card_brand, kind="text", with_context=True)
    registry.register(client, "card_last4", _card_last4, kind="text", with_context=True)
