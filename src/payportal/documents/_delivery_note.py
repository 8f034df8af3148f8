"""Delivery notes and order confirmations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

import attrs

from payportal import _validators as v
from payportal.documents._document import Document, DocumentType

if TYPE_CHECKING:
    from payportal._money import Money

__all__ = ["DeliveryNote", "OrderConfirmation"]


@attrs.frozen(kw_only=True)
class DeliveryNote(Document):
    """What was delivered; its lines may leave out prices."""

    type: ClassVar[DocumentType] = DocumentType.DELIVERY_NOTE
    prices_required: ClassVar[bool] = False

    delivered_on: date | None = attrs.field(default=None, validator=v.optional_date)
    order_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))


@attrs.frozen(kw_only=True)
class OrderConfirmation(Document):
    """Confirms an order, often of an accepted offer, with the expected delivery date."""

    type: ClassVar[DocumentType] = DocumentType.ORDER_CONFIRMATION

    offer_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    delivery_on: date | None = attrs.field(default=None, validator=v.optional_date)

    @property
    def total(self) -> Money:
        return self.totals.gross
