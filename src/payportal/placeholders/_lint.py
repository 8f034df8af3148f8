"""Diagnostics for template editors: every problem at once, with line and column."""

from __future__ import annotations

import re
from typing import Final, Literal

import attrs

from payportal.documents import DocumentType
from payportal.exceptions import ValidationError
from payportal.placeholders._instructions import PaymentInstructions
from payportal.placeholders._markup import html_contexts, unsafe_use
from payportal.placeholders._parser import Positions, Tag, Unclosed, scan
from payportal.placeholders._registry import (
    DEFAULT,
    PlaceholderField,
    PlaceholderRegistry,
    Problem,
)

__all__ = ["Diagnostic", "lint"]

Severity = Literal["error", "warning"]

MAX_SUGGESTIONS: Final = 100
"""Close names are looked for (and near misses reported) for this many problems at most:
each costs about a millisecond, and nobody reads more in one template."""

# Text that looks like a placeholder written the wrong way: "[invoice.number]",
# "[ Invoice.number ]", "{{Invoice.number}}", "[Invoice.total gross]".
# Words in the field are separated by blanks that must be followed by another word, so the
# blanks before the closing bracket are never ambiguous: the match stays linear however many
# blanks a hostile template holds (a lazy field group followed by blanks was quadratic).
_NEAR_MISS: Final = re.compile(
    r"[\[{]{1,2}[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*\.[ \t]*"
    r"([A-Za-z_][A-Za-z0-9_]*(?:[ \t]+[A-Za-z0-9_]+)*)[ \t]*[\]}]{1,2}"
)
_BRACKET_OR_BREAK: Final = re.compile(r"[\[\]\n]")


@attrs.frozen
class Diagnostic:
    """One problem in a template, located for an editor to underline.

    Attributes:
        line: 1-based line.
        column: 1-based column (in characters) where the problem starts.
        length: how many characters the problem spans.
        severity: ``"error"`` for what makes a strict :meth:`Template.compile` with
            ``escape="html"`` fail,
            ``"warning"`` for what is probably a mistake but renders as written.
        code: ``"unknown-object"``, ``"unknown-field"``, ``"unknown-hint"``,
            ``"unclosed-placeholder"``; ``"wrong-object"`` for a field that exists, but on
            other objects (``[Offer.payment_reference]``); ``"cannot-fill"`` for a field the
            given payment instructions cannot fill (``[Invoice.epc_qr]`` without a
            beneficiary); ``"url-attribute"``, ``"script-context"``,
            ``"unquoted-attribute"``, ``"markup-context"`` for a placeholder in HTML where
            escaping cannot make its value safe, which :meth:`Template.compile` refuses with
            ``escape="html"`` (errors); ``"near-miss"``, ``"unmatched-bracket"``, and
            ``"other-document"`` for a document the template's own type does not bring
            (warnings).
        message: a sentence saying what is wrong.
        suggestion: what was probably meant (a name, or a whole placeholder), if known.
    """

    line: int
    column: int
    length: int
    severity: Severity
    code: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"


def lint(
    text: str,
    *,
    registry: PlaceholderRegistry | None = None,
    instructions: PaymentInstructions | None = None,
    document_type: DocumentType | None = None,
) -> list[Diagnostic]:
    """Find every problem in a template without raising, sorted by position.

    >>> from payportal.placeholders import lint
    >>> for d in lint("Hi [Client.nmae],\\ndue [invoice.due_on] [draft"):
    ...     print(d.line, d.column, d.severity, d.code, d.suggestion)
    1 4 error unknown-field name
    2 5 warning near-miss [Invoice.due_on]
    2 22 warning unmatched-bracket None

    Args:
        text: the template text.
        registry: the allowed objects and fields; payportal's built-in ones if None.
        instructions: the merchant's payment instructions, if the template is checked
            against them: without a beneficiary, ``iban``, ``bic``, ``beneficiary…`` and
            ``epc_qr`` cannot be filled (``"cannot-fill"``; BillPay invoices aside).
        document_type: the type of document the template is written for (an invoice
            e-mail: ``DocumentType.INVOICE``); placeholders of other document types are
            reported (``"other-document"``), as they render only if the app passes such a
            document too.

    Returns:
        The diagnostics, by line and column. An empty list means a strict
        :meth:`Template.compile` succeeds (with either escaping) and nothing looks
        accidental. Suggestions and near misses cover the first :data:`MAX_SUGGESTIONS`
        problems, so a hostile template costs time in proportion to its length.

    Raises:
        ValidationError: ``text`` is not a string, ``registry`` not a registry,
            ``instructions`` not :class:`PaymentInstructions` or ``document_type`` not a
            :class:`~payportal.documents.DocumentType`.
    """
    if not isinstance(text, str):
        raise ValidationError("must be a string", field="text", value=text)
    if registry is None:
        registry = DEFAULT
    elif not isinstance(registry, PlaceholderRegistry):
        raise ValidationError("must be a PlaceholderRegistry", field="registry", value=registry)
    if instructions is not None and not isinstance(instructions, PaymentInstructions):
        raise ValidationError(
            "must be PaymentInstructions", field="instructions", value=instructions
        )
    if document_type is not None and not isinstance(document_type, DocumentType):
        raise ValidationError("must be a DocumentType", field="document_type", value=document_type)
    report = _Report(text)
    near = _near_misses(text, registry)
    uses: list[tuple[Tag, PlaceholderField]] = []
    for segment in scan(text):
        if isinstance(segment, Tag):
            for offset in (segment.start, segment.start - 1):  # a placeholder, or its escape
                near.pop(offset, None)
            problem = registry.check(
                segment.object,
                segment.field,
                segment.hint,
                suggest=len(report.found) < MAX_SUGGESTIONS,
            )
            if isinstance(problem, Problem):
                report.add(
                    segment.start,
                    segment.end,
                    "error",
                    problem.code,
                    problem.message,
                    suggestion=problem.suggestion,
                )
            else:
                uses.append((segment, problem))
        elif isinstance(segment, Unclosed) and segment.object in registry.objects:
            # "[Invoice.total gross]" is unclosed as written; the near miss knows what was meant.
            resembled = near.pop(segment.start, None)
            end, meant = resembled or (segment.expected_at, f"[{segment.token}]")
            report.add(
                segment.start,
                end,
                "error",
                "unclosed-placeholder",
                f'the placeholder [{segment.token} is not closed: expected "]" right after it',
                suggestion=meant,
            )
    for start, (end, meant) in near.items():
        report.add(
            start,
            end,
            "warning",
            "near-miss",
            f"{text[start:end]} is not a placeholder as written; did you mean {meant}?",
            suggestion=meant,
        )
    _unfillable(uses, report, registry, instructions, document_type)
    _unsafe_placements(text, uses, report)
    _unmatched_brackets(text, report)
    return sorted(report.found, key=lambda d: (d.line, d.column))


class _Report:
    """Collects diagnostics and remembers which offsets they already explain."""

    def __init__(self, text: str) -> None:
        self.positions = Positions(text)
        self.found: list[Diagnostic] = []
        self.explained: set[int] = set()

    def add(
        self,
        start: int,
        end: int,
        severity: Severity,
        code: str,
        message: str,
        *,
        suggestion: str | None = None,
    ) -> None:
        line, column = self.positions(start)
        self.found.append(
            Diagnostic(line, column, end - start, severity, code, message, suggestion)
        )
        self.explained.update(range(start, end))


def _near_misses(text: str, registry: PlaceholderRegistry) -> dict[int, tuple[int, str]]:
    """Text that resembles a known placeholder: start offset -> (end offset, "[Meant.field]").

    Only the first :data:`MAX_SUGGESTIONS` candidates are compared with the registry.
    """
    found: dict[int, tuple[int, str]] = {}
    for number, match in enumerate(_NEAR_MISS.finditer(text)):
        if number >= MAX_SUGGESTIONS:
            break
        meant = registry.closest(match[1], match[2])
        if meant is not None and match[0] not in (f"[{meant}]", f"[[{meant}]]"):
            found[match.start()] = (match.end(), f"[{meant}]")
    return found


_DOCUMENT_OBJECTS: Final = {t.object_name: t for t in DocumentType}


def _unfillable(
    uses: list[tuple[Tag, PlaceholderField]],
    report: _Report,
    registry: PlaceholderRegistry,
    instructions: PaymentInstructions | None,
    document_type: DocumentType | None,
) -> None:
    no_beneficiary = instructions is not None and instructions.beneficiary is None
    for tag, field in uses:
        written = f"[{tag.token}]"
        if no_beneficiary and "beneficiary" in field.needs:
            report.add(
                tag.start,
                tag.end,
                "error",
                "cannot-fill",
                f"{written} cannot be filled: the payment instructions name no beneficiary "
                "(the account customers pay to); add one, or remove the placeholder",
            )
            continue
        object_type = _DOCUMENT_OBJECTS.get(registry.aliases.get(tag.object, tag.object))
        if document_type is not None and object_type not in (None, document_type):
            report.add(
                tag.start,
                tag.end,
                "warning",
                "other-document",
                f"{written} names a {object_type.value.replace('_', ' ')} in a template for a "
                f"{document_type.value.replace('_', ' ')}; it renders only if the app "
                f"passes that {object_type.value.replace('_', ' ')} as well",
            )


def _unsafe_placements(
    text: str, uses: list[tuple[Tag, PlaceholderField]], report: _Report
) -> None:
    if "<" not in text:
        return
    wheres = html_contexts(text, [tag.start for tag, _ in uses])
    for where, (tag, field) in zip(wheres, uses, strict=True):
        problem = unsafe_use(where, field.kind, f"[{tag.token}]", tag.hint)
        if problem is not None:
            report.add(tag.start, tag.end, "error", problem[0], problem[1])


def _unmatched_brackets(text: str, report: _Report) -> None:
    # Brackets pair up within a line; placeholders never span lines. One pass over brackets
    # and line breaks, so the work stays linear in the text's length.
    opened: list[int] = []
    unmatched: list[int] = []
    for match in _BRACKET_OR_BREAK.finditer(text):
        offset = match.start()
        if match[0] == "\n":
            unmatched.extend(opened)
            opened.clear()
        elif match[0] == "[":
            opened.append(offset)
        elif opened:
            opened.pop()
        else:
            unmatched.append(offset)
    unmatched.extend(opened)
    for offset in sorted(unmatched):
        if offset in report.explained:
            continue
        bracket = text[offset]
        partner = "]" if bracket == "[" else "["
        report.add(
            offset,
            offset + 1,
            "warning",
            "unmatched-bracket",
            f'"{bracket}" has no matching "{partner}" on its line',
        )
