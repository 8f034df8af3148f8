"""Holds: opening, resolving, every step recorded, and what each state holds of dunning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal.arrangements import Hold, HoldKind, HoldState, Party
from payportal.dunning import BlockReason
from payportal.exceptions import InvalidTransitionError, ValidationError

AT = datetime(2026, 4, 1, 9, tzinfo=UTC)
LATER = date(2026, 5, 15)


def opened(kind: HoldKind, **fields: object) -> Hold:
    defaults: dict[str, object] = {
        HoldKind.DISPUTE: {"reason": "The second line was never delivered."},
        HoldKind.PAID_CLAIM: {"reason": "Paid on 28 March", "attachment": "upload:abc"},
        HoldKind.EXTENSION: {"due_on": LATER},
    }[kind]
    return Hold.open(
        id="H-1",
        customer_id="42",
        invoice_id="inv-1",
        invoice_number="RE-1",
        kind=kind,
        at=AT,
        **{**defaults, **fields},  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("kind", list(HoldKind))
def test_an_open_hold_holds_dunning_for_its_invoice(kind: HoldKind) -> None:
    hold = opened(kind)
    block = hold.block()
    assert block is not None
    assert (block.customer_id, block.invoice_id, block.until) == ("42", "inv-1", None)
    expected = BlockReason.DISPUTE if kind is HoldKind.DISPUTE else BlockReason.OTHER
    assert block.reason is expected
    assert [(s.by, s.state) for s in hold.steps] == [(Party.CUSTOMER, HoldState.OPEN)]
    assert hold.opened_at == AT
    assert not hold.resolved


@pytest.mark.parametrize("kind", list(HoldKind))
def test_a_rejected_hold_resumes_dunning(kind: HoldKind) -> None:
    hold = opened(kind).resolve(
        HoldState.REJECTED, at=AT + timedelta(days=1), message="We checked: it was delivered."
    )
    assert hold.block() is None
    assert hold.message == "We checked: it was delivered."
    assert [(s.by, s.state, s.text) for s in hold.steps[1:]] == [
        (Party.MERCHANT, HoldState.REJECTED, "We checked: it was delivered.")
    ]


def test_an_accepted_extension_holds_dunning_until_its_date() -> None:
    hold = opened(HoldKind.EXTENSION).resolve(HoldState.ACCEPTED, at=AT)
    block = hold.block()
    assert block is not None
    assert block.until == LATER
    assert block.holds(LATER)
    assert not block.holds(LATER + timedelta(days=1))


@pytest.mark.parametrize("kind", [HoldKind.DISPUTE, HoldKind.PAID_CLAIM])
def test_an_accepted_dispute_or_claim_keeps_holding(kind: HoldKind) -> None:
    block = opened(kind).resolve(HoldState.ACCEPTED, at=AT).block()
    assert block is not None
    assert block.until is None


def test_a_paid_claim_is_matched_to_a_bank_entry() -> None:
    hold = opened(HoldKind.PAID_CLAIM).resolve(
        HoldState.MATCHED, at=AT, bank_entry=" E-2026-0328-7 ", message="Found it, thank you."
    )
    assert (hold.state, hold.bank_entry, hold.attachment) == (
        HoldState.MATCHED,
        "E-2026-0328-7",
        "upload:abc",
    )
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.PAID_CLAIM).resolve(HoldState.MATCHED, at=AT)
    assert error.value.field == "bank_entry"
    with pytest.raises(InvalidTransitionError, match="only a paid claim"):
        opened(HoldKind.DISPUTE).resolve(HoldState.MATCHED, at=AT, bank_entry="E-1")
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE).resolve(HoldState.ACCEPTED, at=AT, bank_entry="E-1")
    assert error.value.field == "bank_entry"


def test_what_a_hold_needs() -> None:
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE, reason="   ")
    assert error.value.field == "reason"
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.EXTENSION, due_on=None)
    assert error.value.field == "due_on"
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE, due_on=LATER)
    assert error.value.field == "due_on"
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE, reason="x" * 2001)
    assert error.value.field == "reason"
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE).resolve(HoldState.REJECTED, at=AT)
    assert error.value.field == "message"
    with pytest.raises(ValidationError) as error:
        opened(HoldKind.DISPUTE).resolve(HoldState.OPEN, at=AT)
    assert error.value.field == "state"
    with pytest.raises(ValidationError):
        Hold.open(
            id="H-1",
            customer_id="42",
            invoice_id="inv-1",
            invoice_number="RE-1",
            kind=HoldKind.DISPUTE,
            at=datetime(2026, 4, 1),
            reason="why",
        )


resolutions = st.sampled_from(
    [
        (HoldState.ACCEPTED, "", None),
        (HoldState.REJECTED, "No.", None),
        (HoldState.MATCHED, "", "E-1"),
    ]
)


@given(st.sampled_from(list(HoldKind)), st.lists(resolutions, max_size=4))
def test_a_hold_is_resolved_once_and_every_step_is_kept(
    kind: HoldKind, attempts: list[tuple[HoldState, str, str | None]]
) -> None:
    hold = opened(kind)
    done = 0
    for state, message, entry in attempts:
        try:
            hold = hold.resolve(state, at=AT, message=message, bank_entry=entry)
        except InvalidTransitionError:
            assert hold.resolved or (state is HoldState.MATCHED and kind is not HoldKind.PAID_CLAIM)
        else:
            done += 1
    assert done <= 1
    assert len(hold.steps) == 1 + done
    assert hold.resolved == bool(done)
    assert hold.steps[-1].state is hold.state
