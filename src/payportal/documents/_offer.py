"""Offers (quotes) that customers accept or reject in the portal."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from payportal import _validators as v
from payportal.documents._document import Document, DocumentType
from payportal.exceptions import InvalidTransitionError, ValidationError

if TYPE_CHECKING:
    from payportal._money import Money

__all__ = ["Offer", "OfferStatus"]


class OfferStatus(enum.Enum):
    """Where an offer stands. ``EXPIRED`` is never stored: it follows from the date."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


@attrs.frozen(kw_only=True)
class Offer(Document):
    """An offer, valid until (and including) ``valid_until``.

    >>> from payportal.documents import LineItem
    >>> offer = Offer(id="o1", number="AN-1", customer_id="42", issued_on=date(2026, 1, 1),
    ...               valid_until=date(2026, 1, 31))
    >>> offer.status_on(date(2026, 2, 1))
    <OfferStatus.EXPIRED: 'expired'>
    """

    type: ClassVar[DocumentType] = DocumentType.OFFER

    valid_until: date = attrs.field(validator=v.a_date)
    status: OfferStatus = attrs.field(
        default=OfferStatus.OPEN, validator=v.instance_of(OfferStatus, "an OfferStatus")
    )
    decided_at: datetime | None = attrs.field(default=None, validator=v.optional_aware_datetime)
    rejection_reason: str = attrs.field(default="", validator=v.optional_str)

    @status.validator
    def _status(self, attribute: attrs.Attribute[OfferStatus], value: OfferStatus) -> None:
        if value is OfferStatus.EXPIRED:
            raise v.fail(attribute, value, "cannot be stored as EXPIRED; it follows from the date")

    @property
    def total(self) -> Money:
        return self.totals.gross

    def is_expired(self, on: date) -> bool:
        """Whether ``on`` lies after the last day of validity."""
        return on > self.valid_until

    def status_on(self, on: date) -> OfferStatus:
        """The status as seen on day ``on``: an open offer past its validity is EXPIRED."""
        if self.status is OfferStatus.OPEN and self.is_expired(on):
            return OfferStatus.EXPIRED
        return self.status

    def is_open_on(self, on: date) -> bool:
        """Whether the customer can still accept or reject on day ``on``."""
        return self.status_on(on) is OfferStatus.OPEN

    def _decide(self, at: datetime, verb: str) -> None:
        v.check_aware(at, "at")
        status = self.status_on(at.date())
        if status is not OfferStatus.OPEN:
            raise InvalidTransitionError(
                f"cannot {verb} offer {self.number}: it is {status.value}"
                + (f" (valid until {self.valid_until})" if status is OfferStatus.EXPIRED else "")
            )

    def accept(self, *, at: datetime) -> Offer:
        """Return the accepted offer.

        ``at`` is timezone-aware; its own calendar date is compared with ``valid_until``.

        Raises:
            InvalidTransitionError: the offer is expired, rejected or already accepted.
            ValidationError: ``at`` is not a timezone-aware datetime.
        """
        self._decide(at, "accept")
        return attrs.evolve(self, status=OfferStatus.ACCEPTED, decided_at=at)

    def reject(self, reason: str = "", *, at: datetime) -> Offer:
        """Return the rejected offer, with the customer's reason.

        Raises:
            InvalidTransitionError: the offer is expired, accepted or already rejected.
            ValidationError: ``at`` is not timezone-aware, or ``reason`` is not a string.
        """
        if not isinstance(reason, str):
            raise ValidationError("must be a string", field="reason", value=reason)
        self._decide(at, "reject")
        return attrs.evolve(
            self, status=OfferStatus.REJECTED, decided_at=at, rejection_reason=reason.strip()
        )
