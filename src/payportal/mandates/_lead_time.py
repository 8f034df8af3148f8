"""When a direct debit may fall due: pre-notification and the interbank lead time.

Two rules decide the earliest due date of a collection:

* **Pre-notification**: the creditor tells the debtor amount and due date at least 14
  calendar days before the due date, unless creditor and debtor agreed a shorter period
  (rulebooks, chapter 4.1; the debtor is told so they can make sure the money is there).
* **Interbank lead time**: the collection must reach the debtor's bank at least one TARGET
  business day before the due date ("D-1"), for CORE since the 2016 rulebook (FRST and
  RCUR alike) and for B2B always (rulebooks, chapter 4.3, time cycle). The due date itself
  is a TARGET business day, the day the money settles.

TARGET (the Eurosystem's settlement system) is closed on Saturdays, Sundays, 1 January,
Good Friday, Easter Monday, 1 May, 25 and 26 December.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from payportal.exceptions import ValidationError
from payportal.mandates._mandate import Scheme

__all__ = ["PRE_NOTIFICATION_DAYS", "earliest_due_date", "is_target_day", "next_target_day"]

PRE_NOTIFICATION_DAYS = 14
"""The calendar days of notice before a due date, unless the debtor agreed to fewer."""


@cache
def _easter(year: int) -> date:
    # The Gregorian computus (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_target_day(day: date) -> bool:
    """Whether TARGET settles on ``day``.

    >>> is_target_day(date(2025, 4, 18)), is_target_day(date(2025, 4, 22))  # Good Friday
    (False, True)
    """
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in ((1, 1), (5, 1), (12, 25), (12, 26)):
        return False
    easter = _easter(day.year)
    return day not in (easter - timedelta(days=2), easter + timedelta(days=1))


def next_target_day(day: date) -> date:
    """``day`` if TARGET settles on it, else the next day it does."""
    while not is_target_day(day):
        day += timedelta(days=1)
    return day


def earliest_due_date(
    *,
    notified_on: date,
    submitted_on: date,
    scheme: Scheme = Scheme.CORE,
    notice_days: int = PRE_NOTIFICATION_DAYS,
) -> date:
    """The earliest due date for a collection pre-notified ``notified_on`` and handed to the
    creditor's bank ``submitted_on``.

    It is the first TARGET business day that is both at least ``notice_days`` calendar days
    after the pre-notification and after at least one TARGET business day on which the
    collection reaches the debtor's bank (D-1; a submission on a closed day counts from the
    next business day). ``scheme`` is accepted for the day both schemes differ again; since
    November 2016 CORE and B2B both need D-1. Many creditor banks ask for one more day
    before their own cut-off: submit a day earlier than you would otherwise.

    >>> earliest_due_date(notified_on=date(2025, 3, 3), submitted_on=date(2025, 3, 14))
    datetime.date(2025, 3, 17)
    >>> earliest_due_date(notified_on=date(2025, 3, 3), submitted_on=date(2025, 3, 3),
    ...                   notice_days=1)  # agreed one day's notice
    datetime.date(2025, 3, 4)

    Raises:
        ValidationError: ``notice_days`` is negative or not an int, or a date is not a date.
    """
    for name, value in (("notified_on", notified_on), ("submitted_on", submitted_on)):
        if not isinstance(value, date):
            raise ValidationError("must be a date", field=name, value=value)
    if not isinstance(scheme, Scheme):
        raise ValidationError("must be a Scheme", field="scheme", value=scheme)
    if not isinstance(notice_days, int) or isinstance(notice_days, bool) or notice_days < 0:
        raise ValidationError(
            "must be a non-negative number of days", field="notice_days", value=notice_days
        )
    reaches_bank = next_target_day(submitted_on)
    interbank = next_target_day(reaches_bank + timedelta(days=1))
    noticed = next_target_day(notified_on + timedelta(days=notice_days))
    return max(interbank, noticed)
