"""``Portal``: the one object an app builds: storage, providers and the booking path."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from payportal._money import Money
from payportal.allocation import OverpaymentPolicy, Strategy, Tolerance
from payportal.booking import _direct_debit as dd
from payportal.booking import _saved_methods as saved
from payportal.booking._book import (
    BookingOutcome,
    book,
    book_credit_note,
    load_intent,
    load_payable,
    reject_top_up,
    release_top_up,
    save_intent,
    waive_fee,
)
from payportal.booking._model import (
    CreditNotePolicy,
    EventKind,
    PaymentEvent,
    PaymentIntent,
    Purpose,
)
from payportal.booking._normalise import events_from_payment, events_from_webhook
from payportal.documents import CreditNote, PaymentState, Reminder
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.mandates import Creditor, Mandate, MandateType, Scheme
from payportal.providers import Payment, PaymentRequest, PaymentStatus
from payportal.reconciliation import Direction

if TYPE_CHECKING:
    from payportal.arrangements import Arrangements, InstalmentTerms
    from payportal.booking._decide import BookingDecision
    from payportal.booking._direct_debit import DirectDebitBatch, DirectDebitCollection
    from payportal.dunning import DunningBlock
    from payportal.links import LinkSigner
    from payportal.portal import PortalSettings
    from payportal.providers import PaymentProvider, SavedMethod
    from payportal.providers.bank_transfer import BankTransfer
    from payportal.reconciliation import StatementEntry
    from payportal.storage import Storage

__all__ = ["Checkout", "Completion", "Portal"]

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return "pi_" + secrets.token_hex(10)


@attrs.frozen
class Checkout:
    """What the app shows after :meth:`Portal.pay`.

    Attributes:
        intent: the stored intent (its ``id`` comes back in ``complete``).
        payment: the provider's payment as created.
        redirect_url: where to send the payer, for redirect methods.
        instructions: transfer instructions (``iban``, ``bic``, ``reference``, ``epc_qr``
            ...) for methods without a redirect.
    """

    intent: PaymentIntent
    payment: Payment

    @property
    def redirect_url(self) -> str | None:
        return self.payment.redirect_url

    @property
    def instructions(self) -> Mapping[str, str]:
        return self.payment.instructions


@attrs.frozen
class Completion:
    """The result of :meth:`Portal.complete` or :meth:`Portal.poll`.

    Attributes:
        intent: the intent as stored after booking.
        payment: the provider's payment as read back (``None`` if none was made yet).
        outcomes: what booking each event of the payment did.
    """

    intent: PaymentIntent
    payment: Payment | None
    outcomes: tuple[BookingOutcome, ...] = ()


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


class Portal:
    """The object an app builds once and calls from its request handlers.

    >>> from payportal.testing import FakePayPal
    >>> from payportal.testing._memory_storage import MemoryStorage
    >>> from payportal.providers.paypal import PayPal
    >>> fake = FakePayPal()
    >>> paypal = PayPal(fake.client_id, fake.client_secret, transport=fake.transport())
    >>> storage = MemoryStorage(); _ = storage.migrate()
    >>> portal = Portal(storage=storage, providers=[paypal],
    ...                 return_url="https://shop.example/paid",
    ...                 cancel_url="https://shop.example/cancelled")
    >>> portal.providers
    ('paypal',)

    Args:
        storage: a migrated :class:`~payportal.storage.Storage`.
        providers: the configured payment providers (each by its ``name``).
        return_url: where providers send the payer back; the intent id is added as the
            query parameter ``intent``.
        cancel_url: where providers send a payer who gives up (``intent`` added likewise).
        settings: the portal's settings (access policy), kept for the app.
        signer: the link signer, kept for the app.
        credit_notes: what a booked credit note does.
        strategy: how a free amount is spread over open items.
        overpayment: where money no item needs goes.
        tolerance: a shortfall within it settles the items a payment reached.
        clock: the current time (tests inject one).
        new_id: makes intent ids.
        creditor: the merchant as SEPA direct-debit creditor (name, account, creditor
            identifier); needed to take mandates and collect (:meth:`grant_mandate`,
            :meth:`collect`).
        return_fee: what the merchant charges the customer for a returned direct debit
            (added to the account as an open item of costs); ``None``: nothing.
        instalment_terms: the limits for instalment plans customers ask for themselves
            (:attr:`arrangements`); ``None``: only the merchant grants plans.

    Raises:
        ValidationError: two providers share a name, a URL is not absolute http(s),
            ``creditor`` is not a Creditor or ``return_fee`` not positive Money.
    """

    def __init__(
        self,
        *,
        storage: Storage,
        providers: Iterable[PaymentProvider],
        return_url: str,
        cancel_url: str,
        settings: PortalSettings | None = None,
        signer: LinkSigner | None = None,
        credit_notes: CreditNotePolicy = CreditNotePolicy.OFFSET,
        strategy: Strategy = Strategy.OLDEST_FIRST,
        overpayment: OverpaymentPolicy = OverpaymentPolicy.CREDIT_BALANCE,
        tolerance: Tolerance | None = None,
        clock: Clock = _utc_now,
        new_id: Callable[[], str] = _new_id,
        creditor: Creditor | None = None,
        return_fee: Money | None = None,
        instalment_terms: InstalmentTerms | None = None,
    ) -> None:
        if creditor is not None and not isinstance(creditor, Creditor):
            raise ValidationError("must be a Creditor or None", field="creditor", value=creditor)
        if return_fee is not None and (not isinstance(return_fee, Money) or return_fee.amount <= 0):
            raise ValidationError(
                "must be positive Money or None", field="return_fee", value=return_fee
            )
        by_name: dict[str, PaymentProvider] = {}
        for provider in providers:
            if provider.name in by_name:
                raise ValidationError(
                    "holds two providers of one name", field="providers", value=provider.name
                )
            by_name[provider.name] = provider
        for field, url in (("return_url", return_url), ("cancel_url", cancel_url)):
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise ValidationError("must be an absolute http(s) URL", field=field, value=url)
        self._storage = storage
        self._providers = by_name
        self._return_url = return_url
        self._cancel_url = cancel_url
        self.settings = settings
        self.signer = signer
        self._credit_notes = credit_notes
        self._strategy = strategy
        self._overpayment = overpayment
        self._tolerance = tolerance
        self._clock = clock
        self._new_id = new_id
        self._creditor = creditor
        self._return_fee = return_fee
        from payportal.arrangements import Arrangements  # noqa: PLC0415 - it imports booking

        self._arrangements = Arrangements(storage, terms=instalment_terms, clock=clock)

    def __repr__(self) -> str:
        return f"Portal(storage={self._storage!r}, providers={sorted(self._providers)!r})"

    @property
    def storage(self) -> Storage:
        return self._storage

    @property
    def providers(self) -> tuple[str, ...]:
        """The names of the configured providers, sorted."""
        return tuple(sorted(self._providers))

    def provider(self, name: str) -> PaymentProvider:
        """The configured provider ``name``.

        Raises:
            ValidationError: no provider of that name is configured.
        """
        found = self._providers.get(name)
        if found is None:
            raise ValidationError(
                f"is not a configured provider (configured: {', '.join(self.providers)})",
                field="provider",
                value=name,
            )
        return found

    # -- paying --------------------------------------------------------------------------

    def pay(
        self,
        customer_id: str,
        *,
        method: str,
        documents: Iterable[str] = (),
        amount: Money | None = None,
        top_up: Money | None = None,
        provider: str | None = None,
        reference: str | None = None,
        description: str | None = None,
        customer_email: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Checkout:
        """Start a payment: store the intent, create the provider's payment.

        Give exactly one of ``documents`` (document ids; ``amount`` then defaults to what
        is due on them, and may be given to pay less or more), ``amount`` alone (a free
        amount over the open items) or ``top_up`` (money for the prepaid account).

        Args:
            customer_id: who pays; the customer must have an account.
            method: the payment method (``"paypal"``, ``"card"``, ``"bank_transfer"``...).
            provider: the provider's name; defaults to ``method``.
            reference: the reference sent to the provider; defaults to the intent id.
            description: a short text for the payer.
            customer_email: the payer's e-mail, for providers that prefill it.
            metadata: extra strings for the provider (the buyer's details an invoice
                purchase needs, for BillPay).

        Returns:
            A :class:`Checkout` with the redirect URL or the transfer instructions.

        Raises:
            ValidationError: the purpose is unclear, a document is unknown, another
                customer's, or has nothing due, or the provider is not configured.
            AccessDeniedError: a document belongs to another customer.
            ProviderError: the provider refused or could not be reached; the intent stays
                stored without a payment and books nothing.
        """
        client = self.provider(provider or method)
        purpose, keys, wanted = self._purpose(customer_id, documents, amount, top_up)
        intent = PaymentIntent(
            id=self._new_id(),
            customer_id=customer_id,
            amount=wanted,
            purpose=purpose,
            item_keys=keys,
            strategy=self._strategy,
            overpayment=self._overpayment,
            tolerance=self._tolerance,
            reference="pending",
            provider=client.name,
            method=method,
            created_at=self._clock(),
        )
        intent = attrs.evolve(intent, reference=reference or intent.id)
        with self._storage.transaction() as tx:
            save_intent(tx, intent)
        payment = client.create_payment(
            PaymentRequest(
                amount=wanted,
                reference=intent.reference,
                return_url=_with_query(self._return_url, intent=intent.id),
                cancel_url=_with_query(self._cancel_url, intent=intent.id),
                description=description,
                customer_email=customer_email,
                metadata=metadata or {},
            )
        )
        intent = attrs.evolve(intent, payment_id=payment.id)
        with self._storage.transaction() as tx:
            save_intent(tx, intent)
        return Checkout(intent, payment)

    def _purpose(
        self,
        customer_id: str,
        documents: Iterable[str],
        amount: Money | None,
        top_up: Money | None,
    ) -> tuple[Purpose, tuple[str, ...], Money]:
        ids = [documents] if isinstance(documents, str) else list(documents)
        if top_up is not None:
            if ids or amount is not None:
                raise ValidationError(
                    "must come alone: a top-up pays no documents", field="top_up", value=top_up
                )
            return Purpose.TOP_UP, (), top_up
        if not ids:
            if amount is None:
                raise ValidationError(
                    "must be given when no documents are chosen", field="amount", value=None
                )
            return Purpose.AMOUNT, (), amount
        keys: list[str] = []
        numbers: list[str] = []
        due: Money | None = None
        with self._storage.transaction() as tx:
            for document_id in ids:
                document = load_payable(tx, document_id)
                if document.customer_id != customer_id:
                    raise AccessDeniedError(
                        f"document {document_id!r} is not one of customer {customer_id!r}'s"
                    )
                if document.state in (PaymentState.PAID, PaymentState.CANCELLED):
                    raise ValidationError(
                        f"is {document.state.value}; nothing is due on it",
                        field="documents",
                        value=document_id,
                    )
                if document.number not in keys:
                    keys.append(document.number)
                numbers.append(document.number)
                if isinstance(document, Reminder):
                    # A reminder demands the invoices it reminds of: their items (which
                    # hold the principal; the reminder's own item only its charges) are
                    # what the payer chose too.
                    keys += [r.number for r in document.reminded if r.number not in keys]
                due = document.amount_due if due is None else due + document.amount_due
            account = tx.load_account(customer_id)
        assert due is not None
        if account is not None and account.value.currency == due.currency:
            # What the chosen items demand, each item once: a reminder chosen together with
            # the invoice it reminds of does not ask for that invoice twice.
            items = account.value.items
            if all(k in items for k in keys):
                reached = {k for k in keys if k in items}
                for key in numbers:
                    reached.update(k for k in items[key].reminds if k in items)
                due = sum((items[k].amount_open for k in reached), Money.zero(due.currency))
        if amount is None and len(ids) == 1:
            # An invoice paid in instalments asks for the due instalment.
            due = self._arrangements.amount_due(ids[0], on=self._clock().date()) or due
        return Purpose.DOCUMENTS, tuple(keys), amount if amount is not None else due

    @property
    def arrangements(self) -> Arrangements:
        """Instalment plans, disputes, paid claims and extensions of this portal's customers
        (:class:`~payportal.arrangements.Arrangements` on its storage and clock; customers
        may ask for plans within ``instalment_terms``). :meth:`pay` on one invoice with an
        active plan asks for its due instalment."""
        return self._arrangements

    # -- what comes back -----------------------------------------------------------------

    def _book_all(self, events: Iterable[PaymentEvent]) -> tuple[BookingOutcome, ...]:
        return tuple(book(self._storage, event) for event in events)

    def handle_webhook(
        self, provider: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[BookingOutcome, ...]:
        """Verify, parse, read back and book a provider's notification, in one call.

        Answer the provider with success once this returns (even when everything was
        :attr:`~payportal.booking.Outcome.ALREADY_BOOKED`); on an exception answer with an
        error, so the provider delivers it again.

        A notification that names no payment (some PayPal refund notices) books nothing
        here and returns ``()``; the next :meth:`poll` of its intent books the money.

        Raises:
            WebhookVerificationError: the notification is not authentic; answer 4xx.
            ProviderError: the read-back failed; answer 5xx so it comes again.
            ValidationError: ``provider`` is not configured.
        """
        client = self.provider(provider)
        webhook = client.parse_webhook(headers, body)
        if webhook.payment_id is None:
            return ()
        return self._book_all(events_from_webhook(client, webhook, clock=self._clock))

    def complete(self, intent_id: str, query: Mapping[str, str] | None = None) -> Completion:
        """The payer came back from the provider: read the payment back, capture it if it is
        only authorised, and book what it shows, once.

        Safe to call any number of times (a reload of the return page books nothing more).
        ``query`` (the return URL's parameters) is accepted for the providers' sake and
        not needed by any provider payportal ships.

        Raises:
            ValidationError: no such intent.
            ProviderError: the provider could not be read or refused the capture; the
                next poll or webhook books the payment.
        """
        del query  # every provider payportal ships is read back by the payment id
        return self._settle(intent_id, capture=True)

    def poll(self, intent_id: str) -> Completion:
        """Read the intent's payment back and book what it shows (no capture); for a job
        that looks after payments whose webhook never came.

        Raises:
            ValidationError: no such intent.
            ProviderError: the provider could not be read.
        """
        return self._settle(intent_id, capture=False)

    def _settle(self, intent_id: str, *, capture: bool) -> Completion:
        intent = self.intent(intent_id)
        if intent.payment_id is None:
            return Completion(intent, None)
        client = self.provider(intent.provider)
        payment = client.get_payment(intent.payment_id)
        if capture and payment.status is PaymentStatus.AUTHORIZED and client.capabilities.capture:
            payment = client.capture(payment.id)
        events = events_from_payment(payment, occurred_at=self._clock(), intent_id=intent.id)
        outcomes = self._book_all(events)
        return Completion(self.intent(intent_id), payment, outcomes)

    def receive(
        self, entry: StatementEntry, *, provider: str = "bank_transfer"
    ) -> tuple[BookingOutcome, ...]:
        """Book a bank statement entry: the bank-transfer payment whose reference it
        carries is marked paid and booked like any other payment (a poll of the same
        payment books nothing more). An incoming entry that matches no payment waits in
        the review queue.

        An entry about a direct-debit collection of :meth:`collect` (its credit, or a
        return with its reason code) is booked as that collection's confirmation or
        return instead (see :func:`~payportal.booking.receive_direct_debit`).

        Raises:
            ValidationError: no bank-transfer provider of that name is configured.
            ProviderError: as ``BankTransfer.receive``.
        """
        collected = dd.receive_direct_debit(self._storage, entry, return_fee=self._return_fee)
        if collected is not None:
            return collected
        bank: BankTransfer = self.provider(provider)  # type: ignore[assignment]
        payment = bank.receive(entry)
        if payment is None:
            if entry.direction is not Direction.CREDIT:
                return ()
            stray = PaymentEvent(
                kind=EventKind.CAPTURED,
                provider="bank",
                provider_payment_id=entry.entry_id,
                movement_key=f"bank:{entry.entry_id}",
                occurred_at=datetime.combine(entry.booking_date, datetime.min.time(), UTC),
                amount=entry.amount,
            )
            return (book(self._storage, stray),)
        occurred = datetime.combine(entry.booking_date, datetime.min.time(), UTC)
        return self._book_all(events_from_payment(payment, occurred_at=occurred))

    # -- the merchant ----------------------------------------------------------------------

    def intent(self, intent_id: str) -> PaymentIntent:
        """The stored intent ``intent_id``.

        Raises:
            ValidationError: no such intent.
        """
        with self._storage.transaction() as tx:
            found = load_intent(tx, intent_id)
        if found is None:
            raise ValidationError("names no payment intent", field="intent_id", value=intent_id)
        return found

    def release(self, intent_id: str) -> BookingDecision:
        """Credit a pending bank-transfer top-up (see :func:`~payportal.booking.release`)."""
        return release_top_up(self._storage, intent_id, at=self._clock())

    def reject(self, intent_id: str) -> BookingDecision:
        """Drop a pending bank-transfer top-up (see :func:`~payportal.booking.reject`)."""
        return reject_top_up(self._storage, intent_id, at=self._clock())

    def book_credit_note(self, credit_note: CreditNote) -> BookingOutcome:
        """Book a credit note as the portal's ``credit_notes`` setting says, once.

        Raises:
            InvalidTransitionError: the customer has no account.
        """
        return book_credit_note(self._storage, credit_note, self._credit_notes, at=self._clock())

    def waive_fee(
        self,
        customer_id: str,
        reminder_number: str,
        *,
        reason: str,
        amount: Money | None = None,
        request_id: str | None = None,
    ) -> BookingOutcome:
        """Waive the fee still open on a reminder (or ``amount`` of it), now, with a journal
        record that keeps ``reason`` (see :func:`~payportal.booking.waive_fee`).

        Raises:
            ValidationError: an argument is invalid or names no item on the account.
            InvalidTransitionError: the customer has no account, or no fee is open.
        """
        return waive_fee(
            self._storage,
            customer_id,
            reminder_number,
            reason=reason,
            at=self._clock(),
            amount=amount,
            request_id=request_id,
        )

    # -- SEPA direct debit -----------------------------------------------------------------

    def grant_mandate(
        self,
        customer_id: str,
        *,
        iban: str,
        holder: str,
        consent_text: str,
        bic: str | None = None,
        scheme: Scheme = Scheme.CORE,
        type: MandateType = MandateType.RECURRING,  # noqa: A002  # the rulebook's word
        at: datetime | None = None,
    ) -> Mandate:
        """Store the customer's SEPA direct-debit mandate, granted ``at`` (default: now)
        with consent to ``consent_text`` (the text shown, see
        :func:`~payportal.mandates.mandate_text`).

        A customer with an active mandate who gives a new account gets that mandate
        amended (AT-24; ``SMNDA`` for another bank), not a second one; see
        :func:`~payportal.booking.grant_mandate`.

        Raises:
            ValidationError: no ``creditor`` is configured, or an input is invalid (an
                IBAN or BIC, an empty holder or consent text); nothing is stored.
        """
        return dd.grant_mandate(
            self._storage,
            self._creditor,
            customer_id,
            iban=iban,
            holder=holder,
            consent_text=consent_text,
            bic=bic,
            scheme=scheme,
            type=type,
            at=self._clock() if at is None else at,
        )

    def mandates(self, customer_id: str) -> tuple[Mandate, ...]:
        """The customer's mandates, oldest first, in every state."""
        return dd.mandates(self._storage, customer_id)

    def active_mandate(self, customer_id: str) -> Mandate | None:
        """The customer's active mandate, or ``None``."""
        return dd.active_mandate(self._storage, customer_id)

    def revoke_mandate(
        self, customer_id: str, reference: str, *, at: datetime | None = None
    ) -> Mandate:
        """Revoke the customer's mandate ``reference`` (at ``at``, default now).

        Raises:
            ValidationError: the customer has no mandate of that reference.
            MandateStateError: the mandate is not active.
        """
        return dd.revoke_mandate(
            self._storage, customer_id, reference, at=self._clock() if at is None else at
        )

    def collect(
        self,
        *,
        on: date,
        due: date | None = None,
        customer_ids: Iterable[str] | None = None,
        version: str = "pain.008.001.08",
    ) -> DirectDebitBatch:
        """Collect what is due from customers with an active mandate as one pain.008 file
        submitted ``on``; each collection is stored and booked as pending (see
        :func:`~payportal.booking.collect`). A second call finds nothing new to collect.

        Raises:
            ValidationError: no ``creditor`` is configured, ``due`` is too early, or a
                named customer has no mandate.
            UnusableMandateError: a named customer's mandate is revoked, blocked or expired.
        """
        return dd.collect(
            self._storage,
            self._creditor,
            on=on,
            at=self._clock(),
            due=due,
            customer_ids=customer_ids,
            version=version,
        )

    def direct_debits(self, customer_id: str) -> tuple[DirectDebitCollection, ...]:
        """The customer's direct-debit collections, oldest first, with their states."""
        return dd.collections_of(self._storage, customer_id)

    def dunning_blocks(
        self, customer_id: str, *, on: date | None = None
    ) -> tuple[DunningBlock, ...]:
        """Everything that holds the customer's dunning on ``on`` (default today): kept
        instalment plans and open disputes, paid claims and extensions
        (:meth:`~payportal.arrangements.Arrangements.blocks`), and the invoices a pending
        direct debit is collecting. Pass them to
        :meth:`payportal.dunning.DunningPolicy.due` (``blocks=``).

        Raises:
            ValidationError: ``customer_id`` is empty or not a string.
        """
        collecting = dd.dunning_blocks(self._storage, customer_id)
        return (*self._arrangements.blocks(customer_id, on=on), *collecting)

    # -- saved payment methods -------------------------------------------------------------

    def save_method(
        self,
        customer_id: str,
        provider: str,
        *,
        return_url: str | None = None,
        cancel_url: str | None = None,
    ) -> saved.PendingSetup:
        """Start saving a payment method of ``customer_id`` at ``provider``: send the
        customer to the result's ``redirect_url``. The return URL (the portal's, unless
        given) gets the query parameter ``method_setup``: pass it to :meth:`confirm_method`.

        Raises:
            ValidationError: the provider is not configured.
            UnsupportedOperationError: the provider saves no payment methods.
            ProviderError: the provider refused or could not be reached.
        """
        key = "ms_" + secrets.token_hex(10)
        return saved.start_setup(
            self._storage,
            self.provider(provider),
            customer_id,
            key=key,
            return_url=_with_query(return_url or self._return_url, method_setup=key),
            cancel_url=_with_query(cancel_url or self._cancel_url, method_setup=key),
        )

    def confirm_method(self, customer_id: str, setup_key: str) -> SavedMethod:
        """The customer is back from saving: read the method back and keep it.

        Raises:
            ValidationError: no setup of that key.
            AccessDeniedError: the setup is another customer's.
            InvalidRequestError: the customer did not complete it at the provider.
        """
        return saved.finish_setup(self._storage, self.provider, customer_id, setup_key)

    def saved_methods(self, customer_id: str) -> tuple[SavedMethod, ...]:
        """The payment methods ``customer_id`` has saved, oldest first; a method the
        provider refused as expired or revoked is there with ``usable`` false."""
        with self._storage.transaction() as tx:
            return saved.load_methods(tx, customer_id)

    def remove_method(self, customer_id: str, method_id: str) -> None:
        """Delete a saved method at its provider and forget it.

        Raises:
            ValidationError: the customer has saved no method of that id.
            ProviderError: the provider could not delete it; it stays saved.
        """
        saved.remove_method(self._storage, self.provider, customer_id, method_id)

    def charge_saved(
        self,
        customer_id: str,
        method_id: str,
        *,
        documents: Iterable[str] = (),
        amount: Money | None = None,
        request_id: str,
        reference: str | None = None,
    ) -> Completion:
        """Charge a saved method now (merchant-initiated) and book the money, once.

        What is paid is chosen as for :meth:`pay`: ``documents`` (``amount`` may change
        what is charged for them) or ``amount`` alone. The charge is recorded as an intent
        whose id comes from ``customer_id`` and ``request_id``, and the provider is asked
        with that id as its idempotency key: calling again with the same ``request_id``
        (after a crash or a lost answer) charges at most once and books nothing more.

        Args:
            request_id: the caller's id of this charge (a billing run's id and the
                customer, say); reuse it only to retry the same charge.
            reference: the reference sent to the provider; defaults to the intent id.

        Raises:
            ValidationError: no such method, a document is unknown or settled, or the
                purpose is unclear.
            AccessDeniedError: a document belongs to another customer.
            SavedMethodUnusableError: the card expired or the token was revoked or
                deleted: the method is marked unusable, nothing is booked.
            PaymentDeclinedError: the provider declined (insufficient funds); nothing is
                booked.
            ProviderError: the provider failed; retry with the same ``request_id``.
        """
        if not isinstance(request_id, str) or not request_id:
            raise ValidationError(
                "must be a non-empty string", field="request_id", value=request_id
            )
        method = saved.saved_method(self._storage, customer_id, method_id)
        client = self.provider(method.provider)
        intent_id = saved.charge_intent_id(customer_id, request_id)
        with self._storage.transaction() as tx:
            retried = load_intent(tx, intent_id)
        if retried is not None:
            # A retry: the stored intent stands (its documents may be paid by now).
            intent, payment, outcomes = saved.charge_saved(
                self._storage, client, method, retried, occurred_at=self._clock
            )
            return Completion(intent, payment, outcomes)
        purpose, keys, wanted = self._purpose(customer_id, documents, amount, None)
        intent = PaymentIntent(
            id=intent_id,
            customer_id=customer_id,
            amount=wanted,
            purpose=purpose,
            item_keys=keys,
            strategy=self._strategy,
            overpayment=self._overpayment,
            tolerance=self._tolerance,
            reference=reference or intent_id,
            provider=client.name,
            method=f"saved_{method.kind.value}",
            created_at=self._clock(),
        )
        intent, payment, outcomes = saved.charge_saved(
            self._storage, client, method, intent, occurred_at=self._clock
        )
        return Completion(intent, payment, outcomes)
