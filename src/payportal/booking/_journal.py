"""The journal record as stored JSON data, and back (the format the export reads)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from payportal._money import Money
from payportal.booking._decide import DocumentShare, JournalRecord
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["journal_data", "journal_record"]

_AMOUNTS = ("amount", "discounts", "write_offs", "credit", "prepaid", "pending", "refund_due")


def journal_data(record: JournalRecord) -> dict[str, Any]:
    """``record`` as JSON-compatible data: amounts as decimal strings in one currency."""
    data: dict[str, Any] = {
        "kind": record.kind,
        "at": record.at.isoformat(),
        "booking_id": record.booking_id,
        "intent_id": record.intent_id,
        "provider": record.provider,
        "provider_payment_id": record.provider_payment_id,
        "event_id": record.event_id,
        "movement_key": record.movement_key,
        "reference": record.reference,
        "currency": record.amount.currency,
        "documents": [
            {"item": s.item, "subject": s.subject, "amount": str(s.amount.amount)}
            for s in record.documents
        ],
        "fee": None if record.fee is None else str(record.fee.amount),
        "note": record.note,
    }
    for name in _AMOUNTS:
        data[name] = str(getattr(record, name).amount)
    if record.charges:
        data["charges"] = str(record.charges.amount)
    return data


def journal_record(customer_id: str, data: Mapping[str, Any]) -> JournalRecord:
    """The record stored as ``data`` by :func:`journal_data`.

    Raises:
        ValidationError: ``data`` is not a stored journal record; names the field.
    """
    try:
        currency = data["currency"]

        def money(value: str) -> Money:
            return Money(value, currency)

        amounts = {name: money(data[name]) for name in _AMOUNTS}
        return JournalRecord(
            kind=data["kind"],
            at=datetime.fromisoformat(data["at"]),
            customer_id=customer_id,
            booking_id=data["booking_id"],
            intent_id=data["intent_id"],
            provider=data["provider"],
            provider_payment_id=data["provider_payment_id"],
            event_id=data["event_id"],
            movement_key=data["movement_key"],
            reference=data["reference"],
            documents=tuple(
                DocumentShare(d["item"], d["subject"], money(d["amount"]))
                for d in data["documents"]
            ),
            fee=None if data["fee"] is None else money(data["fee"]),
            # Records written before notes existed have none; only a charge writes charges.
            note=data.get("note", ""),
            charges=money(data.get("charges", "0")),
            **amounts,
        )
    except KeyError as exc:
        raise ValidationError(
            "is missing from a journal record", field=str(exc.args[0]), value=None
        ) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"is not a journal record this payportal wrote: {exc}", field="data", value=None
        ) from None
