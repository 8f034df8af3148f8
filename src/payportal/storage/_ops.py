"""Every storage operation, once, without I/O (see ``_queries``).

An operation is a generator: it yields the :class:`Query` objects it needs run, receives
each :class:`Result`, and returns its value. Decoding, checksums and version checks happen
here, so every driver (SQLite, PostgreSQL, sync, async, in memory) behaves the same.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from payportal.accounts import CustomerAccount
from payportal.customers import ChangeRecord, Customer
from payportal.documents import Document
from payportal.exceptions import (
    ConcurrentUpdateError,
    StorageError,
    ValidationError,
)
from payportal.providers import Payment
from payportal.providers.bank_transfer import Transfer
from payportal.storage import _codec
from payportal.storage._migrations import LATEST, Migration
from payportal.storage._queries import Query, Result
from payportal.storage._records import JournalEntry, OutboxMessage, PaymentIntent, Versioned

# Accounts and documents are deeply immutable: their decoded models may be shared.
_codec.immutable(CustomerAccount, Document)

if TYPE_CHECKING:
    from payportal.storage._queries import Dialect

T = TypeVar("T")
Op = Generator[Query, Result, T]

__all__ = ["Op"]


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError("must be a non-empty string", field=field, value=value)
    if "\x00" in value:  # PostgreSQL's text cannot hold it; refuse it everywhere alike
        raise ValidationError("must not contain NUL characters", field=field, value=value)
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValidationError(
                "must be valid Unicode text (it holds a lone surrogate)", field=field, value=value
            ) from None
    return value


def _version(value: object, field: str = "version") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            "must be a version number (0 for a new record)", field=field, value=value
        )
    return value


def _scalar(result: Result) -> object:
    return result.rows[0][0] if result.rows else None


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _time(value: object) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value)


# -- schema -------------------------------------------------------------------------------


def schema_version() -> Op[int]:
    yield Query("schema.create")
    version = _scalar((yield Query("schema.get")))
    return 0 if version is None else _int(version)


def migrate_step(dialect: Dialect, step: Migration) -> Op[bool]:
    """Apply ``step`` if the schema is just below it; ``False`` if it already was."""
    yield Query("schema.lock")
    current = yield from schema_version()
    if current > LATEST:
        raise StorageError(
            f"the database's schema version {current} is newer than this payportal's "
            f"({LATEST}); upgrade payportal before using this database"
        )
    if current >= step.version:
        return False
    if current != step.version - 1:
        raise StorageError(f"cannot apply schema step {step.version} to version {current}")
    for statement in step.statements(dialect):
        yield Query("ddl", sql=statement)
    yield Query("schema.set", (step.version,))
    return True


# -- versioned records -------------------------------------------------------------------


def _conflict(record: str, expected: int, actual: object) -> ConcurrentUpdateError:
    now = 0 if actual is None else _int(actual)
    if expected == 0:
        what = f"{record} already exists (version {now}); load it and save the loaded version"
    elif now == 0:
        what = f"{record} does not exist, so version {expected} cannot be replaced"
    else:
        what = (
            f"{record} was saved by another writer since version {expected} was read "
            f"(now version {now}); load it again and redo the change"
        )
    return ConcurrentUpdateError(what, record=record, expected=expected, actual=now)


def _load_versioned(kind: str, key: str, type_: type[T]) -> Op[Versioned[T] | None]:
    result = yield Query(f"{kind}.get", (_text(key, "customer_id"),))
    if not result.rows:
        return None
    version, body, stored = result.rows[0]
    return Versioned(_codec.decode(body, stored, type_, f"{kind} {key!r}"), _int(version))


def _save_versioned(kind: str, key: str, value: object, version: int, now: str) -> Op[int]:
    expected = _version(version)
    body, stored = _codec.encode(value)
    if expected == 0:
        result = yield Query(f"{kind}.insert", (key, body, stored, now))
    else:
        result = yield Query(f"{kind}.update", (body, stored, now, key, expected))
    if result.rowcount != 1:
        actual = _scalar((yield Query(f"{kind}.version", (key,))))
        raise _conflict(f"{kind} {key!r}", expected, actual)
    return expected + 1


def load_account(customer_id: str) -> Op[Versioned[CustomerAccount] | None]:
    return (yield from _load_versioned("account", customer_id, CustomerAccount))


def save_account(account: CustomerAccount, version: int, now: str) -> Op[int]:
    if not isinstance(account, CustomerAccount):
        raise ValidationError("must be a CustomerAccount", field="account", value=account)
    key = account.customer_id
    return (yield from _save_versioned("account", key, account, version, now))


def load_customer(customer_id: str) -> Op[Versioned[Customer] | None]:
    return (yield from _load_versioned("customer", customer_id, Customer))


def save_customer(customer: Customer, version: int, now: str) -> Op[int]:
    if not isinstance(customer, Customer):
        raise ValidationError("must be a Customer", field="customer", value=customer)
    return (yield from _save_versioned("customer", customer.id, customer, version, now))


def account_ids() -> Op[list[str]]:
    result = yield Query("account.ids")
    return [str(row[0]) for row in result.rows]


def _document(row: tuple[object, ...], document_id: str) -> Versioned[Document]:
    # The stored form names the document's class; the type column is there for queries.
    version, body, stored, _type = row
    record = f"document {document_id!r}"
    return Versioned(_codec.decode(body, stored, Document, record), _int(version))


def load_document(document_id: str) -> Op[Versioned[Document] | None]:
    result = yield Query("document.get", (_text(document_id, "document_id"),))
    return _document(result.rows[0], document_id) if result.rows else None


def _update_row(document: Document, expected: int, now: str) -> tuple[object, ...]:
    """The parameters of ``document.update`` storing ``document`` over version ``expected``."""
    body, stored = _codec.encode(document)
    return (document.customer_id, document.type.value, body, stored, now, document.id, expected)


def save_document(document: Document, version: int, now: str) -> Op[int]:
    if not isinstance(document, Document):
        raise ValidationError("must be a payportal Document", field="document", value=document)
    expected = _version(version)
    key = document.id
    if expected == 0:
        body, stored = _codec.encode(document)
        params = (key, document.customer_id, document.type.value, body, stored, now)
        result = yield Query("document.insert", params)
    else:
        result = yield Query("document.update", _update_row(document, expected, now))
    if result.rowcount != 1:
        actual = _scalar((yield Query("document.version", (key,))))
        raise _conflict(f"document {key!r}", expected, actual)
    return expected + 1


def load_documents(document_ids: Sequence[str]) -> Op[dict[str, Versioned[Document]]]:
    ids = [_text(key, f"document_ids[{index}]") for index, key in enumerate(document_ids)]
    if not ids:
        return {}
    result = yield Query("document.get_many", (json.dumps(ids),))
    found = {str(row[0]): _document(row[1:], str(row[0])) for row in result.rows}
    return {key: found[key] for key in ids if key in found}


def save_documents(documents: Sequence[tuple[Document, int]], now: str) -> Op[list[int]]:
    updates: list[tuple[object, ...]] = []
    seen: set[str] = set()
    for index, pair in enumerate(documents):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValidationError(
                "must be a (document, version) pair", field=f"documents[{index}]", value=pair
            )
        document, version = pair
        if not isinstance(document, Document):
            raise ValidationError(
                "must be a payportal Document", field=f"documents[{index}]", value=document
            )
        if document.id in seen:
            raise ValidationError(
                "names a document given before in the same call",
                field=f"documents[{index}]",
                value=document.id,
            )
        seen.add(document.id)
        expected = _version(version, f"documents[{index}].version")
        if expected == 0:
            yield from save_document(document, 0, now)
            continue
        updates.append(_update_row(document, expected, now))
    if updates:
        result = yield Query("document.update", tuple(updates), many=True)
        if result.rowcount != len(updates):
            raise (yield from _stale_document(updates))
    return [version + 1 for _, version in documents]


def _stale_document(updates: list[tuple[object, ...]]) -> Op[ConcurrentUpdateError]:
    """The error for a batch of document updates of which some found another version: the
    first document not now at the version and text this batch wrote."""
    for _customer, _kind, _body, stored, _now, key, expected in updates:
        result = yield Query("document.get", (key,))
        row = result.rows[0] if result.rows else None
        if row is None or row[0] != _int(expected) + 1 or row[2] != stored:
            return _conflict(f"document {key!r}", _int(expected), None if row is None else row[0])
    keys = ", ".join(repr(update[5]) for update in updates)
    return ConcurrentUpdateError(
        f"documents {keys}: another writer saved one of them since it was read; load them "
        "again and redo the change",
        record=f"documents {keys}",
        expected=_int(updates[0][6]),
    )


def documents_of(customer_id: str) -> Op[list[Versioned[Document]]]:
    result = yield Query("document.of_customer", (_text(customer_id, "customer_id"),))
    return [_document(row[1:], str(row[0])) for row in result.rows]


# -- payments and intents ----------------------------------------------------------------


def save_payment(payment: Payment, now: str) -> Op[None]:
    if not isinstance(payment, Payment):
        raise ValidationError("must be a Payment", field="payment", value=payment)
    body, stored = _codec.encode(payment)
    yield Query("payment.put", (payment.provider, payment.id, body, stored, now))


def load_payment(provider: str, payment_id: str) -> Op[Payment | None]:
    params = (_text(provider, "provider"), _text(payment_id, "payment_id"))
    result = yield Query("payment.get", params)
    if not result.rows:
        return None
    body, stored = result.rows[0]
    return _codec.decode(body, stored, Payment, f"payment {provider}/{payment_id!r}")


def save_intent(intent: PaymentIntent) -> Op[None]:
    if not isinstance(intent, PaymentIntent):
        raise ValidationError("must be a PaymentIntent", field="intent", value=intent)
    body, stored = _codec.encode(intent)
    yield Query("intent.put", (intent.id, intent.customer_id, body, stored))


def load_intent(intent_id: str) -> Op[PaymentIntent | None]:
    result = yield Query("intent.get", (_text(intent_id, "intent_id"),))
    if not result.rows:
        return None
    body, stored = result.rows[0]
    return _codec.decode(body, stored, PaymentIntent, f"payment intent {intent_id!r}")


def intents_of(customer_id: str) -> Op[list[PaymentIntent]]:
    result = yield Query("intent.of_customer", (_text(customer_id, "customer_id"),))
    return [
        _codec.decode(body, stored, PaymentIntent, f"a payment intent of {customer_id!r}")
        for body, stored in result.rows
    ]


# -- exactly once ------------------------------------------------------------------------


def mark_processed(source: str, key: str, now: str) -> Op[bool]:
    params = (_text(source, "source"), _text(key, "key"), now)
    result = yield Query("event.insert", params)
    return result.rowcount == 1


def is_processed(source: str, key: str) -> Op[bool]:
    result = yield Query("event.get", (_text(source, "source"), _text(key, "key")))
    return bool(result.rows)


def next_numbers(name: str, start: int, count: int) -> Op[range]:
    if not isinstance(start, int) or isinstance(start, bool) or start < 1:
        raise ValidationError("must be a positive integer", field="start", value=start)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValidationError("must be a positive integer", field="count", value=count)
    params = (_text(name, "name"), start - 1 + count, count)
    last = _int(_scalar((yield Query("counter.take", params))))
    return range(last - count + 1, last + 1)


def next_number(name: str, start: int) -> Op[int]:
    return (yield from next_numbers(name, start, 1))[0]


# -- bank transfers and provider orders ---------------------------------------------------


def add_transfer(transfer: Transfer) -> Op[bool]:
    if not isinstance(transfer, Transfer):
        raise ValidationError("must be a Transfer", field="transfer", value=transfer)
    body, stored = _codec.encode(transfer)
    params = (transfer.id, transfer.reference, transfer.version, body, stored)
    result = yield Query("transfer.insert", params)
    return result.rowcount == 1


def _transfer(result: Result, record: str) -> Transfer | None:
    if not result.rows:
        return None
    body, stored = result.rows[0]
    return _codec.decode(body, stored, Transfer, record)


def load_transfer(payment_id: str) -> Op[Transfer | None]:
    result = yield Query("transfer.get", (_text(payment_id, "payment_id"),))
    return _transfer(result, f"transfer {payment_id!r}")


def find_transfer(reference: str) -> Op[Transfer | None]:
    result = yield Query("transfer.find", (_text(reference, "reference"),))
    return _transfer(result, f"the transfer with reference {reference!r}")


def replace_transfer(transfer: Transfer) -> Op[bool]:
    if not isinstance(transfer, Transfer):
        raise ValidationError("must be a Transfer", field="transfer", value=transfer)
    body, stored = _codec.encode(transfer)
    params = (transfer.version, body, stored, transfer.id, transfer.version - 1)
    result = yield Query("transfer.update", params)
    return result.rowcount == 1


def load_order(provider: str, reference: str, type_: type[T]) -> Op[T | None]:
    params = (_text(provider, "provider"), _text(reference, "reference"))
    result = yield Query("order.get", params)
    if not result.rows:
        return None
    body, stored = result.rows[0]
    return _codec.decode(body, stored, type_, f"{provider} order {reference!r}")


def save_order(provider: str, reference: str, order: object) -> Op[None]:
    body, stored = _codec.encode(order)
    params = (_text(provider, "provider"), _text(reference, "reference"), body, stored)
    yield Query("order.put", params)


def delete_order(provider: str, reference: str) -> Op[bool]:
    params = (_text(provider, "provider"), _text(reference, "reference"))
    result = yield Query("order.delete", params)
    return result.rowcount == 1


def order_references(provider: str) -> Op[list[str]]:
    result = yield Query("order.references", (_text(provider, "provider"),))
    return [str(row[0]) for row in result.rows]


# -- links and master data ---------------------------------------------------------------

DEFAULT_LINK_VERSION = 1  # Customer.link_version's default


def link_version(customer_id: str) -> Op[int]:
    version = _scalar((yield Query("link.get", (_text(customer_id, "customer_id"),))))
    return DEFAULT_LINK_VERSION if version is None else _int(version)


def revoke_links(customer_id: str) -> Op[int]:
    params = (_text(customer_id, "customer_id"), DEFAULT_LINK_VERSION + 1)
    return _int(_scalar((yield Query("link.bump", params))))


def record_change(record: ChangeRecord, now: str) -> Op[None]:
    if not isinstance(record, ChangeRecord):
        raise ValidationError("must be a ChangeRecord", field="record", value=record)
    body, stored = _codec.encode(record)
    yield Query("change.insert", (record.customer_id, now, body, stored))


def change_records(customer_id: str) -> Op[list[ChangeRecord]]:
    result = yield Query("change.of_customer", (_text(customer_id, "customer_id"),))
    return [
        _codec.decode(body, stored, ChangeRecord, f"a change record of {customer_id!r}")
        for body, stored in result.rows
    ]


# -- journal and outbox ------------------------------------------------------------------


def _limit(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError("must be a positive integer", field="limit", value=value)
    return value


def _position(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError("must be a position (0 for the start)", field=field, value=value)
    return value


def _mapping(data: object, field: str) -> tuple[str, str]:
    if not isinstance(data, Mapping):
        raise ValidationError("must be a mapping of JSON values", field=field, value=data)
    try:
        return _codec.encode_json(dict(data))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"must hold only JSON values ({exc})", field=field, value=data
        ) from None


def append_journal(customer_id: str, kind: str, data: Mapping[str, Any], now: str) -> Op[int]:
    body, stored = _mapping(data, "data")
    params = (_text(customer_id, "customer_id"), _text(kind, "kind"), now, body, stored)
    return _int(_scalar((yield Query("journal.insert", params))))


def journal(customer_id: str | None, after: int, limit: int) -> Op[list[JournalEntry]]:
    if customer_id is None:
        params: tuple[object, ...] = (_position(after, "after"), _limit(limit))
        result = yield Query("journal.read", params)
    else:
        params = (_text(customer_id, "customer_id"), _position(after, "after"), _limit(limit))
        result = yield Query("journal.read_customer", params)
    entries = []
    for sequence, customer, kind, at, body, stored in result.rows:
        data = _codec.decode_json(body, stored, f"journal entry {sequence}")
        entries.append(JournalEntry(_int(sequence), str(customer), str(kind), _time(at), data))
    return entries


def _append_outbox(messages: list[tuple[str, str, str]], now: str) -> Op[list[int]]:
    """Give the encoded ``(topic, body, checksum)`` messages the next positions and insert
    them (one statement each for the positions and for the rows)."""
    if not messages:
        return []
    positions = yield from next_numbers("payportal.outbox", 1, len(messages))
    rows = tuple(
        (position, topic, body, stored, now)
        for position, (topic, body, stored) in zip(positions, messages, strict=True)
    )
    yield Query("outbox.insert", rows, many=True)
    return list(positions)


def publish(topic: str, payload: Mapping[str, Any], now: str) -> Op[int]:
    body, stored = _mapping(payload, "payload")
    message = (_text(topic, "topic"), body, stored)
    return (yield from _append_outbox([message], now))[0]


def publish_many(messages: Sequence[tuple[str, Mapping[str, Any]]], now: str) -> Op[list[int]]:
    encoded = []
    for index, message in enumerate(messages):
        if not isinstance(message, tuple) or len(message) != 2:
            raise ValidationError(
                "must be a (topic, payload) pair", field=f"messages[{index}]", value=message
            )
        topic, payload = message
        body, stored = _mapping(payload, f"messages[{index}].payload")
        encoded.append((_text(topic, f"messages[{index}].topic"), body, stored))
    return (yield from _append_outbox(encoded, now))


def outbox(after: int, limit: int) -> Op[list[OutboxMessage]]:
    params = (_position(after, "after"), _limit(limit))
    result = yield Query("outbox.read", params)
    messages = []
    for position, topic, body, stored, at in result.rows:
        payload = _codec.decode_json(body, stored, f"outbox message {position}")
        messages.append(OutboxMessage(_int(position), str(topic), payload, _time(at)))
    return messages


def cursor(consumer: str) -> Op[int]:
    position = _scalar((yield Query("cursor.get", (_text(consumer, "consumer"),))))
    return 0 if position is None else _int(position)


def advance_cursor(consumer: str, position: int) -> Op[None]:
    params = (_text(consumer, "consumer"), _position(position, "position"))
    yield Query("cursor.set", params)
