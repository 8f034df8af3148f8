"""Portal settings and the access policy: what a customer may see and do.

The merchant decides which document types appear in the portal and which actions each
allows (:class:`PortalSettings`), the default for customers, and per-customer overrides
(:class:`CustomerAccess`). :class:`AccessPolicy` combines these with the documents' state:

>>> from datetime import date
>>> from payportal import Money
>>> from payportal.customers import Customer
>>> from payportal.documents import Invoice, LineItem
>>> customer = Customer(id="42", number="K-42", name="Erika Mustermann")
>>> invoice = Invoice(id="i1", number="RE-1", customer_id="42", issued_on=date(2026, 1, 1),
...                   lines=[LineItem(title="Work", quantity=1,
...                                   unit_price=Money("100.00", "EUR"))])
>>> policy = AccessPolicy(PortalSettings.default())
>>> sorted(a.value for a in policy.allowed_actions(customer, invoice, on=date(2026, 1, 2)))
['comment', 'download', 'pay', 'print', 'view']

``DOWNLOAD`` offers the formats the merchant chose (:class:`DownloadFormat`); e-invoices
exist only for invoices and credit notes:

>>> [f.label for f in policy.download_formats(customer, invoice, on=date(2026, 1, 2))]
['PDF', 'ZUGFeRD / Factur-X (PDF)']

``EDIT_MASTER_DATA`` covers the groups of master data the merchant makes editable
(:class:`~payportal.customers.MasterDataGroup`), per portal and per customer:

>>> from payportal.customers import MasterDataChange, MasterDataGroup
>>> settings = PortalSettings.default().with_override(
...     customer, CustomerAccess(editable_master_data={MasterDataGroup.CONTACT}))
>>> AccessPolicy(settings).check_master_data_change(customer, MasterDataChange(vat_id="DE1"))
Traceback (most recent call last):
...
payportal.exceptions.AccessDeniedError: customer '42' may not change vat_id: tax data is not \
editable for this customer

:class:`Branding` (re-exported here from a private module) carries the merchant's name,
logo, colours with a WCAG 2.1 AA contrast check (:func:`contrast_ratio`) and contact.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar

import attrs

from payportal._branding import (
    AA_NORMAL_TEXT,
    Branding,
    contrast_ratio,
    parse_color,
    relative_luminance,
)
from payportal.customers import (
    ChangeRecord,
    Customer,
    MasterDataChange,
    MasterDataField,
    MasterDataGroup,
)
from payportal.documents import Document, DocumentType, Offer, OfferStatus, PayableDocument
from payportal.exceptions import AccessDeniedError, ValidationError
from payportal.i18n import DEFAULT_LOCALE, TextOverrides, Translations, translator_for

__all__ = [
    "AA_NORMAL_TEXT",
    "ACCOUNT_ACTIONS",
    "APPLICABLE_ACTIONS",
    "EINVOICE_DOCUMENT_TYPES",
    "PAYMENT_METHOD_ACTIONS",
    "AccessPolicy",
    "Action",
    "Branding",
    "CustomerAccess",
    "DownloadFormat",
    "PortalSettings",
    "contrast_ratio",
    "parse_color",
    "relative_luminance",
]

D = TypeVar("D", bound=Document)


class Action(enum.Enum):
    """What a customer can do in the portal."""

    VIEW = "view"
    DOWNLOAD = "download"
    PRINT = "print"
    COMMENT = "comment"
    ACCEPT = "accept"
    REJECT = "reject"
    PAY = "pay"
    EDIT_MASTER_DATA = "edit_master_data"
    TOP_UP = "top_up"
    ADD_PAYMENT_METHOD = "add_payment_method"
    """Save a payment method with a provider (a card, a PayPal account) for later payments."""
    CHANGE_PAYMENT_METHOD = "change_payment_method"
    """Replace the saved payment method, or choose which saved one is used."""
    REMOVE_PAYMENT_METHOD = "remove_payment_method"
    """Delete a saved payment method."""
    GRANT_MANDATE = "grant_mandate"
    """Grant a SEPA direct debit mandate (IBAN, holder, consent) in the portal."""
    REVOKE_MANDATE = "revoke_mandate"
    """Revoke the active SEPA direct debit mandate."""

    @property
    def verb(self) -> str:
        """The action in words for messages, such as ``"pay"`` or ``"grant a mandate"``."""
        return _VERBS.get(self.value) or self.value.replace("_", " ")


_VERBS: Final = MappingProxyType(
    {
        "add_payment_method": "add a payment method",
        "change_payment_method": "change a payment method",
        "remove_payment_method": "remove a payment method",
        "grant_mandate": "grant a mandate",
        "revoke_mandate": "revoke a mandate",
    }
)


class DownloadFormat(enum.Enum):
    """What a customer can download a document as (the ``DOWNLOAD`` action).

    ``PDF`` is the printed document. The others are e-invoices after EN 16931, written by
    :func:`payportal.einvoice.render_download`, and exist only for invoices and credit notes
    (:data:`EINVOICE_DOCUMENT_TYPES`).
    """

    PDF = "pdf"
    """The printed document, as the app renders it."""
    FACTURX_PDF = "factur-x"
    """ZUGFeRD 2.x / Factur-X "EN 16931": the PDF with the CII XML embedded (PDF/A-3)."""
    EN16931_CII = "cii"
    """The ZUGFeRD / Factur-X CII XML alone (UN/CEFACT CII D16B, EN 16931 profile)."""
    XRECHNUNG_CII = "xrechnung-cii"
    """XRechnung 3.0 in UN/CEFACT CII syntax; needs the buyer reference (Leitweg-ID)."""
    XRECHNUNG_UBL = "xrechnung-ubl"
    """XRechnung 3.0 in OASIS UBL 2.1 syntax; needs the buyer reference (Leitweg-ID)."""

    @property
    def is_einvoice(self) -> bool:
        """Whether this is a structured e-invoice (everything but ``PDF``)."""
        return self is not DownloadFormat.PDF

    @property
    def label(self) -> str:
        """A name to show on the download button, such as ``"XRechnung (UBL)"``."""
        return _FORMAT_LABELS[self]

    @property
    def media_type(self) -> str:
        """The HTTP ``Content-Type`` of the file."""
        return "application/pdf" if self.is_pdf else "application/xml"

    @property
    def is_pdf(self) -> bool:
        """Whether the file is a PDF (``PDF`` and ``FACTURX_PDF``)."""
        return self in (DownloadFormat.PDF, DownloadFormat.FACTURX_PDF)


_FORMAT_LABELS: Final = MappingProxyType(
    {
        DownloadFormat.PDF: "PDF",
        DownloadFormat.FACTURX_PDF: "ZUGFeRD / Factur-X (PDF)",
        DownloadFormat.EN16931_CII: "ZUGFeRD / Factur-X (XML)",
        DownloadFormat.XRECHNUNG_CII: "XRechnung (CII)",
        DownloadFormat.XRECHNUNG_UBL: "XRechnung (UBL)",
    }
)

EINVOICE_DOCUMENT_TYPES: Final = frozenset({DocumentType.INVOICE, DocumentType.CREDIT_NOTE})
"""The document types EN 16931 e-invoices exist for."""

_READ: Final = frozenset({Action.VIEW, Action.DOWNLOAD, Action.PRINT, Action.COMMENT})

APPLICABLE_ACTIONS: Final[Mapping[DocumentType, frozenset[Action]]] = MappingProxyType(
    {
        DocumentType.INVOICE: _READ | {Action.PAY},
        DocumentType.REMINDER: _READ | {Action.PAY},
        DocumentType.CREDIT_NOTE: _READ,
        DocumentType.OFFER: _READ | {Action.ACCEPT, Action.REJECT},
        DocumentType.DELIVERY_NOTE: _READ,
        DocumentType.ORDER_CONFIRMATION: _READ,
    }
)
"""The actions that make sense for each document type (nobody pays a delivery note)."""

PAYMENT_METHOD_ACTIONS: Final = frozenset(
    {
        Action.ADD_PAYMENT_METHOD,
        Action.CHANGE_PAYMENT_METHOD,
        Action.REMOVE_PAYMENT_METHOD,
        Action.GRANT_MANDATE,
        Action.REVOKE_MANDATE,
    }
)
"""The account actions on the customer's payment methods: saved provider methods and SEPA
direct debit mandates (see :meth:`AccessPolicy.payment_method_denial`)."""

ACCOUNT_ACTIONS: Final = (
    frozenset({Action.EDIT_MASTER_DATA, Action.TOP_UP}) | PAYMENT_METHOD_ACTIONS
)
"""Actions on the customer's account rather than on one document."""


def _plural(kind: DocumentType) -> str:
    return kind.value.replace("_", " ") + "s"


def _label(document: Document) -> str:
    return f"{document.type.value.replace('_', ' ')} {document.number}"


def _frozen_actions(value: Iterable[Action] | None) -> frozenset[Action] | None:
    return None if value is None else frozenset(value)


def _frozen_formats(value: Iterable[DownloadFormat] | None) -> frozenset[DownloadFormat] | None:
    return None if value is None else frozenset(value)


def _frozen_groups(
    value: Iterable[MasterDataGroup] | None,
) -> frozenset[MasterDataGroup] | None:
    if value is None or isinstance(value, str | MasterDataGroup):
        return value  # type: ignore[return-value]  # the validator rejects it, naming the field
    try:
        return frozenset(value)
    except TypeError:
        return value  # type: ignore[return-value]  # not iterable: the validator names it


def _groups(field: str, *, optional: bool) -> Callable[[Any, Any, Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, frozenset):
            raise ValidationError(
                "must be a set of MasterDataGroup members"
                + (" or None" if optional else "")
                + ", such as {MasterDataGroup.CONTACT}",
                field=field,
                value=value,
            )
        for item in value:
            if not isinstance(item, MasterDataGroup):
                raise ValidationError(
                    "must contain only MasterDataGroup members (contact, bank, tax)",
                    field=field,
                    value=item,
                )

    return check


def _frozen_types(value: Iterable[DocumentType] | None) -> frozenset[DocumentType] | None:
    return None if value is None else frozenset(value)


def _all_of(kind: type[enum.Enum], field: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        for item in value:  # type: ignore[attr-defined]
            if not isinstance(item, kind):
                raise ValidationError(
                    f"must contain only {kind.__name__} members", field=field, value=item
                )

    return check


@attrs.frozen
class CustomerAccess:
    """One customer's access: on or off, and optionally narrower than the portal's settings.

    ``document_types``, ``actions``, ``download_formats`` and ``editable_master_data`` of
    ``None`` mean "whatever the portal allows"; a set narrows it down. An override can never
    grant more than the portal settings.

    ``editable_master_data`` names the :class:`~payportal.customers.MasterDataGroup` members
    this customer may edit, among those the portal allows (editing at all also needs
    ``EDIT_MASTER_DATA`` among the customer's actions).
    """

    enabled: bool = True
    document_types: frozenset[DocumentType] | None = attrs.field(
        default=None, converter=_frozen_types, validator=_all_of(DocumentType, "document_types")
    )
    actions: frozenset[Action] | None = attrs.field(
        default=None, converter=_frozen_actions, validator=_all_of(Action, "actions")
    )
    download_formats: frozenset[DownloadFormat] | None = attrs.field(
        default=None,
        converter=_frozen_formats,
        validator=_all_of(DownloadFormat, "download_formats"),
    )
    editable_master_data: frozenset[MasterDataGroup] | None = attrs.field(
        default=None,
        converter=_frozen_groups,
        validator=_groups("editable_master_data", optional=True),
    )

    @classmethod
    def disabled(cls) -> CustomerAccess:
        """No portal access at all."""
        return cls(enabled=False)

    @classmethod
    def read_only(cls) -> CustomerAccess:
        """See, download, print and comment; no payments, decisions or edits."""
        return cls(actions=_READ)


def _document_actions(
    value: Mapping[Any, Iterable[Action]],
) -> Mapping[DocumentType, frozenset[Action]]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            "must map document types to actions", field="document_actions", value=value
        )
    result: dict[DocumentType, frozenset[Action]] = {}
    for kind, actions in value.items():
        if not isinstance(kind, DocumentType):
            raise ValidationError("must be a DocumentType", field="document_actions", value=kind)
        chosen = frozenset(actions)
        field = f"document_actions[{kind.value}]"
        for action in chosen:
            if not isinstance(action, Action):
                raise ValidationError("must contain only Action members", field=field, value=action)
        extra = chosen - APPLICABLE_ACTIONS[kind]
        if extra:
            names = ", ".join(sorted(a.value for a in extra))
            raise ValidationError(
                f"includes actions that do not apply to {_plural(kind)}: {names}",
                field=field,
                value=sorted(a.value for a in chosen),
            )
        result[kind] = chosen
    return MappingProxyType(result)


def _account_actions(value: Iterable[Action]) -> frozenset[Action]:
    chosen = frozenset(value)
    if not chosen <= ACCOUNT_ACTIONS:
        raise ValidationError(
            "may only contain account actions ("
            + ", ".join(sorted(a.name for a in ACCOUNT_ACTIONS))
            + ")",
            field="account_actions",
            value=sorted(str(a) for a in chosen),
        )
    return chosen


def _overrides(value: Mapping[str, CustomerAccess]) -> Mapping[str, CustomerAccess]:
    if not isinstance(value, Mapping):
        raise ValidationError("must map customer ids to access", field="overrides", value=value)
    for key, access in value.items():
        if not isinstance(access, CustomerAccess):
            raise ValidationError(
                "must be a CustomerAccess", field=f"overrides[{key!r}]", value=access
            )
    return MappingProxyType(dict(value))


def _download_formats(value: Iterable[DownloadFormat]) -> tuple[DownloadFormat, ...]:
    if isinstance(value, str | DownloadFormat) or not isinstance(value, Iterable):
        raise ValidationError(
            "must be a sequence of DownloadFormat members", field="download_formats", value=value
        )
    chosen: list[DownloadFormat] = []
    for item in value:
        if not isinstance(item, DownloadFormat):
            raise ValidationError(
                "must contain only DownloadFormat members", field="download_formats", value=item
            )
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen)


def _branding(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Branding):
        raise ValidationError("must be a Branding or None", field="branding", value=value)


def _texts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, TextOverrides):
        raise ValidationError("must be TextOverrides", field="texts", value=value)


def _default_locale(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # translator_for checks that it names a locale (and raises naming "default").
    try:
        translator_for(None, default=value)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ValidationError(error.reason, field="default_locale", value=value) from None


def _customer_id(customer: Customer | str) -> str:
    return customer.id if isinstance(customer, Customer) else customer


@attrs.frozen(unsafe_hash=False)
class PortalSettings:
    """What the portal shows and allows, for everybody and per customer.

    Attributes:
        document_actions: the document types that appear in the portal, each with the
            actions it allows. A type missing here is not shown at all.
        account_actions: account actions customers may use (:data:`ACCOUNT_ACTIONS`: master
            data edits, top-ups, and the :data:`PAYMENT_METHOD_ACTIONS`, by which the merchant
            offers SEPA mandates and saved provider methods). Only ``EDIT_MASTER_DATA``
            unless given.
        default_access: the access of customers without an override.
        overrides: per-customer access by customer id.
        download_formats: what ``DOWNLOAD`` offers, in the order the portal lists them
            (duplicates dropped). The first e-invoice format among them is the merchant's
            default e-invoice (:attr:`einvoice_format`). Only ``PDF`` unless given, so
            e-invoices are offered only once the merchant has chosen them.
        editable_master_data: the groups of master data customers may edit with
            ``EDIT_MASTER_DATA`` (:class:`~payportal.customers.MasterDataGroup`). Only
            ``CONTACT`` unless given: bank and tax data feed direct debits and invoices, so
            the merchant opts in to them.
        branding: the merchant's brand for the portal's pages and e-mails
            (:class:`Branding`), or ``None`` for the app's own look.
        texts: the merchant's own wording of any text payportal shows customers, per
            locale (:class:`~payportal.i18n.TextOverrides`): labels, messages, e-mails.
        default_locale: the language for customers whose locale has no texts (``"en"``
            unless given; a German merchant may prefer ``"de"``).
    """

    document_actions: Mapping[DocumentType, frozenset[Action]] = attrs.field(
        converter=_document_actions
    )
    account_actions: frozenset[Action] = attrs.field(
        default=frozenset({Action.EDIT_MASTER_DATA}), converter=_account_actions
    )
    default_access: CustomerAccess = attrs.field(factory=CustomerAccess)
    overrides: Mapping[str, CustomerAccess] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_overrides
    )
    download_formats: tuple[DownloadFormat, ...] = attrs.field(
        default=(DownloadFormat.PDF,), converter=_download_formats
    )
    editable_master_data: frozenset[MasterDataGroup] = attrs.field(
        default=frozenset({MasterDataGroup.CONTACT}),
        converter=_frozen_groups,
        validator=_groups("editable_master_data", optional=False),
    )
    branding: Branding | None = attrs.field(default=None, validator=_branding)
    texts: TextOverrides = attrs.field(factory=TextOverrides, validator=_texts)
    default_locale: str = attrs.field(default=DEFAULT_LOCALE, validator=_default_locale)

    @classmethod
    def default(cls, *, branding: Branding | None = None) -> PortalSettings:
        """Every document type with every action that applies to it; master data edits (of
        every group), top-ups and every payment-method action allowed; PDF and ZUGFeRD /
        Factur-X downloads (the PDF with the e-invoice inside, which needs no Leitweg-ID)."""
        return cls(
            document_actions=APPLICABLE_ACTIONS,
            account_actions=ACCOUNT_ACTIONS,
            download_formats=(DownloadFormat.PDF, DownloadFormat.FACTURX_PDF),
            editable_master_data=frozenset(MasterDataGroup),
            branding=branding,
        )

    @property
    def einvoice_format(self) -> DownloadFormat | None:
        """The merchant's default e-invoice format: the first e-invoice among
        :attr:`download_formats`, or ``None`` when the portal offers none.

        Pass it to :class:`~payportal.links.PortalUrls` (``einvoice_format=``) so that
        ``[Invoice.einvoice_url]`` links to it.
        """
        return next((f for f in self.download_formats if f.is_einvoice), None)

    def translations(self, customer: Customer | str | None) -> Translations:
        """The texts ``customer`` sees: in their locale (a :class:`Customer`'s ``locale``, or
        a locale such as ``"de_AT"``), with the merchant's :attr:`texts`, falling back to
        :attr:`default_locale` (see :func:`payportal.i18n.translator_for`).

        >>> from payportal.i18n import TextOverrides, Translations
        >>> pay = Translations.label_text(Action.PAY)
        >>> settings = PortalSettings.default().with_texts("de", {pay: "Jetzt bezahlen"})
        >>> settings.translations("de_AT").label(Action.PAY)
        'Jetzt bezahlen'
        """
        locale = customer.locale if isinstance(customer, Customer) else customer
        return translator_for(locale, overrides=self.texts, default=self.default_locale)

    def with_texts(self, locale: str, texts: Mapping[Any, str]) -> PortalSettings:
        """Settings with the merchant's wording ``texts`` (:class:`~payportal.i18n.Text` or
        msgid -> wording) for ``locale``, added to those already set.

        Raises:
            ValidationError: as :class:`~payportal.i18n.TextOverrides` raises it.
        """
        merged = self.texts
        for text, wording in texts.items():
            merged = merged.with_text(locale, text, wording)
        return attrs.evolve(self, texts=merged)

    def access_for(self, customer: Customer | str) -> CustomerAccess:
        """The customer's override, or the default access."""
        return self.overrides.get(_customer_id(customer), self.default_access)

    def with_override(self, customer: Customer | str, access: CustomerAccess) -> PortalSettings:
        """Settings in which ``customer`` has ``access`` regardless of the default."""
        return attrs.evolve(self, overrides={**self.overrides, _customer_id(customer): access})

    def without_override(self, customer: Customer | str) -> PortalSettings:
        """Settings in which ``customer`` follows the default again."""
        overrides = dict(self.overrides)
        overrides.pop(_customer_id(customer), None)
        return attrs.evolve(self, overrides=overrides)

    def with_default(
        self,
        access: CustomerAccess,
        *,
        retroactive: bool,
        customers: Iterable[Customer | str] | None = None,
    ) -> tuple[PortalSettings, dict[str, CustomerAccess]]:
        """Change the default access for customers.

        Args:
            access: the new default.
            retroactive: ``True`` applies the new default to the existing ``customers`` too:
                their overrides are dropped (all overrides when ``customers`` is ``None``).
                ``False`` keeps existing customers on what they have: those of ``customers``
                without an override are pinned to the old default, so only customers added
                later get the new one.
            customers: the existing customers (objects or ids).

        Returns:
            The new settings and the overrides that were replaced, by customer id, so the
            app can show what changes (empty when not retroactive).

        Raises:
            ValidationError: ``retroactive`` is ``False`` and ``customers`` is not given.
        """
        if not isinstance(access, CustomerAccess):
            raise ValidationError("must be a CustomerAccess", field="access", value=access)
        overrides = dict(self.overrides)
        replaced: dict[str, CustomerAccess] = {}
        if retroactive:
            ids = list(overrides) if customers is None else [_customer_id(c) for c in customers]
            for customer_id in ids:
                if customer_id in overrides:
                    replaced[customer_id] = overrides.pop(customer_id)
        else:
            if customers is None:
                raise ValidationError(
                    "must list the existing customers to keep them on the old default",
                    field="customers",
                    value=None,
                )
            for customer in customers:
                overrides.setdefault(_customer_id(customer), self.default_access)
        settings = attrs.evolve(self, default_access=access, overrides=overrides)
        return settings, replaced


def _utc_today() -> date:
    return datetime.now(UTC).date()


class AccessPolicy:
    """Decides what a customer may see and do, from the settings and the documents' state.

    Args:
        settings: the portal settings.
        today: returns the current date for offer expiry; defaults to today in UTC. Pass the
            merchant's local date function if validity dates are meant in local time.
    """

    __slots__ = ("_today", "settings")

    def __init__(self, settings: PortalSettings, *, today: Callable[[], date] = _utc_today) -> None:
        if not isinstance(settings, PortalSettings):
            raise ValidationError("must be PortalSettings", field="settings", value=settings)
        self.settings = settings
        self._today = today

    def __repr__(self) -> str:
        return f"AccessPolicy({self.settings!r})"

    def denial(
        self, customer: Customer, document: Document, action: Action, *, on: date | None = None
    ) -> str | None:
        """Why ``customer`` may not take ``action`` on ``document``, or ``None`` if allowed."""
        if document.customer_id != customer.id:
            return f"{_label(document)} is not a document of customer {customer.id!r}"
        access = self.settings.access_for(customer)
        if not access.enabled:
            return f"the portal is disabled for customer {customer.id!r}"
        kind = document.type
        shown = self.settings.document_actions.get(kind)
        if shown is None or Action.VIEW not in shown:
            return f"the portal does not show {_plural(kind)}"
        if access.document_types is not None and kind not in access.document_types:
            return f"customer {customer.id!r} may not see {_plural(kind)}"
        if access.actions is not None and Action.VIEW not in access.actions:
            return f"customer {customer.id!r} may not view documents"
        if action not in APPLICABLE_ACTIONS[kind]:
            return f"{_plural(kind)} cannot be subject to {action.verb}"
        if action not in shown:
            return f"the portal does not allow to {action.verb} {_plural(kind)}"
        if access.actions is not None and action not in access.actions:
            return f"customer {customer.id!r} may not {action.verb}"
        if action in (Action.ACCEPT, Action.REJECT):
            assert isinstance(document, Offer)
            status = document.status_on(self._today() if on is None else on)
            if status is not OfferStatus.OPEN:
                return f"{_label(document)} is {status.value}"
        if action is Action.PAY:
            assert isinstance(document, PayableDocument)
            if not document.amount_due:
                return f"nothing is due on {_label(document)} ({document.state.value})"
        return None

    def allowed_actions(
        self, customer: Customer, document: Document, *, on: date | None = None
    ) -> frozenset[Action]:
        """Everything ``customer`` may do with ``document`` now (or on day ``on``)."""
        day = self._today() if on is None else on
        return frozenset(
            action
            for action in APPLICABLE_ACTIONS[document.type]
            if self.denial(customer, document, action, on=day) is None
        )

    def check(
        self, customer: Customer, document: Document, action: Action, *, on: date | None = None
    ) -> None:
        """Raise :class:`AccessDeniedError` with the reason unless the action is allowed."""
        reason = self.denial(customer, document, action, on=on)
        if reason is not None:
            raise AccessDeniedError(f"cannot {action.verb} {_label(document)}: {reason}")

    def download_denial(
        self,
        customer: Customer,
        document: Document,
        format: DownloadFormat,  # noqa: A002  # the word the portal's UI uses
        *,
        on: date | None = None,
    ) -> str | None:
        """Why ``customer`` may not download ``document`` as ``format``, or ``None``."""
        if not isinstance(format, DownloadFormat):
            raise ValidationError("must be a DownloadFormat", field="format", value=format)
        reason = self.denial(customer, document, Action.DOWNLOAD, on=on)
        if reason is not None:
            return reason
        if format.is_einvoice and document.type not in EINVOICE_DOCUMENT_TYPES:
            return f"{_plural(document.type)} have no e-invoice ({format.label})"
        if format not in self.settings.download_formats:
            return f"the portal does not offer downloads as {format.label}"
        allowed = self.settings.access_for(customer).download_formats
        if allowed is not None and format not in allowed:
            return f"customer {customer.id!r} may not download {format.label}"
        return None

    def download_formats(
        self, customer: Customer, document: Document, *, on: date | None = None
    ) -> tuple[DownloadFormat, ...]:
        """The formats ``customer`` may download ``document`` in, in the settings' order.

        Empty when ``DOWNLOAD`` is not allowed; e-invoice formats only for invoices and
        credit notes.
        """
        day = self._today() if on is None else on
        if self.denial(customer, document, Action.DOWNLOAD, on=day) is not None:
            return ()
        return tuple(
            f
            for f in self.settings.download_formats
            if self.download_denial(customer, document, f, on=day) is None
        )

    def check_download(
        self,
        customer: Customer,
        document: Document,
        format: DownloadFormat,  # noqa: A002
        *,
        on: date | None = None,
    ) -> None:
        """Raise :class:`AccessDeniedError` with the reason unless the download is allowed."""
        reason = self.download_denial(customer, document, format, on=on)
        if reason is not None:
            raise AccessDeniedError(
                f"cannot download {_label(document)} as {format.label}: {reason}"
            )

    def visible(self, customer: Customer, documents: Iterable[D]) -> list[D]:
        """The documents ``customer`` may view, in the given order."""
        return [d for d in documents if self.denial(customer, d, Action.VIEW) is None]

    def account_actions(self, customer: Customer) -> frozenset[Action]:
        """The account actions (master data edits, top-ups) ``customer`` may use."""
        access = self.settings.access_for(customer)
        if not access.enabled:
            return frozenset()
        allowed = self.settings.account_actions
        return allowed if access.actions is None else allowed & access.actions

    def editable_groups(self, customer: Customer) -> frozenset[MasterDataGroup]:
        """The master data groups ``customer`` may edit: none without ``EDIT_MASTER_DATA``,
        else the portal's groups narrowed by the customer's override."""
        if Action.EDIT_MASTER_DATA not in self.account_actions(customer):
            return frozenset()
        allowed = self.settings.editable_master_data
        narrowed = self.settings.access_for(customer).editable_master_data
        return allowed if narrowed is None else allowed & narrowed

    def editable_fields(self, customer: Customer) -> frozenset[MasterDataField]:
        """The fields of :meth:`editable_groups`, for the form and for ``apply_change``."""
        return frozenset(
            field for group in self.editable_groups(customer) for field in group.fields
        )

    def master_data_denial(self, customer: Customer, change: MasterDataChange) -> str | None:
        """Why ``customer`` may not submit ``change``, or ``None`` if every field it sets
        is editable. The reason names the fields and their group."""
        if not isinstance(change, MasterDataChange):
            raise ValidationError("must be a MasterDataChange", field="change", value=change)
        if Action.EDIT_MASTER_DATA not in self.account_actions(customer):
            return (
                f"customer {customer.id!r} may not edit master data: the portal settings or "
                "the customer's access do not allow it"
            )
        denied = change.fields - self.editable_fields(customer)
        if not denied:
            return None
        reasons = [
            f"{group.label} "
            + (
                "cannot be edited in this portal"
                if group not in self.settings.editable_master_data
                else "is not editable for this customer"  # the override leaves it out
            )
            for group in MasterDataGroup
            if denied & group.fields
        ]
        names = ", ".join(sorted(f.value for f in denied))
        return f"customer {customer.id!r} may not change {names}: " + "; ".join(reasons)

    def check_master_data_change(self, customer: Customer, change: MasterDataChange) -> None:
        """Raise :class:`AccessDeniedError` unless ``customer`` may submit ``change``.

        Raises:
            AccessDeniedError: ``EDIT_MASTER_DATA`` is not allowed for the customer, or the
                change sets a field of a group the portal or the customer's override does
                not make editable; the message names the fields and the group.
            ValidationError: ``change`` is not a :class:`~payportal.MasterDataChange`.
        """
        reason = self.master_data_denial(customer, change)
        if reason is not None:
            raise AccessDeniedError(reason)

    def apply_master_data_change(
        self, customer: Customer, change: MasterDataChange, *, at: datetime | None = None
    ) -> tuple[Customer, ChangeRecord]:
        """Check ``change`` against the policy, then apply it
        (:meth:`Customer.apply_change <payportal.Customer.apply_change>` with
        :meth:`editable_fields`).

        Returns:
            The updated customer and the record of what changed.

        Raises:
            AccessDeniedError: as for :meth:`check_master_data_change`.
            ValidationError: a new value is invalid; ``field`` names it.
        """
        self.check_master_data_change(customer, change)
        return customer.apply_change(change, editable=self.editable_fields(customer), at=at)

    def account_denial(self, customer: Customer, action: Action) -> str | None:
        """Why ``customer`` may not use account ``action``, or ``None`` if allowed.

        Raises:
            ValidationError: ``action`` is not one of :data:`ACCOUNT_ACTIONS`.
        """
        if action not in ACCOUNT_ACTIONS:
            raise ValidationError("is not an account action", field="action", value=action)
        access = self.settings.access_for(customer)
        if not access.enabled:
            return f"the portal is disabled for customer {customer.id!r}"
        if action not in self.settings.account_actions:
            return f"the portal does not let customers {action.verb}"
        if access.actions is not None and action not in access.actions:
            return f"customer {customer.id!r} may not {action.verb}"
        return None

    def check_account(self, customer: Customer, action: Action) -> None:
        """Raise :class:`AccessDeniedError` unless ``customer`` may use account ``action``.

        Raises:
            AccessDeniedError: the portal settings or the customer's access do not allow it;
                the message says which.
            ValidationError: ``action`` is not one of :data:`ACCOUNT_ACTIONS`.
        """
        reason = self.account_denial(customer, action)
        if reason is not None:
            raise AccessDeniedError(f"customer {customer.id!r} may not {action.verb}: {reason}")

    def payment_method_denial(
        self,
        customer: Customer,
        action: Action,
        *,
        has_mandate: bool = False,
        has_saved_method: bool = False,
    ) -> str | None:
        """Why ``customer`` may not take payment-method ``action`` now, or ``None``.

        The merchant offers SEPA direct debit in the portal by allowing ``GRANT_MANDATE``
        (and ``REVOKE_MANDATE``) among :attr:`PortalSettings.account_actions`, and saved
        provider methods by allowing ``ADD_PAYMENT_METHOD`` (``CHANGE_PAYMENT_METHOD``,
        ``REMOVE_PAYMENT_METHOD``); a :class:`CustomerAccess` override narrows it per
        customer. Beyond the settings, the customer's state decides: there must be an
        active mandate to revoke and a saved method to change or remove.

        Args:
            customer: who asks.
            action: one of :data:`PAYMENT_METHOD_ACTIONS`.
            has_mandate: whether the customer has an active mandate now
                (``Portal.active_mandate(customer_id) is not None``).
            has_saved_method: whether the customer has a saved provider method now.

        Raises:
            ValidationError: ``action`` is not one of :data:`PAYMENT_METHOD_ACTIONS`.
        """
        if action not in PAYMENT_METHOD_ACTIONS:
            raise ValidationError("is not a payment-method action", field="action", value=action)
        reason = self.account_denial(customer, action)
        if reason is not None:
            return reason
        if action is Action.REVOKE_MANDATE and not has_mandate:
            return f"customer {customer.id!r} has no active mandate to revoke"
        if (
            action in (Action.CHANGE_PAYMENT_METHOD, Action.REMOVE_PAYMENT_METHOD)
            and not has_saved_method
        ):
            verb = "change" if action is Action.CHANGE_PAYMENT_METHOD else "remove"
            return f"customer {customer.id!r} has no saved payment method to {verb}"
        return None

    def payment_method_actions(
        self, customer: Customer, *, has_mandate: bool = False, has_saved_method: bool = False
    ) -> frozenset[Action]:
        """The payment-method actions ``customer`` may take now (see
        :meth:`payment_method_denial`), for the app to show only the forms that work."""
        return frozenset(
            action
            for action in PAYMENT_METHOD_ACTIONS
            if self.payment_method_denial(
                customer, action, has_mandate=has_mandate, has_saved_method=has_saved_method
            )
            is None
        )

    def check_payment_method(
        self,
        customer: Customer,
        action: Action,
        *,
        has_mandate: bool = False,
        has_saved_method: bool = False,
    ) -> None:
        """Raise :class:`AccessDeniedError` with the reason unless ``customer`` may take
        payment-method ``action`` now (see :meth:`payment_method_denial`).

        >>> policy = AccessPolicy(PortalSettings(document_actions={}))
        >>> erika = Customer(id="42", number="K-42", name="Erika Mustermann")
        >>> policy.check_payment_method(erika, Action.GRANT_MANDATE)
        Traceback (most recent call last):
        ...
        payportal.exceptions.AccessDeniedError: cannot grant a mandate: the portal does not \
let customers grant a mandate

        Raises:
            AccessDeniedError: the settings, the customer's access or state do not allow it.
            ValidationError: ``action`` is not one of :data:`PAYMENT_METHOD_ACTIONS`.
        """
        reason = self.payment_method_denial(
            customer, action, has_mandate=has_mandate, has_saved_method=has_saved_method
        )
        if reason is not None:
            raise AccessDeniedError(f"cannot {action.verb}: {reason}")
