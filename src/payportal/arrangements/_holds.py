"""Holds on one invoice: a dispute, a claim that it is already paid, a request for a later
due date. Each pauses dunning for the invoice until the merchant resolves it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Final

import attrs

from payportal import _validators as v
from payportal.dunning import BlockReason, DunningBlock
from payportal.exceptions import InvalidTransitionError, ValidationError

__all__ = ["Hold", "HoldKind", "HoldState", "HoldStep", "Party"]

#: The longest reason or message a hold keeps.
TEXT_LIMIT: Final = 2000


class HoldKind(enum.Enum):
    """What the customer asks for."""

    #: The customer disputes the invoice (with a reason).
    DISPUTE = "dispute"
    #: The customer says it is paid already (with a note and, optionally, a proof).
    PAID_CLAIM = "paid_claim"
    #: The customer asks for a later due date.
    EXTENSION = "extension"


class HoldState(enum.Enum):
    """Where a hold stands. Only OPEN can change."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    #: A paid claim whose proof the merchant matched to a bank entry.
    MATCHED = "matched"


class Party(enum.Enum):
    """Who took a step."""

    CUSTOMER = "customer"
    MERCHANT = "merchant"


@attrs.frozen(kw_only=True)
class HoldStep:
    """One recorded step of a hold: who did what when, and what they wrote."""

    at: datetime = attrs.field(validator=v.aware_datetime)
    by: Party = attrs.field(validator=v.instance_of(Party, "a Party"))
    state: HoldState = attrs.field(validator=v.instance_of(HoldState, "a HoldState"))
    text: str = attrs.field(default="", validator=v.optional_str)


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise v.fail(attribute, value, "must be a string")
    if len(value) > TEXT_LIMIT:
        raise v.fail(attribute, value, f"must be at most {TEXT_LIMIT} characters")


def _steps(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.items_of(HoldStep, "a HoldStep")(instance, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise v.fail(attribute, value, "must hold the step that opened the hold")


def _clean(text: object, field: str, *, required: bool) -> str:
    if not isinstance(text, str):
        raise ValidationError("must be a string", field=field, value=text)
    text = text.strip()
    if required and not text:
        raise ValidationError("must not be empty", field=field, value=text)
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            f"must be at most {TEXT_LIMIT} characters", field=field, value=text[:40] + "..."
        )
    return text


@attrs.frozen(kw_only=True)
class Hold:
    """A customer's dispute, paid claim or extension request on one invoice, and every step
    taken on it.

    While it is OPEN, dunning is held for the invoice (:meth:`block`). An accepted dispute
    or paid claim keeps holding it (the merchant settles the invoice with a credit note or
    books the payment); an accepted extension holds it until the new due date; a rejected
    hold holds nothing, so dunning resumes.

    Attributes:
        id: the hold's id.
        customer_id, invoice_id, invoice_number: the invoice.
        kind: what the customer asks for.
        reason: the customer's words (the dispute's reason, the claim's note).
        attachment: a reference to an uploaded file (the proof of payment), or None.
        due_on: the due date asked for (EXTENSION only).
        state: where it stands.
        message: the merchant's answer (required when rejecting).
        bank_entry: the bank entry a paid claim was matched to.
        steps: every step, oldest first; the first opened the hold.

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    id: str = attrs.field(validator=v.non_empty_str)
    customer_id: str = attrs.field(validator=v.non_empty_str)
    invoice_id: str = attrs.field(validator=v.non_empty_str)
    invoice_number: str = attrs.field(validator=v.non_empty_str)
    kind: HoldKind = attrs.field(validator=v.instance_of(HoldKind, "a HoldKind"))
    reason: str = attrs.field(default="", validator=_text)
    attachment: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    due_on: date | None = attrs.field(default=None, validator=v.optional_date)
    state: HoldState = attrs.field(
        default=HoldState.OPEN, validator=v.instance_of(HoldState, "a HoldState")
    )
    message: str = attrs.field(default="", validator=_text)
    bank_entry: str | None = attrs.field(default=None, validator=v.optional(v.non_empty_str))
    steps: tuple[HoldStep, ...] = attrs.field(converter=v.to_tuple, validator=_steps)

    def __attrs_post_init__(self) -> None:
        if self.kind is HoldKind.EXTENSION and self.due_on is None:
            raise ValidationError("must be given for an extension", field="due_on", value=None)
        if self.kind is not HoldKind.EXTENSION and self.due_on is not None:
            raise ValidationError(
                "is only asked for in an extension", field="due_on", value=self.due_on
            )

    @classmethod
    def open(
        cls,
        *,
        id: str,  # noqa: A002 - the model's field
        customer_id: str,
        invoice_id: str,
        invoice_number: str,
        kind: HoldKind,
        at: datetime,
        reason: str = "",
        attachment: str | None = None,
        due_on: date | None = None,
    ) -> Hold:
        """A new hold, opened by the customer at ``at``.

        A dispute needs a ``reason``; an extension a ``due_on``.

        Raises:
            ValidationError: an argument is invalid.
        """
        text = _clean(reason, "reason", required=kind is HoldKind.DISPUTE)
        return cls(
            id=id,
            customer_id=customer_id,
            invoice_id=invoice_id,
            invoice_number=invoice_number,
            kind=kind,
            reason=text,
            attachment=attachment,
            due_on=due_on,
            steps=(HoldStep(at=at, by=Party.CUSTOMER, state=HoldState.OPEN, text=text),),
        )

    @property
    def opened_at(self) -> datetime:
        """When the customer opened it."""
        return self.steps[0].at

    @property
    def resolved(self) -> bool:
        """Whether the merchant has resolved it."""
        return self.state is not HoldState.OPEN

    def resolve(
        self,
        state: HoldState,
        *,
        at: datetime,
        message: str = "",
        bank_entry: str | None = None,
    ) -> Hold:
        """This hold, resolved by the merchant at ``at``.

        Args:
            state: ACCEPTED, REJECTED (needs a ``message`` for the customer) or MATCHED (a
                paid claim only; needs ``bank_entry``).
            message: the merchant's answer, shown to the customer.
            bank_entry: the bank entry's id the proof was matched to (MATCHED only).

        Raises:
            InvalidTransitionError: the hold is resolved already, or MATCHED on a hold that
                is not a paid claim.
            ValidationError: ``state`` is OPEN, a required text is missing or too long.
        """
        if self.resolved:
            raise InvalidTransitionError(
                f"hold {self.id!r} is {self.state.value} already and cannot be resolved again"
            )
        if not isinstance(state, HoldState) or state is HoldState.OPEN:
            raise ValidationError(
                "must be ACCEPTED, REJECTED or MATCHED", field="state", value=state
            )
        text = _clean(message, "message", required=state is HoldState.REJECTED)
        if state is HoldState.MATCHED:
            if self.kind is not HoldKind.PAID_CLAIM:
                raise InvalidTransitionError(
                    f"hold {self.id!r} is a {self.kind.value}; only a paid claim is matched to "
                    "a bank entry"
                )
            if not isinstance(bank_entry, str) or not bank_entry.strip():
                raise ValidationError(
                    "must name the bank entry the proof matches", field="bank_entry", value=None
                )
        elif bank_entry is not None:
            raise ValidationError(
                "is only given when matching a paid claim", field="bank_entry", value=bank_entry
            )
        step = HoldStep(at=at, by=Party.MERCHANT, state=state, text=text)
        return attrs.evolve(
            self,
            state=state,
            message=text,
            bank_entry=bank_entry.strip() if bank_entry else None,
            steps=(*self.steps, step),
        )

    def block(self) -> DunningBlock | None:
        """The dunning block for the invoice, or None when the hold holds nothing."""
        if self.state is HoldState.REJECTED:
            return None
        until = None
        if self.kind is HoldKind.EXTENSION and self.state is HoldState.ACCEPTED:
            until = self.due_on
        reason = BlockReason.DISPUTE if self.kind is HoldKind.DISPUTE else BlockReason.OTHER
        return DunningBlock(
            customer_id=self.customer_id, reason=reason, invoice_id=self.invoice_id, until=until
        )
