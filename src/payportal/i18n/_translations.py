"""Translations for one customer: the locale chain, the catalogs and the merchant's wording."""

from __future__ import annotations

import difflib
import enum
import functools
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs
import babel
import babel.numbers

from payportal.exceptions import InvalidAmountError, ValidationError
from payportal.i18n._catalogs import catalog, shipped_locales
from payportal.i18n._messages import LABELS, MESSAGES, CustomerMessage, enum_key
from payportal.i18n._templates import DEFAULT_TEMPLATES, EMAIL_KINDS
from payportal.i18n._text import FORMAT_NAME, KNOWN, Text, format_names

if TYPE_CHECKING:
    from payportal.placeholders import PlaceholderRegistry, RenderContext

__all__ = [
    "DEFAULT_LOCALE",
    "EmailText",
    "TextOverrides",
    "Translations",
    "locale_chain",
    "normalise_locale",
    "translator_for",
]

DEFAULT_LOCALE: Final = "en"
"""The locale whose texts are shown when nothing in a customer's chain has them."""

# language [_Script] [_TERRITORY], then anything (a variant, ".UTF-8", "@euro") is ignored.
_LOCALE: Final = re.compile(
    r"([A-Za-z]{2,3})(?:_([A-Za-z]{4}))?(?:_([A-Za-z]{2}|[0-9]{3}))?(?=$|[_.@])"
)
_EXAMPLE_AMOUNT: Final = Decimal("1234.56")
_TEMPLATE_CONTEXT: Final = "e-mail "
# The start of an InvalidAmountError's reason -> the variant of its message for customers.
_AMOUNT_PROBLEMS: Final = (("is ambiguous", "ambiguous"), ("has more decimals", "decimals"))


def normalise_locale(locale: object) -> str | None:
    """``"de-at.UTF-8"`` -> ``"de_AT"``; None for text that names no locale (``"C"``, ``""``).

    Accepts a string or a :class:`babel.Locale`; only the language, script and territory are
    kept.

    Raises:
        ValidationError: ``locale`` is neither a string nor a babel Locale.
    """
    if isinstance(locale, babel.Locale):
        locale = str(locale)
    if not isinstance(locale, str):
        raise ValidationError("must be a locale identifier string", field="locale", value=locale)
    match = _LOCALE.match(locale.strip().replace("-", "_"))
    if match is None:
        return None
    language, script, territory = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if territory:
        parts.append(territory.upper())
    return "_".join(parts)


def locale_chain(locale: object, default: str = DEFAULT_LOCALE) -> tuple[str, ...]:
    """The locales to look a text up in, most specific first, ending with ``default``.

    >>> locale_chain("de_AT")
    ('de_AT', 'de', 'en')
    >>> locale_chain("zh-Hant-TW", default="de")
    ('zh_Hant_TW', 'zh_Hant', 'zh_TW', 'zh', 'de')
    >>> locale_chain("nonsense")
    ('en',)

    Raises:
        ValidationError: ``locale`` or ``default`` is not a string (or babel Locale), or
            ``default`` names no locale.
    """
    fallback = normalise_locale(default)
    if fallback is None:
        raise ValidationError("names no locale", field="default", value=default)
    chain: list[str] = []
    for name in (None if locale is None else normalise_locale(locale), fallback):
        if name is None:
            continue
        language, *rest = name.split("_")
        script = next((part for part in rest if len(part) == 4), None)
        territory = next((part for part in rest if len(part) != 4), None)
        candidates = [name]
        if script and territory:
            candidates += [f"{language}_{script}", f"{language}_{territory}"]
        candidates.append(language)
        chain.extend(c for c in candidates if c not in chain)
    return tuple(chain)


def _shown(key: object) -> str:
    """How a key is named in an error: its context if it has one, else its start."""
    if isinstance(key, Text) and key.context is not None:
        msgid = key.msgid if len(key.msgid) <= 30 else key.msgid[:30] + "..."
        return f"{key.context}: {msgid}"
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _text_key(key: object, where: str) -> tuple[str | None, str]:
    if isinstance(key, Text):
        found = (key.context, key.msgid)
    elif isinstance(key, str):
        found = (None, key)
    else:
        raise ValidationError("must be a Text or a text's English msgid", field=where, value=key)
    if found not in KNOWN:
        close = difflib.get_close_matches(found[1], [msgid for _, msgid in KNOWN], n=1)
        advice = f"; did you mean {close[0]!r}?" if close else ""
        context = "" if found[0] is None else f" (context {found[0]!r})"
        raise ValidationError(
            f"is not a text payportal shows{context}{advice}", field=where, value=found[1]
        )
    return found


def _check_wording(key: tuple[str | None, str], value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must be a non-empty string", field=where, value=value)
    extra = format_names(value) - format_names(key[1])
    if extra:
        raise ValidationError(
            f"uses %({min(extra)})s, which the text {key[1]!r} does not provide",
            field=where,
            value=value,
        )
    if key[0] is not None and key[0].startswith(_TEMPLATE_CONTEXT):
        # An e-mail text is a template: it must compile as the default one does.
        from payportal.placeholders import lint  # noqa: PLC0415  # placeholders imports i18n

        errors = [d for d in lint(value) if d.severity == "error"]
        if errors:
            raise ValidationError(f"is not a valid template: {errors[0]}", field=where, value=value)
    return value


class TextOverrides:
    """A merchant's own wording for any text, per locale.

    Keys are :class:`Text` objects (every label, message and e-mail text payportal has;
    :meth:`Translations.label_text` gives an enum member's) or, for texts without a context,
    their English msgid. A text overridden for ``de`` applies to ``de_AT`` customers too,
    unless ``de_AT`` has its own:

    >>> from payportal.i18n import DEFAULT_TEMPLATES, translator_for
    >>> subject = DEFAULT_TEMPLATES["invoice"].subject
    >>> ours = TextOverrides({"de": {subject: "Ihre Rechnung [Invoice.number]"}})
    >>> translator_for("de_AT", overrides=ours).text(subject)
    'Ihre Rechnung [Invoice.number]'
    >>> translator_for("fr", overrides=ours).text(subject)
    'Facture [Invoice.number] de [Company.name]'

    Overrides are values: equal when they hold the same wording, and hashable.

    Raises:
        ValidationError: a locale that names no locale, a key that is no text payportal
            shows (with the closest one), an empty wording, a wording that uses a
            ``%(name)s`` the text does not provide, or an e-mail text that is not a valid
            template (as :func:`payportal.placeholders.lint` finds).
    """

    __slots__ = ("_hash", "_texts")

    _texts: Mapping[str, Mapping[tuple[str | None, str], str]]
    _hash: int

    def __init__(self, texts: Mapping[str, Mapping[Text | str, str]] | None = None) -> None:
        if texts is None:
            texts = {}
        if not isinstance(texts, Mapping):
            raise ValidationError("must map locales to texts", field="texts", value=texts)
        collected: dict[str, dict[tuple[str | None, str], str]] = {}
        for locale, wording in texts.items():
            name = normalise_locale(locale)
            if name is None:
                raise ValidationError("names no locale", field="texts", value=locale)
            if not isinstance(wording, Mapping):
                raise ValidationError(
                    "must map texts to their wording", field=f"texts[{locale!r}]", value=wording
                )
            into = collected.setdefault(name, {})
            for key, value in wording.items():
                where = f"texts[{locale!r}][{_shown(key)!r}]"
                found = _text_key(key, where)
                into[found] = _check_wording(found, value, where)
        self._texts = {name: dict(wording) for name, wording in collected.items() if wording}
        self._hash = hash(frozenset((n, frozenset(w.items())) for n, w in self._texts.items()))

    def for_locale(self, locale: str) -> Mapping[tuple[str | None, str], str]:
        """The wording set for exactly ``locale`` (normalised), by (context, msgid)."""
        return self._texts.get(locale, {})

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales with wording of their own, sorted."""
        return tuple(sorted(self._texts))

    def with_text(self, locale: str, text: Text | str, wording: str) -> TextOverrides:
        """A copy with ``text`` worded as ``wording`` in ``locale``."""
        merged: dict[str, dict[Text | str, str]] = {
            name: {Text(msgid, context): value for (context, msgid), value in texts.items()}
            for name, texts in self._texts.items()
        }
        name = normalise_locale(locale) or locale
        merged.setdefault(name, {})[text] = wording
        return TextOverrides(merged)

    def __iter__(self) -> Iterator[tuple[str, Text, str]]:
        """(locale, text, wording) for every override, sorted by locale."""
        for name in self.locales:
            for (context, msgid), value in self._texts[name].items():
                yield name, KNOWN[(context, msgid)], value

    def __len__(self) -> int:
        return sum(len(texts) for texts in self._texts.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TextOverrides):
            return NotImplemented
        return self._texts == other._texts

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"<TextOverrides: {len(self)} texts in {', '.join(self.locales) or 'no locale'}>"


@attrs.frozen
class EmailText:
    """A default e-mail in one language: its subject and body templates, ready to render.

    Attributes:
        kind: one of :data:`EMAIL_KINDS`, such as ``"invoice"``.
        subject: the subject template text.
        body: the body template text.
        locale: the locale its values are formatted in, matching the language of the text.
    """

    kind: str
    subject: str
    body: str
    locale: str

    def render(
        self, context: RenderContext, *, registry: PlaceholderRegistry | None = None
    ) -> tuple[str, str]:
        """The (subject, body) filled from ``context``, with dates and money in :attr:`locale`.

        Raises:
            PlaceholderError: as :meth:`payportal.placeholders.Template.render` raises it,
                such as a placeholder whose object the context lacks.
        """
        from payportal.placeholders import Template  # noqa: PLC0415  # it imports i18n

        subject = Template.compile(self.subject, registry=registry)
        body = Template.compile(self.body, registry=registry)
        return (
            subject.render(context, locale=self.locale),
            body.render(context, locale=self.locale),
        )


def _babel_knows(locale: str) -> bool:
    try:
        babel.Locale.parse(locale)
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return False
    return True


class Translations:
    """The texts one customer sees, in their language.

    Build it with :func:`translator_for`. A text is looked up along :attr:`chain`
    (``de_AT``, ``de``, ``en``): in each locale, the merchant's wording first, then
    payportal's catalog; if no locale has it, the English source is shown.
    """

    __slots__ = ("_labels", "_layers", "chain", "format_locale", "language", "locale", "overrides")

    locale: str
    """The customer's locale as asked for, normalised (``"de_AT"``), or the default."""
    chain: tuple[str, ...]
    """The locales texts are looked up in, in order."""
    language: str
    """The first locale of the chain with texts of its own: the language shown."""
    format_locale: str
    """Where money, dates and numbers are formatted: :attr:`locale` if it is in
    :attr:`language` (``de_AT`` for ``de``), else :attr:`language`, so a text is never in
    one language with dates in another."""
    overrides: TextOverrides

    def __init__(self, chain: tuple[str, ...], overrides: TextOverrides) -> None:
        self.chain = chain
        self.locale = chain[0]
        # Labels are asked for over and over (every row of a document list): kept per member.
        self._labels: dict[enum.Enum, str] = {}
        self.overrides = overrides
        self._layers = tuple(
            layer
            for name in chain
            for layer in (overrides.for_locale(name), catalog(name))
            if layer
        )
        shipped = shipped_locales()
        self.language = next(
            (n for n in chain if n in shipped or overrides.for_locale(n)), chain[-1]
        )
        same_language = self.locale.split("_")[0] == self.language.split("_")[0]
        chosen = self.locale if same_language else self.language
        self.format_locale = chosen if _babel_knows(chosen) else DEFAULT_LOCALE

    def __repr__(self) -> str:
        return f"<Translations {self.locale}: {' -> '.join(self.chain)}>"

    def _lookup(self, context: str | None, msgid: str) -> str:
        key = (context, msgid)
        for layer in self._layers:
            found = layer.get(key)
            if found is not None:
                return found
        return msgid

    def gettext(self, msgid: str) -> str:
        """The translation of a context-free text, or ``msgid`` itself."""
        return self._lookup(None, msgid)

    def pgettext(self, context: str, msgid: str) -> str:
        """The translation of ``msgid`` within ``context``, or ``msgid`` itself."""
        return self._lookup(context, msgid)

    def text(self, text: Text | str, /, **values: object) -> str:
        """``text`` translated, with its ``%(name)s`` filled from ``values``.

        Raises:
            ValidationError: a ``%(name)s`` of the text has no value.
        """
        if isinstance(text, Text):
            translated = self._lookup(text.context, text.msgid)
        else:
            translated = self._lookup(None, text)
        if "%(" not in translated:
            return translated

        def fill(match: re.Match[str]) -> str:
            name = match[1]
            if name not in values:
                raise ValidationError(
                    f"needs a value for %({name})s", field="values", value=sorted(values)
                )
            return str(values[name])

        return FORMAT_NAME.sub(fill, translated)

    @staticmethod
    def label_text(member: enum.Enum) -> Text | None:
        """The :class:`Text` of an enum member's label (for :class:`TextOverrides`), if any."""
        kind = type(member)
        return LABELS.get(enum_key(kind.__module__, kind.__qualname__, member.value))

    def label(self, member: enum.Enum) -> str:
        """The label of an enum member customers see: ``Action.PAY`` -> ``"Bezahlen"``.

        Members of enums payportal has no labels for show their value.
        """
        found = self._labels.get(member)
        if found is None:
            text = self.label_text(member)
            found = str(member.value) if text is None else self.text(text)
            self._labels[member] = found
        return found

    def message(self, error: BaseException) -> CustomerMessage:
        """What to tell a customer about ``error``: a heading and what to do next.

        Never the error's own message, which is written for developers and may name
        internal ids: the text follows the error's class (``ExpiredLinkError``...), and any
        error payportal has no text for gets a general one.
        """
        for kind in type(error).__mro__:
            texts = MESSAGES.get(kind.__name__)
            if texts is not None:
                break
        else:
            texts = MESSAGES["PayportalError"]
        values = {
            "example": babel.numbers.format_decimal(_EXAMPLE_AMOUNT, locale=self.format_locale)
        }
        if isinstance(error, InvalidAmountError):
            # parse_money says why in its reason; the variants are pinned by tests/i18n.
            for start, variant in _AMOUNT_PROBLEMS:
                if error.reason.startswith(start):
                    texts = MESSAGES[f"InvalidAmountError:{variant}"]
                    values["amount"] = str(error.value)[:40]
                    break
        return CustomerMessage(
            title=self.text(texts.title), detail=self.text(texts.detail, **values)
        )

    def email(self, kind: str | enum.Enum) -> EmailText:
        """The default e-mail of ``kind`` (``"invoice"``, ``DocumentType.INVOICE``,
        ``"top_up_request"``) in this language, with the merchant's wording if set.

        Raises:
            ValidationError: ``kind`` is not one of :data:`EMAIL_KINDS`.
        """
        name = kind.value if isinstance(kind, enum.Enum) else kind
        template = DEFAULT_TEMPLATES.get(name) if isinstance(name, str) else None
        if template is None:
            raise ValidationError(
                f"is not a kind of e-mail (known: {', '.join(EMAIL_KINDS)})",
                field="kind",
                value=kind,
            )
        return EmailText(
            kind=name,
            subject=self.text(template.subject),
            body=self.text(template.body),
            locale=self.format_locale,
        )


_NO_OVERRIDES: Final = TextOverrides()


def translator_for(
    locale: object,
    *,
    overrides: TextOverrides | None = None,
    default: str = DEFAULT_LOCALE,
) -> Translations:
    """The translations for a customer's ``locale`` (``"de_AT"``, ``"fr-CH"``, a babel Locale).

    >>> from payportal.portal import Action
    >>> translator_for("de_AT").label(Action.PAY)
    'Bezahlen'
    >>> translator_for("xx_YY").label(Action.PAY)
    'Pay'

    Args:
        locale: the customer's locale; None, or text that names no locale, means ``default``.
            A locale payportal has no catalog for falls back along :func:`locale_chain`.
        overrides: the merchant's own wording, per locale.
        default: the locale shown when the customer's has no texts.

    Returns:
        A :class:`Translations`, shared between calls with the same arguments.

    Raises:
        ValidationError: ``locale`` is not a string, babel Locale or None; ``overrides`` is
            not a :class:`TextOverrides`; ``default`` names no locale.
    """
    if overrides is None:
        overrides = _NO_OVERRIDES
    elif not isinstance(overrides, TextOverrides):
        raise ValidationError("must be TextOverrides", field="overrides", value=overrides)
    if isinstance(locale, babel.Locale):
        locale = str(locale)
    if (locale is None or isinstance(locale, str)) and isinstance(default, str):
        # The same customer locales come back all the time: skip parsing them again.
        return _by_arguments(locale, overrides, default)
    return _translator(locale_chain(locale, default), overrides)


@functools.lru_cache(maxsize=1024)
def _by_arguments(locale: str | None, overrides: TextOverrides, default: str) -> Translations:
    return _translator(locale_chain(locale, default), overrides)


@functools.lru_cache(maxsize=512)
def _translator(chain: tuple[str, ...], overrides: TextOverrides) -> Translations:
    return Translations(chain, overrides)
