"""What every provider with ``capabilities.saved_methods`` must do, against its fake.

A test module subclasses :class:`SavedMethodContract` and supplies the fixtures: the client
(``provider``), how the customer completes a setup at the fake (``complete``), and how the
fake makes a saved method expired, revoked or short of funds.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from payportal import Money
from payportal.exceptions import (
    InvalidRequestError,
    PaymentDeclinedError,
    SavedMethodUnusableError,
)
from payportal.providers import (
    MethodSetup,
    PaymentStatus,
    RetryPolicy,
    SavedMethod,
    SavedMethodProvider,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

RETURN = "https://shop.example/saved"
CANCEL = "https://shop.example/not-saved"

T = TypeVar("T")


@pytest.fixture(params=["mock", "loopback"])
def mode(request: pytest.FixtureRequest) -> str:
    """How the client reaches its fake: in-process transport, or HTTP over loopback."""
    return str(request.param)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


def connect_to(
    fake: Any, client: Callable[..., T], mode: str = "mock", stack: ExitStack | None = None
) -> T:
    """``client(**options)`` talking to ``fake`` as ``mode`` says, without retry waits;
    entered on ``stack`` when one is given."""
    options: dict[str, Any] = {
        "retry": RetryPolicy(base_delay=0.0),
        "sleep": lambda seconds: None,
    }
    if mode == "loopback":
        assert stack is not None
        options["base_url"] = stack.enter_context(fake.serve())
    else:
        options["transport"] = fake.transport()
    made = client(**options)
    return stack.enter_context(made) if stack is not None else made  # type: ignore[arg-type]


class SavedMethodContract:
    """Save, list, charge, delete; expired, revoked and declined methods; retries."""

    currency = "EUR"

    @pytest.fixture
    def provider(self) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def complete(self) -> Callable[[MethodSetup], None]:
        """The customer completes ``setup`` at the provider (approves, enters a card)."""
        raise NotImplementedError

    @pytest.fixture
    def expire(self) -> Callable[[SavedMethod], None]:
        raise NotImplementedError

    @pytest.fixture
    def revoke(self) -> Callable[[SavedMethod], None]:
        raise NotImplementedError

    @pytest.fixture
    def decline(self) -> Callable[[SavedMethod], None]:
        raise NotImplementedError

    @pytest.fixture
    def lose_charge_answer(self) -> Callable[[], None]:
        """Make the provider act on the next charge but lose its answer."""
        raise NotImplementedError

    @pytest.fixture
    def charges(self) -> Callable[[], int]:
        """How many successful charges the fake holds."""
        raise NotImplementedError

    def saved(
        self, provider: SavedMethodProvider, complete: Callable[[MethodSetup], None]
    ) -> SavedMethod:
        setup = provider.setup_method("cust-42", RETURN, CANCEL)
        complete(setup)
        return provider.confirm_method(setup)

    def money(self, amount: str) -> Money:
        return Money(amount, self.currency)

    def test_capability_and_protocol(self, provider: Any) -> None:
        assert provider.capabilities.saved_methods
        assert isinstance(provider, SavedMethodProvider)

    def test_setup_redirects_and_confirm_reads_the_method_back(
        self, provider: SavedMethodProvider, complete: Callable[[MethodSetup], None]
    ) -> None:
        setup = provider.setup_method("cust-42", RETURN, CANCEL)
        assert setup.provider == provider.name
        assert setup.redirect_url.startswith("https://")
        complete(setup)
        method = provider.confirm_method(setup)
        assert method.provider == provider.name
        assert method.usable
        assert method.display
        assert provider.list_methods(method.customer) == (method,)

    def test_confirm_before_the_customer_completed_is_refused(
        self, provider: SavedMethodProvider
    ) -> None:
        setup = provider.setup_method("cust-42", RETURN, CANCEL)
        with pytest.raises(InvalidRequestError):
            provider.confirm_method(setup)

    def test_charge_captures_at_once(
        self, provider: SavedMethodProvider, complete: Callable[[MethodSetup], None]
    ) -> None:
        method = self.saved(provider, complete)
        payment = provider.charge_method(method, self.money("12.50"), "INV-7", "req-1")
        assert payment.status is PaymentStatus.PAID
        assert payment.captured == self.money("12.50")
        assert payment.redirect_url is None
        assert provider.get_payment(payment.id).captured == self.money("12.50")  # type: ignore[attr-defined]

    def test_the_same_request_id_charges_once(
        self,
        provider: SavedMethodProvider,
        complete: Callable[[MethodSetup], None],
        charges: Callable[[], int],
    ) -> None:
        method = self.saved(provider, complete)
        first = provider.charge_method(method, self.money("5.00"), "INV-7", "req-1")
        again = provider.charge_method(method, self.money("5.00"), "INV-7", "req-1")
        other = provider.charge_method(method, self.money("5.00"), "INV-7", "req-2")
        assert again.id == first.id
        assert other.id != first.id
        assert charges() == 2

    def test_a_lost_charge_answer_is_retried_and_charges_once(
        self,
        provider: SavedMethodProvider,
        complete: Callable[[MethodSetup], None],
        lose_charge_answer: Callable[[], None],
        charges: Callable[[], int],
    ) -> None:
        method = self.saved(provider, complete)
        lose_charge_answer()
        payment = provider.charge_method(method, self.money("9.99"), "INV-8", "req-9")
        assert payment.captured == self.money("9.99")
        assert charges() == 1

    def test_an_expired_card_is_unusable(
        self,
        provider: SavedMethodProvider,
        complete: Callable[[MethodSetup], None],
        expire: Callable[[SavedMethod], None],
        charges: Callable[[], int],
    ) -> None:
        method = self.saved(provider, complete)
        expire(method)
        with pytest.raises(SavedMethodUnusableError) as raised:
            provider.charge_method(method, self.money("3.00"), "INV-9", "req-1")
        assert raised.value.provider == provider.name
        assert charges() == 0

    def test_a_revoked_token_is_unusable(
        self,
        provider: SavedMethodProvider,
        complete: Callable[[MethodSetup], None],
        revoke: Callable[[SavedMethod], None],
        charges: Callable[[], int],
    ) -> None:
        method = self.saved(provider, complete)
        revoke(method)
        with pytest.raises(SavedMethodUnusableError):
            provider.charge_method(method, self.money("3.00"), "INV-9", "req-1")
        assert charges() == 0

    def test_a_declined_charge_leaves_the_method_usable(
        self,
        provider: SavedMethodProvider,
        complete: Callable[[MethodSetup], None],
        decline: Callable[[SavedMethod], None],
        charges: Callable[[], int],
    ) -> None:
        method = self.saved(provider, complete)
        decline(method)
        with pytest.raises(PaymentDeclinedError) as raised:
            provider.charge_method(method, self.money("3.00"), "INV-9", "req-1")
        assert not isinstance(raised.value, SavedMethodUnusableError)
        assert charges() == 0

    def test_delete_removes_it_and_a_deleted_method_cannot_be_charged(
        self, provider: SavedMethodProvider, complete: Callable[[MethodSetup], None]
    ) -> None:
        method = self.saved(provider, complete)
        provider.delete_method(method)
        provider.delete_method(method)  # deleting twice is not an error
        assert provider.list_methods(method.customer) == ()
        with pytest.raises(SavedMethodUnusableError):
            provider.charge_method(method, self.money("3.00"), "INV-9", "req-1")
