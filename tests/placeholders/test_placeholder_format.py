"""The per-locale format cache gives exactly babel's output."""

from __future__ import annotations

from decimal import Decimal

import babel
import babel.numbers

from payportal.placeholders._format import _with_currency, formats_for


def test_formats_are_cached_per_locale() -> None:
    assert formats_for("de_DE") is formats_for("de_DE")
    assert formats_for("de_DE") is not formats_for("de_AT")


def test_currency_signs_are_put_in_as_babel_puts_them() -> None:
    locale = babel.Locale.parse("de_CH")
    for text in ("¤¤ #,##0.00", "#,##0.00 ¤", "¤#,##0.00;(¤#,##0.00)"):
        pattern = _with_currency(babel.numbers.parse_pattern(text), "USD", locale)
        assert "¤" not in "".join((*pattern.prefix, *pattern.suffix))
        for amount in (Decimal("1234.5"), Decimal("-0.01")):
            assert pattern.apply(amount, locale, currency="USD") == (
                babel.numbers.format_currency(amount, "USD", format=text, locale=locale)
            )


def test_currency_name_patterns_are_left_to_babel() -> None:
    # The name's plural form depends on the amount, so it cannot be put in beforehand.
    pattern = babel.numbers.parse_pattern("#,##0.00 ¤¤¤")
    assert _with_currency(pattern, "EUR", babel.Locale.parse("en")) is pattern
    assert formats_for("en").money  # the public path still works for ordinary patterns
