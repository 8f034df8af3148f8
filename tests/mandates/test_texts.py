"""The mandate texts: every scheme and language, with the three fields filled."""

from __future__ import annotations

import string

import pytest

from payportal import ValidationError
from payportal.mandates import (
    MANDATE_TEXTS,
    PRE_NOTIFICATION_TEXTS,
    Scheme,
    mandate_text,
    pre_notification_text,
)

FIELDS = {"creditor_name", "creditor_id", "mandate_reference"}


@pytest.mark.parametrize("key", sorted(MANDATE_TEXTS, key=lambda k: (k[0].value, k[1])))
def test_each_text_has_exactly_the_three_fields(key: tuple[Scheme, str]) -> None:
    names = {name for _, name, _, _ in string.Formatter().parse(MANDATE_TEXTS[key]) if name}
    assert names == FIELDS


def test_there_is_a_text_per_scheme_in_german_english_and_french() -> None:
    assert set(MANDATE_TEXTS) == {(s, lang) for s in Scheme for lang in ("de", "en", "fr")}


def test_core_texts_promise_the_refund_and_b2b_texts_deny_it() -> None:
    assert "acht Wochen" in MANDATE_TEXTS[Scheme.CORE, "de"]
    assert "eight weeks" in MANDATE_TEXTS[Scheme.CORE, "en"]
    assert "not entitled to a refund" in MANDATE_TEXTS[Scheme.B2B, "en"]
    assert "nicht berechtigt" in MANDATE_TEXTS[Scheme.B2B, "de"]


def test_the_filled_text_names_creditor_id_and_reference() -> None:
    text = mandate_text(
        Scheme.CORE,
        "de",
        creditor_name="Muster {GmbH}",
        creditor_id="DE98ZZZ09999999999",
        mandate_reference="M-1",
    )
    assert "Ich ermächtige Muster {GmbH}, Zahlungen" in text
    assert "Gläubiger-Identifikationsnummer: DE98ZZZ09999999999" in text
    assert "Mandatsreferenz: M-1" in text


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        mandate_text(Scheme.CORE, "it", creditor_name="", creditor_id="", mandate_reference="")
    assert caught.value.field == "language"


@pytest.mark.parametrize("language", ["de", "en", "fr"])
def test_each_pre_notification_names_amount_date_account_and_mandate(language: str) -> None:
    template = PRE_NOTIFICATION_TEXTS[language]
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    assert names == FIELDS | {"amount", "due_date", "iban"}
    text = pre_notification_text(
        language,
        creditor_name="Muster GmbH",
        creditor_id="DE98ZZZ09999999999",
        mandate_reference="M-1",
        amount="49,90 €",
        due_date="17.03.2025",
        iban="DE89 **** **** **** **30 00",
    )
    for shown in ("Muster GmbH", "DE98ZZZ09999999999", "M-1", "49,90 €", "17.03.2025", "**30 00"):
        assert shown in text


def test_a_pre_notification_in_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError):
        pre_notification_text(
            "nl",
            creditor_name="",
            creditor_id="",
            mandate_reference="",
            amount="",
            due_date="",
            iban="",
        )
