"""The merchant's wording and default language live in PortalSettings."""

from __future__ import annotations

import pytest

from payportal.customers import Customer
from payportal.exceptions import ValidationError
from payportal.i18n import DEFAULT_TEMPLATES, TextOverrides, Translations
from payportal.portal import Action, PortalSettings

PAY = Translations.label_text(Action.PAY)
assert PAY is not None
ERIKA = Customer(id="c-1", number="K-1", name="Erika", locale="de_AT")
LUCA = Customer(id="c-2", number="K-2", name="Luca", locale="it_IT")


def test_settings_translate_for_a_customer_with_the_merchants_wording() -> None:
    settings = PortalSettings.default().with_texts("de", {PAY: "Jetzt bezahlen"})
    assert settings.translations(ERIKA).label(Action.PAY) == "Jetzt bezahlen"
    assert settings.translations("fr_FR").label(Action.PAY) == "Payer"
    assert settings.translations(None).label(Action.PAY) == "Pay"
    assert PortalSettings.default().translations(ERIKA).label(Action.PAY) == "Bezahlen"


def test_the_default_language_is_a_setting() -> None:
    english = PortalSettings.default()
    german = PortalSettings(document_actions={}, default_locale="de")
    assert english.translations(LUCA).label(Action.PAY) == "Pay"
    assert german.translations(LUCA).label(Action.PAY) == "Bezahlen"
    assert german.translations(LUCA).email("invoice").subject.startswith("Rechnung")


def test_with_texts_adds_to_what_is_set() -> None:
    subject = DEFAULT_TEMPLATES["offer"].subject
    settings = (
        PortalSettings.default()
        .with_texts("de", {PAY: "Zahlen"})
        .with_texts("de", {subject: "Ihr Angebot [Offer.number]"})
    )
    assert settings.texts == TextOverrides(
        {"de": {PAY: "Zahlen", subject: "Ihr Angebot [Offer.number]"}}
    )
    assert settings.translations(ERIKA).email("offer").subject == "Ihr Angebot [Offer.number]"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"texts": {"de": {}}}, "texts"),
        ({"default_locale": "no locale"}, "default_locale"),
        ({"default_locale": 7}, "default_locale"),
    ],
)
def test_malformed_text_settings_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PortalSettings(document_actions={}, **changes)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_wording_for_an_unknown_text_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match="did you mean"):
        PortalSettings.default().with_texts("de", {"This link has expird": "Abgelaufen"})
