"""The library's other state in a storage: bank transfers, BillPay orders, link versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import storage_samples as samples

from payportal import Money
from payportal.customers import BankAccount
from payportal.exceptions import RevokedLinkError, ValidationError
from payportal.links import HmacKey, KeyRing, LinkClaims, LinkSigner, LinkVersions
from payportal.providers import PaymentRequest, PaymentStatus
from payportal.providers.bank_transfer import BankTransfer, Transfer, TransferStore
from payportal.providers.billpay import BillPay, BillPayOrder
from payportal.storage import StorageLinkVersions, StorageOrders, StorageTransferStore
from payportal.testing.fake_billpay import FakeBillPay, sample_buyer

if TYPE_CHECKING:
    from payportal.storage import Storage

ACCOUNT = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH")


def test_bank_transfers_live_in_the_storage(storage: Storage) -> None:
    store = StorageTransferStore(storage, start=100)
    assert isinstance(store, TransferStore)
    bank = BankTransfer(ACCOUNT, store=store)
    payment = bank.create_payment(PaymentRequest(amount=Money("12.30", "EUR"), reference="INV-7"))
    reference = payment.instructions["reference"]
    # Another worker with its own BankTransfer over the same storage sees the payment...
    other = BankTransfer(ACCOUNT, store=StorageTransferStore(storage, start=100))
    assert other.get_payment(payment.id) == payment
    assert other.release(reference).status is PaymentStatus.PAID
    # ... and the change is stored, with its version.
    stored = store.get(payment.id)
    assert stored is not None
    assert stored.payment.status is PaymentStatus.PAID
    assert stored.version == 1
    assert store.find(reference) == stored
    # Numbers continue where the other left off; a reference is never handed out twice.
    second = bank.create_payment(PaymentRequest(amount=Money("1.00", "EUR"), reference="INV-8"))
    assert second.instructions["reference"] != reference


def test_the_transfer_store_refuses_duplicates_and_stale_versions(storage: Storage) -> None:
    store = StorageTransferStore(storage)
    assert [store.next_number(), store.next_number()] == [1, 2]
    transfer = Transfer(payment=samples.payment("T-1", "bank_transfer"), reference="RF18000001")
    assert store.add(transfer) is True
    assert store.add(transfer) is False
    twin = Transfer(payment=samples.payment("T-2", "bank_transfer"), reference="RF18000001")
    assert store.add(twin) is False  # same reference, other id
    assert store.get("T-2") is None
    newer = Transfer(payment=transfer.payment, reference=transfer.reference, version=1)
    assert store.replace(newer) is True
    assert store.replace(newer) is False  # version 1 is stored now, not 0
    assert store.get("T-1") == newer
    with pytest.raises(ValidationError, match="start"):
        StorageTransferStore(storage, start=0)


def test_billpay_orders_live_in_the_storage(storage: Storage) -> None:
    fake = FakeBillPay()
    orders = StorageOrders(storage, "billpay", BillPayOrder)
    first = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                    transport=fake.transport(), orders=orders)  # fmt: skip
    request = PaymentRequest(
        amount=Money("119.00", "EUR"), reference="ORDER-1", metadata=sample_buyer()
    )
    payment = first.create_payment(request)
    assert list(orders) == ["ORDER-1"]
    later = BillPay(fake.merchant_id, fake.portal_id, fake.security_key,
                    transport=fake.transport(),
                    orders=StorageOrders(storage, "billpay", BillPayOrder))  # fmt: skip
    assert later.capture(payment.id).status is PaymentStatus.PAID
    assert orders["ORDER-1"].status is PaymentStatus.PAID


def test_stored_orders_behave_as_a_mapping(storage: Storage) -> None:
    orders = StorageOrders(storage, "billpay", BillPayOrder)
    other = StorageOrders(storage, "elsewhere", BillPayOrder)
    order = BillPayOrder(
        reference="O-1",
        amount=Money("10.00", "EUR"),
        net=Money("8.40", "EUR"),
        total=Money("10.00", "EUR"),
        captured=Money("0.00", "EUR"),
        refunded=Money("0.00", "EUR"),
        status=PaymentStatus.AUTHORIZED,
        raw_status="APPROVED",
        preauthorized_on=samples.WHEN.date(),
    )
    assert len(orders) == 0
    assert "O-1" not in orders
    orders["O-1"] = order
    assert orders["O-1"] == order
    assert "O-1" in orders
    assert len(orders) == 1
    assert "O-1" not in other  # providers never share orders
    assert orders.get("O-2") is None
    with pytest.raises(ValidationError):
        orders["O-2"] = "not an order"  # type: ignore[assignment]
    del orders["O-1"]
    with pytest.raises(KeyError):
        del orders["O-1"]
    with pytest.raises(KeyError):
        orders["O-1"]


def test_revoked_links_are_refused_through_the_storage(storage: Storage) -> None:
    versions = StorageLinkVersions(storage)
    assert isinstance(versions, LinkVersions)
    signer = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), versions=versions)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    claims = LinkClaims(
        subject="customer:42",
        customer_id="42",
        purpose="portal",
        issued_at=now,
        expires_at=now + timedelta(days=30),
        version=versions.current_version("42"),
    )
    token = signer.sign(claims)
    assert signer.verify(token, purpose="portal", now=now) == claims
    assert versions.revoke("42") == 2
    with pytest.raises(RevokedLinkError):
        signer.verify(token, purpose="portal", now=now)
    assert versions.current_version("7") == 1
