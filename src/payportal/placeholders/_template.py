"""Compiled templates: parse and resolve once, render many times."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from html import escape as html_escape
from typing import TYPE_CHECKING, Final, Literal

import attrs

from payportal._validators import url_problem
from payportal.exceptions import (
    MissingContextError,
    PlaceholderError,
    TemplateSyntaxError,
    UnknownPlaceholderError,
    ValidationError,
)
from payportal.i18n import translator_for
from payportal.placeholders._context import RenderContext
from payportal.placeholders._format import LocaleFormats, expected_types, formats_for, formatter
from payportal.placeholders._images import qr_image
from payportal.placeholders._markup import html_contexts, unsafe_use
from payportal.placeholders._parser import Positions, Tag, Unclosed, scan
from payportal.placeholders._registry import DEFAULT, PlaceholderField, PlaceholderRegistry, Problem

if TYPE_CHECKING:
    import babel

__all__ = ["Escape", "Mode", "Placeholder", "Template"]

Escape = Literal["text", "html"]
Mode = Literal["strict", "keep", "blank"]
_ESCAPES: Final = ("text", "html")
_MODES: Final = ("strict", "keep", "blank")

# Fills one placeholder: (the object it belongs to, the context, the locale's formats).
_Fill = Callable[[object, RenderContext, LocaleFormats], str]


@attrs.frozen
class Placeholder:
    """One placeholder a template uses, where it is written.

    Attributes:
        token: the text between the brackets, such as ``"Invoice.due_on:long"``.
        object: ``"Invoice"``.
        field: ``"due_on"``.
        hint: the format hint after the colon (``"long"``), or None.
        line: 1-based line of the opening bracket.
        column: 1-based column (in characters) of the opening bracket.
    """

    token: str
    object: str
    field: str
    hint: str | None
    line: int
    column: int

    def __str__(self) -> str:
        return f"[{self.token}]"


class Template:
    """A compiled template: literal text with placeholders resolved to their getters.

    >>> from payportal.customers import Customer
    >>> from payportal.placeholders import RenderContext, Template
    >>> template = Template.compile("Dear [Client.name], [draft] stays as written.")
    >>> template.render(RenderContext(customer=Customer(id="7", number="K-7", name="Ada")))
    'Dear Ada, [draft] stays as written.'

    Build templates with :meth:`compile`; they are immutable and safe to share between
    threads.
    """

    __slots__ = ("_parts", "_slots", "escape", "mode", "placeholders", "text")

    text: str
    """The template text as given."""
    escape: Escape
    """``"html"`` if every value is HTML-escaped, else ``"text"``."""
    mode: Mode
    """What happens to unknown placeholders and objects missing from the context."""
    placeholders: tuple[Placeholder, ...]
    """Every placeholder the template renders, in order of appearance."""
    # Literal chunks with an empty string where each placeholder goes, and per placeholder
    # (index in _parts, object name, fill function, placeholder).
    _parts: list[str]
    _slots: tuple[tuple[int, str, _Fill, Placeholder], ...]

    def __init__(self) -> None:
        raise TypeError("build templates with Template.compile(text)")

    @classmethod
    def compile(
        cls,
        text: str,
        *,
        registry: PlaceholderRegistry | None = None,
        escape: Escape = "text",
        mode: Mode = "strict",
    ) -> Template:
        """Parse ``text`` and resolve its placeholders against ``registry``.

        Args:
            text: the template, such as ``"Hello [Client.name]"``. ``[[Client.name]]``
                writes the literal text ``[Client.name]``; other bracketed text stays.
            registry: the allowed objects and fields; payportal's built-in ones if None.
            escape: ``"html"`` escapes every value (``< > & " '``), so customer data can
                never become markup; ``"text"`` leaves values as they are.
            mode: ``"strict"`` raises on unknown placeholders here and on objects missing
                from the context when rendering; ``"keep"`` leaves such placeholders in the
                output as written; ``"blank"`` drops them.

        Returns:
            The compiled template.

        Raises:
            UnknownPlaceholderError: (strict) an unknown object, field or format hint; the
                message names the token, its line and column and a close name if any.
            TemplateSyntaxError: (strict) a placeholder of a known object whose closing
                ``]`` is missing, as in ``[Invoice.number is due``.
            PlaceholderError: (html, in every mode) a placeholder stands where escaping
                cannot make a value safe: a field that is not of the url kind at the start
                of a URL attribute (``href``, ``src``, ``action``, ``formaction``...), any
                field in an event handler attribute (``onclick``), inside ``<script>`` or
                ``<style>``, or in a tag outside a quoted attribute value.
            ValidationError: ``text``, ``escape``, ``mode`` or ``registry`` is of the wrong
                kind.
        """
        if not isinstance(text, str):
            raise ValidationError("must be a string", field="text", value=text)
        if escape not in _ESCAPES:
            raise ValidationError("must be 'text' or 'html'", field="escape", value=escape)
        if mode not in _MODES:
            raise ValidationError("must be 'strict', 'keep' or 'blank'", field="mode", value=mode)
        if registry is None:
            registry = DEFAULT
        elif not isinstance(registry, PlaceholderRegistry):
            raise ValidationError("must be a PlaceholderRegistry", field="registry", value=registry)
        html = escape == "html"
        positions = Positions(text)
        parts: list[str] = []
        slots: list[tuple[int, str, _Fill, Placeholder]] = []
        # (offset, field, placeholder) of every placeholder, in order of appearance.
        uses: list[tuple[int, PlaceholderField, Placeholder]] = []

        def literal(piece: str) -> None:
            # Merge neighbouring literals so the render loop joins as few parts as possible.
            last_is_slot = bool(slots) and slots[-1][0] == len(parts) - 1
            if parts and not last_is_slot:
                parts[-1] += piece
            else:
                parts.append(piece)

        for segment in scan(text):
            if isinstance(segment, str):
                literal(segment)
            elif isinstance(segment, Unclosed):
                if mode == "strict" and segment.object in registry.objects:
                    line, column = positions(segment.expected_at)
                    raise TemplateSyntaxError(
                        f'expected "]" to close the placeholder [{segment.token} that starts '
                        f"at column {positions(segment.start)[1]}",
                        token=segment.token,
                        line=line,
                        column=column,
                    )
                literal(f"[{segment.token}")
            else:
                line, column = positions(segment.start)
                found = registry.check(
                    segment.object, segment.field, segment.hint, suggest=mode == "strict"
                )
                if isinstance(found, Problem):
                    if mode == "strict":
                        raise UnknownPlaceholderError(
                            found.message,
                            token=segment.token,
                            line=line,
                            column=column,
                            suggestion=found.suggestion,
                        )
                    if mode == "keep":
                        literal(f"[{segment.token}]")
                    continue
                placeholder = _placeholder(segment, line, column)
                uses.append((segment.start, found, placeholder))
                slots.append(
                    (
                        len(parts),
                        found.object,  # an alias (Confirmation) fills from its object
                        _fill(found, segment.hint, html, placeholder),
                        placeholder,
                    )
                )
                parts.append("")
        _check_markup(text, uses, html=html)
        template = object.__new__(cls)
        template.text = text
        template.escape = escape
        template.mode = mode
        template.placeholders = tuple(placeholder for _, _, placeholder in uses)
        template._parts = parts
        template._slots = tuple(slots)
        return template

    @property
    def objects(self) -> frozenset[str]:
        """The object names the template's placeholders need from the context, as the
        context names them (``OrderConfirmation`` for ``[Confirmation.…]``)."""
        return frozenset(name for _, name, _, _ in self._slots)

    def render(self, context: RenderContext, *, locale: str | babel.Locale | None = None) -> str:
        """Fill the placeholders from ``context``.

        Args:
            context: the customer, documents, company, payment and link signer.
            locale: the locale for money, dates and numbers, such as ``"de_DE"``;
                defaults to the context's locale, else the customer's.

        Returns:
            The text, with values escaped if the template was compiled with
            ``escape="html"``. Fields whose value is absent (an invoice without a due
            date) render as nothing.

        Raises:
            MissingContextError: (strict) a placeholder's object is not in the context, or
                a link placeholder is used without ``urls``; names the token, line, column.
            PlaceholderError: an app's getter returned a value of the wrong type, or a url
                field's value is not a safe URL (only ``https``, ``http``, ``mailto`` and
                ``tel``, however a browser reads it).
            ValidationError: ``locale`` names no known locale, or ``context`` is not a
                :class:`RenderContext`.
        """
        if not isinstance(context, RenderContext):
            raise ValidationError("must be a RenderContext", field="context", value=context)
        formats = formats_for(str(locale) if locale is not None else context.default_locale)
        objects = context._by_name
        parts = self._parts.copy()
        for index, name, fill, placeholder in self._slots:
            target = objects.get(name)
            try:
                if target is None:
                    raise MissingContextError(
                        f"the render context has no {name}", token=placeholder.token
                    )
                parts[index] = fill(target, context, formats)
            except MissingContextError as missing:
                parts[index] = self._unavailable(placeholder, missing)
        return "".join(parts)

    def _unavailable(self, placeholder: Placeholder, missing: MissingContextError) -> str:
        if self.mode == "keep":
            return str(placeholder)
        if self.mode == "blank":
            return ""
        reason = str(missing)
        raise MissingContextError(
            f"{placeholder} cannot be rendered: {reason}",
            token=placeholder.token,
            line=placeholder.line,
            column=placeholder.column,
        ) from None

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return (
            f"<Template {shown!r}: {len(self.placeholders)} placeholders, "
            f"escape={self.escape!r}, mode={self.mode!r}>"
        )


def _check_markup(
    text: str, uses: list[tuple[int, PlaceholderField, Placeholder]], *, html: bool
) -> None:
    """In HTML, refuse a placeholder where escaping does not make its value harmless."""
    if not html or "<" not in text:
        return
    wheres = html_contexts(text, [offset for offset, _, _ in uses])
    for where, (_, field, placeholder) in zip(wheres, uses, strict=True):
        problem = unsafe_use(where, field.kind, str(placeholder), placeholder.hint)
        if problem is not None:
            raise PlaceholderError(
                problem[1],
                token=placeholder.token,
                line=placeholder.line,
                column=placeholder.column,
            )


def _placeholder(tag: Tag, line: int, column: int) -> Placeholder:
    return Placeholder(tag.token, tag.object, tag.field, tag.hint, line, column)


def _fill(field: PlaceholderField, hint: str | None, html: bool, placeholder: Placeholder) -> _Fill:
    """The function that renders one placeholder; decisions are taken here, once."""
    getter = field.getter
    with_context = field.with_context
    to_text = formatter(field.kind, hint)
    expected = expected_types(field.kind)
    line_breaks = html and field.kind in ("multiline", "list")
    is_url = field.kind == "url"
    # Labels follow the merchant's wording (RenderContext.texts) where it has some.
    is_label = field.kind in ("label", "auto")
    qr_hint = (hint or ("svg" if html else "data_uri")) if field.kind == "qr" else None

    def fill(target: object, context: RenderContext, formats: LocaleFormats) -> str:
        value = getter(target, context) if with_context else getter(target)
        if value is None:
            return ""
        if expected is not None and not isinstance(value, expected):
            raise PlaceholderError(
                f"{placeholder} is a {field.kind} field, but its getter returned "
                f"{type(value).__name__}",
                token=placeholder.token,
                line=placeholder.line,
                column=placeholder.column,
            )
        if qr_hint is not None:
            assert isinstance(value, str)
            image = qr_image(value, qr_hint, placeholder.token, context.files)
            # An inline <svg> is markup payportal drew from a validated payload (paths
            # only, no text of the payload), so it goes in as is; where it may stand was
            # checked when compiling.
            return image if qr_hint == "svg" else html_escape(image) if html else image
        if is_label and context.texts is not None and isinstance(value, Enum):
            text = translator_for(str(formats.locale), overrides=context.texts).label(value)
        else:
            text = to_text(formats, value)
        if is_url and text:  # an empty value is no link at all
            problem = url_problem(text)
            if problem is not None:
                # An app's own url field, or a value built around the model's checks.
                raise PlaceholderError(
                    f"{placeholder} is a url field, but its value {problem}",
                    token=placeholder.token,
                    line=placeholder.line,
                    column=placeholder.column,
                )
        if html:
            text = html_escape(text, quote=True)
            if line_breaks:
                text = text.replace("\n", "<br>\n")
        return text

    return fill
