"""Comments that customers and staff leave on documents."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from payportal import _validators as v

__all__ = ["Comment", "CommentAuthor"]


class CommentAuthor(enum.Enum):
    """Who wrote a comment."""

    CUSTOMER = "customer"
    STAFF = "staff"


@attrs.frozen(kw_only=True)
class Comment:
    """A comment on a document. ``at`` must be timezone-aware."""

    text: str = attrs.field(converter=v.strip, validator=[v.non_empty_str, v.max_length(10_000)])
    at: datetime = attrs.field(validator=v.aware_datetime)
    author: CommentAuthor = attrs.field(
        default=CommentAuthor.CUSTOMER,
        validator=v.instance_of(CommentAuthor, "a CommentAuthor"),
    )
    author_name: str = attrs.field(default="", converter=v.strip, validator=v.optional_str)
