"""The allow-list of placeholder objects and fields, and the getters behind them.

Nothing in a template is ever resolved by attribute access: ``[Invoice.number]`` renders
only because ``Invoice.number`` is registered here with a getter written in code.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from payportal import epc_qr
from payportal._money import Money
from payportal.documents import (
    CreditNote,
    DeliveryNote,
    Document,
    DocumentType,
    Invoice,
    Offer,
    OrderConfirmation,
    PayableDocument,
    Reminder,
)
from payportal.exceptions import (
    MissingContextError,
    PlaceholderError,
    UnknownPlaceholderError,
    ValidationError,
)
from payportal.placeholders._context import ALIASES, CLIENT, COMPANY, PAYMENT, DownloadLinks
from payportal.placeholders._format import HINTS, KINDS, Kind
from payportal.placeholders._instructions import (
    BillPayTransfer,
    PaymentInstructions,
    Transfer,
    amount_for_qr,
)
from payportal.placeholders._methods import register_method_fields
from payportal.references import billpay as refs_billpay

if TYPE_CHECKING:
    from datetime import date

    from payportal.customers import Address, BankAccount, Company, Customer
    from payportal.placeholders._context import PortalLinks, RenderContext

__all__ = ["PlaceholderField", "PlaceholderRegistry", "Problem"]

Getter = Callable[..., object]
"""``getter(obj)``, or ``getter(obj, context)`` for fields registered ``with_context``."""

_OBJECT_NAME: Final = re.compile(r"[A-Z][A-Za-z0-9]*")
_FIELD_NAME: Final = re.compile(r"[a-z_][a-z0-9_]*")

# Names people reach for that difflib would not find: suggestions only, never aliases.
_SYNONYMS: Final = {
    "customer": CLIENT,
    "merchant": COMPANY,
    "quote": "Offer",
    "dunning": "Reminder",
    "credit": "CreditNote",
    "order": "OrderConfirmation",
    "delivery": "DeliveryNote",
}


@attrs.frozen
class PlaceholderField:
    """One allowed placeholder, such as ``Invoice.total_gross``.

    Attributes:
        object: the object name, such as ``"Invoice"``.
        name: the field name, such as ``"total_gross"``.
        kind: how the value is formatted (``"money"``, ``"date"``, ``"text"``...).
        getter: the code that reads the value; called as ``getter(obj)``, or
            ``getter(obj, context)`` when ``with_context`` is true.
        with_context: whether the getter needs the :class:`RenderContext` (for links).
        needs: what the render context must hold besides the object, for :func:`lint`:
            ``"instructions"`` (payment instructions) or ``"beneficiary"`` (payment
            instructions naming the account paid to).
    """

    object: str
    name: str
    kind: Kind
    getter: Getter = attrs.field(repr=False)
    with_context: bool = False
    needs: frozenset[str] = frozenset()

    @property
    def token(self) -> str:
        """``"Invoice.total_gross"``: what goes between the brackets."""
        return f"{self.object}.{self.name}"

    @property
    def hints(self) -> tuple[str, ...]:
        """The format hints this field accepts after a colon."""
        return HINTS[self.kind]


class Problem(NamedTuple):
    """Why a token is not a known placeholder; compile raises it, lint reports it."""

    code: str  # "unknown-object", "unknown-field", "wrong-object" or "unknown-hint"
    message: str
    suggestion: str | None


# Longer than any name a person means to type; difflib's cost grows with the length.
_MAX_SUGGESTED_FROM: Final = 64


def _closest(word: str, candidates: list[str]) -> str | None:
    if len(word) > _MAX_SUGGESTED_FROM:
        return None
    return _closest_cached(word, tuple(candidates))


@functools.lru_cache(maxsize=4096)
def _closest_cached(word: str, candidates: tuple[str, ...]) -> str | None:
    # A template repeats its mistakes; each costs difflib about a millisecond the first time.
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _or_list(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _and_list(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class PlaceholderRegistry:
    """The objects and fields templates may use, each with the code that reads it.

    ``PlaceholderRegistry()`` starts with payportal's built-in fields (see the placeholders
    guide for the list); :meth:`empty` starts with none. Apps add their own:

    >>> from payportal.placeholders import PlaceholderRegistry
    >>> registry = PlaceholderRegistry()
    >>> registry.register("Invoice", "project_code", lambda invoice: invoice.title[:8])
    >>> "Invoice.project_code" in registry
    True

    Templates resolve their fields when they are compiled; registering or removing fields
    later does not change templates compiled before.
    """

    __slots__ = ("_aliases", "_fields")

    def __init__(self, *, defaults: bool = True) -> None:
        """Create a registry, with payportal's built-in fields unless ``defaults`` is false.

        The built-in registry also accepts ``Confirmation`` as another name of
        ``OrderConfirmation`` (Billomat's), see :attr:`aliases`.
        """
        self._fields: dict[str, dict[str, PlaceholderField]] = {}
        self._aliases: dict[str, str] = dict(ALIASES) if defaults else {}
        if defaults:
            _register_defaults(self)

    @classmethod
    def empty(cls) -> PlaceholderRegistry:
        """A registry without any fields, for apps that want a strict allow-list of their own."""
        return cls(defaults=False)

    def copy(self) -> PlaceholderRegistry:
        """An independent copy; registering on it leaves this registry as it is."""
        clone = PlaceholderRegistry.empty()
        clone._fields = {name: dict(fields) for name, fields in self._fields.items()}
        clone._aliases = dict(self._aliases)
        return clone

    @property
    def aliases(self) -> Mapping[str, str]:
        """Other names of objects, such as ``{"Confirmation": "OrderConfirmation"}``: a
        template may write either, and gets the same fields from the same object."""
        return MappingProxyType(self._aliases)

    def register(
        self,
        object: str,  # noqa: A002  # the template language's own word
        field: str,
        getter: Getter,
        *,
        kind: Kind = "auto",
        with_context: bool = False,
        replace: bool = False,
        needs: Iterable[str] = (),
    ) -> None:
        """Allow ``[object.field]`` in templates, read by ``getter``.

        Args:
            object: an object name: a capital letter, then letters and digits
                (``"Invoice"``, ``"Project"``). A new name adds an object; the render
                context provides it through ``RenderContext(extra={...})``.
            field: a snake_case field name (``"project_code"``).
            getter: code that reads the value from the object: ``getter(obj)``, or
                ``getter(obj, context)`` with ``with_context``. Returning ``None``
                renders nothing.
            kind: how the value becomes text: ``"money"`` (:class:`~payportal.Money`, in
                the locale), ``"date"``, ``"percent"`` (a Decimal in percent, ``19`` is
                19 %), ``"number"``, ``"text"``, ``"multiline"`` (line breaks become
                ``<br>`` in html mode), ``"url"``, ``"list"`` (a tuple of rows, each a
                tuple of values formatted by type, one line per row), ``"qr"`` (the text
                of an EPC QR code, drawn as the hint says: ``svg``, ``data_uri``,
                ``png``, ``file`` or ``payload``), ``"label"`` (an enum member shown by
                its label in the locale's language, see :mod:`payportal.i18n`; any other
                value as text), or ``"auto"`` (chosen by the value's type, enums by their
                label; takes no format hints).
            with_context: pass the :class:`RenderContext` as the getter's second argument.
            replace: allow replacing a field that is already registered.
            needs: what the render context must hold besides the object
                (``"instructions"``, ``"beneficiary"``), so that :func:`lint` can report
                the field where it cannot be filled.

        Raises:
            ValidationError: a malformed name, a getter that is not callable, an unknown
                kind, or a field that is already registered (without ``replace``).
        """
        if not isinstance(object, str) or not _OBJECT_NAME.fullmatch(object):
            raise ValidationError(
                "must be an object name: a capital letter, then letters and digits",
                field="object",
                value=object,
            )
        if not isinstance(field, str) or not _FIELD_NAME.fullmatch(field):
            raise ValidationError(
                "must be a snake_case field name such as 'project_code'", field="field", value=field
            )
        if not callable(getter):
            raise ValidationError("must be callable", field="getter", value=getter)
        if kind not in KINDS:
            raise ValidationError(
                f"is not a field kind (known: {', '.join(KINDS)})", field="kind", value=kind
            )
        fields = self._fields.setdefault(object, {})
        if field in fields and not replace:
            raise ValidationError(
                f"is already registered for {object}; pass replace=True to replace it",
                field="field",
                value=field,
            )
        fields[field] = PlaceholderField(
            object, field, kind, getter, with_context=with_context, needs=frozenset(needs)
        )

    def remove(self, object: str, field: str) -> None:  # noqa: A002
        """Stop allowing ``[object.field]`` (an object without fields disappears).

        Raises:
            UnknownPlaceholderError: the field is not registered.
        """
        found = self.field(object, field)
        fields = self._fields[found.object]
        del fields[field]
        if not fields:
            del self._fields[found.object]

    @property
    def objects(self) -> tuple[str, ...]:
        """The registered object names, sorted."""
        return tuple(sorted(self._fields))

    def fields(self, object: str) -> tuple[str, ...]:  # noqa: A002
        """The field names registered for ``object`` (or an alias of it), sorted (empty for
        unknown objects)."""
        return tuple(sorted(self._fields.get(self._aliases.get(object, object), ())))

    def field(self, object: str, field: str) -> PlaceholderField:  # noqa: A002
        """The registration of ``[object.field]``.

        Raises:
            UnknownPlaceholderError: it is not registered; the message suggests a close name.
        """
        found = self.check(object, field, None)
        if isinstance(found, Problem):
            raise UnknownPlaceholderError(
                found.message, token=f"{object}.{field}", suggestion=found.suggestion
            )
        return found

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str) or "." not in token:
            return False
        object_name, _, field = token.partition(".")
        return field in self._fields.get(self._aliases.get(object_name, object_name), ())

    def __iter__(self) -> Iterator[PlaceholderField]:
        for name in sorted(self._fields):
            fields = self._fields[name]
            for field in sorted(fields):
                yield fields[field]

    def __len__(self) -> int:
        return sum(len(fields) for fields in self._fields.values())

    def __repr__(self) -> str:
        return f"<PlaceholderRegistry: {len(self)} fields on {len(self._fields)} objects>"

    def check(
        self,
        object: str,  # noqa: A002
        field: str,
        hint: str | None,
        *,
        suggest: bool = True,
    ) -> PlaceholderField | Problem:
        """Resolve a written placeholder, or say what is wrong with it and what was meant.

        With ``suggest=False`` no close name is looked for (a millisecond each): for callers
        that only need to know whether the placeholder is known.
        """
        written = f"[{object}.{field}{'' if hint is None else ':' + hint}]"
        fields = self._fields.get(self._aliases.get(object, object))
        if fields is None:
            suggestion = self._suggest_object(object) if suggest else None
            advice = (
                f"did you mean {suggestion}?"
                if suggestion
                else f"known objects are {_or_list(self.objects or ('none',))}"
            )
            return Problem(
                "unknown-object",
                f"unknown placeholder {written}: there is no object {object}; {advice}",
                suggestion,
            )
        found = fields.get(field)
        if found is None:
            owners = [name for name in self.objects if field in self._fields[name]]
            if owners:
                # [Offer.payment_reference]: a real field, on objects this one is not.
                return Problem(
                    "wrong-object",
                    f"{written} cannot be filled: {object} has no field {field}; "
                    f"{_and_list(owners)} {'has' if len(owners) == 1 else 'have'} it",
                    None,
                )
            suggestion = (
                (_closest(field, list(fields)) or _closest(field.lower(), list(fields)))
                if suggest
                else None
            )
            advice = f"; did you mean {suggestion}?" if suggestion else ""
            return Problem(
                "unknown-field",
                f"unknown placeholder {written}: {object} has no field {field}{advice}",
                suggestion,
            )
        if hint is None or hint in found.hints:
            return found
        allowed = list(found.hints)
        if not allowed:
            return Problem("unknown-hint", f"{written}: {found.token} takes no format hint", None)
        suggestion = _closest(hint, allowed) if suggest else None
        advice = f"did you mean {suggestion}? " if suggestion else ""
        return Problem(
            "unknown-hint",
            f"unknown format hint {hint!r} in {written}: {advice}"
            f"a {found.kind} field takes {_or_list(allowed)}",
            suggestion,
        )

    def closest(self, object: str, field: str) -> str | None:  # noqa: A002
        """The registered token closest to a misspelt ``object.field``, or None.

        Object names match ignoring case, common synonyms (``Customer`` for ``Client``) and
        small typos; field names match ignoring case, with spaces read as underscores.

        >>> PlaceholderRegistry().closest("invoice", "Total Gross")
        'Invoice.total_gross'
        """
        name = object if object in self._fields else self._suggest_object(object)
        if name is None:
            return None
        fields = list(self._fields[name])
        normal = "_".join(field.lower().split())
        match = normal if normal in self._fields[name] else _closest(normal, fields)
        return None if match is None else f"{name}.{match}"

    def _suggest_object(self, written: str) -> str | None:
        names = list(self._fields)
        lowered = written.lower()
        for name in names:
            if name.lower() == lowered:
                return name
        synonym = _SYNONYMS.get(lowered)
        if synonym in self._fields:
            return synonym
        return _closest(written, names)


# --- the built-in fields -------------------------------------------------------------------


def _links(context: RenderContext) -> PortalLinks:
    if context.urls is None:
        raise MissingContextError(
            "the render context has no urls to sign portal links with; pass "
            "RenderContext(urls=PortalUrls(...))"
        )
    return context.urls


def _customer_url(customer: Customer, context: RenderContext) -> str:
    return _links(context).customer_url(customer)


def _document_url(document: Document, context: RenderContext) -> str:
    return _links(context).document_url(document)


def _payment_url(document: PayableDocument, context: RenderContext) -> str:
    return _links(context).payment_url(document)


def _download_links(context: RenderContext, document: Document, field: str) -> DownloadLinks:
    links = _links(context)
    if not isinstance(links, DownloadLinks):
        token = f"[{document.type.object_name}.{field}]"
        raise PlaceholderError(
            f"{token} needs urls with download_url() and einvoice_url(), as "
            f"payportal.links.PortalUrls has; the render context's "
            f"{type(links).__name__} lacks them",
            token=token[1:-1],
        )
    return links


def _download_url(document: Document, context: RenderContext) -> str:
    return _download_links(context, document, "download_url").download_url(document)


def _einvoice_url(document: Document, context: RenderContext) -> str:
    return _download_links(context, document, "einvoice_url").einvoice_url(document)


# --- payment instructions ------------------------------------------------------------------

_NO_INSTRUCTIONS: Final = (
    "the render context has no payment instructions; pass "
    "RenderContext(instructions=PaymentInstructions(beneficiary=Beneficiary(...)))"
)


def _instructions(context: RenderContext) -> PaymentInstructions:
    if context.instructions is None:
        raise MissingContextError(_NO_INSTRUCTIONS)
    return context.instructions


def _billpay(subject: object, context: RenderContext) -> BillPayTransfer | None:
    # BillPay's account replaces the merchant's on the invoice it was bought with only:
    # BillPay dunns its purchases itself, and an account holds the merchant's invoices too.
    return context.billpay if isinstance(subject, Invoice) else None


def _reference(subject: Document | Customer, context: RenderContext) -> object:
    billpay = _billpay(subject, context)
    if billpay is not None:
        return refs_billpay.format(billpay.reference)
    instructions = _instructions(context)
    if instructions.beneficiary is not None:
        return _transfer(subject, context, "payment_reference").reference.formatted
    try:
        return instructions.reference_for(subject, customer=context.customer).formatted
    except ValidationError as error:
        raise PlaceholderError(
            str(error), token=f"{_object_name(subject)}.payment_reference"
        ) from None


def _transfer(subject: Document | Customer, context: RenderContext, field: str) -> Transfer:
    name = _object_name(subject)
    cached = context._transfers.get(name)
    if cached is not None:
        assert isinstance(cached, Transfer)
        return cached
    billpay = _billpay(subject, context)
    instructions = context.instructions
    if instructions is None and billpay is None:
        raise MissingContextError(_NO_INSTRUCTIONS)
    if instructions is None:
        instructions = _BILLPAY_ONLY
    try:
        transfer = instructions.transfer_for(
            subject, customer=context.customer, billpay=billpay, due_on=_due_on(subject, context)
        )
    except ValidationError as error:
        raise PlaceholderError(str(error), token=f"{_object_name(subject)}.{field}") from None
    if transfer is None:
        raise MissingContextError(
            "the payment instructions name no beneficiary; pass "
            "PaymentInstructions(beneficiary=Beneficiary(name=..., iban=...))"
        )
    context._transfers[name] = transfer  # racing threads store equal values
    return transfer


_BILLPAY_ONLY: Final = PaymentInstructions()


def _object_name(subject: Document | Customer) -> str:
    return subject.type.object_name if isinstance(subject, Document) else CLIENT


def _due_on(subject: Document | Customer, context: RenderContext) -> date | None:
    if isinstance(subject, PayableDocument):
        return subject.due_on
    account = context.account
    if account is None:
        return None
    items = account.open_items  # oldest due first
    return items[0].due_on if items else None


def _amount_due(subject: Document | Customer, context: RenderContext) -> Money | None:
    if isinstance(subject, PayableDocument):
        return subject.amount_due
    account = context.account
    if account is None:
        raise MissingContextError(
            "the render context has no account to tell what the customer owes; pass "
            "RenderContext(account=CustomerAccount(...))"
        )
    balance = account.balance
    return balance if balance.amount > 0 else Money.zero(balance.currency)


def _epc_payload(subject: Document | Customer, context: RenderContext) -> str | None:
    transfer = _transfer(subject, context, "epc_qr")
    if transfer.iban_compact is None:
        return None  # BillPay sent an account number that is no IBAN: no SEPA transfer
    if isinstance(subject, PayableDocument):
        if subject.currency != "EUR" or not subject.amount_due:
            return None  # SEPA is euros only; a paid document asks for nothing
        amount = amount_for_qr(subject.amount_due)
    else:
        account = context.account
        if (account.currency if account is not None else subject.currency) != "EUR":
            return None  # SEPA is euros only
        # Without an account, or with nothing owed, the payer fills in the amount (a top-up).
        amount = amount_for_qr(account.balance) if account is not None else None
    reference = transfer.reference
    structured = reference.scheme == "rf"
    purpose = context.instructions.purpose if context.instructions is not None else None
    try:
        return epc_qr.payload(
            name=transfer.name,
            iban=transfer.iban_compact,
            bic=transfer.bic,
            amount=amount,
            reference=reference.value if structured else None,
            text=None if structured else reference.formatted,
            purpose=purpose,
        )
    except ValidationError as error:
        raise PlaceholderError(str(error), token=f"{_object_name(subject)}.epc_qr") from None


def _payment_instruction_fields(registry: PlaceholderRegistry) -> None:
    def add(
        field: str,
        getter: Callable[[Any, RenderContext], object],
        kind: Kind,
        needs: tuple[str, ...] = ("beneficiary",),
        objects: tuple[str, ...] = (INVOICE, REMINDER, CLIENT),
    ) -> None:
        for name in objects:
            registry.register(name, field, getter, kind=kind, with_context=True, needs=needs)

    add("payment_reference", _reference, "text", ("instructions",))
    add("beneficiary", lambda s, c: _transfer(s, c, "beneficiary").name, "text")
    add("beneficiary_iban", lambda s, c: _transfer(s, c, "beneficiary_iban").iban, "text")
    add("beneficiary_bic", lambda s, c: _transfer(s, c, "beneficiary_bic").bic, "text")
    add("bank_name", lambda s, c: _transfer(s, c, "bank_name").bank_name or None, "text")
    # [Client.iban] stays the customer's own account (for direct debit notices).
    add("iban", lambda s, c: _transfer(s, c, "iban").iban, "text", objects=(INVOICE, REMINDER))
    add("bic", lambda s, c: _transfer(s, c, "bic").bic, "text", objects=(INVOICE, REMINDER))
    add("due_date", _due_date, "date", ())
    add("amount_due", _amount_due, "money", (), objects=(CLIENT,))
    add("epc_qr", _epc_payload, "qr")


def _due_date(subject: Document | Customer, context: RenderContext) -> date | None:
    billpay = _billpay(subject, context)
    if billpay is not None and billpay.due_on is not None:
        return billpay.due_on
    return _due_on(subject, context)


INVOICE: Final = Invoice.type.object_name
REMINDER: Final = Reminder.type.object_name


def _address(address: Address | None) -> str | None:
    return None if address is None else "\n".join(address.lines())


def _first_iban(accounts: tuple[BankAccount, ...]) -> str | None:
    return accounts[0].formatted_iban if accounts else None


def _first_bic(accounts: tuple[BankAccount, ...]) -> str | None:
    return accounts[0].bic if accounts else None


def _client_fields(registry: PlaceholderRegistry) -> None:
    def add(field: str, getter: Callable[[Customer], object], kind: Kind = "text") -> None:
        registry.register(CLIENT, field, getter, kind=kind)

    add("number", lambda c: c.number)
    add("name", lambda c: c.name)
    add("company", lambda c: c.company)
    add("contact_person", lambda c: c.contact_person)
    add("display_name", lambda c: c.display_name)
    add("email", lambda c: c.email)
    add("phone", lambda c: c.phone)
    add("address", lambda c: _address(c.address), "multiline")
    add("vat_id", lambda c: c.vat_id)
    add("tax_number", lambda c: c.tax_number)
    add("iban", lambda c: _first_iban(c.bank_accounts))
    registry.register(CLIENT, "customerportal_url", _customer_url, kind="url", with_context=True)
    register_method_fields(registry, CLIENT)


def _company_fields(registry: PlaceholderRegistry) -> None:
    def add(field: str, getter: Callable[[Company], object], kind: Kind = "text") -> None:
        registry.register(COMPANY, field, getter, kind=kind)

    add("name", lambda c: c.name)
    add("address", lambda c: _address(c.address), "multiline")
    add("email", lambda c: c.email)
    add("phone", lambda c: c.phone)
    add("website", lambda c: c.website, "url")
    add("logo_url", lambda c: c.logo_url, "url")
    add("vat_id", lambda c: c.vat_id)
    add("tax_number", lambda c: c.tax_number)
    add("register_entry", lambda c: c.register_entry)
    add("iban", lambda c: _first_iban(c.bank_accounts))
    add("bic", lambda c: _first_bic(c.bank_accounts))


def _document_fields(registry: PlaceholderRegistry) -> None:
    def add(
        kinds: tuple[type[Document], ...],
        field: str,
        getter: Callable[[Any], object],
        kind: Kind = "text",
    ) -> None:
        for document_type in kinds:
            registry.register(document_type.type.object_name, field, getter, kind=kind)

    every = tuple(_DOCUMENT_CLASSES[t] for t in DocumentType)
    payable = (Invoice, Reminder)
    with_total = (Invoice, Reminder, CreditNote, Offer, OrderConfirmation)

    add(every, "number", lambda d: d.number)
    add(every, "title", lambda d: d.title)
    add(every, "issued_on", lambda d: d.issued_on, "date")
    add(every, "currency", lambda d: d.currency)
    add(every, "total_net", lambda d: d.totals.net, "money")
    add(every, "total_tax", lambda d: d.totals.tax, "money")
    add(every, "total_gross", lambda d: d.totals.gross, "money")
    for document_type in every:
        registry.register(
            document_type.type.object_name,
            "customerportal_url",
            _document_url,
            kind="url",
            with_context=True,
        )
    add(with_total, "total", lambda d: d.total, "money")
    for document_type in every:
        registry.register(
            document_type.type.object_name,
            "download_url",
            _download_url,
            kind="url",
            with_context=True,
        )
    for document_type in (Invoice, CreditNote):
        registry.register(
            document_type.type.object_name,
            "einvoice_url",
            _einvoice_url,
            kind="url",
            with_context=True,
        )

    add(payable, "due_on", lambda d: d.due_on, "date")
    add(payable, "amount_due", lambda d: d.amount_due, "money")
    add(payable, "paid", lambda d: d.paid, "money")
    add(payable, "payment_state", lambda d: d.state, "label")
    for document_type in payable:
        registry.register(
            document_type.type.object_name,
            "payment_url",
            _payment_url,
            kind="url",
            with_context=True,
        )

    add((Invoice,), "service_date", lambda d: d.service_date, "date")
    add((Invoice,), "cash_discount_percent", _discount(lambda t, d: t.percent), "percent")
    add((Invoice,), "cash_discount_until", _discount(lambda t, d: t.deadline(d.issued_on)), "date")
    add((Invoice,), "cash_discount_amount", _discount(lambda t, d: t.amount(d.total)), "money")

    add((Reminder,), "level", lambda d: d.level, "number")
    add((Reminder,), "fee", lambda d: d.fee, "money")
    add((Reminder,), "interest", lambda d: d.interest, "money")
    add((Reminder,), "principal", lambda d: d.principal, "money")
    add((Reminder,), "charges", lambda d: d.charges, "money")
    add((Reminder,), "invoice_numbers", lambda d: ", ".join(r.number for r in d.reminded))
    add((Reminder,), "new_due_date", lambda d: d.due_on, "date")
    add((Reminder,), "invoices", _reminded_rows, "list")

    add((CreditNote,), "reason", lambda d: d.reason)

    add((Offer,), "valid_until", lambda d: d.valid_until, "date")
    add((Offer,), "status", lambda d: d.status, "label")

    add((DeliveryNote,), "delivered_on", lambda d: d.delivered_on, "date")
    add((OrderConfirmation,), "delivery_on", lambda d: d.delivery_on, "date")


def _reminded_rows(reminder: Reminder) -> tuple[tuple[object, ...], ...]:
    """One row per reminded invoice: its number, due date (if known) and what was open."""
    return tuple((r.number, r.due_on, r.amount_open) for r in reminder.reminded)


def _discount(read: Callable[[Any, Invoice], object]) -> Callable[[Invoice], object]:
    """A getter for one cash-discount figure; nothing when the invoice grants no discount."""

    def getter(invoice: Invoice) -> object:
        terms = invoice.cash_discount
        return None if terms is None else read(terms, invoice)

    return getter


def _payment_fields(registry: PlaceholderRegistry) -> None:
    # payportal.providers.Payment is read through these attribute names only.
    registry.register(PAYMENT, "id", lambda p: p.id, kind="text")
    registry.register(PAYMENT, "amount", lambda p: p.amount, kind="money")
    registry.register(PAYMENT, "status", lambda p: p.status, kind="label")
    registry.register(PAYMENT, "reference", lambda p: p.reference, kind="text")
    registry.register(PAYMENT, "provider", lambda p: p.provider, kind="text")


RECEIPT: Final = "Receipt"


def _receipt_fields(registry: PlaceholderRegistry) -> None:
    # payportal.receipts.Receipt, passed as RenderContext(extra={"Receipt": receipt}), is
    # read through these attribute names only.
    registry.register(RECEIPT, "number", lambda r: r.number, kind="text")
    registry.register(RECEIPT, "issued_on", lambda r: r.issued_at.date(), kind="date")
    registry.register(RECEIPT, "amount", lambda r: r.amount, kind="money")
    registry.register(RECEIPT, "method", lambda r: r.method, kind="text")
    registry.register(RECEIPT, "reference", lambda r: r.reference, kind="text")
    registry.register(
        RECEIPT, "settled", lambda r: tuple((s.item, s.amount) for s in r.settled), kind="list"
    )
    registry.register(RECEIPT, "credit_left", lambda r: r.credit_left, kind="money")
    registry.register(RECEIPT, "prepaid_left", lambda r: r.prepaid_left, kind="money")


_DOCUMENT_CLASSES: Final[dict[DocumentType, type[Document]]] = {
    cls.type: cls for cls in (Invoice, Reminder, CreditNote, Offer, DeliveryNote, OrderConfirmation)
}


def _register_defaults(registry: PlaceholderRegistry) -> None:
    _client_fields(registry)
    _company_fields(registry)
    _document_fields(registry)
    _payment_instruction_fields(registry)
    _payment_fields(registry)
    _receipt_fields(registry)


DEFAULT: Final = PlaceholderRegistry()
"""The registry templates use when none is given; never handed out, so never changed."""
