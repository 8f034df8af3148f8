"""Pre-notification and the D-1 lead time on the TARGET calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import ValidationError
from payportal.mandates import Scheme, earliest_due_date, is_target_day, next_target_day

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))


@pytest.mark.parametrize(
    "closed",
    [
        date(2025, 1, 1),
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2025, 5, 1),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2025, 6, 7),  # Saturday
        date(2025, 6, 8),  # Sunday
    ],
)
def test_target_is_closed_on_its_holidays_and_weekends(closed: date) -> None:
    assert not is_target_day(closed)


def test_target_is_open_on_other_holidays() -> None:
    assert is_target_day(date(2025, 10, 3))  # German Unity Day: banks in DE, not TARGET
    assert is_target_day(date(2025, 12, 24))


def test_fourteen_days_notice_decides_when_the_file_goes_early() -> None:
    due = earliest_due_date(notified_on=date(2025, 6, 2), submitted_on=date(2025, 6, 2))
    assert due == date(2025, 6, 16)


def test_a_late_file_decides_when_notice_was_given_long_ago() -> None:
    # Submitted on Thursday before Good Friday: the next TARGET day after it is Tuesday.
    due = earliest_due_date(notified_on=date(2025, 1, 2), submitted_on=date(2025, 4, 17))
    assert due == date(2025, 4, 22)


def test_an_agreed_shorter_notice_is_honoured_for_both_schemes() -> None:
    for scheme in Scheme:
        due = earliest_due_date(
            notified_on=date(2025, 6, 2),
            submitted_on=date(2025, 6, 2),
            scheme=scheme,
            notice_days=2,
        )
        assert due == date(2025, 6, 4)


@given(notified=days, submitted=days, notice=st.integers(min_value=0, max_value=60))
def test_the_earliest_due_date_keeps_both_rules(
    notified: date, submitted: date, notice: int
) -> None:
    due = earliest_due_date(notified_on=notified, submitted_on=submitted, notice_days=notice)
    assert is_target_day(due)
    assert (due - notified).days >= notice
    reaches = next_target_day(submitted)
    assert due > reaches
    # and it is the earliest: the TARGET day before it breaks one of the rules
    before = due - timedelta(days=1)
    while not is_target_day(before):
        before -= timedelta(days=1)
    assert (before - notified).days < notice or before <= reaches


@pytest.mark.parametrize("notice", [-1, 1.5, True])
def test_a_bad_notice_is_refused(notice: object) -> None:
    with pytest.raises(ValidationError) as caught:
        earliest_due_date(
            notified_on=date(2025, 6, 2),
            submitted_on=date(2025, 6, 2),
            notice_days=notice,  # type: ignore[arg-type]
        )
    assert caught.value.field == "notice_days"
