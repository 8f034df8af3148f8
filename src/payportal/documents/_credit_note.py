"""Credit notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import attrs

from payportal import _validators as v
from payportal.documents._document import Document, DocumentType

if TYPE_CHECKING:
    from payportal._money import Money

__all__ = ["CreditNote"]


@attrs.frozen(kw_only=True)
class CreditNote(Document):
    """A credit note: money the merchant owes back, referring to the invoice it credits."""

    type: ClassVar[DocumentType] = DocumentType.CREDIT_NOTE

    invoice_id: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    reason: str = attrs.field(default="", validator=v.optional_str)

    @property
    def total(self) -> Money:
        return self.totals.gross
