"""The records the storage hands back next to the library's own models."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs

from payportal import _validators as v
from payportal._money import Money

__all__ = ["JournalEntry", "OutboxMessage", "PaymentIntent", "Versioned"]

T = TypeVar("T")


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Versioned(Generic[T]):
    """A stored record with the version it was read at.

    Pass ``version`` back when saving the changed record: if another writer saved it in
    between, the save raises :class:`~payportal.exceptions.ConcurrentUpdateError`.

    Attributes:
        value: the record (a :class:`~payportal.CustomerAccount`, a document, ...).
        version: ``1`` after the first save, one more after every save.
    """

    value: T
    version: int


@attrs.frozen(kw_only=True)
class PaymentIntent:
    """What a customer chose to pay, kept from the start of a payment until it is booked.

    Attributes:
        id: the intent's id, chosen by the caller (unique).
        customer_id: whose account the payment is for.
        amount: the amount to pay.
        provider: the provider's name, such as ``"paypal"``.
        created_at: when the customer chose (timezone-aware).
        item_keys: the open items chosen, by key; empty to let the strategy choose.
        strategy: the allocation strategy's name, such as ``"oldest_first"``.
        reference: the payment reference shown to the payer, if any.
        payment_id: the provider's payment id, once the provider has made one.
        metadata: the app's own strings (such as the page to return the payer to).
    """

    id: str = attrs.field(validator=v.non_empty_str)
    customer_id: str = attrs.field(validator=v.non_empty_str)
    amount: Money = attrs.field(validator=v.instance_of(Money, "Money"))
    provider: str = attrs.field(validator=v.non_empty_str)
    created_at: datetime = attrs.field(validator=v.aware_datetime)
    item_keys: tuple[str, ...] = attrs.field(
        default=(), converter=v.to_tuple, validator=v.items_of(str, "a string")
    )
    strategy: str = ""
    reference: str | None = None
    payment_id: str | None = None
    metadata: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen
class JournalEntry:
    """One entry of the append-only journal.

    Attributes:
        sequence: unique, increasing in the order entries were appended.
        customer_id: whose account the entry is about.
        kind: what it records, such as ``"payment_booked"``.
        recorded_at: when it was appended (UTC).
        data: the entry's JSON-compatible content, as appended.
    """

    sequence: int
    customer_id: str
    kind: str
    recorded_at: datetime
    data: Mapping[str, Any] = attrs.field(converter=_frozen_mapping)


@attrs.frozen
class OutboxMessage:
    """One message of the outbox, for the app to act on (send a mail, call a webhook).

    Attributes:
        position: unique and increasing; a reader that remembers the last position it handled
            (:meth:`~payportal.storage.Transaction.advance_cursor`) misses nothing, because
            positions become visible in order.
        topic: what happened, such as ``"payment.booked"``.
        payload: the message's JSON-compatible content.
        created_at: when it was published (UTC).
    """

    position: int
    topic: str
    payload: Mapping[str, Any] = attrs.field(converter=_frozen_mapping)
    created_at: datetime
