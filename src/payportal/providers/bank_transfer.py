"""Bank transfer: payment instructions with a unique reference and an EPC QR code.

A bank transfer has no API. :meth:`BankTransfer.create_payment` returns instructions (the
merchant's account, the amount, a payment reference made for this payment alone and, for
EUR, the EPC069-12 QR payload a banking app scans) and records the payment as ``PENDING`` in
a :class:`TransferStore`. It stays pending until the money is seen on the merchant's account:

* :meth:`BankTransfer.receive` takes a :class:`~payportal.reconciliation.StatementEntry`
  from an imported statement, finds the payment reference in it and books the amount;
* :meth:`BankTransfer.mark_paid` books an amount on a payment id, and
  :meth:`BankTransfer.release` books what is outstanding on a payment reference (the manual
  release a clerk makes after looking at the account).

A receipt smaller than the amount leaves the payment ``PENDING`` (raw status
``partially_received``) with :attr:`~payportal.providers.Payment.captured` showing what came
in; once the receipts cover the amount it is ``PAID`` (``received``, or ``overpaid`` when they
exceed it). A receipt carries the id of the statement entry it came from, and an entry already
booked on the payment changes nothing, so importing a statement twice is harmless.

What the protocol's other operations mean here (see :data:`CAPABILITIES`):

* ``capture`` raises :class:`~payportal.exceptions.UnsupportedOperationError`: the payer
  sends the money, nothing is authorized or captured.
* ``cancel`` withdraws the instructions of a payment nothing has been received for
  (``void`` is offered); a transfer that arrives later is refused by ``mark_paid`` and left to
  the merchant.
* ``refund`` raises :class:`~payportal.exceptions.UnsupportedOperationError`: refunding a
  bank transfer is an outgoing transfer the merchant makes from their bank, which payportal
  cannot send. Recording it as done would claim money moved when it has not.
* ``parse_webhook`` raises :class:`~payportal.exceptions.UnsupportedOperationError`: banks
  send no notifications; statements are imported instead.

How references stay unique
--------------------------

Every payment takes the next number of the store's sequence (:meth:`TransferStore.next_number`)
and its reference is built from it: by default an ISO 11649 creditor reference whose body is
an optional merchant prefix and the number (``RF29100042`` for number ``100042``), or the
merchant's :class:`~payportal.references.Template`, which must then use ``{order_number}``
(the number). A sequence never hands out a number twice, and the store additionally refuses a
reference it already holds (:meth:`TransferStore.add` returns ``False``), in which case the
next number is drawn: even a sequence reset by mistake cannot give two payments one reference.

>>> from payportal import Money
>>> from payportal.customers import BankAccount
>>> from payportal.providers import PaymentRequest
>>> bank = BankTransfer(BankAccount(iban="DE89 3704 0044 0532 0130 00", holder="ACME GmbH"))
>>> pay = bank.create_payment(PaymentRequest(amount=Money("12.30", "EUR"), reference="INV-7"))
>>> pay.status.value, pay.instructions["reference_formatted"]
('pending', 'RF74 1')
>>> bank.release("RF74 1").status.value
'paid'
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, NoReturn, Protocol, runtime_checkable

import attrs

from payportal import _validators as v
from payportal import epc_qr
from payportal import references as refs
from payportal._money import Money
from payportal.customers import BankAccount, Company
from payportal.exceptions import (
    InvalidReferenceError,
    InvalidRequestError,
    ProviderError,
    UnsupportedOperationError,
    ValidationError,
)
from payportal.providers._models import Capabilities, Payment, PaymentRequest, PaymentStatus
from payportal.reconciliation._entry import Direction

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from payportal.providers._models import WebhookEvent
    from payportal.reconciliation import StatementEntry

__all__ = [
    "CAPABILITIES",
    "NAME",
    "AsyncBankTransfer",
    "BankTransfer",
    "InMemoryTransferStore",
    "Transfer",
    "TransferStore",
]

NAME = "bank_transfer"

CAPABILITIES = Capabilities(void=True)
"""Only ``void``: an unpaid payment can be cancelled. No capture, no refund, no webhooks,
no redirect, and the money takes a clearing day or more."""

# Raw status words, as on Payment.raw_status.
AWAITING = "awaiting_transfer"
PARTIAL = "partially_received"
RECEIVED = "received"
OVERPAID = "overpaid"
CANCELLED = "cancelled"

# Reference collisions and lost compare-and-swap races are retried this often before giving up.
_ATTEMPTS = 1000


@attrs.frozen
class Transfer:
    """One bank-transfer payment as a :class:`TransferStore` keeps it.

    Attributes:
        payment: the payment as ``get_payment`` returns it.
        reference: its payment reference, compact (``RF29100042``); unique in the store.
        receipt_ids: the ids of the statement entries already booked on it, oldest first.
        version: bumped on every change; stores compare it to refuse lost updates.
    """

    payment: Payment = attrs.field(validator=v.instance_of(Payment, "a Payment"))
    reference: str = attrs.field(validator=v.non_empty_str)
    receipt_ids: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string")
    )
    version: int = 0

    @property
    def id(self) -> str:
        """The payment id."""
        return self.payment.id


@runtime_checkable
class TransferStore(Protocol):
    """Where :class:`BankTransfer` keeps its payments; implement it to persist them.

    A database implementation maps :meth:`next_number` to a sequence, :meth:`add` to an
    ``INSERT`` with unique keys on the id and the reference, and :meth:`replace` to
    ``UPDATE ... WHERE id = ? AND version = ?``. Every method may be called from several
    threads at once.
    """

    def next_number(self) -> int:
        """A positive number never returned before by this store."""
        ...

    def add(self, transfer: Transfer) -> bool:
        """Keep a new transfer; return ``False`` (keeping nothing) if its id or reference is
        already held."""
        ...

    def get(self, payment_id: str) -> Transfer | None:
        """The transfer with this payment id, if any."""
        ...

    def find(self, reference: str) -> Transfer | None:
        """The transfer with this compact reference, if any."""
        ...

    def replace(self, transfer: Transfer) -> bool:
        """Store ``transfer`` over the one with its id if that one's version is
        ``transfer.version - 1``; return ``False`` (changing nothing) otherwise."""
        ...


class InMemoryTransferStore:
    """A :class:`TransferStore` in a dictionary, for tests and single-process apps.

    Args:
        start: the first number :meth:`next_number` hands out.
    """

    def __init__(self, start: int = 1) -> None:
        if not isinstance(start, int) or start < 1:
            raise ValidationError("must be a positive integer", field="start", value=start)
        self._lock = threading.Lock()
        self._next = start
        self._by_id: dict[str, Transfer] = {}
        self._by_reference: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"InMemoryTransferStore(transfers={len(self._by_id)})"

    def next_number(self) -> int:
        """See :meth:`TransferStore.next_number`."""
        with self._lock:
            number, self._next = self._next, self._next + 1
            return number

    def add(self, transfer: Transfer) -> bool:
        """See :meth:`TransferStore.add`."""
        with self._lock:
            if transfer.id in self._by_id or transfer.reference in self._by_reference:
                return False
            self._by_id[transfer.id] = transfer
            self._by_reference[transfer.reference] = transfer.id
            return True

    def get(self, payment_id: str) -> Transfer | None:
        """See :meth:`TransferStore.get`."""
        return self._by_id.get(payment_id)

    def find(self, reference: str) -> Transfer | None:
        """See :meth:`TransferStore.find`."""
        payment_id = self._by_reference.get(reference)
        return None if payment_id is None else self._by_id.get(payment_id)

    def replace(self, transfer: Transfer) -> bool:
        """See :meth:`TransferStore.replace`."""
        with self._lock:
            current = self._by_id.get(transfer.id)
            if current is None or current.version != transfer.version - 1:
                return False
            self._by_id[transfer.id] = transfer
            return True


def _account(account: object) -> BankAccount:
    if isinstance(account, BankAccount):
        return account
    if isinstance(account, Company):
        if not account.bank_accounts:
            raise ValidationError(
                "has no bank account to receive transfers; add one to bank_accounts",
                field="account",
                value=account.name,
            )
        return account.bank_accounts[0]
    raise ValidationError(
        "must be a payportal.customers.Company or BankAccount", field="account", value=account
    )


def _status(received: Money, amount: Money) -> tuple[PaymentStatus, str]:
    if received >= amount:
        return PaymentStatus.PAID, OVERPAID if received > amount else RECEIVED
    return PaymentStatus.PENDING, PARTIAL if received else AWAITING


def _alphanumeric(text: str) -> str:
    return "".join(c for c in text.upper() if c.isascii() and c.isalnum())


class _BankTransferFacts:
    """What both front-ends of the bank transfer provider say of themselves."""

    @property
    def name(self) -> str:
        """``"bank_transfer"``."""
        return NAME

    @property
    def capabilities(self) -> Capabilities:
        """:data:`CAPABILITIES`."""
        return CAPABILITIES


class BankTransfer(_BankTransferFacts):
    """The bank-transfer :class:`~payportal.providers.PaymentProvider`; no I/O but the store.

    Args:
        account: the merchant's receiving account, or a :class:`~payportal.customers.Company`
            whose first bank account it is. Its holder is the beneficiary name.
        store: where payments are kept; default a new :class:`InMemoryTransferStore`.
        reference_scheme: ``"rf"`` (ISO 11649 creditor reference, the default) or a
            :class:`~payportal.references.Template` that uses ``{order_number}``. A template
            is filled with ``order_number`` (the store's number), ``year`` and ``month``
            (from ``clock``), ``invoice_number`` (the request's reference, letters and digits
            only) and any other of its fields from the request's ``metadata``.
        prefix: for ``"rf"``, letters and digits put before the number (up to 10), such as a
            shop code; stores shared by several shops need different prefixes.
        clock: the current time, for the ``year`` and ``month`` template fields.

    Raises:
        ValidationError: the account has no IBAN or a holder too long for an EPC QR code
            (over 70 characters), the prefix is not letters and digits, or the template
            does not use ``{order_number}``; the error names the argument.
    """

    def __init__(
        self,
        account: BankAccount | Company,
        *,
        store: TransferStore | None = None,
        reference_scheme: Literal["rf"] | refs.Template = "rf",
        prefix: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._account = _account(account)
        # Fails now, not on the first EUR payment, if the account cannot make a QR code.
        epc_qr.payload(name=self._account.holder, iban=self._account.iban, bic=self._account.bic)
        if isinstance(reference_scheme, refs.Template):
            if "order_number" not in reference_scheme.fields:
                raise ValidationError(
                    "must use {order_number}, the payment's number, so that every payment's "
                    "reference is unique",
                    field="reference_scheme",
                    value=reference_scheme.pattern,
                )
        elif reference_scheme != "rf":
            raise ValidationError(
                "must be 'rf' or a payportal.references.Template",
                field="reference_scheme",
                value=reference_scheme,
            )
        if not isinstance(prefix, str) or len(prefix) > 10 or _alphanumeric(prefix) != prefix:
            raise ValidationError(
                "must be up to 10 upper-case letters and digits", field="prefix", value=prefix
            )
        self._scheme = reference_scheme
        self._prefix = prefix
        self._store: TransferStore = store if store is not None else InMemoryTransferStore()
        self._clock = clock

    def __repr__(self) -> str:
        scheme = self._scheme if isinstance(self._scheme, str) else self._scheme.name
        return f"BankTransfer(iban={self._account.iban!r}, reference_scheme={scheme!r})"

    @property
    def store(self) -> TransferStore:
        """The store the payments are kept in."""
        return self._store

    # -- the protocol --------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Payment:
        """Record a ``PENDING`` payment and return it with its payment instructions.

        ``instructions`` holds ``account_holder``, ``iban``, ``iban_formatted``, ``bic``
        (when the account has one), ``amount``, ``currency``, ``reference`` (compact),
        ``reference_formatted``, ``reference_scheme`` and, for EUR amounts up to
        999,999,999.99, ``epc_qr`` (the payload for :func:`payportal.epc_qr.to_svg`).

        Raises:
            ValidationError: the reference template needs a field the request's metadata
                lacks, or a value it cannot take (the error names the field).
            ProviderError: the store refused every reference tried (code
                ``reference_collision``).
        """
        for _ in range(_ATTEMPTS):
            reference = self._reference(request, self._store.next_number())
            payment = Payment(
                id="bt_" + secrets.token_hex(10),
                provider=NAME,
                status=PaymentStatus.PENDING,
                raw_status=AWAITING,
                amount=request.amount,
                captured=Money.zero(request.amount.currency),
                refunded=Money.zero(request.amount.currency),
                reference=request.reference,
                instructions=self._instructions(request.amount, reference),
            )
            if self._store.add(Transfer(payment, reference.value)):
                return payment
        raise ProviderError(
            "the transfer store already held every payment reference tried; check that its "
            "sequence is not reset",
            provider=NAME,
            code="reference_collision",
        )

    def get_payment(self, payment_id: str) -> Payment:
        """Return the payment as it stands.

        Raises:
            InvalidRequestError: no such payment (code ``payment_not_found``).
        """
        return self._load(payment_id).payment

    def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """Not offered: the payer sends the money; see :meth:`mark_paid` and :meth:`release`.

        Raises:
            UnsupportedOperationError: always.
        """
        self._unsupported(
            "a bank transfer has nothing to capture; book money received with mark_paid, "
            "release or receive"
        )

    def cancel(self, payment_id: str) -> Payment:
        """Withdraw the instructions of a payment nothing has been received for.

        Cancelling a cancelled payment returns it unchanged.

        Raises:
            InvalidRequestError: no such payment (``payment_not_found``), or money has been
                received for it (``payment_received``: send it back by bank transfer).
        """

        def cancelled(transfer: Transfer) -> Transfer:
            payment = transfer.payment
            if payment.status is PaymentStatus.CANCELLED:
                return transfer
            if payment.captured:
                raise InvalidRequestError(
                    f"payment {payment.id} cannot be cancelled: {payment.captured} has been "
                    "received for it; send it back by bank transfer",
                    provider=NAME,
                    code="payment_received",
                )
            changed = attrs.evolve(payment, status=PaymentStatus.CANCELLED, raw_status=CANCELLED)
            return attrs.evolve(transfer, payment=changed)

        return self._update(payment_id, cancelled)

    def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """Not offered: the merchant refunds a transfer by sending one from their bank.

        Raises:
            UnsupportedOperationError: always.
        """
        self._unsupported(
            "a bank transfer is refunded by an outgoing transfer from the merchant's bank, "
            "which payportal cannot send"
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Not offered: banks send no notifications; import statements and :meth:`receive`.

        Raises:
            UnsupportedOperationError: always.
        """
        self._unsupported("banks send no webhooks; import the account statement instead")

    # -- money received ------------------------------------------------------------------

    def mark_paid(
        self, payment_id: str, amount: Money, *, receipt_id: str | None = None
    ) -> Payment:
        """Book ``amount`` received for the payment.

        Receipts add up: the payment is ``PAID`` once they cover its amount and stays
        ``PENDING`` (raw status ``partially_received``) before.

        Args:
            payment_id: the payment's id.
            amount: the amount that arrived, in the payment's currency.
            receipt_id: the id of the incoming transfer, such as
                :attr:`~payportal.reconciliation.StatementEntry.entry_id`. A receipt id
                already booked on this payment changes nothing; without one, every call
                books ``amount`` again.

        Raises:
            InvalidRequestError: no such payment (``payment_not_found``), ``amount`` is not
                positive Money in the payment's currency (``amount_invalid``), or the payment
                was cancelled (``payment_cancelled``).
            ValidationError: ``receipt_id`` is given but not a non-empty string.
        """
        if receipt_id is not None and (not isinstance(receipt_id, str) or not receipt_id):
            raise ValidationError(
                "must be a non-empty string", field="receipt_id", value=receipt_id
            )

        def booked(transfer: Transfer) -> Transfer:
            payment = transfer.payment
            if receipt_id is not None and receipt_id in transfer.receipt_ids:
                return transfer
            if (
                not isinstance(amount, Money)
                or amount.currency != payment.amount.currency
                or amount.amount <= 0
            ):
                raise InvalidRequestError(
                    f"cannot book {amount!r} on payment {payment.id}: it must be more than "
                    f"zero in {payment.amount.currency}",
                    provider=NAME,
                    code="amount_invalid",
                )
            if payment.status is PaymentStatus.CANCELLED:
                raise InvalidRequestError(
                    f"payment {payment.id} was cancelled; the {amount} received does not "
                    "belong to it and must be sent back or booked elsewhere",
                    provider=NAME,
                    code="payment_cancelled",
                )
            received = payment.captured + amount
            status, raw = _status(received, payment.amount)
            changed = attrs.evolve(payment, status=status, raw_status=raw, captured=received)
            receipts = transfer.receipt_ids + ((receipt_id,) if receipt_id else ())
            return attrs.evolve(transfer, payment=changed, receipt_ids=receipts)

        return self._update(payment_id, booked)

    def release(
        self, reference: str, amount: Money | None = None, *, receipt_id: str | None = None
    ) -> Payment:
        """Book money received on the payment with this payment reference.

        Args:
            reference: the payment reference, compact or as printed (``RF74 1``).
            amount: what arrived; default what is outstanding, so releasing a paid payment
                changes nothing.
            receipt_id: as for :meth:`mark_paid`.

        Raises:
            InvalidRequestError: no payment has this reference (``reference_not_found``), or
                as :meth:`mark_paid`.
        """
        transfer = self._find(reference)
        if amount is None:
            outstanding = transfer.payment.amount - transfer.payment.captured
            if outstanding.amount <= 0:
                return transfer.payment
            amount = outstanding
        return self.mark_paid(transfer.id, amount, receipt_id=receipt_id)

    def receive(self, entry: StatementEntry) -> Payment | None:
        """Book a statement entry on the payment whose reference it carries.

        The reference is looked for in the entry's structured creditor references, its
        end-to-end id and its remittance text (see :func:`payportal.references.find`); the
        entry's :attr:`~payportal.reconciliation.StatementEntry.entry_id` is the receipt id,
        so an entry imported twice is booked once.

        Returns:
            The payment after booking, or ``None`` when the entry is not a credit, is a
            reversal (a credit that returns money the account paid out, MT940 ``RD`` or camt
            ``RvslInd``: never a customer's payment) or carries no reference of this
            provider's payments.

        Raises:
            InvalidRequestError: as :meth:`mark_paid` (another currency, a cancelled payment).
        """
        if entry.direction is not Direction.CREDIT or entry.reversal:
            return None
        text = " ".join((*entry.creditor_references, entry.end_to_end_id, entry.remittance_text))
        for match in refs.find(text, schemes=[self._scheme]):
            transfer = self._store.find(match.value)
            if transfer is not None:
                return self.mark_paid(transfer.id, entry.amount, receipt_id=entry.entry_id)
        return None

    # -- internals -----------------------------------------------------------------------

    def _reference(self, request: PaymentRequest, number: int) -> refs.Reference:
        if isinstance(self._scheme, str):
            return refs.generate("rf", body=f"{self._prefix}{number}")
        now = self._clock()
        available: dict[str, str | int] = {
            "order_number": number,
            "year": now.year,
            "month": f"{now.month:02d}",
            "invoice_number": _alphanumeric(request.reference),
        }
        available.update({k: val for k, val in request.metadata.items() if k != "order_number"})
        # A field left out makes Template.generate name it as required.
        fields = {name: available[name] for name in self._scheme.fields if name in available}
        return refs.generate(self._scheme, **fields)

    def _instructions(self, amount: Money, reference: refs.Reference) -> dict[str, str]:
        account = self._account
        instructions = {
            "account_holder": account.holder,
            "iban": account.iban,
            "iban_formatted": account.formatted_iban,
            "amount": str(amount.amount),
            "currency": amount.currency,
            "reference": reference.value,
            "reference_formatted": reference.formatted,
            "reference_scheme": reference.scheme,
        }
        if account.bic:
            instructions["bic"] = account.bic
        # EPC QR codes are SEPA credit transfers: EUR only, and within the guidelines' range.
        if amount.currency == "EUR" and amount.amount <= epc_qr.MAX_AMOUNT:
            rf_reference = reference.scheme == "rf"
            instructions["epc_qr"] = epc_qr.payload(
                name=account.holder,
                iban=account.iban,
                bic=account.bic,
                amount=amount,
                reference=reference.value if rf_reference else None,
                text=None if rf_reference else reference.value,
            )
        return instructions

    def _load(self, payment_id: str) -> Transfer:
        transfer = self._store.get(payment_id) if isinstance(payment_id, str) else None
        if transfer is None:
            raise InvalidRequestError(
                f"there is no bank transfer payment with id {payment_id!r}",
                provider=NAME,
                code="payment_not_found",
            )
        return transfer

    def _find(self, reference: str) -> Transfer:
        try:
            value = refs.parse(reference, schemes=[self._scheme]).value
        except (InvalidReferenceError, TypeError):
            value = None
        transfer = None if value is None else self._store.find(value)
        if transfer is None:
            raise InvalidRequestError(
                f"there is no bank transfer payment with reference {reference!r}",
                provider=NAME,
                code="reference_not_found",
            )
        return transfer

    def _update(self, payment_id: str, change: Callable[[Transfer], Transfer]) -> Payment:
        # Read, change, compare-and-swap on the version: two receipts booked at once (two
        # workers importing statements) both count, and neither overwrites the other.
        for _ in range(_ATTEMPTS):
            current = self._load(payment_id)
            changed = change(current)
            if changed is current:
                return current.payment
            if self._store.replace(attrs.evolve(changed, version=current.version + 1)):
                return changed.payment
        raise ProviderError(
            f"payment {payment_id} kept changing while it was being updated",
            provider=NAME,
            code="concurrent_update",
        )

    def _unsupported(self, why: str) -> NoReturn:
        raise UnsupportedOperationError(why, provider=NAME, code="unsupported_operation")


class AsyncBankTransfer(_BankTransferFacts):
    """:class:`BankTransfer` for asyncio code: the same arguments and behaviour.

    It runs the same :class:`BankTransfer` inside, so the two cannot drift apart. The store
    is called synchronously: give an async app a store that answers quickly.
    """

    def __init__(
        self,
        account: BankAccount | Company,
        *,
        store: TransferStore | None = None,
        reference_scheme: Literal["rf"] | refs.Template = "rf",
        prefix: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sync = BankTransfer(
            account, store=store, reference_scheme=reference_scheme, prefix=prefix, clock=clock
        )

    def __repr__(self) -> str:
        return "Async" + repr(self._sync)

    @property
    def store(self) -> TransferStore:
        """The store the payments are kept in."""
        return self._sync.store

    async def create_payment(self, request: PaymentRequest) -> Payment:
        """See :meth:`BankTransfer.create_payment`."""
        return self._sync.create_payment(request)

    async def get_payment(self, payment_id: str) -> Payment:
        """See :meth:`BankTransfer.get_payment`."""
        return self._sync.get_payment(payment_id)

    async def capture(self, payment_id: str, amount: Money | None = None) -> Payment:
        """See :meth:`BankTransfer.capture`."""
        return self._sync.capture(payment_id, amount)

    async def cancel(self, payment_id: str) -> Payment:
        """See :meth:`BankTransfer.cancel`."""
        return self._sync.cancel(payment_id)

    async def refund(
        self, payment_id: str, amount: Money | None = None, reason: str | None = None
    ) -> Payment:
        """See :meth:`BankTransfer.refund`."""
        return self._sync.refund(payment_id, amount, reason)

    async def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """See :meth:`BankTransfer.parse_webhook`."""
        return self._sync.parse_webhook(headers, body)

    async def mark_paid(
        self, payment_id: str, amount: Money, *, receipt_id: str | None = None
    ) -> Payment:
        """See :meth:`BankTransfer.mark_paid`."""
        return self._sync.mark_paid(payment_id, amount, receipt_id=receipt_id)

    async def release(
        self, reference: str, amount: Money | None = None, *, receipt_id: str | None = None
    ) -> Payment:
        """See :meth:`BankTransfer.release`."""
        return self._sync.release(reference, amount, receipt_id=receipt_id)

    async def receive(self, entry: StatementEntry) -> Payment | None:
        """See :meth:`BankTransfer.receive`."""
        return self._sync.receive(entry)


if TYPE_CHECKING:
    from payportal.providers._protocol import AsyncPaymentProvider, PaymentProvider

    def _conforms(
        sync: BankTransfer, asynchronous: AsyncBankTransfer
    ) -> tuple[PaymentProvider, AsyncPaymentProvider]:
        # mypy proves here that both classes implement their protocol in full.
        return sync, asynchronous
