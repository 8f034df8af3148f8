"""Sofort (Klarna Sofort, SOFORT Überweisung): the XML API.

One :class:`SofortWire` holds the whole wire format; :class:`Sofort` and
:class:`AsyncSofort` run it synchronously and asynchronously. Every call is a ``POST`` of an
XML document to ``https://api.sofort.com/api/xml`` with HTTP Basic auth (customer id and API
key); the document's root element selects the operation:

* ``<multipay>`` starts a payment and answers ``<new_transaction>`` with the transaction id
  (the :attr:`~payportal.providers.Payment.id`) and the ``payment_url`` to send the payer to;
* ``<transaction_request version="2">`` reads transactions back (``<transactions>``);
* ``<refunds version="3">`` refunds (part of) a transaction.

Sofort confirms a payment in real time when the payer finishes the transfer at their bank;
there is no separate capture and no void (``capture``/``cancel`` raise
:class:`~payportal.exceptions.UnsupportedOperationError`). Until the payer finishes, Sofort
does not list the transaction at all, so ``get_payment`` raises
:class:`~payportal.exceptions.InvalidRequestError` for it. Its notifications carry only a
transaction id and are not signed: :meth:`SofortWire.parse_webhook` never trusts them and
reads the transaction back from the API. Business errors come as ``<errors>`` documents with
HTTP 200; they become :class:`~payportal.exceptions.InvalidRequestError` with Sofort's code.

Sources: Sofort's published API facts and the XML samples in ``tests/data/sofort/``
(python-sofort's test documents, with their provenance), and sofortlib-php. Inferred,
not documented publicly:

* that Sofort recognises a repeated ``partial_refund_id`` on a transaction and does not
  refund twice (the refund call sends one, made once per call, and retries with it);
* that ``multipay`` has no duplicate protection, so it is sent :func:`unrepeatable`: after a
  lost answer the client raises instead of starting a second transaction;
* the mapping of the statuses to :class:`~payportal.providers.PaymentStatus` (``untraceable``
  and ``pending`` are Sofort's real-time confirmation, so they count as paid);
* the 27-character limit of a reason line.

>>> from payportal import Money
>>> from payportal.providers import PaymentRequest, PaymentStatus
>>> from payportal.testing.fake_sofort import FakeSofort
>>> fake = FakeSofort()
>>> sofort = Sofort(fake.customer_id, fake.project_id, fake.api_key, transport=fake.transport())
>>> payment = sofort.create_payment(PaymentRequest(
...     amount=Money("10.00", "EUR"), reference="INV-1",
...     return_url="https://shop.example/ok", cancel_url="https://shop.example/cancel"))
>>> payment.status, payment.redirect_url.startswith("https://www.sofort.com/payment/go/")
(<PaymentStatus.CREATED: 'created'>, True)
>>> fake.pay(payment.id)                        # the payer finishes the transfer
>>> sofort.get_payment(payment.id).status
<PaymentStatus.PAID: 'paid'>
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
import xml.etree.ElementTree as ET  # building only; parsing goes through defusedxml
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import attrs
import defusedxml
import defusedxml.ElementTree
import httpx
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from payportal._money import Money
from payportal.exceptions import (
    AuthenticationError,
    InvalidRequestError,
    ProviderError,
    ValidationError,
    WebhookVerificationError,
)
from payportal.providers._core import (
    AsyncHTTPOptions,
    AsyncHTTPProvider,
    HTTPOptions,
    HTTPProvider,
    Operation,
    Wire,
    checked_id,
    error_for_status,
    idempotency_key,
    read_money,
    refund_amount,
    split_options,
    unrepeatable,
)
from payportal.providers._models import (
    Capabilities,
    Payment,
    PaymentRequest,
    PaymentStatus,
    Refund,
    WebhookEvent,
)

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping

__all__ = [
    "API_URL",
    "AsyncSofort",
    "Sofort",
    "SofortAccount",
    "SofortMessage",
    "SofortOptions",
    "SofortWire",
    "parse_document",
    "parse_refunds",
    "parse_transactions",
    "transaction_to_payment",
]

API_URL = "https://api.sofort.com"
"""Sofort's API host; every call goes to ``{API_URL}/api/xml``."""
_PATH = "/api/xml"
_REASON_LENGTH = 27
_PLACEHOLDER = "-TRANSACTION-"
_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_DIGITS = re.compile(r"[0-9]{1,12}")

logger = logging.getLogger("payportal.providers.sofort")

# Sofort's real-time confirmation: "untraceable" (merchant without a Sofort bank account) and
# "pending" (with one) mean the same thing, that the payer's bank confirmed the transfer.
_CONFIRMED = frozenset({"untraceable", "pending", "received", "refunded"})


@attrs.frozen
class SofortMessage:
    """One error or warning from Sofort.

    Attributes:
        code: Sofort's code (``"8014"``).
        message: Sofort's text (``"Invalid amount."``).
        field: the request field it is about, if Sofort names one.
    """

    code: str
    message: str
    field: str | None = None

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        return f"{self.code}: {self.message}{where}"


def _iban(value: str) -> str:
    try:
        return str(stdnum_iban.validate(value))
    except StdnumError as error:
        raise ValidationError("is not a valid IBAN", field="iban", value=value) from error


def _bic(value: str) -> str:
    try:
        return str(stdnum_bic.validate(value))
    except StdnumError as error:
        raise ValidationError("is not a valid BIC", field="bic", value=value) from error


def _holder(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must not be empty", field=attribute.name, value=value)


@attrs.frozen
class SofortAccount:
    """The merchant's SEPA account that refunds are paid from (Sofort's ``<sender>``).

    Sofort answers a refund with a SEPA credit transfer file (pain.001) that the merchant's
    bank executes from this account.

    Raises:
        ValidationError: the IBAN or BIC is not valid, or the holder is empty.
    """

    holder: str = attrs.field(validator=_holder)
    iban: str = attrs.field(converter=_iban)
    bic: str = attrs.field(converter=_bic)


# -- XML ---------------------------------------------------------------------------------------


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attributes)
    if text is not None:
        child.text = text
    return child


def _text(element: ET.Element, path: str, default: str = "") -> str:
    found = element.find(path)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def _messages(parent: ET.Element | None, kind: str) -> list[SofortMessage]:
    if parent is None:
        return []
    return [
        SofortMessage(_text(item, "code"), _text(item, "message"), _text(item, "field") or None)
        for item in parent.findall(kind)
    ]


def _all_errors(errors: ET.Element) -> list[SofortMessage]:
    """Product errors (``<su><errors>``) first: they say what was wrong, the root says why
    the initiation stopped."""
    nested = [
        message
        for product in errors
        if product.tag != "error"
        for message in _messages(product.find("errors"), "error")
    ]
    return nested + _messages(errors, "error")


def _error_from(messages: list[SofortMessage], status_code: int | None) -> InvalidRequestError:
    first = messages[0] if messages else SofortMessage("", "Sofort refused the request")
    return InvalidRequestError(
        "; ".join(str(m) for m in messages) if messages else first.message,
        provider="sofort",
        code=first.code or None,
        status_code=status_code,
    )


def parse_document(content: bytes, status_code: int = 200) -> ET.Element:
    """Parse a Sofort answer with defusedxml and raise its errors.

    Returns:
        The root element of an answer that is not an error document.

    Raises:
        InvalidRequestError: the answer is an ``<errors>`` document; ``code`` is Sofort's
            (the product's code, such as ``8014``, before the general ``8054``).
        ProviderError: the answer is not well-formed XML.

    >>> parse_document(b"<new_transaction><transaction>1-2</transaction></new_transaction>").tag
    'new_transaction'
    >>> parse_document(b"<errors><error><code>7000</code><message>Invalid XML.</message>"
    ...                b"</error></errors>")
    Traceback (most recent call last):
    ...
    payportal.exceptions.InvalidRequestError: sofort: 7000: Invalid XML. code=7000 status=200
    """
    try:
        root: ET.Element = defusedxml.ElementTree.fromstring(content)
    except (ET.ParseError, defusedxml.DefusedXmlException, LookupError, ValueError) as error:
        raise ProviderError(
            "Sofort answered with a body that is not well-formed XML",
            provider="sofort",
            status_code=status_code,
        ) from error
    if root.tag == "errors":
        raise _error_from(_all_errors(root), status_code)
    return root


def _money(value: str, currency: str, field: str) -> Money:
    return read_money(value, currency, "sofort", field=field)


def _time(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def transaction_to_payment(details: ET.Element) -> Payment:
    """Map one ``<transaction_details>`` element to a :class:`~payportal.providers.Payment`.

    ``raw_status`` is ``status/status_reason``. Sofort lists no refunds one by one, so
    ``refunds`` is empty and ``refunded`` is its ``amount_refunded``.

    Raises:
        ProviderError: an amount or the currency cannot be read.
    """
    currency = _text(details, "currency_code")
    amount = _money(_text(details, "amount"), currency, "amount")
    refunded = _money(_text(details, "amount_refunded", "0"), currency, "amount_refunded")
    word = _text(details, "status")
    reason = _text(details, "status_reason")
    zero = Money.zero(currency)
    captured = amount if word in _CONFIRMED else zero
    if word == "loss":
        status = PaymentStatus.FAILED
    elif refunded >= amount or (word == "refunded" and reason == "refunded"):
        status = PaymentStatus.REFUNDED
    elif refunded.amount > 0 or word == "refunded":
        status = PaymentStatus.PARTIALLY_REFUNDED
    elif word in _CONFIRMED:
        status = PaymentStatus.PAID
    else:
        status = PaymentStatus.PENDING
    variables = [v.text.strip() for v in details.findall("user_variables/user_variable") if v.text]
    reasons = [r.text.strip() for r in details.findall("reasons/reason") if r.text]
    return Payment(
        id=_text(details, "transaction"),
        provider="sofort",
        status=status,
        raw_status=f"{word}/{reason}" if reason else word or "unknown",
        amount=amount,
        captured=captured,
        refunded=min(refunded, captured) if captured else zero,
        reference=next(iter(variables or reasons), None),
    )


def parse_transactions(root: ET.Element) -> list[Payment]:
    """Every ``<transaction_details>`` of a ``<transactions>`` answer, as payments."""
    if root.tag != "transactions":
        raise ProviderError(f"Sofort answered <{root.tag}>, not <transactions>", provider="sofort")
    return [transaction_to_payment(details) for details in root.findall("transaction_details")]


def parse_refunds(root: ET.Element, currency: str) -> list[Refund]:
    """The refunds of a ``<refunds>`` answer (Sofort's answer does not repeat the currency).

    Raises:
        InvalidRequestError: Sofort refused a refund (its ``status`` is ``error``).
    """
    if root.tag != "refunds":
        raise ProviderError(f"Sofort answered <{root.tag}>, not <refunds>", provider="sofort")
    refunds = []
    for item in root.findall("refund"):
        errors = _messages(item.find("errors"), "error")
        if errors or _text(item, "status") == "error":
            raise _error_from(errors, 200)
        refunds.append(
            Refund(
                id=_text(item, "partial_refund_id") or _text(item, "transaction"),
                amount=_money(_text(item, "amount"), currency, "refund amount"),
                raw_status=_text(item, "status"),
            )
        )
    return refunds


def _reason_lines(*lines: str) -> list[str]:
    return [line[:_REASON_LENGTH] for line in lines if line]


# -- the wire ---------------------------------------------------------------------------------


class SofortWire(Wire):
    """Sofort's XML wire format, free of I/O; run it with :class:`Sofort`/:class:`AsyncSofort`.

    Args:
        customer_id: the Sofort customer (user) id, the Basic-auth user name.
        project_id: the id of the gateway project payments are made for.
        api_key: the project's API key; never shown in ``repr``, logs or errors.
        base_url: overrides :data:`API_URL` (a fake server on loopback).
        notification_url: where Sofort posts status notifications; ``-TRANSACTION-`` in it
            is replaced by the transaction id.
        refund_account: the merchant account refunds are paid from; sent as ``<sender>``.
        language_code: the payment page's language (``"de"``, ``"en"``, ...).
        customer_protection: ask for Sofort's buyer protection (``su/customer_protection``).

    Raises:
        ValidationError: an id is not numeric or the API key is empty.
    """

    name = "sofort"
    capabilities = Capabilities(
        refund=True,
        partial_refund=True,
        multiple_refunds=True,
        real_time_credit=True,
        redirect=True,
    )

    def __init__(
        self,
        customer_id: str,
        project_id: str,
        api_key: str,
        *,
        base_url: str | None = None,
        notification_url: str | None = None,
        refund_account: SofortAccount | None = None,
        language_code: str | None = None,
        customer_protection: bool | None = None,
    ) -> None:
        for field, value in (("customer_id", customer_id), ("project_id", project_id)):
            if not isinstance(value, str) or not _DIGITS.fullmatch(value):
                raise ValidationError("must be Sofort's numeric id", field=field, value=value)
        if not isinstance(api_key, str) or not api_key:
            raise ValidationError("must be given", field="api_key", value="(hidden)")
        self.customer_id = customer_id
        self.project_id = project_id
        self._basic = "Basic " + base64.b64encode(f"{customer_id}:{api_key}".encode()).decode()
        self.url = (base_url or API_URL).rstrip("/") + _PATH
        self.notification_url = notification_url
        self.refund_account = refund_account
        self.language_code = language_code
        self.customer_protection = customer_protection

    def __repr__(self) -> str:
        return f"SofortWire(customer_id={self.customer_id!r}, project_id={self.project_id!r})"

    # -- transport helpers ---------------------------------------------------------------

    def _request(self, root: ET.Element) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.url,
            headers={
                "Authorization": self._basic,
                "Content-Type": "application/xml; charset=UTF-8",
                "Accept": "application/xml; charset=UTF-8",
            },
            content=ET.tostring(root, encoding="UTF-8", xml_declaration=True),
        )

    def _read(self, response: httpx.Response) -> ET.Element:
        if response.status_code == 401:
            raise AuthenticationError(
                "Sofort refused the customer id and API key",
                provider=self.name,
                code="401",
                status_code=401,
            )
        if not response.is_success:
            kind = error_for_status(response.status_code)
            try:
                parse_document(response.content, response.status_code)
            except InvalidRequestError as error:
                raise kind(
                    error.message,
                    provider=self.name,
                    code=error.code,
                    status_code=response.status_code,
                ) from None
            except ProviderError:
                pass
            raise kind(
                f"Sofort answered HTTP {response.status_code}",
                provider=self.name,
                status_code=response.status_code,
            )
        return parse_document(response.content, response.status_code)

    def _call(
        self, root: ET.Element, *, repeatable: bool = True
    ) -> Generator[httpx.Request, httpx.Response, ET.Element]:
        request = self._request(root)
        response = yield request if repeatable else unrepeatable(request)
        return self._read(response)

    def _transaction(
        self, payment_id: str, *, error: type[ProviderError] = InvalidRequestError
    ) -> Generator[httpx.Request, httpx.Response, tuple[Payment, ET.Element]]:
        checked_id(
            payment_id,
            _ID,
            provider=self.name,
            what="Sofort transaction id",
            code="invalid_id",
            error=error,
        )
        query = ET.Element("transaction_request", version="2")
        _add(query, "transaction", payment_id)
        found = (yield from self._call(query)).findall("transaction_details")
        if not found:
            raise error(
                f"Sofort has no finished transaction {payment_id}: it does not exist, or the "
                "payer has not completed it yet",
                provider=self.name,
                code="transaction_not_found",
            )
        return transaction_to_payment(found[0]), found[0]

    # -- operations ----------------------------------------------------------------------

    def create_payment(self, request: PaymentRequest) -> Operation[Payment]:
        """Operation: ``<multipay>`` with the ``su`` product.

        The reference is the first reason line (what the payer's statement shows, cut to 27
        characters) and the first user variable (in full); the second reason line is the
        transaction id. Sofort has no idempotency key for this call: it is never resent once
        it may have reached Sofort (see :func:`~payportal.providers.unrepeatable`).

        Raises:
            InvalidRequestError: ``return_url`` or ``cancel_url`` is missing (Sofort needs
                both), or Sofort refused the request.
        """
        if not request.return_url or not request.cancel_url:
            raise InvalidRequestError(
                "Sofort needs both a return_url and a cancel_url for the payer",
                provider=self.name,
                code="missing_url",
            )
        amount = request.amount
        root = ET.Element("multipay")
        _add(root, "project_id", self.project_id)
        _add(root, "interface_version", "payportal")
        if self.language_code:
            _add(root, "language_code", self.language_code)
        _add(root, "amount", str(amount.amount))
        _add(root, "currency_code", amount.currency)
        reasons = _add(root, "reasons")
        for line in _reason_lines(request.reference, _PLACEHOLDER):
            _add(reasons, "reason", line)
        variables = _add(root, "user_variables")
        _add(variables, "user_variable", request.reference)
        if request.description:
            _add(variables, "user_variable", request.description[:255])
        _add(root, "success_url", request.return_url)
        _add(root, "success_link_redirect", "1")
        _add(root, "abort_url", request.cancel_url)
        if self.notification_url:
            urls = _add(root, "notification_urls")
            _add(urls, "notification_url", self.notification_url)
        if request.customer_email:
            _add(root, "email_customer", request.customer_email)
        product = _add(root, "su")
        if self.customer_protection is not None:
            _add(product, "customer_protection", "1" if self.customer_protection else "0")
        answer = yield from self._call(root, repeatable=False)
        if answer.tag != "new_transaction":
            raise ProviderError(
                f"Sofort answered <{answer.tag}>, not <new_transaction>", provider=self.name
            )
        for warning in _messages(answer.find("warnings"), "warning"):
            logger.warning("sofort warned about a new transaction: %s", warning)
        transaction = _text(answer, "transaction")
        payment_url = _text(answer, "payment_url")
        if not transaction or not payment_url:
            raise ProviderError(
                "Sofort's <new_transaction> lacks the transaction or the payment_url",
                provider=self.name,
            )
        zero = Money.zero(amount.currency)
        return Payment(
            id=transaction,
            provider=self.name,
            status=PaymentStatus.CREATED,
            raw_status="new_transaction",
            amount=amount,
            captured=zero,
            refunded=zero,
            reference=request.reference,
            redirect_url=payment_url,
        )

    def get_payment(self, payment_id: str) -> Operation[Payment]:
        """Operation: ``<transaction_request>`` for one transaction id.

        Raises:
            InvalidRequestError: the id is malformed, or Sofort lists no such finished
                transaction (code ``transaction_not_found``).
        """
        payment, _ = yield from self._transaction(payment_id)
        return payment

    def refund(
        self, payment_id: str, amount: Money | None, reason: str | None
    ) -> Operation[Payment]:
        """Operation: read the transaction, ``<refunds version="3">``, read it again.

        ``amount`` defaults to what is left to refund. The refund carries a
        ``partial_refund_id`` made once per call and kept on retries. The returned payment
        lists the refund this call made (Sofort does not list earlier ones).

        Raises:
            InvalidRequestError: the amount is not positive, in another currency or more
                than is left, the payment is not paid, or Sofort refused the refund.
        """
        partial_refund_id = uuid.UUID(idempotency_key()).hex[:10]
        payment, _ = yield from self._transaction(payment_id)
        if payment.status not in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED):
            raise InvalidRequestError(
                f"cannot refund a payment that is {payment.status.value} ({payment.raw_status})",
                provider=self.name,
                code="not_refundable",
            )
        wanted = refund_amount(payment, amount, self.name, codes=("8014", "8014"))
        root = ET.Element("refunds", version="3")
        if self.refund_account is not None:
            sender = _add(root, "sender")
            _add(sender, "holder", self.refund_account.holder)
            _add(sender, "iban", self.refund_account.iban)
            _add(sender, "bic", self.refund_account.bic)
        item = _add(root, "refund")
        _add(item, "transaction", payment.id)
        _add(item, "amount", str(wanted.amount))
        if reason:
            _add(item, "comment", reason[:255])
        for tag, line in zip(
            ("reason_1", "reason_2"),
            _reason_lines(payment.reference or "", reason or ""),
            strict=False,
        ):
            _add(item, tag, line)
        _add(item, "partial_refund_id", partial_refund_id)
        refunds = parse_refunds((yield from self._call(root)), wanted.currency)
        after, _ = yield from self._transaction(payment.id)
        return attrs.evolve(after, refunds=refunds)

    # -- notifications -------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Operation[WebhookEvent]:
        """Operation: read a ``<status_notification>``, then the transaction it names.

        The notification is not signed and carries no status, so nothing in it is trusted
        but the transaction id: the event reports the state read back from Sofort. The same
        state delivered twice gives the same event id.

        Raises:
            WebhookVerificationError: the body is not a status notification, or Sofort does
                not list the transaction for this project.
        """
        try:
            root = defusedxml.ElementTree.fromstring(body)
        except (ET.ParseError, defusedxml.DefusedXmlException, LookupError, ValueError):
            raise _unverified("the notification is not well-formed XML") from None
        transaction = _text(root, "transaction")
        if root.tag != "status_notification" or not transaction:
            raise _unverified("the notification is not a Sofort status notification")
        payment, details = yield from self._transaction(transaction, error=WebhookVerificationError)
        if _text(details, "project_id") != self.project_id:
            raise _unverified(f"transaction {transaction} does not belong to this project")
        modified = _text(details, "status_modified") or _text(details, "time")
        word = _text(details, "status")
        # WebhookEvent converts with the generic MappingProxyType, which mypy cannot bind.
        data: dict[Any, Any] = {
            "transaction": payment.id,
            "notified_at": _text(root, "time"),
            "status": word,
            "status_reason": _text(details, "status_reason"),
            "status_modified": modified,
            "amount": str(payment.amount.amount),
            "amount_refunded": str(payment.refunded.amount),
            "currency_code": payment.amount.currency,
        }
        return WebhookEvent(
            id=f"{payment.id}:{payment.raw_status}:{modified}",
            provider=self.name,
            type=word or "status_notification",
            payment_id=payment.id,
            status=payment.status,
            occurred_at=_time(modified),
            data=data,
        )


def _unverified(reason: str) -> WebhookVerificationError:
    return WebhookVerificationError(reason, provider="sofort", code="webhook_verification")


class SofortOptions(TypedDict, total=False):
    """The Sofort-specific keyword arguments of :class:`Sofort` and :class:`AsyncSofort`."""

    base_url: str
    notification_url: str
    refund_account: SofortAccount
    language_code: str
    customer_protection: bool


class _SyncOptions(SofortOptions, HTTPOptions, total=False):
    pass


class _AsyncOptions(SofortOptions, AsyncHTTPOptions, total=False):
    pass


def _split_config_key(config_key: str) -> tuple[str, str, str]:
    parts = config_key.split(":") if isinstance(config_key, str) else []
    if len(parts) != 3 or not all(parts):
        raise ValidationError(
            "must be Sofort's configuration key 'customer_id:project_id:api_key'",
            field="config_key",
            value="(hidden)",
        )
    return parts[0], parts[1], parts[2]


class Sofort(HTTPProvider):
    """Sofort, synchronous.

    Takes the arguments of :class:`SofortWire` and the HTTP options of
    :class:`~payportal.providers.SyncDriver` (``client``, ``transport``, ``timeout``,
    ``retry``, ``sleep``, ``clock``).

    >>> Sofort.from_config_key("12345:123456:edc788a4316ce7e2ac0ede037aa623d7")
    Sofort(SofortWire(customer_id='12345', project_id='123456'))
    """

    def __init__(
        self, customer_id: str, project_id: str, api_key: str, **options: Unpack[_SyncOptions]
    ) -> None:
        wire, http = split_options(options, HTTPOptions)
        super().__init__(SofortWire(customer_id, project_id, api_key, **wire), **http)

    @classmethod
    def from_config_key(cls, config_key: str, **options: Unpack[_SyncOptions]) -> Sofort:
        """Build a client from the configuration key Sofort shows the merchant
        (``customer_id:project_id:api_key``).

        Raises:
            ValidationError: the key does not have three parts.
        """
        return cls(*_split_config_key(config_key), **options)


class AsyncSofort(AsyncHTTPProvider):
    """Sofort, asynchronous; arguments as :class:`Sofort`, with an async client."""

    def __init__(
        self, customer_id: str, project_id: str, api_key: str, **options: Unpack[_AsyncOptions]
    ) -> None:
        wire, http = split_options(options, AsyncHTTPOptions)
        super().__init__(SofortWire(customer_id, project_id, api_key, **wire), **http)

    @classmethod
    def from_config_key(cls, config_key: str, **options: Unpack[_AsyncOptions]) -> AsyncSofort:
        """As :meth:`Sofort.from_config_key`."""
        return cls(*_split_config_key(config_key), **options)
