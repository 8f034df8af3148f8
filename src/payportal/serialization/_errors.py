"""cattrs' structuring errors as one :class:`~payportal.exceptions.ValidationError` with a path.

cattrs reports a failed structure as a tree of exception groups whose notes say which
attribute or which index failed. The first leaf of that tree, with the path down to it, is
what a caller needs: ``account.items[3].amount`` and the reason.
"""

from __future__ import annotations

from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from payportal.exceptions import ValidationError

__all__ = ["at", "index_path", "translate"]


def at(path: str, name: str) -> str:
    """``path`` extended by the attribute ``name``."""
    return f"{path}.{name}" if path else name


def index_path(path: str, index: int | str) -> str:
    """``path`` extended by a list index (``[3]``) or a mapping key (``['RE-1']``)."""
    return f"{path}[{index}]" if isinstance(index, int) else f"{path}[{index!r}]"


def translate(error: BaseException, path: str) -> ValidationError:
    """The first failure inside ``error`` as a ValidationError whose field starts at ``path``."""
    if isinstance(error, ClassValidationError):
        with_notes, others = error.group_exceptions()
        for sub, note in with_notes:
            assert isinstance(note, AttributeValidationNote)
            return translate(sub, at(path, note.name))
        return translate(others[0], path)
    if isinstance(error, IterableValidationError):
        indexed, rest = error.group_exceptions()
        for sub, inote in indexed:
            assert isinstance(inote, IterableValidationNote)
            return translate(sub, index_path(path, inote.index))
        return translate(rest[0], path)
    if isinstance(error, ValidationError):
        return error.within(path) if path else error
    if isinstance(error, ForbiddenExtraKeysError):
        extra = sorted(error.extra_fields)
        return ValidationError(
            "is not a known field of the stored form", field=at(path, extra[0]), value=extra
        )
    if isinstance(error, KeyError):
        # cattrs' generated code reads a required attribute with data["name"]; the note on
        # the error already named the attribute.
        return ValidationError("is missing", field=path, value=None)
    return ValidationError(f"cannot be read: {error}", field=path, value=None)
