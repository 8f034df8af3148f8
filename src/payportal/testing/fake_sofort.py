"""A fake Sofort XML API: multipay, transaction requests, refunds and status notifications.

It accepts requests shaped like Sofort's (``POST /api/xml``, HTTP Basic auth with the
customer id and API key, the root element selecting the operation) and answers with
Sofort's documents: ``<new_transaction>``, ``<transactions>``, ``<refunds>``, and
``<errors>`` with HTTP 200 for business errors (``7000`` malformed XML; per product
``<su><errors>`` under ``8054`` for an initiation it refuses). Like Sofort, it lists a
transaction only once the payer has finished it (:meth:`FakeSofort.pay`), and a repeated
``partial_refund_id`` on a transaction replays the first refund instead of refunding again.

Error codes other than 7000, 8014, 8049 and 8054 (the documented ones) are inferred:
``8010`` a mandatory field is empty, ``8011`` a value is not one of the allowed ones,
``8019`` an unknown transaction in a refund.

>>> fake = FakeSofort()
>>> transport = fake.transport()            # in-process, for httpx.Client(transport=...)
>>> with fake.serve() as base_url:           # or over a real socket on 127.0.0.1
...     base_url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import xml.etree.ElementTree as ET  # building only; parsing goes through defusedxml
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import attrs
import defusedxml
import defusedxml.ElementTree
import httpx
from stdnum import iban as stdnum_iban

from payportal.testing._server import FakeServer, Record, Refusal, route

__all__ = ["FakeSofort", "Transaction", "TransactionRefund"]

_AMOUNT = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")
_CURRENCIES = frozenset({"EUR", "CHF", "GBP", "PLN", "HUF", "CZK"})
_LANGUAGES = frozenset({"de", "en", "nl", "fr", "it", "es", "pl", "hu", "cs", "sk"})
_NOTIFY_ON = frozenset({"pending", "received", "loss", "refund", "refunded", "untraceable"})
_REASON_LENGTH = 27
_XML = "application/xml; charset=UTF-8"


@attrs.define
class TransactionRefund(Record):
    """One refund of a transaction, kept under its ``partial_refund_id`` (a repeat replays)."""

    camel_case = False
    amount: Decimal
    time: str


@attrs.define
class Transaction(Record):
    """A Sofort transaction as the fake keeps it.

    ``status`` is ``None`` until the payer finishes (Sofort lists it only then); every
    change goes through :meth:`move`, which keeps the ``history`` Sofort shows.
    ``notification_urls`` pairs each URL with the events it wants (``None``: all).
    """

    camel_case = False
    id: str
    project_id: str
    amount: Decimal
    currency: str
    reasons: list[str]
    user_variables: list[str]
    language_code: str
    email_customer: str
    notification_urls: list[tuple[str, frozenset[str] | None]]
    success_url: str
    abort_url: str
    refunded: Decimal = Decimal("0.00")
    status: str | None = None
    status_reason: str | None = None
    status_modified: str | None = None
    time: str | None = None
    history: list[tuple[str, str, str]] = attrs.Factory(list)
    refunds: dict[str, TransactionRefund] = attrs.Factory(dict)

    def move(self, status: str, reason: str, now: str) -> None:
        """The transaction enters ``status`` (for ``reason``) at ``now``."""
        if self.time is None:
            self.time = now
        self.status, self.status_reason, self.status_modified = status, reason, now
        self.history.append((status, reason, now))

    def wants(self, status: str) -> list[str]:
        """The notification URLs that want to hear of a move to ``status``."""
        event = "refund" if status == "refunded" else status
        return [
            url
            for url, notify_on in self.notification_urls
            if notify_on is None or event in notify_on or status in notify_on
        ]


class _NotFound(Refusal):  # no such page: a plain 404, not an XML answer
    pass


class _Refused(Refusal):  # carries Sofort's error document to the answer
    def __init__(self, code: str, message: str, field: str | None = None, *, product: bool = False):
        self.code = code
        self.message = message
        self.field = field
        self.product = product


def _now(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attributes)
    if text is not None:
        child.text = text
    return child


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _serialise(root: ET.Element) -> bytes:
    content: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return content


def _document(root: ET.Element, status: int = 200) -> httpx.Response:
    content = _serialise(root)
    return httpx.Response(status, content=content, headers={"Content-Type": _XML})


def _error_item(parent: ET.Element, code: str, message: str, field: str | None) -> None:
    error = _add(parent, "error")
    _add(error, "code", code)
    _add(error, "message", message)
    if field:
        _add(error, "field", field)


def _errors(refused: _Refused) -> httpx.Response:
    root = ET.Element("errors")
    if refused.product:
        _error_item(
            root, "8054", "All products deactivated due to errors, initiation aborted.", None
        )
        product = _add(_add(root, "su"), "errors")
        _error_item(product, refused.code, refused.message, refused.field)
    else:
        _error_item(root, refused.code, refused.message, refused.field)
    return _document(root)


def _amount(text: str, field: str = "amount") -> Decimal:
    if not _AMOUNT.fullmatch(text) or Decimal(text) <= 0:
        raise _Refused("8014", "Invalid amount.", field, product=True)
    return Decimal(text).quantize(Decimal("0.01"))


class FakeSofort(FakeServer):
    """An in-memory Sofort XML API.

    Args:
        sofort_bank_account: the merchant has a Sofort (Deutsche Handelsbank) account: a
            finished payment is ``pending/not_credited_yet`` instead of
            ``untraceable/sofort_bank_account_needed``, and can be credited.
        duplicate_notifications: :meth:`notifications` delivers each notification twice.

    Attributes:
        customer_id, project_id, api_key: the only credentials it accepts.
        transactions: the transactions by id (:class:`Transaction`).

    Test-side controls: :meth:`pay` (the payer finishes the transfer; ``approve`` is the same,
    for :class:`~payportal.testing.ProviderContract`), :meth:`credit`, :meth:`lose`,
    :meth:`notifications`, :meth:`notification`, and :meth:`inject` from
    :class:`~payportal.testing.FakeServer`. The payment URL it returns
    (``/payment/go/<token>``) pays the transaction when requested from the fake.
    """

    provider = "sofort"

    def __init__(
        self,
        *,
        sofort_bank_account: bool = False,
        duplicate_notifications: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.customer_id = str(10000 + secrets.randbelow(89999))
        self.project_id = str(100000 + secrets.randbelow(899999))
        self.api_key = secrets.token_hex(16)
        self.sofort_bank_account = sofort_bank_account
        self.duplicate_notifications = duplicate_notifications
        self.transactions: dict[str, Transaction] = {}
        self._tokens: dict[str, str] = {}
        self._outbox: list[bytes] = []
        self._serial = itertools.count(1)

    def __repr__(self) -> str:
        return f"FakeSofort(transactions={len(self.transactions)})"

    # -- test-side controls ----------------------------------------------------------------

    def pay(self, transaction_id: str) -> None:
        """The payer finishes the transfer at their bank; Sofort confirms it in real time.

        Raises:
            KeyError: no such transaction.
            ValueError: the transaction is finished already.
        """
        with self._lock:
            transaction = self.transactions[transaction_id]
            if transaction.status is not None:
                raise ValueError(f"transaction {transaction_id} is {transaction.status}")
            if self.sofort_bank_account:
                self._move(transaction, "pending", "not_credited_yet")
            else:
                self._move(transaction, "untraceable", "sofort_bank_account_needed")

    approve = pay

    def credit(self, transaction_id: str) -> None:
        """The money arrives on the merchant's Sofort bank account (``received/credited``)."""
        with self._lock:
            self._settle(transaction_id, "received", "credited")

    def lose(self, transaction_id: str) -> None:
        """The money never arrives (``loss/not_credited``)."""
        with self._lock:
            self._settle(transaction_id, "loss", "not_credited")

    def notification(self, transaction_id: str, time: str | None = None) -> bytes:
        """A ``<status_notification>`` body for ``transaction_id``, as Sofort posts it."""
        root = ET.Element("status_notification")
        _add(root, "transaction", transaction_id)
        _add(root, "time", time or _now(self.now()))
        return _serialise(root)

    def notifications(self) -> list[tuple[dict[str, str], bytes]]:
        """Take the notifications sent so far, oldest first, as ``(headers, body)``."""
        with self._lock:
            bodies, self._outbox = self._outbox, []
        copies = 2 if self.duplicate_notifications else 1
        return [({"Content-Type": _XML}, body) for body in bodies for _ in range(copies)]

    def _settle(self, transaction_id: str, status: str, reason: str) -> None:
        transaction = self.transactions[transaction_id]
        if transaction.status != "pending":
            raise ValueError(f"transaction {transaction_id} is {transaction.status}, not pending")
        self._move(transaction, status, reason)

    def _move(self, transaction: Transaction, status: str, reason: str) -> None:
        now = _now(self.now())
        transaction.move(status, reason, now)
        for _url in transaction.wants(status):
            self._outbox.append(self.notification(transaction.id, now))

    # -- the HTTP API ----------------------------------------------------------------------

    def error_response(self, status: int) -> httpx.Response:
        """Sofort's answer for server errors and rate limiting (an HTML page at Sofort)."""
        return httpx.Response(
            status, text="<html><body>Service temporarily unavailable</body></html>"
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Route one request; see the module docstring for what is validated."""
        return self.route(request, request)

    def no_route(self, request: httpx.Request, status: int) -> Refusal:
        """A plain 404 (Sofort's API is one URL, ``POST /api/xml``)."""
        return _NotFound()

    def refusal_response(self, refusal: Refusal, request: httpx.Request) -> httpx.Response:
        """Sofort's ``<errors>`` document for a refusal (a plain 404 for an unknown page)."""
        if isinstance(refusal, _NotFound):
            return httpx.Response(404, text="Not found")
        return _errors(cast("_Refused", refusal))

    @route("POST", "/api/xml")
    def _api(self, request: httpx.Request) -> httpx.Response:
        # Authenticate and read the document; its root element is the operation, routed by
        # the table's lines whose "method" is the element's name.
        expected = base64.b64encode(f"{self.customer_id}:{self.api_key}".encode()).decode()
        given = request.headers.get("Authorization", "")
        if not secrets.compare_digest(given.encode(), f"Basic {expected}".encode()):
            return httpx.Response(
                401, text="Unauthorized", headers={"WWW-Authenticate": 'Basic realm="API"'}
            )
        if "xml" not in request.headers.get("Content-Type", ""):
            return _errors(_Refused("7000", "Invalid XML: the content type is not XML."))
        try:
            root: ET.Element = defusedxml.ElementTree.fromstring(request.content)
        except (ET.ParseError, defusedxml.DefusedXmlException) as error:
            return _errors(_Refused("7000", f"Invalid XML. {error}"))
        try:
            return self.route(request, root, method=root.tag)
        except _NotFound:
            raise _Refused("7000", f"Invalid XML: unknown request <{root.tag}>.") from None

    @route("GET", "/payment/go/{token}")
    def _payer_visits(self, request: httpx.Request, token: str) -> httpx.Response:
        # The payment page the payer is sent to; visiting it pays, so a fake in another process
        # (or a browser test) can finish a payment without calling pay().
        try:
            self.pay(self._tokens[token])
        except (KeyError, ValueError):
            return httpx.Response(404, text="This payment is not available.")
        return httpx.Response(200, text="Payment finished.")

    def _required(self, root: ET.Element, field: str, *, product: bool = True) -> str:
        value = _text(root, field)
        if not value:
            raise _Refused("8010", "Must not be empty.", field, product=product)
        return value

    @route("multipay", "/api/xml")
    def _multipay(self, root: ET.Element) -> httpx.Response:
        if root.find("su") is None:
            raise _Refused("8010", "No payment product given: add <su/>.", "su")
        project_id = self._required(root, "project_id")
        if project_id != self.project_id:
            raise _Refused("8011", "Unknown project.", "project_id", product=True)
        amount = _amount(self._required(root, "amount"))
        currency = self._required(root, "currency_code")
        if currency not in _CURRENCIES:
            raise _Refused("8011", "Currency not supported.", "currency_code", product=True)
        reasons = [(r.text or "").strip() for r in root.findall("reasons/reason")]
        if not reasons or not reasons[0]:
            raise _Refused("8010", "Must not be empty.", "reasons.reason", product=True)
        if len(reasons) > 2:
            raise _Refused("8011", "At most two reasons.", "reasons.reason", product=True)
        urls = {}
        for field in ("success_url", "abort_url"):
            urls[field] = self._required(root, field)
            if not urls[field].startswith(("https://", "http://")):
                raise _Refused("8011", "Invalid URL.", field, product=True)
        for field in ("success_link_redirect", "su/customer_protection"):
            if _text(root, field) not in ("", "0", "1"):
                raise _Refused("8011", "Not in the list of valid values.", field, product=True)
        notification_urls = []
        for element in root.findall("notification_urls/notification_url"):
            notify_on = element.get("notify_on")
            events = None
            if notify_on is not None:
                events = frozenset(part.strip() for part in notify_on.split(","))
                if not events <= _NOTIFY_ON:
                    raise _Refused("8011", "Invalid notify_on.", "notification_url", product=True)
            notification_urls.append(((element.text or "").strip(), events))
        warnings = []
        language = _text(root, "language_code")
        if language and language not in _LANGUAGES:
            warnings.append(("8049", "Unsupported language.", "language_code"))
        serial = next(self._serial)
        transaction_id = (
            f"{self.customer_id}-{self.project_id}-"
            f"{int(self.clock()) + serial:08X}-{secrets.token_hex(2).upper()}"
        )
        token = secrets.token_hex(20)
        self._tokens[token] = transaction_id
        self.transactions[transaction_id] = Transaction(
            id=transaction_id,
            project_id=project_id,
            amount=amount,
            currency=currency,
            reasons=[r.replace("-TRANSACTION-", transaction_id)[:_REASON_LENGTH] for r in reasons],
            user_variables=[(v.text or "") for v in root.findall("user_variables/user_variable")],
            language_code=language if language in _LANGUAGES else "de",
            email_customer=_text(root, "email_customer"),
            notification_urls=notification_urls,
            success_url=urls["success_url"],
            abort_url=urls["abort_url"],
        )
        answer = ET.Element("new_transaction")
        _add(answer, "transaction", transaction_id)
        _add(answer, "payment_url", f"https://www.sofort.com/payment/go/{token}")
        if warnings:
            items = _add(answer, "warnings")
            for code, message, field in warnings:
                warning = _add(items, "warning")
                _add(warning, "code", code)
                _add(warning, "message", message)
                _add(warning, "field", field)
        return _document(answer)

    def _listed(self, transaction_id: str) -> Transaction | None:
        transaction = self.transactions.get(transaction_id)
        if transaction is None or transaction.status is None:
            return None  # Sofort lists a transaction only once the payer finished it
        return transaction

    @route("transaction_request", "/api/xml")
    def _transaction_request(self, root: ET.Element) -> httpx.Response:
        if root.get("version") != "2":
            raise _Refused("8011", "Unsupported version.", "version")
        ids = [(t.text or "").strip() for t in root.findall("transaction")]
        found = [t for t in map(self._listed, ids) if t is not None] if ids else self._search(root)
        answer = ET.Element("transactions")
        for transaction in found:
            self._details(answer, transaction)
        return _document(answer)

    def _search(self, root: ET.Element) -> list[Transaction]:
        number_text = _text(root, "number") or "10"
        page_text = _text(root, "page") or "1"
        if not number_text.isdigit() or not 0 < int(number_text) <= 100:
            raise _Refused("8011", "Number must be between 1 and 100.", "number")
        if not page_text.isdigit() or int(page_text) < 1:
            raise _Refused("8011", "Invalid page.", "page")
        bounds = []
        for field in ("from_time", "to_time"):
            text = _text(root, field)
            try:
                when = datetime.fromisoformat(text) if text else None
            except ValueError:
                raise _Refused("8011", "Invalid time.", field) from None
            if when is not None and when.tzinfo is None:
                when = when.astimezone()
            bounds.append(when)
        start, end = bounds
        listed = [
            t
            for t in self.transactions.values()
            if t.status is not None
            and t.time is not None
            and (start is None or datetime.fromisoformat(t.time) >= start)
            and (end is None or datetime.fromisoformat(t.time) <= end)
            and (not _text(root, "status") or t.status == _text(root, "status"))
        ]
        number, page = int(number_text), int(page_text)
        return listed[(page - 1) * number : page * number]

    def _details(self, parent: ET.Element, transaction: Transaction) -> None:
        details = _add(parent, "transaction_details")
        _add(details, "project_id", transaction.project_id)
        _add(details, "transaction", transaction.id)
        _add(details, "test", "1")
        _add(details, "time", transaction.time)
        _add(details, "status", transaction.status)
        _add(details, "status_reason", transaction.status_reason)
        _add(details, "status_modified", transaction.status_modified)
        _add(details, "payment_method", "su")
        _add(details, "language_code", transaction.language_code)
        _add(details, "amount", str(transaction.amount))
        _add(details, "amount_refunded", str(transaction.refunded))
        _add(details, "currency_code", transaction.currency)
        reasons = _add(details, "reasons")
        for reason in transaction.reasons:
            _add(reasons, "reason", reason)
        variables = _add(details, "user_variables")
        for variable in transaction.user_variables:
            _add(variables, "user_variable", variable)
        for role, holder in (("sender", "Max Mustermann"), ("recipient", "Merchant GmbH")):
            account = _add(details, role)
            _add(account, "holder", holder)
            _add(account, "bank_name", "Demo Bank")
            _add(account, "bic", "SFRTDE20XXX")
            _add(account, "iban", "DE06000000000023456789")
            _add(account, "country_code", "DE")
        _add(details, "email_customer", transaction.email_customer)
        _add(details, "phone_customer")
        _add(details, "exchange_rate", "1.0000")
        costs = _add(details, "costs")
        _add(costs, "fees", "0.00")
        _add(costs, "currency_code", transaction.currency)
        _add(costs, "exchange_rate", "1.0000")
        _add(_add(details, "su"), "consumer_protection", "0")
        history = _add(details, "status_history_items")
        for status, reason, when in transaction.history:
            item = _add(history, "status_history_item")
            _add(item, "status", status)
            _add(item, "status_reason", reason)
            _add(item, "time", when)

    @route("refunds", "/api/xml")
    def _refunds(self, root: ET.Element) -> httpx.Response:
        if root.get("version") != "3":
            raise _Refused("8011", "Unsupported version.", "version")
        sender = root.find("sender")
        if sender is not None and not stdnum_iban.is_valid(_text(sender, "iban")):
            raise _Refused("8011", "Invalid IBAN.", "sender.iban")
        items = root.findall("refund")
        if not items:
            raise _Refused("8010", "Must not be empty.", "refund")
        answer = ET.Element("refunds", version="3")
        if sender is not None:
            echoed = _add(answer, "sender")
            for field in ("holder", "bank_name", "iban", "bic"):
                _add(echoed, field, _text(sender, field) or "Demo Bank")
        _add(answer, "title", f"Refund {self.now():%B %d, %Y}")
        pain = _add(answer, "pain")
        done: list[tuple[Transaction, Decimal]] = []
        for item in items:
            done.extend(self._refund(answer, item))
        pain.text = base64.b64encode(_pain(done, self.now())).decode()
        return _document(answer)

    def _refund(self, answer: ET.Element, item: ET.Element) -> list[tuple[Transaction, Decimal]]:
        echo = _add(answer, "refund")
        transaction_id = _text(item, "transaction")
        _add(echo, "transaction", transaction_id)
        for field in ("amount", "comment", "reason_1", "reason_2"):
            if item.find(field) is not None:
                _add(echo, field, _text(item, field))
        partial_refund_id = _text(item, "partial_refund_id") or secrets.token_hex(5)
        transaction = self._listed(transaction_id)
        try:
            if transaction is None:
                raise _Refused("8019", "Transaction not found.", "transaction")
            earlier = transaction.refunds.get(partial_refund_id)
            if earlier is not None:  # the same refund again: answer as the first time
                _add(echo, "time", earlier.time)
                _add(echo, "partial_refund_id", partial_refund_id)
                _add(echo, "status", "accepted")
                return []
            amount = _amount(_text(item, "amount"))
            if transaction.status == "loss":
                raise _Refused("8014", "The transaction was not paid.", "transaction")
            if amount > transaction.amount - transaction.refunded:
                raise _Refused("8014", "Invalid amount.", "amount")
        except _Refused as refused:
            _add(echo, "status", "error")
            _error_item(_add(echo, "errors"), refused.code, refused.message, refused.field)
            return []
        now = _now(self.now())
        transaction.refunds[partial_refund_id] = TransactionRefund(amount, now)
        transaction.refunded += amount
        full = transaction.refunded >= transaction.amount
        self._move(transaction, "refunded", "refunded" if full else "compensation")
        recipient = _add(echo, "recipient")
        _add(recipient, "holder", "Max Mustermann")
        _add(recipient, "bank_name", "Demo Bank")
        _add(recipient, "iban", "DE06000000000023456789")
        _add(recipient, "bic", "SFRTDE20XXX")
        _add(echo, "time", now)
        _add(echo, "partial_refund_id", partial_refund_id)
        _add(echo, "status", "accepted")
        return [(transaction, amount)]


def _pain(refunds: list[tuple[Transaction, Decimal]], now: datetime) -> bytes:
    """A minimal SEPA credit transfer (pain.001.001.03) for the refunds, as Sofort returns,
    created at ``now``."""
    namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
    document = ET.Element("Document", xmlns=namespace)
    initiation = _add(document, "CstmrCdtTrfInitn")
    header = _add(initiation, "GrpHdr")
    _add(header, "MsgId", secrets.token_hex(8))
    _add(header, "CreDtTm", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _add(header, "NbOfTxs", str(len(refunds)))
    _add(header, "CtrlSum", str(sum((amount for _, amount in refunds), Decimal("0.00"))))
    for transaction, amount in refunds:
        transfer = _add(_add(initiation, "PmtInf"), "CdtTrfTxInf")
        _add(_add(transfer, "PmtId"), "EndToEndId", transaction.id)
        _add(_add(transfer, "Amt"), "InstdAmt", str(amount), Ccy=transaction.currency)
    return _serialise(document)
