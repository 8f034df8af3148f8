"""Branding: the merchant's name, logo, colours (WCAG 2.1 AA contrast) and contact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import PortalSettings, ValidationError
from payportal.portal import (
    AA_NORMAL_TEXT,
    Branding,
    contrast_ratio,
    parse_color,
    relative_luminance,
)

colors = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_luminance_of_the_primaries_is_their_wcag_weight() -> None:
    # The coefficients of WCAG 2.1's definition: a pure primary has exactly its weight.
    assert relative_luminance("#ff0000") == pytest.approx(Decimal("0.2126"))
    assert relative_luminance("#00ff00") == pytest.approx(Decimal("0.7152"))
    assert relative_luminance("#0000ff") == pytest.approx(Decimal("0.0722"))
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#fff") == 1.0


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", "21.0"),
        ("#777777", "#ffffff", "4.48"),  # the grey that just fails AA on white
        ("#767676", "#ffffff", "4.54"),  # the grey that just passes
        ("#0000ff", "#ffffff", "8.59"),
        ("#ff0000", "#ffffff", "4.0"),
    ],
)
def test_contrast_ratio_matches_known_pairs(first: str, second: str, expected: str) -> None:
    assert contrast_ratio(first, second) == pytest.approx(Decimal(expected), abs=Decimal("0.005"))


@given(colors, colors)
def test_contrast_is_symmetric_and_between_1_and_21(first: str, second: str) -> None:
    ratio = contrast_ratio(first, second)
    assert ratio == contrast_ratio(second, first)
    assert 1.0 <= ratio <= 21.0
    assert contrast_ratio(first, first) == 1.0


@given(colors)
def test_black_or_white_text_always_reaches_aa_on_any_colour(color: str) -> None:
    # Whatever the colour, the better of black and white reaches sqrt(21) ~ 4.58:1 (the two
    # ratios multiply to 21),
    # so the advice the error gives always exists.
    best = max(contrast_ratio(color, "#000000"), contrast_ratio(color, "#ffffff"))
    assert best >= 4.58


@given(colors)
def test_parse_color_is_idempotent_and_case_insensitive(color: str) -> None:
    assert parse_color(color) == color
    assert parse_color(color.upper()) == color
    assert parse_color(color[1:]) == color


@pytest.mark.parametrize(
    "bad", ["red", "#12345", "#1234567", "rgb(0,0,0)", "#ggg", "#fff;}body{x", "", 0xFFFFFF]
)
def test_parse_color_refuses_what_is_not_hex(bad: object) -> None:
    with pytest.raises(ValidationError, match="hex colour"):
        parse_color(bad, field="primary_color")


def test_defaults_pass_aa_and_colours_are_normalised() -> None:
    brand = Branding(company_name="  Beispiel AG ", primary_color="#1A4D8F", accent_color="0b6e4f")
    assert brand.company_name == "Beispiel AG"
    assert brand.primary_color == "#1a4d8f"
    assert brand.accent_color == "#0b6e4f"
    assert contrast_ratio(brand.primary_color, brand.text_on_primary) >= AA_NORMAL_TEXT
    assert contrast_ratio(brand.accent_color, brand.text_on_accent) >= AA_NORMAL_TEXT


def test_a_light_primary_under_white_text_is_refused_with_advice() -> None:
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B", primary_color="#ffcc00")
    assert caught.value.field == "primary_color"
    assert caught.value.value == "#ffcc00"
    assert "1.5:1" in caught.value.reason
    assert "text_on_primary='#000000'" in caught.value.reason
    Branding(company_name="B", primary_color="#ffcc00", text_on_primary="#000")


def test_a_dark_accent_under_dark_text_suggests_white() -> None:
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B", accent_color="#222222", text_on_accent="#444444")
    assert caught.value.field == "accent_color"
    assert "text_on_accent='#ffffff'" in caught.value.reason
    assert "a lighter accent_color" in caught.value.reason  # #444444 on black is too dim


def test_advice_names_every_direction_that_can_work() -> None:
    # Mid grey text reaches AA on black (4.6:1) and on white (4.5:1): both ways work.
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B", primary_color="#777777", text_on_primary="#767676")
    assert caught.value.reason.endswith("or choose a darker or lighter primary_color")
    # #777777 reaches AA on black only.
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B", primary_color="#808080", text_on_primary="#777777")
    assert caught.value.reason.endswith("or choose a darker primary_color")
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B", primary_color="#ffffff", text_on_primary="#ffffff")
    assert caught.value.reason.endswith(
        "use text_on_primary='#000000' (21.0:1) or choose a darker primary_color"
    )


def test_a_ratio_just_below_aa_is_never_shown_as_passing() -> None:
    # #777777 on white is 4.48:1; rounding would print "4.5:1" and contradict the refusal.
    with pytest.raises(ValidationError, match=r"only 4\.4:1"):
        Branding(company_name="B", primary_color="#777777")
    Branding(company_name="B", primary_color="#767676")


@given(colors, colors)
def test_a_pair_is_accepted_exactly_when_it_reaches_aa(background: str, text: str) -> None:
    if contrast_ratio(background, text) >= AA_NORMAL_TEXT:
        Branding(company_name="B", primary_color=background, text_on_primary=text)
    else:
        with pytest.raises(ValidationError) as caught:
            Branding(company_name="B", primary_color=background, text_on_primary=text)
        assert caught.value.field == "primary_color"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("logo_url", "http://cdn.example.com/logo.svg"),
        ("logo_url", "javascript:alert(1)"),
        ("logo_url", "&#106;avascript:alert(1)"),
        ("logo_url", "//cdn.example.com/logo.svg"),
        ("legal_notice_url", "http://example.com/impressum"),
        ("legal_notice_url", "mailto:legal@example.com"),
        ("privacy_url", "data:text/html,<script>"),
        ("contact_email", "not an address"),
        ("contact_phone", "+49 30\r\nX-Injected: 1"),
        ("company_name", ""),
        ("company_name", "A\u202eB"),
    ],
)
def test_unsafe_values_are_refused_naming_the_field(field: str, value: str) -> None:
    kwargs = {"company_name": "Beispiel AG", field: value}
    with pytest.raises(ValidationError) as caught:
        Branding(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_template_context_and_css_variables() -> None:
    brand = Branding(
        company_name="Beispiel AG",
        logo_url="https://cdn.example.com/logo.svg",
        contact_email="service@example.com",
        contact_phone="+49 30 123456",
        legal_notice_url="https://example.com/impressum",
    )
    context = brand.as_template_context()
    assert context["company_name"] == "Beispiel AG"
    assert context["logo_url"] == "https://cdn.example.com/logo.svg"
    assert context["contact_email"] == "service@example.com"
    assert context["privacy_url"] == ""
    assert all(isinstance(value, str) for value in context.values())
    assert context["css_variables"] == brand.css_variables()
    assert "--portal-primary: #1a4d8f;" in brand.css_variables()
    assert brand.css_variables(".portal").startswith(".portal {")
    assert brand.logo_host == "cdn.example.com"
    assert Branding(company_name="B").logo_host == ""


@pytest.mark.parametrize("selector", ["}body{", ":root;", "a{b", "", "x</style>"])
def test_css_selector_cannot_break_out_of_the_rule(selector: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Branding(company_name="B").css_variables(selector)
    assert caught.value.field == "selector"


def test_settings_carry_branding() -> None:
    brand = Branding(company_name="Beispiel AG")
    assert PortalSettings.default().branding is None
    assert PortalSettings.default(branding=brand).branding is brand
    with pytest.raises(ValidationError) as caught:
        PortalSettings(document_actions={}, branding={"company_name": "B"})  # type: ignore[arg-type]
    assert caught.value.field == "branding"
