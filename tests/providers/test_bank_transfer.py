"""Bank transfer: instructions, unique references, receipts, and the provider contract.

There is no HTTP: the contract runs once, against the provider itself (no fake server, no
MockTransport, no loopback). The fault cases of the issue become: a receipt booked twice
(statement imported twice, release clicked twice) changes nothing, and two workers booking at
once both count.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money
from payportal.customers import BankAccount, Company
from payportal.exceptions import (
    InvalidRequestError,
    ProviderError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers import (
    AsyncPaymentProvider,
    Capabilities,
    PaymentProvider,
    PaymentRequest,
    PaymentStatus,
)
from payportal.providers.bank_transfer import (
    AsyncBankTransfer,
    BankTransfer,
    InMemoryTransferStore,
    Transfer,
    TransferStore,
)
from payportal.reconciliation import Direction, StatementEntry
from payportal.references import Template, rf
from payportal.testing.contract import ProviderContract

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

IBAN = "DE89370400440532013000"
ACCOUNT = BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH", bic="COBADEFFXXX")


def request(
    amount: str = "10.00",
    currency: str = "EUR",
    *,
    reference: str = "INV-1",
    metadata: dict[str, str] | None = None,
) -> PaymentRequest:
    return PaymentRequest(
        amount=Money(amount, currency), reference=reference, metadata=metadata or {}
    )


def credit(
    text: str, amount: str = "10.00", entry_id: str = "E-1", **fields: object
) -> StatementEntry:
    return StatementEntry(
        entry_id,
        date(2026, 11, 23),
        Money(amount, "EUR"),
        Direction.CREDIT,
        remittance_text=text,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def bank() -> BankTransfer:
    return BankTransfer(ACCOUNT)


class TestBankTransferContract(ProviderContract):
    @pytest.fixture
    def provider(self) -> BankTransfer:
        return BankTransfer(ACCOUNT)

    @pytest.fixture
    def approve(self) -> Callable[[str], None]:
        # The payer ordering the transfer at their bank is invisible to the merchant: the
        # payment stays pending until the money shows on a statement.
        return lambda payment_id: None

    @pytest.fixture
    def webhooks(self) -> Callable[[], list[tuple[dict[str, str], bytes]]]:
        return list


# -- the protocol and the capability flags ---------------------------------------------------


def test_both_classes_implement_their_protocol(bank: BankTransfer) -> None:
    assert isinstance(bank, PaymentProvider)
    assert isinstance(AsyncBankTransfer(ACCOUNT), AsyncPaymentProvider)
    assert isinstance(InMemoryTransferStore(), TransferStore)


def test_capabilities_claim_only_cancelling(bank: BankTransfer) -> None:
    assert bank.capabilities == Capabilities(void=True)
    assert bank.name == "bank_transfer"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda b, pid: b.capture(pid), "nothing to capture"),
        (lambda b, pid: b.capture(pid, Money("1.00", "EUR")), "nothing to capture"),
        (lambda b, pid: b.refund(pid), "outgoing transfer"),
        (lambda b, pid: b.refund(pid, Money("1.00", "EUR"), "r"), "outgoing transfer"),
        (lambda b, pid: b.parse_webhook({}, b"{}"), "no webhooks"),
    ],
)
def test_operations_a_bank_transfer_lacks_are_unsupported(
    bank: BankTransfer, call: Callable[[BankTransfer, str], object], words: str
) -> None:
    payment = bank.release(bank.create_payment(request()).instructions["reference"])
    with pytest.raises(UnsupportedOperationError, match=words) as caught:
        call(bank, payment.id)
    assert caught.value.provider == "bank_transfer"
    assert bank.get_payment(payment.id) == payment


# -- instructions ------------------------------------------------------------------------------


def test_instructions_name_the_account_amount_and_reference(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("12.30", reference="INV-7"))
    assert payment.status is PaymentStatus.PENDING
    assert payment.raw_status == "awaiting_transfer"
    assert payment.reference == "INV-7"
    assert payment.redirect_url is None
    i = payment.instructions
    assert (i["account_holder"], i["iban"], i["bic"]) == ("ACME GmbH", IBAN, "COBADEFFXXX")
    assert i["iban_formatted"] == "DE89 3704 0044 0532 0130 00"
    assert (i["amount"], i["currency"], i["reference_scheme"]) == ("12.30", "EUR", "rf")
    assert rf.validate(i["reference"]) == i["reference"]
    assert i["reference_formatted"] == rf.format(i["reference"])


def test_eur_instructions_carry_the_epc_qr_payload(bank: BankTransfer) -> None:
    i = bank.create_payment(request("12.30")).instructions
    assert i["epc_qr"].split("\n") == [
        "BCD", "002", "1", "SCT", "COBADEFFXXX", "ACME GmbH", IBAN, "EUR12.30", "",
        i["reference"],
    ]  # fmt: skip


@pytest.mark.parametrize(("amount", "currency"), [("10.00", "CHF"), ("1000", "JPY")])
def test_other_currencies_get_instructions_without_a_qr_code(
    bank: BankTransfer, amount: str, currency: str
) -> None:
    i = bank.create_payment(request(amount, currency)).instructions
    assert "epc_qr" not in i
    assert (i["amount"], i["currency"]) == (str(Money(amount, currency).amount), currency)


def test_amounts_beyond_the_epc_limit_get_no_qr_code(bank: BankTransfer) -> None:
    assert "epc_qr" not in bank.create_payment(request("1000000000.00")).instructions
    assert "epc_qr" in bank.create_payment(request("999999999.99")).instructions


def test_a_company_lends_its_first_account() -> None:
    other = BankAccount(iban="GB82 WEST 1234 5698 7654 32", holder="ACME Ltd")
    company = Company(name="ACME", bank_accounts=[ACCOUNT, other])
    i = BankTransfer(company).create_payment(request()).instructions
    assert (i["iban"], i["account_holder"]) == (IBAN, "ACME GmbH")
    without_bic = BankTransfer(other).create_payment(request()).instructions
    assert "bic" not in without_bic
    assert without_bic["epc_qr"].split("\n")[4] == ""


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"account": Company(name="ACME")}, "account"),
        ({"account": "DE89370400440532013000"}, "account"),
        ({"account": ACCOUNT, "prefix": "shop-1"}, "prefix"),
        ({"account": ACCOUNT, "prefix": "ABCDEFGHIJK"}, "prefix"),
        ({"account": ACCOUNT, "reference_scheme": "be_ogm"}, "reference_scheme"),
        (
            {"account": ACCOUNT, "reference_scheme": Template("{invoice_number}")},
            "reference_scheme",
        ),
    ],
)
def test_bad_configuration_is_refused_at_construction(
    arguments: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        BankTransfer(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


# -- unique references -------------------------------------------------------------------------


@given(count=st.integers(1, 40), prefix=st.sampled_from(["", "S1", "SHOPABCDEF"]))
def test_references_are_always_unique_and_valid(count: int, prefix: str) -> None:
    bank = BankTransfer(ACCOUNT, prefix=prefix)
    payments = [bank.create_payment(request()) for _ in range(count)]
    references = [p.instructions["reference"] for p in payments]
    assert len(set(references)) == count
    assert len({p.id for p in payments}) == count
    assert all(rf.is_valid(r) and r[4:].startswith(prefix) for r in references)
    assert all(bank.store.find(r).id == p.id for r, p in zip(references, payments, strict=True))  # type: ignore[union-attr]


class RestartingStore(InMemoryTransferStore):
    """A store whose sequence was reset by mistake: it hands out numbers again."""

    def __init__(self, numbers: list[int]) -> None:
        super().__init__()
        self._numbers: Iterator[int] = iter(numbers)

    def next_number(self) -> int:
        return next(self._numbers)


def test_a_reset_sequence_cannot_repeat_a_reference() -> None:
    bank = BankTransfer(ACCOUNT, store=RestartingStore([1, 2, 1, 2, 3]))
    first = [bank.create_payment(request()) for _ in range(2)]
    third = bank.create_payment(request())
    assert third.instructions["reference"] == rf.generate("3")
    assert third.instructions["reference"] not in {p.instructions["reference"] for p in first}


def test_a_store_that_refuses_everything_ends_in_an_error() -> None:
    class Full(InMemoryTransferStore):
        def add(self, transfer: Transfer) -> bool:
            return False

    with pytest.raises(ProviderError) as caught:
        BankTransfer(ACCOUNT, store=Full()).create_payment(request())
    assert caught.value.code == "reference_collision"


def test_a_template_reference_carries_the_merchants_numbers() -> None:
    template = Template("KD{customer_number}-{order_number}", check="mod97", name="topup")
    bank = BankTransfer(ACCOUNT, reference_scheme=template, store=InMemoryTransferStore(700))
    payment = bank.create_payment(request(metadata={"customer_number": "10023"}))
    i = payment.instructions
    assert template.parse(i["reference"]) == {"customer_number": "10023", "order_number": "700"}
    assert i["reference_scheme"] == "topup"
    lines = i["epc_qr"].split("\n")
    assert lines[9:] == ["", i["reference"]]  # unstructured text: it is no RF reference
    assert bank.release(i["reference"].lower()).status is PaymentStatus.PAID


def test_template_fields_come_from_the_clock_request_and_metadata() -> None:
    template = Template("{year}-{month}/{invoice_number}/{order_number}")
    clock = lambda: datetime(2026, 3, 9, tzinfo=UTC)  # noqa: E731
    bank = BankTransfer(ACCOUNT, reference_scheme=template, clock=clock)
    assert bank.create_payment(request(reference="INV-2026-17")).instructions["reference"] == (
        "2026-03/INV202617/1"
    )
    overridden = request(metadata={"invoice_number": "R9", "order_number": "999"})
    assert bank.create_payment(overridden).instructions["reference"] == "2026-03/R9/2"


def test_a_template_field_missing_from_the_request_is_named() -> None:
    bank = BankTransfer(ACCOUNT, reference_scheme=Template("K{customer_number}-{order_number}"))
    with pytest.raises(ValidationError) as caught:
        bank.create_payment(request())
    assert caught.value.field == "customer_number"


# -- money received -----------------------------------------------------------------------------


def test_receipts_add_up_to_paid(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    part = bank.mark_paid(payment.id, Money("4.00", "EUR"), receipt_id="E-1")
    assert (part.status, part.raw_status, part.captured) == (
        PaymentStatus.PENDING,
        "partially_received",
        Money("4.00", "EUR"),
    )
    rest = bank.mark_paid(payment.id, Money("6.00", "EUR"), receipt_id="E-2")
    assert (rest.status, rest.raw_status, rest.captured) == (
        PaymentStatus.PAID,
        "received",
        Money("10.00", "EUR"),
    )
    assert bank.get_payment(payment.id) == rest
    assert bank.store.get(payment.id).receipt_ids == ("E-1", "E-2")  # type: ignore[union-attr]


def test_overpayment_is_paid_and_says_so(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    paid = bank.mark_paid(payment.id, Money("12.00", "EUR"))
    assert (paid.status, paid.raw_status, paid.captured) == (
        PaymentStatus.PAID,
        "overpaid",
        Money("12.00", "EUR"),
    )


def test_a_receipt_booked_twice_changes_nothing(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    once = bank.mark_paid(payment.id, Money("4.00", "EUR"), receipt_id="E-1")
    assert bank.mark_paid(payment.id, Money("4.00", "EUR"), receipt_id="E-1") == once
    assert bank.get_payment(payment.id) == once


def test_receipts_without_an_id_each_count(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    bank.mark_paid(payment.id, Money("4.00", "EUR"))
    assert bank.mark_paid(payment.id, Money("4.00", "EUR")).captured == Money("8.00", "EUR")


@pytest.mark.parametrize(
    "amount", [Money("4.00", "USD"), Money("0.00", "EUR"), Money("-1.00", "EUR"), "4.00"]
)
def test_a_bad_receipt_amount_is_refused_and_changes_nothing(
    bank: BankTransfer, amount: Money
) -> None:
    payment = bank.create_payment(request())
    with pytest.raises(InvalidRequestError) as caught:
        bank.mark_paid(payment.id, amount)
    assert caught.value.code == "amount_invalid"
    assert bank.get_payment(payment.id) == payment


def test_an_empty_receipt_id_is_refused(bank: BankTransfer) -> None:
    payment = bank.create_payment(request())
    with pytest.raises(ValidationError):
        bank.mark_paid(payment.id, Money("1.00", "EUR"), receipt_id="")
    assert bank.get_payment(payment.id) == payment


def test_unknown_ids_and_references_are_invalid_requests(bank: BankTransfer) -> None:
    with pytest.raises(InvalidRequestError) as by_id:
        bank.mark_paid("bt_nothing", Money("1.00", "EUR"))
    assert by_id.value.code == "payment_not_found"
    for reference in ("RF18 5390 0754 7034", "not a reference", ""):
        with pytest.raises(InvalidRequestError) as by_reference:
            bank.release(reference)
        assert by_reference.value.code == "reference_not_found"


def test_release_books_what_is_outstanding_once(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    bank.mark_paid(payment.id, Money("3.00", "EUR"))
    formatted = payment.instructions["reference_formatted"].lower()
    released = bank.release(formatted)
    assert (released.status, released.captured) == (PaymentStatus.PAID, Money("10.00", "EUR"))
    assert bank.release(formatted) == released


def test_release_with_an_amount_books_that_amount(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    part = bank.release(payment.instructions["reference"], Money("2.50", "EUR"), receipt_id="X")
    assert (part.status, part.captured) == (PaymentStatus.PENDING, Money("2.50", "EUR"))


def test_concurrent_receipts_all_count() -> None:
    bank = BankTransfer(ACCOUNT)
    payment = bank.create_payment(request("100.00"))
    barrier = threading.Barrier(8)

    def book(worker: int) -> None:
        barrier.wait()
        for n in range(25):
            bank.mark_paid(payment.id, Money("0.50", "EUR"), receipt_id=f"{worker}-{n}")

    threads = [threading.Thread(target=book, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = bank.get_payment(payment.id)
    assert final.captured == Money("100.00", "EUR")
    assert final.status is PaymentStatus.PAID
    assert len(bank.store.get(payment.id).receipt_ids) == 200  # type: ignore[union-attr]


class RacingStore(InMemoryTransferStore):
    """Lets another worker book a receipt between our read and our write."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Callable[[], object] | None = None

    def replace(self, transfer: Transfer) -> bool:
        if self.meanwhile is not None:
            other, self.meanwhile = self.meanwhile, None
            other()
        return super().replace(transfer)


def test_a_receipt_booked_in_between_is_not_overwritten() -> None:
    store = RacingStore()
    bank = BankTransfer(ACCOUNT, store=store)
    payment = bank.create_payment(request("10.00"))
    store.meanwhile = lambda: bank.mark_paid(payment.id, Money("6.00", "EUR"), receipt_id="B")
    final = bank.mark_paid(payment.id, Money("4.00", "EUR"), receipt_id="A")
    assert (final.status, final.captured) == (PaymentStatus.PAID, Money("10.00", "EUR"))
    assert store.get(payment.id).receipt_ids == ("B", "A")  # type: ignore[union-attr]


def test_a_stale_version_is_not_stored() -> None:
    store = InMemoryTransferStore()
    bank = BankTransfer(ACCOUNT, store=store)
    payment = bank.create_payment(request())
    stale = store.get(payment.id)
    assert stale is not None
    bank.mark_paid(payment.id, Money("1.00", "EUR"))
    assert not store.replace(stale)
    assert store.get(payment.id).payment.captured == Money("1.00", "EUR")  # type: ignore[union-attr]


# -- statements -----------------------------------------------------------------------------------


def test_a_statement_entry_pays_the_payment_it_names(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    spaced = payment.instructions["reference_formatted"]
    paid = bank.receive(credit(f"SVWZ+Rechnung INV-1 {spaced} danke"))
    assert paid is not None
    assert (paid.id, paid.status) == (payment.id, PaymentStatus.PAID)


def test_a_statement_imported_twice_is_booked_once(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    entry = credit("", "4.00", creditor_references=(payment.instructions["reference"],))
    first = bank.receive(entry)
    assert bank.receive(entry) == first
    assert bank.get_payment(payment.id).captured == Money("4.00", "EUR")


def test_the_reference_may_travel_as_the_end_to_end_id(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    paid = bank.receive(credit("", end_to_end_id=payment.instructions["reference"]))
    assert paid is not None
    assert paid.status is PaymentStatus.PAID


def test_entries_that_are_not_ours_are_left_alone(bank: BankTransfer) -> None:
    payment = bank.create_payment(request("10.00"))
    reference = payment.instructions["reference"]
    debit = StatementEntry(
        "D-1", date(2026, 11, 23), Money("10.00", "EUR"), Direction.DEBIT, remittance_text=reference
    )
    assert bank.receive(debit) is None
    # A reversed debit (MT940 RD) is a credit that returns our own money, not a payment.
    reversal = attrs.evolve(credit(reference), reversal=True)
    assert bank.receive(reversal) is None
    assert bank.receive(credit("Rechnung INV-1 RF18 5390 0754 7034")) is None
    assert bank.receive(credit("nothing to see")) is None
    assert bank.get_payment(payment.id) == payment


# -- cancel ---------------------------------------------------------------------------------------


def test_a_cancelled_payment_refuses_money_and_stays_cancelled(bank: BankTransfer) -> None:
    payment = bank.create_payment(request())
    cancelled = bank.cancel(payment.id)
    assert (cancelled.status, cancelled.raw_status) == (PaymentStatus.CANCELLED, "cancelled")
    assert bank.cancel(payment.id) == cancelled
    with pytest.raises(InvalidRequestError) as caught:
        bank.release(payment.instructions["reference"])
    assert caught.value.code == "payment_cancelled"
    assert bank.get_payment(payment.id) == cancelled


def test_money_received_cannot_be_cancelled(bank: BankTransfer) -> None:
    payment = bank.create_payment(request())
    part = bank.mark_paid(payment.id, Money("1.00", "EUR"))
    with pytest.raises(InvalidRequestError) as caught:
        bank.cancel(payment.id)
    assert caught.value.code == "payment_received"
    assert bank.get_payment(payment.id) == part


# -- async ----------------------------------------------------------------------------------------


def test_the_async_client_behaves_the_same() -> None:
    async def flow() -> None:
        bank = AsyncBankTransfer(ACCOUNT)
        assert (bank.name, bank.capabilities) == ("bank_transfer", Capabilities(void=True))
        payment = await bank.create_payment(request("10.00"))
        reference = payment.instructions["reference"]
        assert (await bank.get_payment(payment.id)) == payment
        part = await bank.mark_paid(payment.id, Money("4.00", "EUR"), receipt_id="E-1")
        assert part.status is PaymentStatus.PENDING
        entry = credit(reference, "6.00", entry_id="E-2")
        assert (await bank.receive(entry)).status is PaymentStatus.PAID  # type: ignore[union-attr]
        assert (await bank.release(reference)).captured == Money("10.00", "EUR")
        for call in (
            bank.capture(payment.id),
            bank.refund(payment.id),
            bank.parse_webhook({}, b""),
        ):
            with pytest.raises(UnsupportedOperationError):
                await call
        other = await bank.create_payment(request())
        assert (await bank.cancel(other.id)).status is PaymentStatus.CANCELLED
        assert bank.store.get(other.id) is not None
        assert repr(bank).startswith("AsyncBankTransfer(")

    asyncio.run(flow())
