"""Random operations under injected faults: the ledger always ends equal to the provider's.

Per provider, a random mix of payments, refunds, polls, returns and (duplicated, reordered,
redelivered) webhooks runs while the fake server fails requests at random: 5xx answers,
dropped connections, answers lost after the provider acted. Whatever fails is left to the
next poll or redelivery, as in production. At the end every notification is redelivered
and every intent polled once more, with no faults: each intent's booked money must equal
what the provider captured less what it refunded, and the account must hold exactly the
sum (nothing booked twice, nothing lost).

``PAYPORTAL_FAULT_OPS`` sets the operations per provider (default 120; the issue's figure
is 1,000: ``PAYPORTAL_FAULT_OPS=1000 pytest tests/booking/test_faults.py``).
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

import pytest
from booking_providers import METADATA, PROVIDERS, Wired, m

from payportal import Money
from payportal.accounts import CustomerAccount
from payportal.booking import Outcome, Portal
from payportal.exceptions import PayportalError, ProviderError
from payportal.testing import FaultKind
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from payportal.booking import PaymentIntent

OPS = int(os.environ.get("PAYPORTAL_FAULT_OPS", "120"))
FAULTS = [
    (FaultKind.ERROR, 500),
    (FaultKind.ERROR, 503),
    (FaultKind.ERROR, 502),
    (FaultKind.DROP, 0),
    (FaultKind.LOSE_RESPONSE, 0),
]


class Run:
    def __init__(self, wired: Wired, seed: int) -> None:
        self.wired = wired
        self.rng = random.Random(seed)
        self.storage = MemoryStorage()
        self.storage.migrate()
        with self.storage.transaction() as tx:
            # No open items: every payment becomes credit, so the account's credit balance
            # is the sum of what stands booked.
            tx.save_account(CustomerAccount(customer_id="42", currency="EUR"), version=0)
        self.portal = Portal(
            storage=self.storage,
            providers=[wired.client],
            return_url="https://shop.example/paid",
            cancel_url="https://shop.example/cancelled",
        )
        self.intents: list[str] = []
        self.undelivered: list[tuple[dict[str, str], bytes]] = []
        self.errors = 0
        self.booked = 0
        self.faults = 0

    def fault(self) -> None:
        if self.rng.random() < 0.35:
            kind, status = self.rng.choice(FAULTS)
            # A few faults in a row the client's retries absorb; eight exhaust them.
            times = self.rng.choice([1, 1, 2, 3, 8])
            self.wired.fake.inject(kind, status=status or 503, times=times)
            self.faults += times

    def attempt(self, action: object, *args: object) -> None:
        self.fault()
        try:
            result = action(*args)  # type: ignore[operator]
        except (ProviderError, PayportalError):
            self.errors += 1
            return
        finally:
            self.wired.fake.clear_faults()
        outcomes = getattr(result, "outcomes", result)
        if isinstance(outcomes, tuple):
            self.booked += sum(1 for o in outcomes if o.outcome is Outcome.BOOKED)

    def pay(self) -> None:
        amount = Money(f"{self.rng.randint(5, 90)}.{self.rng.randint(0, 99):02d}", "EUR")
        self.fault()
        try:
            checkout = self.portal.pay(
                "42",
                amount=amount,
                method=self.wired.name,
                metadata=METADATA.get(self.wired.name),
            )
        except (ProviderError, PayportalError):
            self.errors += 1
            return
        finally:
            self.wired.fake.clear_faults()
        self.intents.append(checkout.intent.id)
        approve = PROVIDERS[self.wired.name][2]
        if approve is not None:
            getattr(self.wired.fake, approve)(checkout.payment.id)
        if self.rng.random() < 0.6:
            self.attempt(self.portal.complete, checkout.intent.id)

    def intent(self) -> PaymentIntent | None:
        if not self.intents:
            return None
        return self.portal.intent(self.rng.choice(self.intents))

    def refund(self) -> None:
        chosen = self.intent()
        caps = self.wired.client.capabilities
        if chosen is None or chosen.payment_id is None or not caps.refund:
            return
        payment = self.wired.client.get_payment(chosen.payment_id)
        left = payment.captured - payment.refunded
        if not left:
            return
        amount = None
        if caps.partial_refund and (caps.multiple_refunds or not payment.refunded):
            cents = self.rng.randint(1, left.minor_units)
            amount = Money.from_minor(cents, "EUR")
        elif payment.refunded:
            return
        self.attempt(self.wired.client.refund, chosen.payment_id, amount)

    def webhooks(self) -> None:
        name = PROVIDERS[self.wired.name][3]
        if name is None:
            return
        fresh = getattr(self.wired.fake, name)()
        pending = self.undelivered + fresh + self.rng.sample(fresh, len(fresh) // 2)
        self.rng.shuffle(pending)
        self.undelivered = []
        for headers, body in pending:
            self.fault()
            try:
                outcomes = self.portal.handle_webhook(self.wired.name, headers, body)
            except (ProviderError, PayportalError):
                self.errors += 1
                self.undelivered.append((headers, body))  # the provider delivers it again
                continue
            finally:
                self.wired.fake.clear_faults()
            self.booked += sum(1 for o in outcomes if o.outcome is Outcome.BOOKED)

    def poll(self) -> None:
        chosen = self.intent()
        if chosen is not None:
            self.attempt(self.portal.poll, chosen.id)

    def complete(self) -> None:
        chosen = self.intent()
        if chosen is not None:
            self.attempt(self.portal.complete, chosen.id)

    def settle(self) -> None:
        """No more faults: redeliver what failed, poll everything once."""
        self.wired.fake.clear_faults()
        name = PROVIDERS[self.wired.name][3]
        pending = self.undelivered + (getattr(self.wired.fake, name)() if name else [])
        for headers, body in pending:
            self.portal.handle_webhook(self.wired.name, headers, body)
        for intent_id in self.intents:
            self.portal.poll(intent_id)


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_random_faults_never_book_twice_nor_lose_a_payment(
    request: pytest.FixtureRequest, name: str
) -> None:
    wired = Wired(request, name)
    run = Run(wired, seed=sum(map(ord, name)))
    operations = [run.pay, run.pay, run.refund, run.webhooks, run.poll, run.complete]
    for _ in range(OPS):
        run.rng.choice(operations)()
    run.settle()

    total = m("0.00")
    for intent_id in run.intents:
        intent = run.portal.intent(intent_id)
        assert intent.payment_id is not None
        truth = wired.client.get_payment(intent.payment_id)
        assert intent.standing == truth.captured - truth.refunded, intent_id
        total += intent.standing
    with run.storage.transaction() as tx:
        stored = tx.load_account("42")
    assert stored is not None
    assert stored.value.credit_balance == total
    assert run.booked > 0
    # The faults were real: some operations failed and were left to later reports.
    assert run.errors > 0
    # Recorded for the closing note of issue 19.
    print(
        f"{name}: {OPS} operations, {run.faults} faults, {len(run.intents)} payments, "
        f"{run.errors} failed calls, "
        f"{run.booked} bookings, ledger {stored.value.credit_balance} = provider {total}"
    )
