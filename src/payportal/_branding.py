"""The merchant's brand in the portal: name, logo, colours and contact (:class:`Branding`).

Colours are ``#rrggbb`` hex values. Text on the primary and accent colours must stay
readable, so each pair is checked against WCAG 2.1 success criterion 1.4.3 (contrast,
minimum, level AA): a contrast ratio of at least 4.5:1 for normal text
(:data:`AA_NORMAL_TEXT`). A brand colour that fails is refused, and the error says which
text colour would pass:

>>> Branding(company_name="Beispiel AG", primary_color="#ffcc00")
Traceback (most recent call last):
...
payportal.exceptions.ValidationError: primary_color gives white text a contrast of only 1.5:1, \
below the 4.5:1 WCAG 2.1 AA asks for normal text; use text_on_primary='#000000' (13.8:1) or \
choose a darker primary_color (got '#ffcc00')

>>> brand = Branding(company_name="Beispiel AG", primary_color="#ffcc00",
...                  text_on_primary="#000")
>>> print(brand.css_variables())
:root {
  --portal-primary: #ffcc00;
  --portal-on-primary: #000000;
  --portal-accent: #0b6e4f;
  --portal-on-accent: #ffffff;
}

The definitions are those of WCAG 2.1: `relative luminance
<https://www.w3.org/TR/WCAG21/#dfn-relative-luminance>`_ and `contrast ratio
<https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio>`_. WCAG 2.1 prints the sRGB threshold as
0.03928 where the sRGB standard says 0.04045; no 8-bit channel value lies between the two
(10/255 is below both, 11/255 above), so the results are identical.
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import attrs

from payportal import _validators as v
from payportal.exceptions import ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AA_NORMAL_TEXT",
    "Branding",
    "contrast_ratio",
    "parse_color",
    "relative_luminance",
]

AA_NORMAL_TEXT: Final = Decimal("4.5")
"""The least contrast ratio WCAG 2.1 level AA asks for normal-sized text (SC 1.4.3)."""

# The 0.05 WCAG adds to both luminances (ambient flare) in the contrast ratio.
_FLARE: Final = Decimal("0.05")

_HEX: Final = re.compile(r"#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")
_BLACK: Final = "#000000"
_WHITE: Final = "#ffffff"
_NAMES: Final = MappingProxyType({_BLACK: "black", _WHITE: "white"})

# Single-line length limits: a company name as on a letterhead, a phone number as typed.
_NAME: Final = 200
_PHONE: Final = 50


def parse_color(value: object, *, field: str = "color") -> str:
    """``value`` as a lower-case ``#rrggbb`` colour.

    Accepts what people copy from design tools: ``"#1A4D8F"``, ``"1a4d8f"`` or the short
    form ``"#fc0"``, with white space around.

    >>> parse_color(" #FC0 ")
    '#ffcc00'

    Raises:
        ValidationError: ``value`` is not a hex colour; ``field`` names it.
    """
    if not isinstance(value, str):
        raise ValidationError(
            "must be a hex colour string such as '#1a4d8f'", field=field, value=value
        )
    match = _HEX.fullmatch(value.strip())
    if match is None:
        raise ValidationError(
            "must be a hex colour such as '#1a4d8f' or '#fc0' (names, rgb() and alpha are "
            "not accepted)",
            field=field,
            value=value,
        )
    digits = match[1].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def _linear(channel: int) -> Decimal:
    # sRGB companding, undone: WCAG 2.1's relative luminance definition. In Decimal, so the
    # verdict at the 4.5:1 boundary is the same on every platform.
    c = Decimal(channel) / 255
    if c <= Decimal("0.03928"):
        return c / Decimal("12.92")
    return ((c + Decimal("0.055")) / Decimal("1.055")) ** Decimal("2.4")


def relative_luminance(color: str) -> Decimal:
    """The WCAG 2.1 relative luminance of ``color``: 0 for black, 1 for white.

    >>> relative_luminance("#000") == 0, relative_luminance("#fff") == 1
    (True, True)

    Raises:
        ValidationError: ``color`` is not a hex colour.
    """
    hex_ = parse_color(color)
    red, green, blue = (int(hex_[i : i + 2], 16) for i in (1, 3, 5))
    return (
        Decimal("0.2126") * _linear(red)
        + Decimal("0.7152") * _linear(green)
        + Decimal("0.0722") * _linear(blue)
    )


def contrast_ratio(first: str, second: str) -> Decimal:
    """The WCAG 2.1 contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    The order does not matter: the lighter colour's luminance goes on top.

    >>> contrast_ratio("#000000", "#ffffff") == 21
    True
    >>> round(contrast_ratio("#ffffff", "#767676"), 2)
    Decimal('4.54')

    Raises:
        ValidationError: a colour is not a hex colour.
    """
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + _FLARE) / (darker + _FLARE)


def _color(value: object) -> object:
    """Converter: normalise hex colours; leave anything else for the validator to name."""
    try:
        return parse_color(value)
    except ValidationError:
        return value


def _is_color(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    parse_color(value, field=attribute.name)


def _https_url(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value == "":
        return
    problem = v.url_problem(value, schemes=("https",))
    if problem is not None:
        raise v.fail(attribute, value, problem)


def _readable_on(background: str, text: str, background_field: str, text_field: str) -> None:
    ratio = contrast_ratio(background, text)
    if ratio >= AA_NORMAL_TEXT:
        return
    advice = []
    best = max((_BLACK, _WHITE), key=lambda candidate: contrast_ratio(background, candidate))
    if best != text and contrast_ratio(background, best) >= AA_NORMAL_TEXT:
        advice.append(f"use {text_field}={best!r} ({_floor(contrast_ratio(background, best))}:1)")
    # Keeping the text colour: the directions in which some background reaches AA (black or
    # white, the extremes, tell); at least one does, as max(contrast) >= sqrt(21) > 4.5.
    directions = [
        name
        for name, extreme in (("darker", _BLACK), ("lighter", _WHITE))
        if contrast_ratio(text, extreme) >= AA_NORMAL_TEXT
    ]
    advice.append(f"choose a {' or '.join(directions)} {background_field}")
    raise ValidationError(
        f"gives {_NAMES.get(text, text)} text a contrast of only {_floor(ratio)}:1, below the "
        f"{AA_NORMAL_TEXT}:1 WCAG 2.1 AA asks for normal text; {' or '.join(advice)}",
        field=background_field,
        value=background,
    )


def _floor(ratio: Decimal) -> str:
    # Rounded down, so a ratio of 4.49 never shows as a passing "4.5".
    return str(ratio.quantize(Decimal("0.1"), rounding=ROUND_FLOOR))


@attrs.frozen(kw_only=True)
class Branding:
    """How the portal looks and whom customers contact: the merchant's brand.

    Templates get it as plain values through :meth:`as_template_context` and as CSS custom
    properties through :meth:`css_variables`. Text values are shown as they are, so
    templates must escape them (as Jinja2's autoescape does); colours are always
    ``#rrggbb`` and URLs always ``https``, so they are safe in a ``style`` or ``src``.

    Attributes:
        company_name: the name shown in the portal's header and title.
        logo_url: an absolute ``https`` URL of the logo, or ``""`` for none. Plain ``http``
            would be blocked as mixed content on an ``https`` portal.
        primary_color: buttons and the header, ``#rrggbb`` (``#fc0`` and upper case are
            accepted and normalised).
        text_on_primary: the text colour on ``primary_color``; with it the colour must reach
            a contrast of 4.5:1 (:data:`AA_NORMAL_TEXT`).
        accent_color: links, highlights and secondary buttons.
        text_on_accent: the text colour on ``accent_color``; 4.5:1 as well.
        contact_email: where customers write with questions, or ``None``.
        contact_phone: a phone number as it should be shown, or ``""``.
        legal_notice_url: the merchant's legal notice (German "Impressum", required on
            German commercial sites by § 5 DDG), an absolute ``https`` URL or ``""``.
        privacy_url: the privacy policy (GDPR Art. 13), an absolute ``https`` URL or ``""``.

    Raises:
        ValidationError: a field is invalid, or a colour pair is below 4.5:1; ``field``
            names the field.
    """

    company_name: str = attrs.field(
        converter=v.strip, validator=v.single_line(_NAME, required=True)
    )
    logo_url: str = attrs.field(default="", converter=v.strip_url, validator=_https_url)
    primary_color: str = attrs.field(default="#1a4d8f", converter=_color, validator=_is_color)
    text_on_primary: str = attrs.field(default=_WHITE, converter=_color, validator=_is_color)
    accent_color: str = attrs.field(default="#0b6e4f", converter=_color, validator=_is_color)
    text_on_accent: str = attrs.field(default=_WHITE, converter=_color, validator=_is_color)
    contact_email: str | None = attrs.field(
        default=None, converter=v.strip, validator=v.optional(v.email)
    )
    contact_phone: str = attrs.field(default="", converter=v.strip, validator=v.single_line(_PHONE))
    legal_notice_url: str = attrs.field(default="", converter=v.strip_url, validator=_https_url)
    privacy_url: str = attrs.field(default="", converter=v.strip_url, validator=_https_url)

    def __attrs_post_init__(self) -> None:
        # After every field is checked and normalised: the pairs need both colours.
        _readable_on(self.primary_color, self.text_on_primary, "primary_color", "text_on_primary")
        _readable_on(self.accent_color, self.text_on_accent, "accent_color", "text_on_accent")

    @property
    def logo_host(self) -> str:
        """The logo's host, for a Content-Security-Policy ``img-src``; ``""`` without a logo."""
        return urlsplit(self.logo_url).hostname or "" if self.logo_url else ""

    def as_template_context(self) -> Mapping[str, str]:
        """The brand as template variables, all strings (``""`` for what is not set).

        Keys: ``company_name``, ``logo_url``, ``primary_color``, ``text_on_primary``,
        ``accent_color``, ``text_on_accent``, ``contact_email``, ``contact_phone``,
        ``legal_notice_url``, ``privacy_url`` and ``css_variables`` (:meth:`css_variables`).

        >>> Branding(company_name="Beispiel AG").as_template_context()["primary_color"]
        '#1a4d8f'
        """
        return MappingProxyType(
            {
                "company_name": self.company_name,
                "logo_url": self.logo_url,
                "primary_color": self.primary_color,
                "text_on_primary": self.text_on_primary,
                "accent_color": self.accent_color,
                "text_on_accent": self.text_on_accent,
                "contact_email": self.contact_email or "",
                "contact_phone": self.contact_phone,
                "legal_notice_url": self.legal_notice_url,
                "privacy_url": self.privacy_url,
                "css_variables": self.css_variables(),
            }
        )

    def css_variables(self, selector: str = ":root") -> str:
        """A CSS rule setting the brand's colours as custom properties.

        ``--portal-primary``, ``--portal-on-primary``, ``--portal-accent`` and
        ``--portal-on-accent``; put it in a ``<style>`` element and use
        ``var(--portal-primary)`` in the style sheet.

        Args:
            selector: the rule's selector; only letters, digits, ``:``, ``.``, ``#``, ``-``,
                ``_`` and spaces, so nothing can break out of the rule.

        Raises:
            ValidationError: ``selector`` holds other characters.
        """
        if not isinstance(selector, str) or not re.fullmatch(r"[A-Za-z0-9:.#_ -]+", selector):
            raise ValidationError(
                "must be a simple CSS selector such as ':root' or '.portal'",
                field="selector",
                value=selector,
            )
        return (
            f"{selector} {{\n"
            f"  --portal-primary: {self.primary_color};\n"
            f"  --portal-on-primary: {self.text_on_primary};\n"
            f"  --portal-accent: {self.accent_color};\n"
            f"  --portal-on-accent: {self.text_on_accent};\n"
            "}"
        )
