"""Collections: what is refused, and the sequence types that follow a mandate's history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mandate_samples import mandate

from payportal import Money, ValidationError
from payportal.mandates import (
    Collection,
    MandateType,
    SequenceType,
    UnusableMandateError,
    mandates_after,
    sequence_types,
)

DUE = date(2025, 6, 2)


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (Money("10.00", "USD"), "must be in EUR"),
        (Money("0.00", "EUR"), "more than 0.00"),
        (Money("-1.00", "EUR"), "more than 0.00"),
        (Money("1000000000.00", "EUR"), "at most 999999999.99"),
        ("10.00", "payportal.Money"),
    ],
)
def test_a_bad_amount_is_refused_naming_it(amount: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        Collection(mandate(), amount, "E-1", DUE)  # type: ignore[arg-type]
    assert caught.value.field == "amount"
    assert caught.value.value == amount


def test_the_largest_amount_is_accepted() -> None:
    assert Collection(mandate(), Money("999999999.99", "EUR"), "E-1", DUE).amount.amount


@pytest.mark.parametrize(
    ("end_to_end_id", "remittance", "field"),
    [
        ("INV 1", "", "end_to_end_id"),
        ("", "", "end_to_end_id"),
        ("E" * 36, "", "end_to_end_id"),
        ("E-1", "x" * 141, "remittance"),
        ("E-1", "two\nlines", "remittance"),
    ],
)
def test_bad_texts_are_refused(end_to_end_id: str, remittance: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Collection(mandate(), Money("1.00", "EUR"), end_to_end_id, DUE, remittance=remittance)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("unusable", "message"),
    [
        (mandate().revoke("by the customer"), "is revoked: by the customer"),
        (mandate().block("AC04"), "is blocked: AC04"),
        (mandate().expire(date(2028, 3, 2)), "is expired"),
        (mandate(type=MandateType.ONE_OFF).record_collection(DUE), "one-off collection"),
        (mandate().record_collection(DUE, final=True), "final collection"),
    ],
)
def test_a_collection_on_an_unusable_mandate_is_refused(unusable: object, message: str) -> None:
    with pytest.raises(UnusableMandateError, match=message) as caught:
        Collection(unusable, Money("1.00", "EUR"), "E-1", DUE + timedelta(days=30))  # type: ignore[arg-type]
    assert caught.value.field == "mandate"
    assert caught.value.value == "M-00000001"


def test_a_collection_due_after_36_months_without_use_is_refused() -> None:
    with pytest.raises(UnusableMandateError, match="expired on 2028-03-01"):
        Collection(mandate(), Money("1.00", "EUR"), "E-1", date(2028, 3, 2))


def test_a_collection_due_before_signing_is_refused() -> None:
    with pytest.raises(UnusableMandateError, match="after the due date"):
        Collection(mandate(), Money("1.00", "EUR"), "E-1", date(2025, 2, 1))


# --- sequence types along the history -----------------------------------------------------


@given(
    batch_sizes=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=5),
    final=st.booleans(),
)
def test_sequence_types_follow_the_history(batch_sizes: list[int], final: bool) -> None:
    """Over any split into batches: FRST first, then RCUR, FNAL last if asked for, and
    nothing can be collected after it."""
    current = mandate()
    seen: list[SequenceType] = []
    due = DUE
    total = sum(batch_sizes)
    number = 0
    for size in batch_sizes:
        batch = []
        for _ in range(size):
            number += 1
            due += timedelta(days=30)
            batch.append(
                Collection(
                    current,
                    Money("1.00", "EUR"),
                    f"E-{number}",
                    due,
                    final=final and number == total,
                )
            )
        seen += sequence_types(batch)
        current = mandates_after(batch)[current.reference]
    expected = [SequenceType.FRST] + [SequenceType.RCUR] * (total - 1)
    if final and total > 1:
        expected[-1] = SequenceType.FNAL
    assert seen == expected
    assert current.collections == total
    assert current.finished is final
    if final:
        with pytest.raises(UnusableMandateError):
            Collection(current, Money("1.00", "EUR"), "AFTER", due + timedelta(days=30))


def test_a_one_off_mandate_is_ooff() -> None:
    once = mandate(type=MandateType.ONE_OFF)
    assert sequence_types([Collection(once, Money("1.00", "EUR"), "E", DUE)]) == (
        SequenceType.OOFF,
    )


def test_nothing_follows_a_final_collection_in_the_same_batch() -> None:
    used = mandate().record_collection(DUE)
    batch = [
        Collection(used, Money("1.00", "EUR"), "LAST", DUE + timedelta(days=30), final=True),
        Collection(used, Money("1.00", "EUR"), "AFTER", DUE + timedelta(days=60)),
    ]
    with pytest.raises(UnusableMandateError) as caught:
        sequence_types(batch)
    assert caught.value.field == "collections[1].mandate"


def test_the_order_within_a_batch_is_the_due_date() -> None:
    m = mandate()
    later = Collection(m, Money("1.00", "EUR"), "LATER", DUE + timedelta(days=30))
    first = Collection(m, Money("1.00", "EUR"), "FIRST", DUE)
    assert sequence_types([later, first]) == (SequenceType.RCUR, SequenceType.FRST)
    assert mandates_after([later, first])["M-00000001"].last_collected_on == later.due_date
