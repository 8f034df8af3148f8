"""Default interest: the § 247 BGB base-rate table, § 288 BGB statutory rates, fixed rates.

Day count: act/365 fixed. An amount open from day ``start`` to day ``end`` bears interest for
``end - start`` days, the days after ``start`` up to and including ``end``; each day at the
rate in force on it, every year (leap years too) counted as 365 days. The exact sum of all
days is rounded once, half up, to the currency's minor unit.
"""

from __future__ import annotations

import bisect
import enum
import functools
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import TYPE_CHECKING, Final, Protocol

import attrs

from payportal import _validators as v
from payportal._money import Money, currency_exponent
from payportal.accounts._open_item import units_to_money
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from payportal.customers import Customer

__all__ = [
    "BaseRate",
    "BaseRateTable",
    "ContractualInterest",
    "DebtorKind",
    "InterestCalculation",
    "InterestPeriod",
    "InterestRule",
    "StatutoryInterest",
    "accrue",
]

# Rates are held as integer millionths of a percent, so that interest is summed in integers:
# units x days x rate / (365 x 100 x 10**6) is exact until the one rounding at the end.
_RATE_SCALE: Final = 10**6
_DAYS_PER_YEAR: Final = 365
_DENOMINATOR: Final = _DAYS_PER_YEAR * 100 * _RATE_SCALE


class DebtorKind(enum.Enum):
    """Who owes: § 288 BGB sets a different statutory rate for consumers and businesses."""

    #: A consumer (§ 13 BGB) is party to the contract: base rate + 5 points (§ 288(1)).
    CONSUMER = "consumer"
    #: No consumer is party to the contract: base rate + 9 points for payment claims
    #: (§ 288(2)), and the 40 € flat fee of § 288(5).
    BUSINESS = "business"

    @classmethod
    def of(cls, customer: Customer) -> DebtorKind:
        """A best guess from the master data: a customer with a company name or a VAT id
        is a business, anyone else a consumer.

        A sole trader buying for their business is not a consumer (§ 14 BGB) but may have
        neither; an app that knows better passes the kind itself.
        """
        return cls.BUSINESS if customer.company or customer.vat_id else cls.CONSUMER


def _rate_units(rate: Decimal, field: str) -> int:
    scaled = rate * _RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            "must have at most 6 decimals (a percentage per year)", field=field, value=rate
        )
    return int(scaled)


def _half_year_start(day: date) -> bool:
    return day.day == 1 and day.month in (1, 7)


def _next_half_year(day: date) -> date:
    return date(day.year, 7, 1) if day.month < 7 else date(day.year + 1, 1, 1)


@attrs.frozen
class BaseRate:
    """The § 247 BGB base rate in percent per year, in force from ``valid_from`` (a 1 January
    or 1 July) until the next row of its table."""

    valid_from: date = attrs.field(validator=v.a_date)
    rate: Decimal = attrs.field(converter=v.to_decimal, validator=v.finite_decimal)

    @valid_from.validator
    def _on_change_day(self, attribute: attrs.Attribute[date], value: date) -> None:
        if not _half_year_start(value):
            raise v.fail(attribute, value, "must be a 1 January or 1 July (§ 247(1) BGB)")


def _rows(value: Iterable[BaseRate]) -> tuple[BaseRate, ...]:
    return v.to_tuple(value)


@attrs.frozen
class BaseRateTable:
    """The base rates, one row per half-year without gaps, oldest first.

    The table is known up to :attr:`known_until`, the end of its last row's half-year; asking
    for a later day raises, because the statutory rate of a day that is not in the table is
    not known. :meth:`bundled` is the table shipped with payportal (the Bundesbank's
    published rates; the file names its source and how to update it); an app that needs a
    newer half-year before a payportal release adds it with :meth:`with_rate`.

    >>> table = BaseRateTable.bundled()
    >>> table.rate_on(date(2024, 3, 1)), table.rate_on(date(2025, 7, 1))
    (Decimal('3.62'), Decimal('1.27'))
    >>> table.with_rate(date(2026, 7, 1), "1.27").known_until
    datetime.date(2026, 12, 31)

    Raises:
        ValidationError: no rows, a row that is not the half-year after the one before it,
            or a rate with more than 6 decimals.
    """

    rows: tuple[BaseRate, ...] = attrs.field(
        converter=_rows, validator=v.items_of(BaseRate, "a BaseRate")
    )
    source: str = attrs.field(default="", validator=v.optional_str)
    _starts: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _rates: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _until: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.rows:
            raise ValidationError("must hold at least one base rate", field="rows", value=())
        for index, (before, row) in enumerate(zip(self.rows, self.rows[1:], strict=False)):
            if row.valid_from != _next_half_year(before.valid_from):
                raise ValidationError(
                    f"must be {_next_half_year(before.valid_from)}, the half-year after the "
                    "row before it (a row for every half-year, also when the rate stayed)",
                    field=f"rows[{index + 1}].valid_from",
                    value=row.valid_from,
                )
        rates = tuple(
            _rate_units(row.rate, f"rows[{index}].rate") for index, row in enumerate(self.rows)
        )
        object.__setattr__(self, "_starts", tuple(r.valid_from.toordinal() for r in self.rows))
        object.__setattr__(self, "_rates", rates)
        object.__setattr__(
            self, "_until", _next_half_year(self.rows[-1].valid_from).toordinal() - 1
        )

    @property
    def known_from(self) -> date:
        """The first day the table knows."""
        return self.rows[0].valid_from

    @property
    def known_until(self) -> date:
        """The last day the table knows: the end of its last row's half-year."""
        return date.fromordinal(self._until)

    def rate_on(self, day: date) -> Decimal:
        """The base rate in percent per year on ``day``.

        Raises:
            ValidationError: ``day`` is outside the table.
        """
        index = self._index(day.toordinal(), "day")
        return self.rows[index].rate

    def with_rate(self, valid_from: date, rate: Decimal | int | str) -> BaseRateTable:
        """A copy with the next half-year's rate added (``valid_from`` must be the day after
        :attr:`known_until`).

        Raises:
            ValidationError: ``valid_from`` is not the next half-year, or ``rate`` is invalid.
        """
        return attrs.evolve(self, rows=(*self.rows, BaseRate(valid_from, rate)))

    @classmethod
    def bundled(cls) -> BaseRateTable:
        """The table shipped in ``payportal/dunning/base_rates.csv``."""
        return _bundled()

    @classmethod
    def from_csv(cls, text: str, *, source: str = "") -> BaseRateTable:
        """Read a table in the format of the bundled file: ``valid_from,rate`` rows (ISO
        dates, rates in percent with a dot), ``#`` comment lines and a header row.

        Raises:
            ValidationError: a row is malformed (``field`` names its line), or the rows do
                not form a table (see the class).
        """
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or stripped == "valid_from,rate":
                continue
            parts = stripped.split(",")
            try:
                if len(parts) != 2:
                    raise ValueError
                rows.append(BaseRate(date.fromisoformat(parts[0]), Decimal(parts[1])))
            except (ValueError, InvalidOperation, ValidationError):
                raise ValidationError(
                    "must be 'YYYY-MM-DD,rate' with a 1 January or 1 July and a decimal rate",
                    field=f"line {number}",
                    value=line,
                ) from None
        return cls(rows, source=source)

    def _index(self, ordinal: int, field: str) -> int:
        index = bisect.bisect_right(self._starts, ordinal) - 1
        if index < 0 or ordinal > self._until:
            day = date.fromordinal(ordinal)
            raise ValidationError(
                f"is outside the base-rate table ({self.known_from} to {self.known_until}); "
                "add the newer half-year with BaseRateTable.with_rate or update "
                "payportal/dunning/base_rates.csv",
                field=field,
                value=day,
            )
        return index

    def _periods(self, first: int, last: int) -> Iterable[tuple[int, int, int]]:
        """(first day, last day, rate in millionths of a percent) covering first..last."""
        index = self._index(first, "start")
        if last > self._until:
            self._index(last, "end")
        starts, rates = self._starts, self._rates
        day = first
        while day <= last:
            following = starts[index + 1] if index + 1 < len(starts) else last + 1
            stop = min(last, following - 1)
            yield day, stop, rates[index]
            day = stop + 1
            index += 1


@functools.cache
def _bundled() -> BaseRateTable:
    text = resources.files("payportal.dunning").joinpath("base_rates.csv").read_text("utf-8")
    return BaseRateTable.from_csv(
        text,
        source="Deutsche Bundesbank, Basiszinssatz nach § 247 BGB "
        "(https://www.bundesbank.de/de/bundesbank/organisation/agb-und-regelungen/"
        "basiszinssatz-607820)",
    )


class InterestRule(Protocol):
    """What an interest rule tells the calculation: the rate of every day of a span.

    :class:`StatutoryInterest` and :class:`ContractualInterest` are the rules; the protocol
    is what :func:`accrue` needs of them (``_periods`` is the same in integer form).
    """

    def rate_periods(
        self, first: date, last: date, debtor: DebtorKind | None
    ) -> Iterable[tuple[date, date, Decimal]]:
        """(first day, last day, percent per year) pieces covering ``first``..``last``."""
        ...

    def _periods(
        self, first: int, last: int, debtor: DebtorKind | None
    ) -> Iterable[tuple[int, int, int]]: ...


def _points(value: object) -> object:
    return v.to_decimal(value)


@attrs.frozen(kw_only=True)
class StatutoryInterest:
    """Default interest under § 288 BGB: the base rate of every day plus 5 points for
    consumers (§ 288(1)) or 9 points when no consumer is party (§ 288(2)).

    >>> rule = StatutoryInterest()
    >>> list(rule.rate_periods(date(2025, 6, 29), date(2025, 7, 2), DebtorKind.BUSINESS))
    [(datetime.date(2025, 6, 29), datetime.date(2025, 6, 30), Decimal('11.27')), \
(datetime.date(2025, 7, 1), datetime.date(2025, 7, 2), Decimal('10.27'))]

    Raises:
        ValidationError: a field is invalid.
    """

    table: BaseRateTable = attrs.field(
        factory=BaseRateTable.bundled, validator=v.instance_of(BaseRateTable, "a BaseRateTable")
    )
    consumer_points: Decimal = attrs.field(
        default=Decimal(5), converter=_points, validator=v.decimal_between(Decimal(0), None)
    )
    business_points: Decimal = attrs.field(
        default=Decimal(9), converter=_points, validator=v.decimal_between(Decimal(0), None)
    )

    def points(self, debtor: DebtorKind | None) -> Decimal:
        """The points above the base rate for ``debtor``.

        Raises:
            ValidationError: ``debtor`` is not a DebtorKind (the statutory rate needs it).
        """
        if debtor is DebtorKind.CONSUMER:
            return self.consumer_points
        if debtor is DebtorKind.BUSINESS:
            return self.business_points
        raise ValidationError(
            "must be a DebtorKind: the § 288 BGB rate depends on whether a consumer owes "
            "(pass customer= or debtor=)",
            field="debtor",
            value=debtor,
        )

    def rate_periods(
        self, first: date, last: date, debtor: DebtorKind | None
    ) -> Iterable[tuple[date, date, Decimal]]:
        """The rate of every day from ``first`` to ``last``, one piece per base-rate period.

        Raises:
            ValidationError: a day is outside the base-rate table, or ``debtor`` is missing.
        """
        for start, stop, rate in self._periods(first.toordinal(), last.toordinal(), debtor):
            yield date.fromordinal(start), date.fromordinal(stop), _percent(rate)

    def _periods(
        self, first: int, last: int, debtor: DebtorKind | None
    ) -> Iterable[tuple[int, int, int]]:
        points = _points_units(self.points(debtor))
        for start, stop, base in self.table._periods(first, last):
            # A negative base rate lowers the rate, but a debt never earns the debtor interest.
            yield start, stop, max(base + points, 0)


@functools.cache
def _points_units(points: Decimal) -> int:
    return _rate_units(points, "points")


@functools.cache
def _percent(units: int) -> Decimal:
    return (Decimal(units) / _RATE_SCALE).normalize() if units else Decimal(0)


@attrs.frozen
class ContractualInterest:
    """A fixed rate in percent per year, agreed in the contract (the same for every debtor).

    >>> list(ContractualInterest("8").rate_periods(date(2026, 1, 1), date(2026, 1, 31), None))
    [(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), Decimal('8'))]

    Raises:
        ValidationError: ``rate`` is negative, a float, or has more than 6 decimals.
    """

    rate: Decimal = attrs.field(
        converter=v.to_decimal, validator=v.decimal_between(Decimal(0), Decimal(1000))
    )
    _units: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_units", _rate_units(self.rate, "rate"))

    def rate_periods(
        self, first: date, last: date, debtor: DebtorKind | None
    ) -> Iterable[tuple[date, date, Decimal]]:
        """One piece, ``first`` to ``last``, at :attr:`rate`."""
        if first <= last:
            yield first, last, self.rate

    def _periods(
        self, first: int, last: int, debtor: DebtorKind | None
    ) -> Iterable[tuple[int, int, int]]:
        if first <= last:
            yield first, last, self._units


@attrs.frozen
class InterestPeriod:
    """Days ``first`` to ``last`` (both included) on which ``principal`` bore ``rate``
    percent per year."""

    first: date
    last: date
    principal: Money
    rate: Decimal

    @property
    def days(self) -> int:
        """How many days the period has."""
        return self.last.toordinal() - self.first.toordinal() + 1


@attrs.frozen
class InterestCalculation:
    """Interest and the periods it was computed over (a new period at every change of the
    rate or of the principal). ``amount`` is the exact sum of all periods (act/365), rounded
    once, half up, to the currency's minor unit."""

    amount: Money
    periods: tuple[InterestPeriod, ...]


def check_day(value: object, field: str) -> date:
    """``value`` if it is a date (not a datetime), else ValidationError naming ``field``."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError("must be a date", field=field, value=value)
    return value


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (away from zero for halves), in integers."""
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def accrue_units(
    rule: InterestRule,
    debtor: DebtorKind | None,
    span: tuple[int, int],
    balances: Sequence[tuple[int, int]],
    periods: list[tuple[int, int, int, int]] | None = None,
) -> int:
    """Exact interest numerator (over :data:`_DENOMINATOR`) for the days after ``span[0]`` up
    to and including ``span[1]`` (date ordinals).

    ``balances`` are (last day, units) pairs in date order: ``units`` bore interest up to and
    including its last day (the last pair runs to ``end``). ``periods``, if given, receives
    (first, last, units, rate) for every piece.
    """
    start, end = span
    numerator = 0
    first = start + 1
    for index, (until, units) in enumerate(balances):
        last = end if index == len(balances) - 1 else min(until, end)
        if last >= first and units:
            for piece_first, piece_last, rate in rule._periods(first, last, debtor):
                numerator += units * (piece_last - piece_first + 1) * rate
                if periods is not None:
                    periods.append((piece_first, piece_last, units, rate))
        first = max(first, last + 1)
        if first > end:
            break
    return numerator


def accrue(
    principal: Money,
    *,
    start: date,
    end: date,
    rule: InterestRule,
    debtor: DebtorKind | None = None,
    payments: Iterable[tuple[date, Money]] = (),
) -> InterestCalculation:
    """Interest on ``principal`` open from ``start`` (the due date: interest runs from the
    day after) up to and including ``end``, act/365, rounded once, half up.

    ``payments`` are (day, amount) part payments made in between: a part paid on a day bears
    interest up to and including that day, the rest on. ``principal`` is what was open at
    ``start``.

    >>> calc = accrue(Money("1000.00", "EUR"), start=date(2025, 6, 20), end=date(2025, 7, 10),
    ...               rule=StatutoryInterest(), debtor=DebtorKind.CONSUMER)
    >>> calc.amount, [(p.days, str(p.rate)) for p in calc.periods]
    (Money('3.71', 'EUR'), [(10, '7.27'), (10, '6.27')])

    Raises:
        ValidationError: ``end`` before ``start``, a day outside the base-rate table, no
            ``debtor`` for statutory interest, payments of more than the principal or in
            another currency.
    """
    check_day(start, "start")
    check_day(end, "end")
    if not isinstance(principal, Money) or principal.amount < 0:
        raise ValidationError("must be Money, not negative", field="principal", value=principal)
    if end < start:
        raise ValidationError(f"must not be before start {start}", field="end", value=end)
    units = principal.minor_units
    balances: list[tuple[int, int]] = []
    for index, (day, paid) in enumerate(sorted(payments, key=lambda p: p[0])):
        check_day(day, f"payments[{index}][0]")
        if not isinstance(paid, Money) or paid.currency != principal.currency or paid.amount < 0:
            raise ValidationError(
                f"must be Money in {principal.currency}, not negative",
                field=f"payments[{index}][1]",
                value=paid,
            )
        balances.append((day.toordinal(), units))
        units -= paid.minor_units
        if units < 0:
            raise ValidationError(
                "add up to more than the principal", field="payments", value=payments
            )
    balances.append((end.toordinal(), units))
    pieces: list[tuple[int, int, int, int]] = []
    numerator = accrue_units(rule, debtor, (start.toordinal(), end.toordinal()), balances, pieces)
    currency = principal.currency
    exponent = currency_exponent(currency)
    return InterestCalculation(
        amount=units_to_money(round_half_up(numerator, _DENOMINATOR), currency, exponent),
        periods=tuple(
            InterestPeriod(
                date.fromordinal(first),
                date.fromordinal(last),
                units_to_money(amount, currency, exponent),
                _percent(rate),
            )
            for first, last, amount, rate in pieces
        ),
    )


def interest_units(numerator: int) -> int:
    """The minor units of an exact numerator from :func:`accrue_units`, rounded half up."""
    return round_half_up(numerator, _DENOMINATOR)
