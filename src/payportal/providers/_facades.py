"""The facades: any :class:`~payportal.providers._wire.Wire` as a payment provider.

:class:`HTTPProvider` and :class:`AsyncHTTPProvider` implement the sync and async protocols
for a wire and a driver; a provider module subclasses them only to name its credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, Unpack

from payportal.providers._drivers import AsyncDriver, AsyncHTTPOptions, HTTPOptions, SyncDriver

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType

    from payportal._money import Money
    from payportal.providers._models import Capabilities, Payment, PaymentRequest, WebhookEvent
    from payportal.providers._saved import MethodSetup, SavedMethod
    from payportal.providers._wire import Wire


__all__ = [
    "AsyncHTTPProvider",
    "HTTPProvider",
    "split_options",
]


def split_options(
    options: Mapping[str, Any], http: type[Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a provider constructor's keyword arguments into its own and the driver's.

    ``http`` is :class:`HTTPOptions` or :class:`AsyncHTTPOptions`; its keys go to the driver.
    """
    driver_keys: frozenset[str] = http.__optional_keys__ | http.__required_keys__
    own = {key: value for key, value in options.items() if key not in driver_keys}
    driver = {key: value for key, value in options.items() if key in driver_keys}
    return own, driver


class _WireFacade:
    """What both facades say of their wire: its name, its capabilities, its repr."""

    def __init__(self, wire: Wire) -> None:
        self._wire = wire

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._wire!r})"

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._wire.name

    @property
    def capabilities(self) -> Capabilities:
        """What this provider can do."""
        return self._wire.capabilities


class HTTPProvider(_WireFacade):
    """A :class:`~payportal.providers.PaymentProvider` made of a :class:`Wire` and a
    :class:`SyncDriver`. Use it as a context manager to close the client it created.
    """

    def __init__(self, wire: Wire, **http: Unpack[HTTPOptions]) -> None:
        super().__init__(wire)
        self._driver = SyncDriver(wire.name, **http)

    def create_payment(self, request: PaymentRequest) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.create_payment`."""
        return self._driver.run(self._wire.create_payment(request))

    def get_payment(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.get_payment`."""
        return self._driver.run(self._wire.get_payment(payment_id))

    def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.capture`."""
        return self._driver.run(self._wire.capture(payment_id, amount))

    def cancel(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.cancel`."""
        return self._driver.run(self._wire.cancel(payment_id))

    def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.refund`."""
        return self._driver.run(self._wire.refund(payment_id, amount, reason))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """See :meth:`payportal.providers.PaymentProvider.parse_webhook`."""
        return self._driver.run(self._wire.parse_webhook(headers, body))

    def setup_method(self, customer: str, return_url: str, cancel_url: str) -> MethodSetup:
        """See :meth:`payportal.providers.SavedMethodProvider.setup_method`."""
        return self._driver.run(self._wire.setup_method(customer, return_url, cancel_url))

    def confirm_method(self, setup: MethodSetup) -> SavedMethod:
        """See :meth:`payportal.providers.SavedMethodProvider.confirm_method`."""
        return self._driver.run(self._wire.confirm_method(setup))

    def list_methods(self, customer: str) -> tuple[SavedMethod, ...]:
        """See :meth:`payportal.providers.SavedMethodProvider.list_methods`."""
        return self._driver.run(self._wire.list_methods(customer))

    def delete_method(self, method: SavedMethod) -> None:
        """See :meth:`payportal.providers.SavedMethodProvider.delete_method`."""
        self._driver.run(self._wire.delete_method(method))

    def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Payment:
        """See :meth:`payportal.providers.SavedMethodProvider.charge_method`."""
        return self._driver.run(self._wire.charge_method(method, amount, reference, request_id))

    def close(self) -> None:
        """Close the HTTP client, if this provider created it."""
        self._driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncHTTPProvider(_WireFacade):
    """An :class:`~payportal.providers.AsyncPaymentProvider` made of a :class:`Wire` and an
    :class:`AsyncDriver`. Use it as an async context manager to close its client.
    """

    def __init__(self, wire: Wire, **http: Unpack[AsyncHTTPOptions]) -> None:
        super().__init__(wire)
        self._driver = AsyncDriver(wire.name, **http)

    async def create_payment(self, request: PaymentRequest) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.create_payment`."""
        return await self._driver.run(self._wire.create_payment(request))

    async def get_payment(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.get_payment`."""
        return await self._driver.run(self._wire.get_payment(payment_id))

    async def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.capture`."""
        return await self._driver.run(self._wire.capture(payment_id, amount))

    async def cancel(self, payment_id: str) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.cancel`."""
        return await self._driver.run(self._wire.cancel(payment_id))

    async def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """See :meth:`payportal.providers.PaymentProvider.refund`."""
        return await self._driver.run(self._wire.refund(payment_id, amount, reason))

    async def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """See :meth:`payportal.providers.PaymentProvider.parse_webhook`."""
        return await self._driver.run(self._wire.parse_webhook(headers, body))

    async def setup_method(self, customer: str, return_url: str, cancel_url: str) -> MethodSetup:
        """See :meth:`payportal.providers.SavedMethodProvider.setup_method`."""
        return await self._driver.run(self._wire.setup_method(customer, return_url, cancel_url))

    async def confirm_method(self, setup: MethodSetup) -> SavedMethod:
        """See :meth:`payportal.providers.SavedMethodProvider.confirm_method`."""
        return await self._driver.run(self._wire.confirm_method(setup))

    async def list_methods(self, customer: str) -> tuple[SavedMethod, ...]:
        """See :meth:`payportal.providers.SavedMethodProvider.list_methods`."""
        return await self._driver.run(self._wire.list_methods(customer))

    async def delete_method(self, method: SavedMethod) -> None:
        """See :meth:`payportal.providers.SavedMethodProvider.delete_method`."""
        await self._driver.run(self._wire.delete_method(method))

    async def charge_method(
        self, method: SavedMethod, amount: Money, reference: str, request_id: str
    ) -> Payment:
        """See :meth:`payportal.providers.SavedMethodProvider.charge_method`."""
        return await self._driver.run(
            self._wire.charge_method(method, amount, reference, request_id)
        )

    async def aclose(self) -> None:
        """Close the HTTP client, if this provider created it."""
        await self._driver.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


if TYPE_CHECKING:
    from payportal.providers._protocol import AsyncPaymentProvider, PaymentProvider
    from payportal.providers._saved import AsyncSavedMethodProvider, SavedMethodProvider

    def _conforms(
        sync: HTTPProvider, asynchronous: AsyncHTTPProvider
    ) -> tuple[PaymentProvider, AsyncPaymentProvider]:
        # mypy proves here that both facades implement their protocol in full.
        return sync, asynchronous

    def _saves(
        sync: HTTPProvider, asynchronous: AsyncHTTPProvider
    ) -> tuple[SavedMethodProvider, AsyncSavedMethodProvider]:
        return sync, asynchronous
