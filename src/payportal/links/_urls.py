"""Portal URLs that carry a signed token: :class:`PortalUrls`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import attrs

from payportal import _validators as v
from payportal.documents import Document, PayableDocument
from payportal.exceptions import MalformedLinkError, ValidationError
from payportal.links._claims import DOWNLOAD_PURPOSES, LinkClaims, LinkVersions
from payportal.links._keys import _describe
from payportal.links._signer import LinkSigner, _timedelta
from payportal.links._token import MAX_TOKEN_LENGTH
from payportal.portal import EINVOICE_DOCUMENT_TYPES, DownloadFormat

if TYPE_CHECKING:
    from payportal.customers import Customer
    from payportal.portal import Action

__all__ = ["DEFAULT_PATHS", "LINK_PURPOSES", "PRINT_PURPOSE", "PortalUrls"]

DEFAULT_PATHS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "customer": "/portal/{token}",
        "document": "/portal/document/{token}",
        "payment": "/portal/pay/{token}",
        "download": "/portal/download/{token}",
        "print": "/portal/print/{token}",
    }
)
"""Where each kind of link points, below the base URL; ``{token}`` marks the token."""

LINK_PURPOSES: Final[Mapping[str, str]] = MappingProxyType(
    {"customer": "portal", "document": "document", "payment": "pay"}
)
"""The purpose each kind of link is signed for, so a payment link cannot open the portal.

Download links have one purpose per format instead (:data:`DOWNLOAD_PURPOSES`), print links
their own (:data:`PRINT_PURPOSE`)."""

PRINT_PURPOSE: Final = "print"
"""The purpose of a print link (:meth:`PortalUrls.print_url`): the printed document, shown in
the browser to print it (``Action.PRINT``), which a download link cannot open and vice versa."""

_KIND_PURPOSES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **{kind: (purpose,) for kind, purpose in LINK_PURPOSES.items()},
        "download": tuple(DOWNLOAD_PURPOSES.values()),
        "print": (PRINT_PURPOSE,),
    }
)
_ALL_PURPOSES: Final = tuple(p for purposes in _KIND_PURPOSES.values() for p in purposes)

_CAPTURE: Final = r"(?P<token>[A-Za-z0-9_-]+)"
_NOT_IN_URL: Final = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
_MARK: Final = "{token}"


def _paths(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if value is None:
        return DEFAULT_PATHS
    if not isinstance(value, Mapping):
        return value  # the validator rejects it, naming the field
    return MappingProxyType({**DEFAULT_PATHS, **value})


def _check_paths(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail(attribute, value, "must be a mapping of link kind to path template")
    for kind, template in value.items():
        field = f"paths[{kind!r}]"
        if kind not in DEFAULT_PATHS:
            known = ", ".join(repr(k) for k in DEFAULT_PATHS)
            raise ValidationError(
                f"is not a kind of link (known: {known})", field=field, value=kind
            )
        if (
            not isinstance(template, str)
            or not template.startswith("/")
            or template.count(_MARK) != 1
            or any(c in template.replace(_MARK, "") for c in "{}#\\")
            or _NOT_IN_URL.search(template)
        ):
            raise ValidationError(
                "must start with '/' and contain '{token}' exactly once, with no other braces, "
                "no fragment, no backslash, white space or control characters, such as "
                "'/portal/{token}' or '/p?t={token}'",
                field=field,
                value=template,
            )


def _base_url(value: object) -> object:
    value = v.strip_url(value)
    return value.rstrip("/") if isinstance(value, str) else value


def _check_base_url(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # The same check as every url-kind value, so a link in an e-mail can never run script.
    problem = v.url_problem(value, schemes=("https", "http"))
    if problem is not None:
        raise v.fail(attribute, value, problem)
    assert isinstance(value, str)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or parts.query or parts.fragment:
        raise v.fail(
            attribute,
            value,
            "must be an absolute http(s) URL without query or fragment, such as "
            "'https://billing.example.com'",
        )


def _signer(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, LinkSigner):
        # Described, never shown: a raw secret passed in the signer's place must not be logged.
        raise v.fail(attribute, _describe(value), "must be a LinkSigner")


def _einvoice_format(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, DownloadFormat) or not value.is_einvoice:
        raise v.fail(attribute, value, "must be an e-invoice DownloadFormat (not PDF)")


def _compile(urls: PortalUrls) -> tuple[tuple[str, re.Pattern[str]], ...]:
    # Factories run before validators: leave wrong arguments for the validators to name.
    if not isinstance(urls.base_url, str) or not isinstance(urls.paths, Mapping):
        return ()
    try:
        base_path = urlsplit(urls.base_url).path
    except ValueError:  # an unclosed IPv6 host: the validator names it
        return ()

    def pattern(template: str) -> re.Pattern[str]:
        before, _, after = template.partition(_MARK)
        # The base path is optional so that apps behind a prefix-stripping proxy can pass
        # the path they see.
        prefix = f"(?:{re.escape(base_path)})?" if base_path else ""
        return re.compile(prefix + re.escape(before) + _CAPTURE + re.escape(after))

    return tuple(
        (kind, pattern(template))
        for kind, template in urls.paths.items()
        if isinstance(template, str)
    )


@attrs.frozen
class PortalUrls:
    """Builds the portal links for e-mails and resolves them back to verified claims.

    Each kind of link has its own path and purpose: ``customer_url`` opens the customer's
    portal (purpose ``"portal"``), ``document_url`` one document (``"document"``),
    ``payment_url`` the payment of one document (``"pay"``), ``download_url`` one document
    in one :class:`~payportal.portal.DownloadFormat` (a purpose per format,
    :data:`DOWNLOAD_PURPOSES`), ``print_url`` the printed document to show and print
    (:data:`PRINT_PURPOSE`). The embedding app routes the paths to its own handlers and
    calls :meth:`resolve` (or :meth:`resolve_download`) there.

    >>> from datetime import datetime, timedelta, timezone
    >>> from payportal import Customer
    >>> from payportal.links import HmacKey, KeyRing, LinkSigner
    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> signer = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), clock=lambda: now)
    >>> urls = PortalUrls("https://billing.example.com", signer, ttl=timedelta(days=30))
    >>> url = urls.customer_url(Customer(id="42", number="K-42", name="Erika"))
    >>> url
    'https://billing.example.com/portal/AQJrMQEAaVW5AICangEBAQECNDLBKoB_zR8MKZW8Nj5wciAsBSb6jGJOqlQc-LaF73iH5g'
    >>> urls.resolve(url).subject
    'customer:42'

    Args:
        base_url: the portal's absolute http(s) URL; a path in it prefixes every link.
        signer: signs and verifies the tokens.
        paths: path templates by kind (``"customer"``, ``"document"``, ``"payment"``,
            ``"download"``, ``"print"``), each
            with one ``{token}``, in the path or the query (``"/p?t={token}"``); kinds not
            given keep :data:`DEFAULT_PATHS`.
        ttl: how long new links stay valid; ``None`` uses the signer's ``default_ttl``.
        einvoice_format: what :meth:`einvoice_url` (and ``[Invoice.einvoice_url]``) links
            to: the merchant's default e-invoice,
            :attr:`PortalSettings.einvoice_format <payportal.PortalSettings.einvoice_format>`.

    Raises:
        ValidationError: an argument is invalid.
    """

    base_url: str = attrs.field(converter=_base_url, validator=_check_base_url)
    signer: LinkSigner = attrs.field(validator=_signer)
    paths: Mapping[str, str] = attrs.field(
        default=None, kw_only=True, converter=_paths, validator=_check_paths
    )
    ttl: timedelta | None = attrs.field(
        default=None, kw_only=True, validator=v.optional(_timedelta(positive=True))
    )
    einvoice_format: DownloadFormat = attrs.field(
        default=DownloadFormat.FACTURX_PDF, kw_only=True, validator=_einvoice_format
    )
    _patterns: tuple[tuple[str, re.Pattern[str]], ...] = attrs.field(
        init=False,
        repr=False,
        eq=False,
        default=attrs.Factory(_compile, takes_self=True),
    )

    def customer_url(self, customer: Customer, *, actions: Iterable[Action] | None = None) -> str:
        """The link to ``customer``'s portal, at the customer's current link version.

        Raises:
            ValidationError: ``customer`` is not a :class:`~payportal.Customer`.
        """
        issued_at, expires_at = self._lifetime()
        claims = LinkClaims.for_customer(
            customer,
            issued_at=issued_at,
            expires_at=expires_at,
            purpose=LINK_PURPOSES["customer"],
            actions=actions,
        )
        return self._url("customer", claims)

    def document_url(
        self,
        document: Document,
        *,
        version: int | None = None,
        actions: Iterable[Action] | None = None,
    ) -> str:
        """The link to one ``document``.

        Args:
            version: the document's customer's current link version; defaults to what the
                signer's ``versions`` says, else 1.

        Raises:
            ValidationError: ``document`` is not a document.
        """
        return self._document_link("document", document, version, actions)

    def payment_url(
        self,
        document: PayableDocument,
        *,
        version: int | None = None,
        actions: Iterable[Action] | None = None,
    ) -> str:
        """The link that pays ``document`` (an invoice or a reminder).

        Args:
            version: as for :meth:`document_url`.

        Raises:
            ValidationError: ``document`` is not a payable document.
        """
        if not isinstance(document, PayableDocument):
            raise ValidationError(
                "must be a payable document (an invoice or a reminder)",
                field="document",
                value=document,
            )
        return self._document_link("payment", document, version, actions)

    def download_url(
        self,
        document: Document,
        format: DownloadFormat = DownloadFormat.PDF,  # noqa: A002  # the portal's own word
        *,
        version: int | None = None,
    ) -> str:
        """The link that downloads ``document`` as ``format`` (by default the PDF).

        The token is signed for that format's purpose (:data:`DOWNLOAD_PURPOSES`), so it
        fetches exactly this document in exactly this format; the handler reads the format
        back from :meth:`resolve_download` and still asks
        :meth:`AccessPolicy.check_download <payportal.AccessPolicy.check_download>`.

        Args:
            version: as for :meth:`document_url`.

        Raises:
            ValidationError: ``format`` is not a :class:`~payportal.portal.DownloadFormat`,
                or it is an e-invoice format and ``document`` is not an invoice or credit note.
        """
        if not isinstance(format, DownloadFormat):
            raise ValidationError("must be a DownloadFormat", field="format", value=format)
        if not isinstance(document, Document):
            raise ValidationError("must be a Document", field="document", value=document)
        if format.is_einvoice and document.type not in EINVOICE_DOCUMENT_TYPES:
            raise ValidationError(
                f"has no e-invoice ({format.label}): only invoices and credit notes do",
                field="document",
                value=document.number,
            )
        return self._document_link("download", document, version, None, format)

    def print_url(self, document: Document, *, version: int | None = None) -> str:
        """The link that shows ``document``'s PDF in the browser, to print it.

        The token is signed for :data:`PRINT_PURPOSE`; the handler verifies it with
        :meth:`resolve_print` and still asks the access policy about ``Action.PRINT``
        (:func:`payportal.downloads.serve_download` does both).

        Args:
            version: as for :meth:`document_url`.

        Raises:
            ValidationError: ``document`` is not a document.
        """
        return self._document_link("print", document, version, None)

    def resolve_print(
        self,
        url_or_token: str,
        *,
        now: datetime | None = None,
        current_version: int | LinkVersions | None = None,
    ) -> LinkClaims:
        """The verified claims of a print link.

        Args:
            url_or_token: the print URL, its path, or the bare token.
            now: as for :meth:`LinkSigner.verify`.
            current_version: as for :meth:`LinkSigner.verify`.

        Raises:
            MalformedLinkError: the URL matches no path template, or another kind's.
            WrongPurposeError: the token is not a print token.
            InvalidLinkError: any other reason :meth:`LinkSigner.verify` gives.
        """
        token, expected = self._token_of(url_or_token)
        if expected is not None and expected != (PRINT_PURPOSE,):
            raise MalformedLinkError("The URL is not a print link of the portal.")
        return self.signer.verify(
            token, purpose=PRINT_PURPOSE, now=now, current_version=current_version
        )

    def einvoice_url(self, document: Document, *, version: int | None = None) -> str:
        """The link that downloads ``document`` as the merchant's default e-invoice
        (:attr:`einvoice_format`).

        Raises:
            ValidationError: ``document`` is not an invoice or credit note.
        """
        return self.download_url(document, self.einvoice_format, version=version)

    def resolve_download(
        self,
        url_or_token: str,
        *,
        now: datetime | None = None,
        current_version: int | LinkVersions | None = None,
    ) -> tuple[LinkClaims, DownloadFormat]:
        """The verified claims of a download link, and the format it fetches.

        Args:
            url_or_token: the download URL, its path, or the bare token.
            now: as for :meth:`LinkSigner.verify`.
            current_version: as for :meth:`LinkSigner.verify`.

        Raises:
            MalformedLinkError: the URL matches no path template, or another kind's.
            WrongPurposeError: the token is not a download token.
            InvalidLinkError: any other reason :meth:`LinkSigner.verify` gives.
        """
        token, expected = self._token_of(url_or_token)
        downloads = _KIND_PURPOSES["download"]
        if expected is not None and expected != downloads:
            raise MalformedLinkError("The URL is not a download link of the portal.")
        claims = self.signer.verify(
            token, purpose=downloads, now=now, current_version=current_version
        )
        format_ = claims.download_format
        assert format_ is not None  # the purpose is one of DOWNLOAD_PURPOSES
        return claims, format_

    def resolve(
        self,
        url_or_token: str,
        *,
        purpose: str | None = None,
        now: datetime | None = None,
        current_version: int | LinkVersions | None = None,
    ) -> LinkClaims:
        """The verified claims of a link built here: a full URL, its path, or the bare token.

        For a URL, the path template it matches decides the purpose, so a payment token
        pasted into the customer path is refused. A bare token may have any of the three
        purposes ``"portal"``, ``"document"`` and ``"pay"`` unless ``purpose`` names one;
        a download URL resolves to claims whose
        :attr:`~payportal.links.LinkClaims.download_format` says the format.

        Args:
            url_or_token: what the request carried.
            purpose: the purpose to insist on.
            now: as for :meth:`LinkSigner.verify`.
            current_version: as for :meth:`LinkSigner.verify`.

        Raises:
            MalformedLinkError: the URL matches none of the path templates.
            InvalidLinkError: any other reason :meth:`LinkSigner.verify` gives.
        """
        token, expected = self._token_of(url_or_token)
        if purpose is not None:
            expected = (purpose,)
        if expected is None:
            expected = tuple(LINK_PURPOSES.values())
        return self.signer.verify(
            token,
            # One purpose as a string, so the error names it alone.
            purpose=expected[0] if len(expected) == 1 else expected,
            now=now,
            current_version=current_version,
        )

    def _token_of(self, url_or_token: object) -> tuple[str, tuple[str, ...] | None]:
        if not isinstance(url_or_token, str):
            raise MalformedLinkError(
                f"A portal link must be a string, not {type(url_or_token).__name__}."
            )
        # Bounded before any parsing: the URL around a token is short.
        if len(url_or_token) > MAX_TOKEN_LENGTH + 2000:
            raise MalformedLinkError("The portal link is too long.")
        if "/" not in url_or_token and "?" not in url_or_token:
            return url_or_token, None
        try:
            parts = urlsplit(url_or_token)
        except ValueError:  # such as "https://[x/...": an unclosed IPv6 host (fuzzing found it)
            raise MalformedLinkError("The portal link is not a URL.") from None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for kind, pattern in self._patterns:
            match = pattern.fullmatch(target)
            if match:
                return match["token"], _KIND_PURPOSES[kind]
        raise MalformedLinkError("The URL does not match any of the portal's link paths.")

    def _lifetime(self) -> tuple[datetime, datetime | None]:
        issued_at = self.signer.now()
        if self.ttl is None:
            return issued_at, None  # the signer applies its default_ttl
        try:
            return issued_at, issued_at + self.ttl
        except OverflowError:
            raise ValidationError(
                "puts the expiry past the year 9999", field="ttl", value=self.ttl
            ) from None

    def _document_link(
        self,
        kind: str,
        document: Document,
        version: int | None,
        actions: Iterable[Action] | None,
        format: DownloadFormat | None = None,  # noqa: A002
    ) -> str:
        if not isinstance(document, Document):
            raise ValidationError("must be a Document", field="document", value=document)
        if version is None:
            versions = self.signer.versions
            version = 1 if versions is None else versions.current_version(document.customer_id)
        issued_at, expires_at = self._lifetime()
        claims = LinkClaims.for_document(
            document,
            issued_at=issued_at,
            expires_at=expires_at,
            purpose=_KIND_PURPOSES[kind][0] if format is None else DOWNLOAD_PURPOSES[format],
            version=version,
            actions=actions,
        )
        return self._url(kind, claims)

    def _url(self, kind: str, claims: LinkClaims) -> str:
        return self.base_url + self.paths[kind].replace(_MARK, self.signer.sign(claims))
