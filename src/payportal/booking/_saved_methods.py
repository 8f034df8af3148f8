"""Saved payment methods in the portal: kept per customer, charged through the booking path.

A customer saves a method at a provider (:class:`~payportal.providers.SavedMethodProvider`)
and the merchant charges it later, merchant-initiated. What the portal keeps of it is the
:class:`~payportal.providers.SavedMethod` (the provider's token id and what may be shown;
never card data), in the storage's keyed store:

* ``payportal.booking:saved_methods`` / customer id → :class:`CustomerMethods`;
* ``payportal.booking:method_setup`` / setup key → :class:`PendingSetup` (a save the
  customer has not come back from yet).

A charge stores an intent first, as :meth:`~payportal.booking.Portal.pay` does, whose id is
made from the customer and the caller's request id (:func:`charge_intent_id`); the
provider is asked with the intent id as its idempotency key, and the captured payment is
booked with :func:`~payportal.booking.book`. So a charge retried with the same request id,
before or after its answer was lost, finds the same intent and the same provider charge and
books the money once.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import attrs

from payportal import _validators as v
from payportal.booking._book import BookingOutcome, book, load_intent, save_intent
from payportal.booking._normalise import events_from_payment
from payportal.exceptions import (
    AccessDeniedError,
    SavedMethodUnusableError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers import MethodSetup, SavedMethod, SavedMethodProvider
from payportal.storage._codec import immutable

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from payportal.booking._model import PaymentIntent
    from payportal.providers import Payment, PaymentProvider
    from payportal.storage import Storage, Transaction

__all__ = [
    "METHODS",
    "SETUPS",
    "CustomerMethods",
    "PendingSetup",
    "charge_intent_id",
    "charge_saved",
    "finish_setup",
    "load_methods",
    "remove_method",
    "saved_method",
    "saving_provider",
    "start_setup",
]

METHODS = "payportal.booking:saved_methods"
SETUPS = "payportal.booking:method_setup"


@attrs.frozen
class CustomerMethods:
    """The methods one customer has saved, oldest first."""

    customer_id: str = attrs.field(validator=v.non_empty_str)
    methods: tuple[SavedMethod, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(SavedMethod, "a SavedMethod")
    )


@attrs.frozen
class PendingSetup:
    """A save the customer was sent to the provider for and has not come back from.

    Attributes:
        key: the portal's key for it; the return URL carries it as ``method_setup``, and
            :meth:`~payportal.booking.Portal.confirm_method` takes it.
        customer_id: whose it is.
        setup: the provider's setup.
    """

    key: str = attrs.field(validator=v.non_empty_str)
    customer_id: str = attrs.field(validator=v.non_empty_str)
    setup: MethodSetup = attrs.field(validator=v.instance_of(MethodSetup, "a MethodSetup"))

    @property
    def redirect_url(self) -> str:
        """Where to send the customer to save the method."""
        return self.setup.redirect_url


immutable(CustomerMethods, PendingSetup)


def saving_provider(client: PaymentProvider) -> SavedMethodProvider:
    """``client`` as a provider that saves methods.

    Raises:
        UnsupportedOperationError: its capabilities say it saves none.
    """
    if not client.capabilities.saved_methods or not isinstance(client, SavedMethodProvider):
        raise UnsupportedOperationError(
            f"{client.name} does not save payment methods",
            provider=client.name,
            code="unsupported_operation",
        )
    return client


def load_methods(tx: Transaction, customer_id: str) -> tuple[SavedMethod, ...]:
    """The methods ``customer_id`` has saved, oldest first (``()`` if none)."""
    stored = tx.load_order(METHODS, customer_id, CustomerMethods)
    return () if stored is None else stored.methods


def _store(tx: Transaction, customer_id: str, methods: tuple[SavedMethod, ...]) -> None:
    if methods:
        tx.save_order(METHODS, customer_id, CustomerMethods(customer_id, methods))
    else:
        tx.delete_order(METHODS, customer_id)


def _replace(tx: Transaction, customer_id: str, method: SavedMethod) -> None:
    """Store ``method`` in place of the one with its provider and id, or after the others."""
    methods = list(load_methods(tx, customer_id))
    same = [i for i, m in enumerate(methods) if (m.provider, m.id) == (method.provider, method.id)]
    if same:
        methods[same[0]] = method
    else:
        methods.append(method)
    _store(tx, customer_id, tuple(methods))


def saved_method(storage: Storage, customer_id: str, method_id: str) -> SavedMethod:
    """The method ``method_id`` (the provider's token id) that ``customer_id`` saved.

    Raises:
        ValidationError: the customer has saved no method of that id.
    """
    with storage.transaction() as tx:
        methods = load_methods(tx, customer_id)
    for method in methods:
        if method.id == method_id:
            return method
    raise ValidationError(
        f"names no payment method customer {customer_id!r} has saved",
        field="method_id",
        value=method_id,
    )


def start_setup(
    storage: Storage,
    client: PaymentProvider,
    customer_id: str,
    *,
    key: str,
    return_url: str,
    cancel_url: str,
) -> PendingSetup:
    """Ask ``client`` to start a save for ``customer_id`` and remember it under ``key``.

    Raises:
        ValidationError: ``customer_id`` is empty.
        UnsupportedOperationError: the provider saves no methods.
        ProviderError: the provider refused or could not be reached; nothing is stored.
    """
    if not isinstance(customer_id, str) or not customer_id:
        raise ValidationError("must be a non-empty string", field="customer_id", value=customer_id)
    setup = saving_provider(client).setup_method(customer_id, return_url, cancel_url)
    pending = PendingSetup(key, customer_id, setup)
    with storage.transaction() as tx:
        tx.save_order(SETUPS, key, pending)
    return pending


def finish_setup(
    storage: Storage,
    provider: Callable[[str], PaymentProvider],
    customer_id: str,
    key: str,
) -> SavedMethod:
    """Read back the method saved in the setup ``key`` and keep it for ``customer_id``.

    Finishing the same setup twice keeps the method once.

    Raises:
        ValidationError: no setup of that key.
        AccessDeniedError: the setup is another customer's.
        InvalidRequestError: the customer has not completed it at the provider (yet).
    """
    with storage.transaction() as tx:
        pending = tx.load_order(SETUPS, key, PendingSetup)
    if pending is None:
        raise ValidationError("names no payment method setup", field="setup", value=key)
    if pending.customer_id != customer_id:
        raise AccessDeniedError(f"setup {key!r} is not one of customer {customer_id!r}'s")
    method = saving_provider(provider(pending.setup.provider)).confirm_method(pending.setup)
    with storage.transaction() as tx:
        _replace(tx, customer_id, method)
        tx.delete_order(SETUPS, key)
    return method


def remove_method(
    storage: Storage,
    provider: Callable[[str], PaymentProvider],
    customer_id: str,
    method_id: str,
) -> None:
    """Delete the method at its provider, then forget it.

    Raises:
        ValidationError: the customer has saved no method of that id.
        ProviderError: the provider could not delete it; it stays stored.
    """
    method = saved_method(storage, customer_id, method_id)
    saving_provider(provider(method.provider)).delete_method(method)
    with storage.transaction() as tx:
        kept = tuple(
            m
            for m in load_methods(tx, customer_id)
            if (m.provider, m.id) != (method.provider, method.id)
        )
        _store(tx, customer_id, kept)


def charge_intent_id(customer_id: str, request_id: str) -> str:
    """The id of the intent a charge with ``request_id`` records: the same for every retry.

    >>> charge_intent_id("42", "run-2026-03") == charge_intent_id("42", "run-2026-03")
    True
    >>> charge_intent_id("42", "run-2026-03").startswith("pi_")
    True
    """
    digest = hashlib.sha256(f"{customer_id}\x00{request_id}".encode()).hexdigest()
    return "pi_" + digest[:24]


def charge_saved(
    storage: Storage,
    client: PaymentProvider,
    method: SavedMethod,
    intent: PaymentIntent,
    *,
    occurred_at: Callable[[], datetime],
) -> tuple[PaymentIntent, Payment, tuple[BookingOutcome, ...]]:
    """Charge ``method`` for ``intent`` and book what was captured, once.

    ``intent`` is stored unless an intent of its id is (a retry), then the stored one is
    used: a payment it already has is read back instead of charged again; without one the
    provider is asked again with the same idempotency key (the intent's id), so it charges
    at most once.

    Returns:
        The intent as stored after booking, the provider's payment, the booking outcomes.

    Raises:
        SavedMethodUnusableError: the method is marked unusable, or the provider says it is
            expired, revoked or deleted; it is then marked unusable. Nothing is booked.
        PaymentDeclinedError: the provider declined; nothing is booked.
        ProviderError: the provider failed; the intent stays stored without a payment, and
            a retry with the same request id charges at most once.
    """
    saver = saving_provider(client)
    with storage.transaction() as tx:
        stored = load_intent(tx, intent.id)
    if stored is not None:
        intent = stored
    if intent.payment_id is not None:
        # Charged already (a retry): read the payment back, whatever became of the method.
        payment = client.get_payment(intent.payment_id)
    else:
        if not method.usable:
            raise SavedMethodUnusableError(
                f"the saved method {method.display} can no longer be charged; "
                "the customer must save a new one",
                provider=method.provider,
                code="unusable",
            )
        if stored is None:
            with storage.transaction() as tx:
                save_intent(tx, intent)
        try:
            payment = saver.charge_method(method, intent.amount, intent.reference, intent.id)
        except SavedMethodUnusableError:
            with storage.transaction() as tx:
                _replace(tx, intent.customer_id, attrs.evolve(method, usable=False))
            raise
        intent = attrs.evolve(intent, payment_id=payment.id)
        with storage.transaction() as tx:
            save_intent(tx, intent)
    events = events_from_payment(payment, occurred_at=occurred_at(), intent_id=intent.id)
    outcomes = tuple(book(storage, event) for event in events)
    with storage.transaction() as tx:
        booked = load_intent(tx, intent.id)
    return (booked or intent), payment, outcomes
