"""Translations: the locale chain, labels, messages for customers and merchant wording."""

from __future__ import annotations

import enum
import importlib

import babel
import babel.numbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import parse_money
from payportal.accounts import ComponentKind, EntryKind, TopUpMethod
from payportal.arrangements import HoldKind, HoldState, PlanState
from payportal.booking import IntentStatus
from payportal.customers import MasterDataField, MasterDataGroup
from payportal.documents import CommentAuthor, DocumentType, OfferStatus, PaymentState
from payportal.exceptions import (
    AccessDeniedError,
    BadSignatureError,
    ExpiredLinkError,
    InvalidAmountError,
    InvalidLinkError,
    OutcomeUnknownError,
    PaymentDeclinedError,
    RevokedLinkError,
    ValidationError,
)
from payportal.i18n import (
    DEFAULT_TEMPLATES,
    LABELLED_ENUMS,
    N_,
    Text,
    TextOverrides,
    Translations,
    locale_chain,
    normalise_locale,
    translator_for,
)
from payportal.i18n._catalogs import catalog
from payportal.i18n._text import KNOWN
from payportal.mandates import MandateState, Scheme
from payportal.portal import Action
from payportal.providers import PaymentStatus

PAY = Translations.label_text(Action.PAY)
assert PAY is not None


@pytest.mark.parametrize(
    ("given_locale", "normalised"),
    [
        ("de_AT", "de_AT"),
        ("de-at", "de_AT"),
        ("de_AT.UTF-8", "de_AT"),
        ("fr_FR@euro", "fr_FR"),
        ("FR", "fr"),
        ("zh-hant-tw", "zh_Hant_TW"),
        ("es_419", "es_419"),
        (babel.Locale("en", "IE"), "en_IE"),
        ("", None),
        ("C", None),
        ("english", None),
    ],
)
def test_locales_are_normalised(given_locale: object, normalised: str | None) -> None:
    assert normalise_locale(given_locale) == normalised


def test_a_locale_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="locale"):
        translator_for(42)


@pytest.mark.parametrize(
    ("given_locale", "chain"),
    [
        ("de_AT", ("de_AT", "de", "en")),
        ("de", ("de", "en")),
        ("en_GB", ("en_GB", "en")),
        (None, ("en",)),
        ("??", ("en",)),
    ],
)
def test_the_chain_goes_from_the_territory_to_the_language_to_the_default(
    given_locale: str | None, chain: tuple[str, ...]
) -> None:
    assert locale_chain(given_locale) == chain
    assert translator_for(given_locale).chain == chain


def test_the_default_can_be_the_merchants_language() -> None:
    de = translator_for("it_IT", default="de")
    assert de.chain == ("it_IT", "it", "de")
    assert de.language == "de"
    assert de.label(Action.PAY) == "Bezahlen"
    # Text in German: values are formatted in German too, never Italian dates in German text.
    assert de.format_locale == "de"


def test_format_locale_keeps_the_customers_territory_in_the_same_language() -> None:
    assert translator_for("de_CH").format_locale == "de_CH"
    assert translator_for("fr_BE").format_locale == "fr_BE"
    assert translator_for("it_IT").format_locale == "en"


def test_a_territory_falls_back_to_its_language() -> None:
    assert translator_for("de_AT").label(Action.PAY) == "Bezahlen"
    assert translator_for("fr_CA").label(Action.PAY) == "Payer"
    assert translator_for("en_IE").label(Action.PAY) == "Pay"


def test_contexts_keep_equal_english_words_apart() -> None:
    de, fr = translator_for("de"), translator_for("fr")
    assert de.label(PaymentState.CANCELLED) == "Storniert"
    assert de.label(PaymentStatus.CANCELLED) == "Abgebrochen"
    assert fr.label(PaymentState.PAID) == "Payée"  # une facture
    assert fr.label(PaymentStatus.PAID) == "Payé"  # un paiement


LABELLED = [getattr(importlib.import_module(module), name) for module, name in LABELLED_ENUMS]


def test_labelled_enums_are_the_ones_customers_see() -> None:
    assert [
        Action,
        DocumentType,
        PaymentState,
        OfferStatus,
        PaymentStatus,
        IntentStatus,
        MasterDataField,
        MasterDataGroup,
        TopUpMethod,
        EntryKind,
        ComponentKind,
        CommentAuthor,
        Scheme,
        MandateState,
        HoldKind,
        HoldState,
        PlanState,
    ] == LABELLED


@pytest.mark.parametrize("kind", LABELLED, ids=lambda kind: kind.__name__)
def test_every_member_of_a_labelled_enum_has_a_label_in_every_language(
    kind: type[enum.Enum],
) -> None:
    for member in kind:
        assert Translations.label_text(member) is not None, member
        labels = {name: translator_for(name).label(member) for name in ("de", "en", "fr")}
        assert all(labels.values()), member
        assert str(member.value) not in labels.values() or member.value == "name", member


def test_an_enum_without_labels_shows_its_value() -> None:
    class Colour(enum.Enum):
        RED = "red"

    assert Translations.label_text(Colour.RED) is None
    assert translator_for("de").label(Colour.RED) == "red"


@pytest.mark.parametrize(
    ("error", "locale", "title"),
    [
        (ExpiredLinkError("expired at 12:00"), "de", "Dieser Link ist abgelaufen"),
        (RevokedLinkError("version 3 < 4"), "fr", "Ce lien a été remplacé"),
        (BadSignatureError("bad signature"), "de", "Dieser Link ist ungültig"),
        (InvalidLinkError("junk"), "en", "This link is not valid"),
        (
            AccessDeniedError("customer 'c-1' may not pay"),
            "de",
            "Diese Funktion steht Ihnen nicht zur Verfügung",
        ),
        (PaymentDeclinedError("declined", provider="paypal"), "fr", "Le paiement a été refusé"),
        (
            OutcomeUnknownError("lost", provider="paypal"),
            "de",
            "Wir konnten Ihre Zahlung noch nicht bestätigen",
        ),
        (KeyError("internal"), "de", "Es ist ein Fehler aufgetreten"),
    ],
)
def test_errors_become_messages_for_customers(
    error: BaseException, locale: str, title: str
) -> None:
    message = translator_for(locale).message(error)
    assert message.title == title
    assert message.detail
    # The developer's message (ids, versions, provider codes) never reaches the customer.
    assert str(error).strip("'") not in message.detail


def test_the_amount_message_shows_an_example_in_the_customers_notation() -> None:
    error = InvalidAmountError("must be a number", field="amount", value="4,81,07")
    assert "1.234,56" in translator_for("de_DE").message(error).detail
    assert "1,234.56" in translator_for("en").message(error).detail
    # The French and Swiss grouping glyphs are CLDR's, which changes them between releases.
    for locale, decimal in (("fr_FR", ","), ("de_CH", ".")):
        group = babel.numbers.get_group_symbol(locale)
        assert f"1{group}234{decimal}56" in translator_for(locale).message(error).detail


def _refusal(text: str, locale: str = "de_DE") -> InvalidAmountError:
    with pytest.raises(InvalidAmountError) as raised:
        parse_money(text, "EUR", locale)
    return raised.value


@pytest.mark.parametrize(
    ("typed", "locale", "detail"),
    [
        (
            "481.07",
            "de_DE",
            "Geben Sie den Betrag so ein, wie Sie ihn schreiben würden, zum Beispiel 1.234,56.",
        ),
        (
            "1.234",
            "de_DE",
            (
                "1.234 lässt sich als zwei verschiedene Beträge lesen. Bitte geben Sie den Betrag "
                "mit Nachkommastellen ein, zum Beispiel 1.234,56."
            ),
        ),
        ("10,001", "fr_FR", "Le montant comporte plus de décimales que sa devise n'en permet."),
        (
            "1,234",
            "en_IE",
            (
                "1,234 can be read as two different amounts. Please enter it with its "
                "decimals, for example 1,234.56."
            ),
        ),
    ],
)
def test_parse_moneys_refusals_get_their_own_message(typed: str, locale: str, detail: str) -> None:
    # parse_money's reasons are English for developers; the customer reads why in their
    # language. Pinned here: a reworded reason in payportal._money fails this test.
    message = translator_for(locale).message(_refusal(typed, locale))
    assert message.detail == detail
    assert message.title in {
        "Bitte prüfen Sie den Betrag",
        "Veuillez vérifier le montant",
        "Please check the amount",
    }


def test_text_fills_its_values_and_names_a_missing_one() -> None:
    amount = Text(
        "Enter the amount as you would write it, for example %(example)s.", "error detail"
    )
    assert translator_for("de").text(amount, example="12,50").endswith("zum Beispiel 12,50.")
    with pytest.raises(ValidationError, match=r"%\(example\)s"):
        translator_for("de").text(amount)


# --- the merchant's wording ----------------------------------------------------------------


def test_override_for_the_territory_beats_the_language_which_beats_the_catalog() -> None:
    overrides = TextOverrides({"de": {PAY: "Jetzt bezahlen"}, "de_AT": {PAY: "Jetzt zahlen"}})
    assert translator_for("de_AT", overrides=overrides).label(Action.PAY) == "Jetzt zahlen"
    assert translator_for("de_DE", overrides=overrides).label(Action.PAY) == "Jetzt bezahlen"
    assert translator_for("fr", overrides=overrides).label(Action.PAY) == "Payer"
    assert translator_for("de_AT").label(Action.PAY) == "Bezahlen"


def test_override_in_a_language_payportal_does_not_ship() -> None:
    overrides = TextOverrides({"it": {PAY: "Paga"}})
    italian = translator_for("it_IT", overrides=overrides)
    assert italian.label(Action.PAY) == "Paga"
    assert italian.language == "it"
    assert italian.format_locale == "it_IT"
    # Texts the merchant did not translate fall back to the default.
    assert italian.label(Action.VIEW) == "View"


def test_a_context_free_text_can_be_named_by_its_msgid(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every text payportal ships has a context; an app's N_ texts need none. (The register
    # is restored afterwards: the catalog tests compare it with the extracted texts.)
    monkeypatch.setitem(KNOWN, (None, "Your portal"), Text("Your portal"))
    own = N_("Your portal")
    overrides = TextOverrides({"de": {"Your portal": "Ihr Portal"}})
    assert translator_for("de", overrides=overrides).text(own) == "Ihr Portal"
    assert translator_for("de").text(own) == "Your portal"


def test_an_unknown_text_is_refused_with_the_closest_one() -> None:
    with pytest.raises(ValidationError, match="did you mean 'This link has expired'"):
        TextOverrides({"de": {"This link has expird": "Abgelaufen"}})
    with pytest.raises(ValidationError, match="not a text payportal shows"):
        TextOverrides({"de": {Text("Pay", "wrong context"): "Zahlen"}})


def test_wording_may_not_use_values_the_text_does_not_provide() -> None:
    detail = Text("Please contact us if you think this is a mistake.", "error detail")
    with pytest.raises(ValidationError, match=r"%\(phone\)s"):
        TextOverrides({"de": {detail: "Rufen Sie uns an: %(phone)s"}})


def test_an_email_override_must_be_a_valid_template() -> None:
    subject = DEFAULT_TEMPLATES["invoice"].subject
    with pytest.raises(ValidationError, match=r"not a valid template.*unknown-field"):
        TextOverrides({"de": {subject: "Rechnung [Invoice.numbr]"}})
    assert TextOverrides({"de": {subject: "Rechnung [Invoice.number]"}})


@pytest.mark.parametrize(
    "texts",
    [
        {"??": {PAY: "x"}},
        {"de": "Bezahlen"},
        {"de": {PAY: ""}},
        {"de": {PAY: 42}},
        {"de": {42: "x"}},
    ],
)
def test_malformed_overrides_are_refused(texts: object) -> None:
    with pytest.raises(ValidationError):
        TextOverrides(texts)  # type: ignore[arg-type]


def test_overrides_are_values() -> None:
    one = TextOverrides({"de-AT": {PAY: "Zahlen"}})
    same = TextOverrides().with_text("de_AT", PAY, "Zahlen")
    assert one == same
    assert hash(one) == hash(same)
    assert one != TextOverrides({"de": {PAY: "Zahlen"}})
    assert list(one) == [("de_AT", PAY, "Zahlen")]
    assert len(one) == 1
    assert one.locales == ("de_AT",)
    # Equal overrides share the cached translations.
    assert translator_for("de_AT", overrides=one) is translator_for("de_AT", overrides=same)


def test_overrides_must_be_text_overrides() -> None:
    with pytest.raises(ValidationError, match="TextOverrides"):
        translator_for("de", overrides={"de": {}})  # type: ignore[arg-type]


# --- any locale string ---------------------------------------------------------------------

_english = translator_for(None)
_LOCALE_LIKE = st.from_regex(
    r"[A-Za-z]{1,4}([_-][A-Za-z0-9]{1,8}){0,3}([.@][A-Za-z0-9-]{0,8})?", fullmatch=True
)


@given(st.one_of(st.text(max_size=40), _LOCALE_LIKE))
def test_any_locale_text_gives_translations_and_never_raises(text: str) -> None:
    translations = translator_for(text)
    assert translations.chain[-1] == "en"
    assert translations.label(Action.PAY)
    message = translations.message(ExpiredLinkError("x"))
    assert message.title
    if translations.language == "en":
        # Unknown languages see the default's texts, formatted in the default's way.
        assert translations.label(Action.PAY) == _english.label(Action.PAY)
        assert message == _english.message(ExpiredLinkError("x"))
    else:
        assert translations.language in {"de", "fr"}


@given(st.text(max_size=40))
def test_any_locale_text_renders_every_default_email(text: str) -> None:
    translations = translator_for(text)
    for kind in DEFAULT_TEMPLATES:
        email = translations.email(kind)
        assert email.subject
        assert email.body
        babel.Locale.parse(email.locale)  # always a locale babel can format in


_LABEL_TEXTS = [text for text in (Translations.label_text(m) for m in Action) if text]


@given(
    st.dictionaries(
        st.sampled_from(["de_AT", "de", "en", "fr"]),
        st.dictionaries(st.sampled_from(_LABEL_TEXTS), st.text(min_size=1).filter(str.strip)),
    ),
    st.sampled_from(["de_AT", "de_DE", "de", "fr_CA", "en", "it"]),
)
def test_the_most_specific_locale_with_the_text_wins_the_merchants_wording_first(
    texts: dict[str, dict[Text, str]], locale: str
) -> None:
    translations = translator_for(locale, overrides=TextOverrides(texts))
    for member in Action:
        text = Translations.label_text(member)
        assert text is not None
        expected = text.msgid
        for name in translations.chain:
            found = texts.get(name, {}).get(text) or catalog(name).get((text.context, text.msgid))
            if found is not None:
                expected = found
                break
        assert translations.label(member) == expected
