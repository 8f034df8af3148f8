"""What a template is rendered with: the customer, documents, company, payment and links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from payportal import _validators as v
from payportal._money import parse_locale
from payportal.accounts import CustomerAccount
from payportal.customers import Company, Customer
from payportal.documents import Document, DocumentType, PayableDocument
from payportal.exceptions import ValidationError
from payportal.i18n import TextOverrides
from payportal.mandates import Mandate
from payportal.placeholders._instructions import BillPayTransfer, PaymentInstructions
from payportal.placeholders._methods import ShownMethod

if TYPE_CHECKING:
    import babel

__all__ = [
    "ALIASES",
    "CLIENT",
    "COMPANY",
    "PAYMENT",
    "DownloadLinks",
    "ImageFiles",
    "PortalLinks",
    "RenderContext",
]

CLIENT = "Client"
COMPANY = "Company"
PAYMENT = "Payment"
ALIASES: Mapping[str, str] = MappingProxyType({"Confirmation": "OrderConfirmation"})
"""Other names templates may use for an object: Billomat calls order confirmations
``[Confirmation.…]``."""
_BUILT_IN = frozenset({CLIENT, COMPANY, PAYMENT, *ALIASES, *(t.object_name for t in DocumentType)})


@runtime_checkable
class PortalLinks(Protocol):
    """Signs portal links; :class:`payportal.links.PortalUrls` is the implementation.

    Each call returns a freshly signed URL that opens exactly the object it is given.
    """

    def customer_url(self, customer: Customer) -> str:
        """The link to the customer's portal start page."""
        ...

    def document_url(self, document: Document) -> str:
        """The link to one document in the portal."""
        ...

    def payment_url(self, document: PayableDocument) -> str:
        """The link that starts paying one invoice or reminder."""
        ...


@runtime_checkable
class DownloadLinks(Protocol):
    """Signs download links; :class:`payportal.links.PortalUrls` implements it too.

    Separate from :class:`PortalLinks` so that an app's own links object without these
    methods keeps working: only a template that uses ``[Invoice.download_url]`` or
    ``[Invoice.einvoice_url]`` (or a credit note's) needs them, and names them when missing.
    """

    def download_url(self, document: Document) -> str:
        """The link that downloads the document's PDF."""
        ...

    def einvoice_url(self, document: Document) -> str:
        """The link that downloads the document as the merchant's default e-invoice."""
        ...


@runtime_checkable
class ImageFiles(Protocol):
    """Keeps images that a template refers to by path, such as ``[Invoice.epc_qr:file]``
    for a PDF renderer that reads files; :class:`payportal.placeholders.ImageFolder` is the
    implementation."""

    def save(self, name: str, content: bytes, media_type: str) -> str:
        """Store ``content`` (``name`` is a safe file name, unique for the content) and
        return the path or URL the template should print."""
        ...


def _documents(value: Document | Iterable[Document]) -> tuple[Document, ...]:
    if isinstance(value, Document):
        return (value,)
    return v.to_tuple(value)


def _check_documents(
    instance: RenderContext, attribute: attrs.Attribute[Any], value: tuple[Document, ...]
) -> None:
    v.items_of(Document, "a document")(instance, attribute, value)
    seen: dict[str, int] = {}
    for index, document in enumerate(value):
        name = document.type.object_name
        if name in seen:
            raise ValidationError(
                f"is a second {name}; a template's [{name}.…] placeholders need exactly one "
                f"(the first is documents[{seen[name]}])",
                field=f"documents[{index}]",
                value=document,
            )
        seen[name] = index
        customer = instance.customer
        if customer is not None and document.customer_id != customer.id:
            # Rendering another customer's document (and its signed link) into this
            # customer's e-mail would leak it: refuse the combination outright.
            raise ValidationError(
                f"belongs to customer {document.customer_id!r}, not to {customer.id!r}",
                field=f"documents[{index}].customer_id",
                value=document.customer_id,
            )


def _locale_or_none(value: str | babel.Locale | None) -> str | None:
    return None if value is None else str(parse_locale(value))


def _check_urls(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, PortalLinks):
        raise v.fail(
            attribute,
            value,
            "must offer customer_url(), document_url() and payment_url(), as "
            "payportal.links.PortalUrls does",
        )


def _check_extra(
    instance: RenderContext, attribute: attrs.Attribute[Any], value: Mapping[str, object]
) -> None:
    for name in value:
        if not isinstance(name, str) or not name[:1].isupper() or not name.isalnum():
            raise ValidationError(
                "must be an object name such as 'Project' (a capital letter, then letters "
                "and digits)",
                field="extra",
                value=name,
            )


def _freeze(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class RenderContext:
    """The objects a template's placeholders are filled from.

    Args:
        customer: the customer the text is for; ``[Client.…]``. Its ``locale`` is the
            default locale of the rendering.
        documents: the documents the text is about, at most one per type (a single
            document may be passed as is); ``[Invoice.…]``, ``[Reminder.…]`` and so on.
            Each must belong to ``customer``.
        company: the merchant; ``[Company.…]``.
        payment: a :class:`payportal.providers.Payment` (or anything with the same ``id``,
            ``amount``, ``status``, ``reference`` and ``provider``); ``[Payment.…]``.
        urls: signs the ``customerportal_url`` and ``payment_url`` links, normally a
            :class:`payportal.links.PortalUrls`; anything matching :class:`PortalLinks`.
            ``download_url`` and ``einvoice_url`` need :class:`DownloadLinks` as well.
        locale: overrides the customer's locale, such as ``"de_DE"``.
        instructions: the merchant's :class:`PaymentInstructions` (beneficiary and
            reference scheme); ``payment_reference``, ``beneficiary``, ``iban``, ``bic``,
            ``due_date`` and ``epc_qr`` of ``Invoice``, ``Reminder`` and ``Client`` need it.
        billpay: BillPay's account and reference for the ``Invoice`` when it is a BillPay
            invoice purchase; they replace the merchant's on that invoice.
        account: the customer's :class:`~payportal.accounts.CustomerAccount`, for
            ``[Client.amount_due]`` and the account's ``[Client.epc_qr]``.
        payment_method: the customer's active payment method, for
            ``[Client.payment_method]``, ``[Client.masked_iban]``,
            ``[Client.mandate_reference]``, ``[Client.card_brand]`` and
            ``[Client.card_last4]``: the active :class:`~payportal.mandates.Mandate`, or a
            saved provider method (:class:`ShownMethod`, such as
            ``payportal.providers.SavedMethod``). ``None``: the customer has none, and
            those placeholders render nothing.
        files: where ``[….epc_qr:file]`` images are written (:class:`ImageFiles`).
        texts: the merchant's wording of labels such as ``[Invoice.payment_state]``
            (:class:`payportal.i18n.TextOverrides`); payportal's catalogs otherwise.
        extra: further objects for placeholders an app registered itself, by object name
            (``{"Project": project}``).

    Raises:
        ValidationError: two documents of one type, a document or an account of another
            customer, an unknown locale, ``urls`` without the three link methods, ``files``
            without ``save``, a ``payment_method`` that is neither a mandate nor shows
            ``brand``, ``last4`` and ``display``, or an ``extra`` name that is not an object
            name or that clashes with a built-in object.
    """

    customer: Customer | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Customer, "a Customer"))
    )
    documents: tuple[Document, ...] = attrs.field(
        default=(), converter=_documents, validator=_check_documents
    )
    company: Company | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Company, "a Company"))
    )
    payment: object | None = None
    urls: PortalLinks | None = attrs.field(default=None, validator=_check_urls)
    locale: str | None = attrs.field(default=None, converter=_locale_or_none)
    instructions: PaymentInstructions | None = attrs.field(
        default=None,
        validator=v.optional(v.instance_of(PaymentInstructions, "PaymentInstructions")),
    )
    billpay: BillPayTransfer | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(BillPayTransfer, "a BillPayTransfer"))
    )
    account: CustomerAccount | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(CustomerAccount, "a CustomerAccount"))
    )
    files: ImageFiles | None = attrs.field(default=None)
    payment_method: Mandate | ShownMethod | None = attrs.field(default=None)
    texts: TextOverrides | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(TextOverrides, "TextOverrides"))
    )
    extra: Mapping[str, object] = attrs.field(
        factory=dict, converter=_freeze, validator=_check_extra
    )
    # A plain dict: the render loop looks every placeholder's object up in it.
    _by_name: dict[str, object] = attrs.field(init=False, repr=False, eq=False)
    # Resolved payment instructions by object name, filled on first use: a template with
    # six payment placeholders makes the reference and groups the IBAN once, not six times.
    # The context is immutable, so what is cached here cannot go stale.
    _transfers: dict[str, object] = attrs.field(init=False, repr=False, eq=False, factory=dict)

    @account.validator
    def _account_of_customer(
        self, attribute: attrs.Attribute[Any], value: CustomerAccount | None
    ) -> None:
        customer = self.customer
        if value is not None and customer is not None and value.customer_id != customer.id:
            raise ValidationError(
                f"belongs to customer {value.customer_id!r}, not to {customer.id!r}",
                field="account.customer_id",
                value=value.customer_id,
            )

    @payment_method.validator
    def _payment_method(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, Mandate | ShownMethod):
            raise v.fail(
                attribute,
                value,
                "must be a Mandate or a saved method with brand, last4 and display "
                "(payportal.providers.SavedMethod), or None",
            )

    @files.validator
    def _files(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, ImageFiles):
            raise v.fail(attribute, value, "must offer save(name, content, media_type)")

    def __attrs_post_init__(self) -> None:
        # Runs after the validators, so every part is known to be of the right type.
        object.__setattr__(self, "_by_name", self._collect())

    def _collect(self) -> dict[str, object]:
        objects: dict[str, object] = {}
        if self.customer is not None:
            objects[CLIENT] = self.customer
        if self.company is not None:
            objects[COMPANY] = self.company
        if self.payment is not None:
            objects[PAYMENT] = self.payment
        for document in self.documents:
            objects[document.type.object_name] = document
        for name, value in self.extra.items():
            if name in objects or name in _BUILT_IN:
                raise ValidationError(
                    "names a built-in object; pass it as customer, documents, company or "
                    "payment instead",
                    field=f"extra[{name!r}]",
                    value=value,
                )
            objects[name] = value
        return objects

    @property
    def objects(self) -> Mapping[str, object]:
        """Every object this context provides, by the name templates use for it."""
        return MappingProxyType(self._by_name)

    @property
    def default_locale(self) -> str:
        """``locale`` if given, else the customer's locale, else ``"en"``."""
        if self.locale is not None:
            return self.locale
        if self.customer is not None:
            return self.customer.locale
        return "en"
