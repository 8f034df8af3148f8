"""The SEPA direct-debit mandate, its consent record and its life cycle.

The rules cited are those of the EPC's SEPA Direct Debit Core Scheme Rulebook (EPC016-06) and
B2B Scheme Rulebook (EPC222-07): chapter 4.1 "The mandate" and the mandate data set DS-01
with its attributes AT-01 (unique mandate reference), AT-02 (creditor identifier), AT-07
(debtor IBAN), AT-14 (debtor name), AT-24 (reason for amendment of the mandate) and AT-25
(date of signing); the rulebooks' chapter 4.1 also says a mandate on which no collection has
been presented for 36 months must no longer be used.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, datetime
from typing import Any

import attrs

from payportal import _validators as v
from payportal.exceptions import ValidationError
from payportal.mandates._errors import MandateStateError
from payportal.mandates._identifiers import (
    check_bic,
    check_creditor_id,
    check_iban,
    check_identifier,
    check_mandate_reference,
    derive_bic,
)

__all__ = [
    "EXPIRY_MONTHS",
    "Amendment",
    "Consent",
    "Creditor",
    "Mandate",
    "MandateReferences",
    "MandateState",
    "MandateType",
    "Scheme",
    "add_months",
]

EXPIRY_MONTHS = 36
"""A mandate unused for this many months expires (rulebooks, chapter 4.1)."""


class Scheme(enum.Enum):
    """The SEPA direct debit scheme a mandate is signed for (pain.008 ``LclInstrm/Cd``)."""

    CORE = "CORE"
    """Consumers and businesses; the debtor may ask for a refund within eight weeks."""

    B2B = "B2B"
    """Businesses only; no refund right, and the debtor's bank checks the mandate."""


class MandateType(enum.Enum):
    """Whether the mandate allows one collection or a series (AT-21 of DS-01)."""

    ONE_OFF = "OOFF"
    RECURRING = "RCUR"


class MandateState(enum.Enum):
    """Where a mandate is in its life; only :attr:`ACTIVE` mandates may be collected on."""

    ACTIVE = "active"
    REVOKED = "revoked"
    """The debtor (or the merchant) cancelled it."""
    EXPIRED = "expired"
    """36 months passed without a collection."""
    BLOCKED = "blocked"
    """A return said the account or mandate cannot be used (closed account, no mandate...)."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; the month's last day where the day does
    not exist (29 February plus 12 months is 28 February).

    >>> add_months(date(2024, 2, 29), 36)
    datetime.date(2027, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def xml_text(limit: int) -> v.Validator:
    """A required single line of at most ``limit`` characters that XML 1.0 can carry
    (:func:`payportal._validators.single_line` already refuses controls and surrogates;
    U+FFFE and U+FFFF are left, and no XML document may hold them)."""
    line = v.single_line(limit, required=True)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        line(instance, attribute, value)
        if "\ufffe" in value or "\uffff" in value:  # type: ignore[operator]
            raise ValidationError(
                "must not hold the non-characters U+FFFE or U+FFFF",
                field=attribute.name,
                value=value,
            )

    return check


def _reference(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_mandate_reference(value, attribute.name)


def _iban(value: object) -> str:
    return check_iban(value)


def _creditor_id(value: object) -> str:
    return check_creditor_id(value)


def _optional_bic(value: object) -> str | None:
    return None if value is None else check_bic(value)


@attrs.frozen
class Consent:
    """The debtor's explicit consent to the mandate, as the portal recorded it.

    Attributes:
        given_at: when the customer confirmed (timezone-aware).
        text: the exact mandate text the customer was shown (see :data:`MANDATE_TEXTS`).
        channel: where it happened, such as ``"portal"`` or ``"paper"``; may be empty.
        ip_address: the customer's IP address, if the merchant records it; may be empty.
    """

    given_at: datetime = attrs.field(validator=v.aware_datetime)
    text: str = attrs.field(validator=v.non_empty_str)
    channel: str = attrs.field(default="", validator=v.single_line(100), kw_only=True)
    ip_address: str = attrs.field(default="", validator=v.single_line(45), kw_only=True)


@attrs.frozen
class Amendment:
    """What changed on a mandate since its last collection, carried on the next collection
    (pain.008 ``AmdmntInd`` true and ``AmdmntInfDtls``, the rulebook's AT-24).

    Attributes:
        original_reference: the mandate reference before it changed (``OrgnlMndtId``).
        original_creditor_id: the creditor identifier before it changed
            (``OrgnlCdtrSchmeId``).
        original_iban: the debtor's IBAN before it changed, when the new account is at the
            same bank (``OrgnlDbtrAcct``).
        new_debtor_bank: the debtor moved to another bank (``OrgnlDbtrAgt`` is ``SMNDA``,
            "same mandate, new debtor agent").
    """

    original_reference: str | None = attrs.field(default=None, kw_only=True)
    original_creditor_id: str | None = attrs.field(default=None, kw_only=True)
    original_iban: str | None = attrs.field(default=None, kw_only=True)
    new_debtor_bank: bool = attrs.field(default=False, kw_only=True)

    def merged_after(self, later: Amendment) -> Amendment:
        """This amendment followed by ``later`` before any collection: the originals stay the
        ones the debtor's bank last saw."""
        return Amendment(
            original_reference=self.original_reference or later.original_reference,
            original_creditor_id=self.original_creditor_id or later.original_creditor_id,
            original_iban=None
            if self.new_debtor_bank or later.new_debtor_bank
            else self.original_iban or later.original_iban,
            new_debtor_bank=self.new_debtor_bank or later.new_debtor_bank,
        )


@attrs.frozen
class Creditor:
    """The merchant collecting: name, account and SEPA creditor identifier (AT-02).

    >>> Creditor(name="Muster GmbH", iban="DE02 1203 0000 0000 2020 51",
    ...          bic="BYLADEM1001", creditor_id="DE98ZZZ09999999999").iban
    'DE02120300000000202051'

    Raises:
        ValidationError: a name longer than 70 characters or empty, an invalid IBAN or BIC,
            or a creditor identifier whose check digits do not match.
    """

    name: str = attrs.field(validator=xml_text(70))
    iban: str = attrs.field(converter=_iban)
    bic: str = attrs.field(converter=check_bic)
    creditor_id: str = attrs.field(converter=_creditor_id)


@attrs.frozen
class Mandate:
    """A SEPA direct-debit mandate: the debtor's authorisation for the creditor to collect.

    Build it with :meth:`grant`; the other methods return changed copies, the object itself
    never changes. Collections are recorded with :meth:`record_collection` after a file
    holding them was handed to the bank; the sequence types of the next file (FRST, RCUR,
    OOFF, FNAL) follow from that history.

    >>> from datetime import datetime, timezone
    >>> consent = Consent(datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc),
    ...                   "I authorise...", channel="portal")
    >>> mandate = Mandate.grant(reference="M-000001", creditor_id="DE98ZZZ09999999999",
    ...     debtor_name="Erika Mustermann", iban="DE89 3704 0044 0532 0130 00",
    ...     bic="COBADEFFXXX", signed_on=date(2024, 3, 1), consent=consent)
    >>> mandate.iban, mandate.state.name, mandate.usable_until
    ('DE89370400440532013000', 'ACTIVE', datetime.date(2027, 3, 1))

    Attributes:
        reference: the unique mandate reference (AT-01).
        creditor_id: the creditor identifier (AT-02), compact.
        debtor_name: the account holder (AT-14), at most 70 characters.
        iban: the debtor's IBAN (AT-07), compact.
        bic: the debtor bank's BIC (AT-13).
        scheme: CORE or B2B.
        type: one-off or recurring.
        signed_on: the date of signing (AT-25).
        consent: the recorded consent.
        state: active, revoked, expired or blocked.
        collections: how many collections have been presented on it.
        last_collected_on: the due date of the latest collection presented, if any.
        finished: its one-off or final (FNAL) collection has been presented.
        amendment: changes to carry on the next collection, if any.
        state_reason: why it was blocked or revoked, if the caller said.
    """

    reference: str = attrs.field(validator=_reference)
    creditor_id: str = attrs.field(converter=_creditor_id)
    debtor_name: str = attrs.field(validator=xml_text(70))
    iban: str = attrs.field(converter=_iban)
    bic: str = attrs.field(converter=check_bic)
    scheme: Scheme = attrs.field(validator=v.instance_of(Scheme, "a Scheme"))
    type: MandateType = attrs.field(validator=v.instance_of(MandateType, "a MandateType"))
    signed_on: date = attrs.field(validator=v.a_date)
    consent: Consent = attrs.field(validator=v.instance_of(Consent, "a Consent"))
    state: MandateState = attrs.field(
        default=MandateState.ACTIVE,
        validator=v.instance_of(MandateState, "a MandateState"),
        kw_only=True,
    )
    collections: int = attrs.field(default=0, kw_only=True)
    last_collected_on: date | None = attrs.field(
        default=None, validator=v.optional_date, kw_only=True
    )
    finished: bool = attrs.field(default=False, kw_only=True)
    amendment: Amendment | None = attrs.field(
        default=None,
        validator=v.optional(v.instance_of(Amendment, "an Amendment")),
        kw_only=True,
    )
    state_reason: str = attrs.field(default="", validator=v.single_line(200), kw_only=True)

    @collections.validator
    def _check_collections(self, attribute: attrs.Attribute[int], value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError("must be a non-negative int", field=attribute.name, value=value)

    @classmethod
    def grant(
        cls,
        *,
        reference: str,
        creditor_id: str,
        debtor_name: str,
        iban: str,
        signed_on: date,
        consent: Consent,
        bic: str | None = None,
        scheme: Scheme = Scheme.CORE,
        type: MandateType = MandateType.RECURRING,  # noqa: A002  # the rulebook's word
    ) -> Mandate:
        """A new, active mandate.

        ``bic`` may be left out where :func:`derive_bic` knows the bank from the IBAN
        (Belgian and Czech IBANs); otherwise it is required.

        Raises:
            ValidationError: any field is invalid (the error names it), or no BIC was given
                and none can be derived from the IBAN.
        """
        compact = check_iban(iban)
        chosen = _optional_bic(bic) or derive_bic(compact)
        if chosen is None:
            raise ValidationError(
                "is required: the bank cannot be derived from this IBAN", field="bic", value=bic
            )
        return cls(
            reference=reference,
            creditor_id=creditor_id,
            debtor_name=debtor_name,
            iban=compact,
            bic=chosen,
            scheme=scheme,
            type=type,
            signed_on=signed_on,
            consent=consent,
        )

    # --- the 36 months ------------------------------------------------------------------

    @property
    def usable_until(self) -> date:
        """The last due date a collection may have: 36 months after the latest collection,
        or after signing if it was never used (rulebooks, chapter 4.1)."""
        return add_months(self.last_collected_on or self.signed_on, EXPIRY_MONTHS)

    def is_expired(self, on: date) -> bool:
        """Whether 36 months without a collection have passed by ``on`` (or it was already
        marked :attr:`MandateState.EXPIRED`)."""
        return self.state is MandateState.EXPIRED or on > self.usable_until

    def problem(self, on: date) -> str | None:
        """Why a collection due ``on`` cannot be made on this mandate, or None if it can."""
        if self.state is not MandateState.ACTIVE:
            reason = f": {self.state_reason}" if self.state_reason else ""
            return f"is {self.state.value}{reason}"
        if self.finished:
            last = "one-off" if self.type is MandateType.ONE_OFF else "final"
            return f"has had its {last} collection"
        if on > self.usable_until:
            return (
                f"expired on {self.usable_until.isoformat()}: no collection for "
                f"{EXPIRY_MONTHS} months"
            )
        if on < self.signed_on:
            return f"is signed on {self.signed_on.isoformat()}, after the due date"
        return None

    # --- transitions --------------------------------------------------------------------

    def _leave_active(self, state: MandateState, reason: str) -> Mandate:
        if self.state is not MandateState.ACTIVE:
            raise MandateStateError(
                f"mandate {self.reference} cannot become {state.value}: it is {self.state.value}"
            )
        return attrs.evolve(self, state=state, state_reason=reason)

    def revoke(self, reason: str = "") -> Mandate:
        """This mandate revoked (by the debtor, or the merchant ends it).

        Raises:
            MandateStateError: it is not active.
        """
        return self._leave_active(MandateState.REVOKED, reason)

    def block(self, reason: str = "") -> Mandate:
        """This mandate blocked, such as after a return whose reason says so
        (:attr:`ReturnReason.blocks_mandate`).

        Raises:
            MandateStateError: it is not active.
        """
        return self._leave_active(MandateState.BLOCKED, reason)

    def unblock(self) -> Mandate:
        """This blocked mandate active again (the customer fixed the account).

        Raises:
            MandateStateError: it is not blocked.
        """
        if self.state is not MandateState.BLOCKED:
            raise MandateStateError(
                f"mandate {self.reference} cannot be unblocked: it is {self.state.value}"
            )
        return attrs.evolve(self, state=MandateState.ACTIVE, state_reason="")

    def expire(self, on: date) -> Mandate:
        """This mandate marked expired, because 36 months passed without a collection.

        Raises:
            MandateStateError: it is not active, or ``on`` is not after :attr:`usable_until`.
        """
        if on <= self.usable_until:
            raise MandateStateError(
                f"mandate {self.reference} does not expire before {self.usable_until.isoformat()}"
            )
        return self._leave_active(MandateState.EXPIRED, f"unused since {self.usable_until}")

    def record_collection(self, due_date: date, *, final: bool = False) -> Mandate:
        """This mandate after a collection due ``due_date`` was presented: the count and the
        last date move on, a pending amendment has been carried, and a one-off or final
        collection finishes it.

        Raises:
            UnusableMandateError: the mandate cannot be collected on at ``due_date``.
        """
        from payportal.mandates._errors import UnusableMandateError  # noqa: PLC0415

        problem = self.problem(due_date)
        if problem is not None:
            raise UnusableMandateError(problem, field="mandate", value=self.reference)
        last = self.last_collected_on
        return attrs.evolve(
            self,
            collections=self.collections + 1,
            last_collected_on=due_date if last is None or due_date > last else last,
            finished=final or self.type is MandateType.ONE_OFF,
            amendment=None,
        )

    def amend(
        self,
        *,
        iban: str | None = None,
        bic: str | None = None,
        reference: str | None = None,
        creditor_id: str | None = None,
        debtor_name: str | None = None,
    ) -> Mandate:
        """This mandate with changed details, as an amendment of the same mandate.

        The rulebooks treat a new debtor account, a new mandate reference and a new creditor
        identifier as amendments (AT-24): the next collection carries the amendment
        indicator and the original values, so the debtor's bank can match it to the mandate
        it knows. A new account at another bank (another BIC) is flagged ``SMNDA``; a new
        account at the same bank carries the original IBAN. Since the 2016 rulebooks the
        collection after an ``SMNDA`` amendment need not be FRST, so the series simply goes
        on. A change of scheme (CORE to B2B) is *not* an amendment: sign a new mandate.

        Raises:
            ValidationError: a new value is invalid, or the mandate has already been
                collected on for the last time.
            MandateStateError: the mandate is not active.
        """
        if self.state is not MandateState.ACTIVE:
            raise MandateStateError(
                f"mandate {self.reference} cannot be amended: it is {self.state.value}"
            )
        changes: dict[str, Any] = {}
        amendment = Amendment()
        if iban is not None and check_iban(iban) != self.iban:
            new_iban = check_iban(iban)
            new_bic = _optional_bic(bic) or derive_bic(new_iban)
            if new_bic is None:
                raise ValidationError(
                    "is required with a new IBAN whose bank cannot be derived",
                    field="bic",
                    value=bic,
                )
            other_bank = new_bic[:8] != self.bic[:8]
            amendment = Amendment(
                original_iban=None if other_bank else self.iban, new_debtor_bank=other_bank
            )
            changes.update(iban=new_iban, bic=new_bic)
        elif bic is not None and check_bic(bic) != self.bic:
            changes["bic"] = check_bic(bic)
        if reference is not None and reference != self.reference:
            check_mandate_reference(reference)
            amendment = attrs.evolve(amendment, original_reference=self.reference)
            changes["reference"] = reference
        if creditor_id is not None and check_creditor_id(creditor_id) != self.creditor_id:
            amendment = attrs.evolve(amendment, original_creditor_id=self.creditor_id)
            changes["creditor_id"] = check_creditor_id(creditor_id)
        if debtor_name is not None:
            # The debtor's name is no AT-24 amendment; it is simply sent as it is now.
            changes["debtor_name"] = debtor_name
        if amendment != Amendment():
            pending = self.amendment
            changes["amendment"] = pending.merged_after(amendment) if pending else amendment
        return attrs.evolve(self, **changes)


@attrs.frozen
class MandateReferences:
    """Makes mandate references from a sequence number the caller keeps (a database
    sequence, say): ``prefix`` followed by the number, zero-padded to ``width`` digits.

    Different numbers always give different references, so a reference never repeats as
    long as the numbers do not; nothing random is involved.

    >>> MandateReferences("MUSTER-M").make(17)
    'MUSTER-M00000017'

    Raises:
        ValidationError: ``prefix`` holds characters outside the SEPA set, or prefix and
            width leave no room within 35 characters.
    """

    prefix: str = attrs.field()
    width: int = attrs.field(default=8, kw_only=True)

    @prefix.validator
    def _check_prefix(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value != "":
            check_identifier(value, attribute.name, "mandate reference prefix")
        if isinstance(value, str) and value.endswith("/"):
            raise ValidationError("must not end with '/'", field=attribute.name, value=value)

    @width.validator
    def _check_width(self, attribute: attrs.Attribute[int], value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValidationError("must be a positive int", field=attribute.name, value=value)
        if len(self.prefix) + value > 35:
            raise ValidationError(
                "leaves no room: prefix and width must fit in 35 characters",
                field=attribute.name,
                value=value,
            )

    def make(self, number: int) -> str:
        """The reference for sequence number ``number`` (``0 <= number``).

        Raises:
            ValidationError: ``number`` is negative, not an int, or too long to fit.
        """
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ValidationError("must be a non-negative int", field="number", value=number)
        reference = f"{self.prefix}{number:0{self.width}d}"
        if len(reference) > 35:
            raise ValidationError(
                "makes a mandate reference longer than 35 characters",
                field="number",
                value=number,
            )
        return reference
