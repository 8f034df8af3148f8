"""What a signed link says: :class:`LinkClaims`, and the revocation hook :class:`LinkVersions`."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from payportal import _validators as v
from payportal.customers import Customer
from payportal.documents import Document, DocumentType
from payportal.exceptions import ValidationError
from payportal.portal import Action, DownloadFormat

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CUSTOMER_SUBJECT",
    "DOWNLOAD_PURPOSES",
    "MAX_ID_BYTES",
    "MAX_PURPOSE_BYTES",
    "MAX_VERSION",
    "LinkClaims",
    "LinkVersions",
    "trusted_claims",
]

CUSTOMER_SUBJECT: Final = "customer"
"""The subject type of a link that opens a customer's whole portal: ``"customer:<id>"``."""

MAX_PURPOSE_BYTES: Final = 64
"""The longest purpose, in UTF-8 bytes."""

MAX_ID_BYTES: Final = 255
"""The longest subject and customer id, in UTF-8 bytes: one length byte on the wire."""

MAX_VERSION: Final = 2**63 - 1
"""The largest link version (a signed 64-bit column in most databases)."""

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

DOWNLOAD_PURPOSES: Final = MappingProxyType(
    {
        DownloadFormat.PDF: "dl:pdf",
        DownloadFormat.FACTURX_PDF: "dl:fx",
        DownloadFormat.EN16931_CII: "dl:cii",
        DownloadFormat.XRECHNUNG_CII: "dl:xrc",
        DownloadFormat.XRECHNUNG_UBL: "dl:xru",
    }
)
"""The purpose a download link is signed for, one per format: a link for the PDF cannot
fetch the XRechnung. Short, as they travel inside the token."""

_DOWNLOAD_FORMATS: Final = {purpose: fmt for fmt, purpose in DOWNLOAD_PURPOSES.items()}


def _to_utc_seconds(value: object) -> object:
    """Converter: aware datetimes to UTC, truncated to whole seconds as the token stores them.

    Truncating here rather than in the encoder makes a verified token compare equal to the
    claims it was signed from. Anything else passes through for the validator to reject.
    """
    if isinstance(value, datetime) and value.utcoffset() is not None:
        try:
            return value.astimezone(UTC).replace(microsecond=0)
        except OverflowError:
            return value  # the validator reports it as out of range
    return value


def _link_time(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.check_aware(value, attribute.name)
    assert isinstance(value, datetime)
    if value.tzinfo is not UTC or value < EPOCH:
        raise v.fail(attribute, value, "must lie between 1970-01-01 and 9999-12-31 UTC")


def _expires_at(instance: LinkClaims, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    _link_time(instance, attribute, value)
    assert isinstance(value, datetime)
    # Validators run after every field is set and in field order, so issued_at is valid here.
    if value <= instance.issued_at:
        raise v.fail(
            attribute, value, f"must lie after issued_at ({instance.issued_at.isoformat()})"
        )


def _utf8_length(attribute: attrs.Attribute[Any], value: str, limit: int) -> None:
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise v.fail(attribute, value, "must be valid Unicode text") from None
    if size > limit:
        raise v.fail(attribute, value, f"must be at most {limit} bytes long in UTF-8")


def _subject(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise v.fail(attribute, value, "must be a string")
    kind, _, ident = value.partition(":")
    if not kind or not ident:
        raise v.fail(
            attribute,
            value,
            "must be '<type>:<id>', such as 'customer:42' or 'invoice:inv-17'",
        )
    _utf8_length(attribute, value, MAX_ID_BYTES)


def _customer_id(instance: LinkClaims, attribute: attrs.Attribute[Any], value: object) -> None:
    v.non_empty_str(instance, attribute, value)
    assert isinstance(value, str)
    _utf8_length(attribute, value, MAX_ID_BYTES)
    kind, _, ident = instance.subject.partition(":")
    if kind == CUSTOMER_SUBJECT and ident != value:
        raise v.fail(
            attribute, value, f"must be the id in the customer subject {instance.subject!r}"
        )


def _purpose(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.non_empty_str(instance, attribute, value)
    assert isinstance(value, str)
    _utf8_length(attribute, value, MAX_PURPOSE_BYTES)


def _version(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise v.fail(attribute, value, "must be an int")
    if not 0 <= value <= MAX_VERSION:
        raise v.fail(attribute, value, f"must lie between 0 and {MAX_VERSION}")


def _to_actions(value: Iterable[Action] | None) -> frozenset[Action] | None:
    if value is None or isinstance(value, str | bytes | Action):
        return value  # type: ignore[return-value]  # the validator rejects it, naming the field
    try:
        return frozenset(value)
    except TypeError:
        return value  # type: ignore[return-value]  # not iterable: the validator names it


def _actions(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, frozenset):
        raise v.fail(attribute, value, "must be a set of Action members or None")
    for item in value:
        if not isinstance(item, Action):
            raise v.fail(attribute, item, "must hold only payportal.Action members")


@attrs.frozen(kw_only=True)
class LinkClaims:
    """What a signed link grants: who it is for, what it opens, for what, and until when.

    Times are stored in UTC and truncated to whole seconds, as the token carries them, so
    ``signer.verify(signer.sign(claims), ...) == claims``.

    Attributes:
        subject: what the link opens, ``"<type>:<id>"``: the customer's portal
            (``"customer:42"``, see :attr:`Customer.subject <payportal.Customer.subject>`) or one
            document (``"invoice:inv-17"``, see ``Document.subject``).
        customer_id: whose link it is; for a customer subject, the id in the subject.
        purpose: what the link is for, such as ``"portal"``, ``"document"`` or ``"pay"``. A
            verifier names the purpose it expects, so a link for one use cannot open another.
        issued_at: when the link was made (timezone-aware).
        expires_at: when it stops working (exclusive), or ``None`` for no expiry.
        version: the customer's link version when it was made; links with a version below
            the customer's current one are revoked.
        actions: if not ``None``, the only :class:`~payportal.Action` members the link allows,
            narrowing what the portal's access policy would allow.

    Raises:
        ValidationError: a field is invalid; ``field`` names it.
    """

    subject: str = attrs.field(validator=_subject)
    customer_id: str = attrs.field(validator=_customer_id)
    purpose: str = attrs.field(validator=_purpose)
    issued_at: datetime = attrs.field(converter=_to_utc_seconds, validator=_link_time)
    expires_at: datetime | None = attrs.field(
        default=None, converter=_to_utc_seconds, validator=_expires_at
    )
    version: int = attrs.field(default=1, validator=_version)
    actions: frozenset[Action] | None = attrs.field(
        default=None, converter=_to_actions, validator=_actions
    )

    @classmethod
    def for_customer(
        cls,
        customer: Customer,
        *,
        issued_at: datetime,
        purpose: str = "portal",
        expires_at: datetime | None = None,
        actions: Iterable[Action] | None = None,
    ) -> LinkClaims:
        """Claims for a link to ``customer``'s portal, at the customer's current link version.

        Raises:
            ValidationError: an argument is invalid.
        """
        if not isinstance(customer, Customer):
            raise ValidationError("must be a Customer", field="customer", value=customer)
        return cls(
            subject=customer.subject,
            customer_id=customer.id,
            purpose=purpose,
            issued_at=issued_at,
            expires_at=expires_at,
            version=customer.link_version,
            actions=actions,
        )

    @classmethod
    def for_document(
        cls,
        document: Document,
        *,
        issued_at: datetime,
        purpose: str = "document",
        expires_at: datetime | None = None,
        version: int = 1,
        actions: Iterable[Action] | None = None,
    ) -> LinkClaims:
        """Claims for a link to one ``document`` of its customer.

        Args:
            version: the document's customer's current link version
                (:attr:`Customer.link_version <payportal.Customer.link_version>`).

        Raises:
            ValidationError: an argument is invalid.
        """
        if not isinstance(document, Document):
            raise ValidationError("must be a Document", field="document", value=document)
        return cls(
            subject=document.subject,
            customer_id=document.customer_id,
            purpose=purpose,
            issued_at=issued_at,
            expires_at=expires_at,
            version=version,
            actions=actions,
        )

    @property
    def subject_type(self) -> str:
        """The part of the subject before the first colon: ``"customer"``, ``"invoice"``..."""
        return self.subject.partition(":")[0]

    @property
    def subject_id(self) -> str:
        """The part of the subject after the first colon: the customer's or document's id."""
        return self.subject.partition(":")[2]

    @property
    def document_type(self) -> DocumentType | None:
        """The :class:`~payportal.documents.DocumentType` the link opens, or ``None``."""
        try:
            return DocumentType(self.subject_type)
        except ValueError:
            return None

    @property
    def download_format(self) -> DownloadFormat | None:
        """The format a download link fetches (from its purpose), or ``None`` for other links."""
        return _DOWNLOAD_FORMATS.get(self.purpose)

    def allows(self, action: Action) -> bool:
        """Whether the link's own scope admits ``action`` (the access policy still decides)."""
        return self.actions is None or action in self.actions


# The slots' own setters skip the frozen class's __setattr__ guard, at half the cost of
# object.__setattr__; only trusted_claims uses them.
_SETTERS: Final = tuple(
    LinkClaims.__dict__[field.name].__set__ for field in attrs.fields(LinkClaims)
)
_NEW: Final = object.__new__


def trusted_claims(  # noqa: PLR0917  # positional: the decoder calls it per request
    subject: str,
    customer_id: str,
    purpose: str,
    issued_at: datetime,
    expires_at: datetime | None,
    version: int,
    actions: frozenset[Action] | None,
) -> LinkClaims:
    """Claims built without validation, for the token decoder: it runs on every request.

    Only for values known to satisfy every validator (the decoder checks the invariants
    itself); anything else goes through the constructor.
    """
    claims: LinkClaims = _NEW(LinkClaims)
    set_subject, set_customer, set_purpose, set_issued, set_expires, set_version, set_actions = (
        _SETTERS
    )
    set_subject(claims, subject)
    set_customer(claims, customer_id)
    set_purpose(claims, purpose)
    set_issued(claims, issued_at)
    set_expires(claims, expires_at)
    set_version(claims, version)
    set_actions(claims, actions)
    return claims


@runtime_checkable
class LinkVersions(Protocol):
    """Where a verifier learns a customer's current link version, for revocation.

    The embedding app implements it, typically over a column of its customer table. Revoking
    every link a customer holds ("regenerate link") is then one counter increment.
    """

    def current_version(self, customer_id: str) -> int:
        """The customer's current link version; links with a lower version are revoked."""
        ...
