"""Portal and instalments: a payment started on an invoice with a plan asks for the due
instalment, and once booked it settles the instalments in order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from arrangements_world import store_world

from payportal import Money
from payportal.arrangements import InstalmentTerms
from payportal.booking import Outcome, Portal
from payportal.providers.paypal import PayPal
from payportal.testing import FakePayPal
from payportal.testing._memory_storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Iterator

NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)


@pytest.fixture
def shop() -> Iterator[tuple[Portal, FakePayPal]]:
    storage = MemoryStorage()
    storage.migrate()
    store_world(storage, [30_000, 5_000])
    fake = FakePayPal()
    paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    portal = Portal(
        storage=storage,
        providers=[paypal],
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: NOW,
        instalment_terms=InstalmentTerms(max_instalments=3),
    )
    yield portal, fake
    paypal.close()


def pay(portal: Portal, fake: FakePayPal, *documents: str) -> Money:
    checkout = portal.pay("42", documents=documents, method="paypal")
    fake.approve(checkout.payment.id)
    done = portal.complete(checkout.intent.id, {"token": checkout.payment.id})
    assert [o.outcome for o in done.outcomes] == [Outcome.BOOKED]
    return checkout.intent.amount


def test_paying_an_invoice_with_a_plan_asks_for_the_due_instalment(
    shop: tuple[Portal, FakePayPal],
) -> None:
    portal, fake = shop
    portal.arrangements.request_instalments("42", "inv-1", count=3, first_due_on=date(2026, 4, 1))
    assert pay(portal, fake, "inv-1") == Money("100.00", "EUR")
    progress = portal.arrangements.progress("inv-1", on=date(2026, 4, 1))
    assert progress is not None
    assert [str(s.open) for s in progress.instalments] == ["0.00 EUR", "100.00 EUR", "100.00 EUR"]
    assert pay(portal, fake, "inv-1") == Money("100.00", "EUR")
    # Two documents, or an invoice without a plan, still ask for all that is due on them.
    assert pay(portal, fake, "inv-2") == Money("50.00", "EUR")
    checkout = portal.pay("42", documents=["inv-1"], method="paypal", amount=Money("1.00", "EUR"))
    assert checkout.intent.amount == Money("1.00", "EUR")  # an amount given wins


def test_without_terms_customers_cannot_ask_but_the_merchant_can_grant() -> None:
    storage = MemoryStorage()
    storage.migrate()
    store_world(storage, [30_000])
    portal = Portal(
        storage=storage,
        providers=[],
        return_url="https://shop.example/paid",
        cancel_url="https://shop.example/cancelled",
        clock=lambda: NOW,
    )
    assert portal.arrangements.terms is None
    plan = portal.arrangements.grant_instalments(
        "42", "inv-1", count=2, first_due_on=date(2026, 4, 1)
    )
    assert plan.agreed_on == NOW.date()
