"""Hypothesis strategies for payportal's models, for property tests in your own suite.

>>> from hypothesis import given
>>> @given(money(currency="EUR"))
... def test_money_round_trips(m):
...     assert Money.from_minor(m.minor_units, m.currency) == m
>>> test_money_round_trips()
"""

from __future__ import annotations

import string
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from payportal._money import Money, currency_exponent
from payportal.customers import Address, BankAccount, Customer
from payportal.documents import Invoice, LineItem

__all__ = [
    "addresses",
    "currencies",
    "customers",
    "invoices",
    "line_items",
    "money",
    "tax_rates",
]

# A spread of minor units (0, 2, 3, 4 decimals), active and widely used.
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "KRW", "KWD", "BHD", "CLF", "SEK")

# Valid IBANs from the registry's own examples; hypothesis picks among them.
_IBANS = (
    "DE89370400440532013000",
    "GB29NWBK60161331926819",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "CH9300762011623852957",
    "AT611904300234573201",
)


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes with 0, 2, 3 and 4 decimal minor units."""
    return st.sampled_from(COMMON_CURRENCIES)


def money(
    *,
    currency: str | st.SearchStrategy[str] | None = None,
    min_value: Decimal | int | None = -(10**9),
    max_value: Decimal | int | None = 10**9,
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (or any of :func:`currencies`), between the bounds inclusive.

    Bounds are in major units (``Decimal("0.01")`` is one cent for EUR); the default range is
    minus to plus a billion. ``None`` leaves a side open up to what a ``Decimal`` holds exactly
    (28 significant digits).
    """
    if currency is None:
        codes: st.SearchStrategy[str] = currencies()
    elif isinstance(currency, str):
        codes = st.just(currency)
    else:
        codes = currency

    def in_currency(code: str) -> st.SearchStrategy[Money]:
        exponent = currency_exponent(code)
        scale = 10**exponent
        limit = 10**27  # 28 significant digits: the default decimal context's precision
        low = -limit if min_value is None else int((Decimal(min_value) * scale).to_integral_value())
        high = limit if max_value is None else int((Decimal(max_value) * scale).to_integral_value())
        return st.integers(min_value=low, max_value=high).map(
            lambda units: Money.from_minor(units, code)
        )

    return codes.flatmap(in_currency)


def tax_rates() -> st.SearchStrategy[Decimal]:
    """VAT rates in percent as they appear on European invoices."""
    return st.sampled_from([Decimal(r) for r in ("0", "5", "7", "10", "19", "20", "21", "25.5")])


_text = st.text(alphabet=string.ascii_letters + string.digits + " äöüß-", min_size=1, max_size=30)
_words = _text.filter(lambda s: s.strip() != "")


def line_items(currency: str = "EUR") -> st.SearchStrategy[LineItem]:
    """Priced line items in ``currency`` with quantities, discounts and mixed tax rates."""
    return st.builds(
        LineItem,
        title=_words,
        quantity=st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False),
        unit_price=money(currency=currency, min_value=0, max_value=100_000),
        tax_rate=tax_rates(),
        discount=st.sampled_from([Decimal(0), Decimal(3), Decimal("12.5"), Decimal(100)]),
    )


def addresses() -> st.SearchStrategy[Address]:
    return st.builds(
        Address,
        street=_words,
        postal_code=st.from_regex(r"\A[0-9]{5}\Z"),
        city=_words,
        country=st.sampled_from(["DE", "AT", "CH", "FR", "NL", "IE", "GB"]),
    )


def customers(*, currency: str | None = None) -> st.SearchStrategy[Customer]:
    """Valid customers with addresses, bank accounts and locales."""
    return st.builds(
        Customer,
        id=st.uuids().map(str),
        number=st.integers(min_value=1, max_value=10**8).map(lambda n: f"K-{n}"),
        name=_words,
        company=st.one_of(st.just(""), _words),
        email=st.one_of(st.none(), st.from_regex(r"\A[a-z]{1,10}@[a-z]{1,10}\.(de|com|org)\Z")),
        address=st.one_of(st.none(), addresses()),
        bank_accounts=st.lists(
            st.builds(BankAccount, iban=st.sampled_from(_IBANS), holder=_words), max_size=2
        ),
        locale=st.sampled_from(["de_DE", "en_IE", "en_US", "fr_FR", "de_CH", "nl_NL"]),
        currency=st.just(currency) if currency else currencies(),
    )


def invoices(
    *, customer_id: str | None = None, currency: str | None = None, max_lines: int = 8
) -> st.SearchStrategy[Invoice]:
    """Valid open invoices with 1 to ``max_lines`` priced lines at mixed tax rates."""
    codes = st.just(currency) if currency else currencies()

    def build(code: str) -> st.SearchStrategy[Invoice]:
        issued = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
        return issued.flatmap(
            lambda day: st.builds(
                Invoice,
                id=st.uuids().map(str),
                number=st.integers(min_value=1, max_value=10**6).map(lambda n: f"RE-{n}"),
                customer_id=st.just(customer_id) if customer_id else st.uuids().map(str),
                issued_on=st.just(day),
                due_on=st.integers(min_value=0, max_value=60).map(
                    lambda days: day + timedelta(days=days)
                ),
                currency=st.just(code),
                lines=st.lists(line_items(code), min_size=1, max_size=max_lines),
            )
        )

    return codes.flatmap(build)
