"""The payment methods of the example portal: bank transfer, and every provider payportal
ships, each talking to its fake server in-process (``httpx.MockTransport``): no network.

A real app builds the same clients from its configuration (``PayPal(client_id,
client_secret)``, ...) and hands them to :class:`payportal.Portal`, which sends the payer to
``checkout.redirect_url``. Here the providers are fakes, so the app shows its own stand-in
for the provider's hosted page, whose "approve" button plays the payer (``approve``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from examples.portal.i18n import N_
from payportal.providers import BankTransfer, PaymentProvider
from payportal.providers.billpay import BillPayOrder
from payportal.storage import Storage, StorageOrders, StorageTransferStore
from payportal.testing import FAKES, FakeProvider

if TYPE_CHECKING:
    from payportal.customers import Company

__all__ = ["BANK_TRANSFER", "PaymentMethod", "demo_methods"]

BANK_TRANSFER = "bank_transfer"

#: What each method is called for the payer (in English: the pages translate them).
_LABELS = {
    "card": N_("Credit card (test)"),
    "paypal": N_("PayPal (test)"),
    "paypal_nvp": N_("PayPal Express (test)"),
    "payengine": N_("Concardis PayEngine (test)"),
    "paydirekt": N_("paydirekt (test)"),
    "sofort": N_("Sofort (test)"),
    "billpay": N_("BillPay invoice purchase (test)"),
    "billwerk": N_("Billwerk+ Pay (test)"),
    BANK_TRANSFER: N_("Bank transfer"),
}

#: How each fake plays the payer approving on the provider's page (BillPay decides at once,
#: a bank transfer waits for the bank statement).
_APPROVE = {"sofort": "pay"}


def _nothing(payment_id: str) -> None:
    del payment_id


@attrs.frozen
class PaymentMethod:
    """One way to pay in the portal.

    Attributes:
        key: the method's id in forms and URLs, and the provider's name.
        label: what the payer reads.
        provider: the payportal provider client that takes the payment.
        approve: plays the payer approving at the provider (fakes only).
    """

    key: str
    label: str
    provider: PaymentProvider
    approve: Callable[[str], None] = _nothing

    @property
    def redirects(self) -> bool:
        """Whether the payer goes to the provider's page (not so for a bank transfer)."""
        return self.key != BANK_TRANSFER


def demo_methods(company: Company, storage: Storage) -> dict[str, PaymentMethod]:
    """Every method, in the order the portal offers them.

    Cards through :class:`~payportal.testing.FakeProvider`; PayPal, PayEngine, paydirekt,
    Sofort, BillPay and Billwerk+ Pay through payportal's real clients talking to their
    fakes (:data:`payportal.testing.FAKES`); bank transfer to the company's account with
    references and transfers kept in ``storage``.
    """
    card = FakeProvider(name="card")
    methods = [PaymentMethod("card", _LABELS["card"], card, card.approve)]
    for entry in FAKES:
        fake = entry.fake()
        options: dict[str, object] = {"transport": fake.transport()}
        if entry.name == "billpay":
            options["orders"] = StorageOrders(storage, "billpay", BillPayOrder)
        client = entry.connect(fake, **options)
        approve = getattr(fake, _APPROVE.get(entry.name, "approve"), _nothing)
        methods.append(PaymentMethod(entry.name, _LABELS[entry.name], client, approve))
    bank = BankTransfer(company, store=StorageTransferStore(storage), prefix="")
    methods.append(PaymentMethod(BANK_TRANSFER, _LABELS[BANK_TRANSFER], bank))
    return {method.key: method for method in methods}
