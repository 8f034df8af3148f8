"""The EN 16931 semantic model of an :class:`EInvoice`, checked before any syntax is written.

Both writers (CII and UBL) serialise the same :class:`Semantic` value, so the sums, the tax
breakdown and the checks exist once. :func:`build` raises :class:`ValidationError` naming the
business term that is missing or inconsistent, so no file with a known defect is produced.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import attrs

from payportal._money import Money
from payportal.customers import Address, Company, Customer
from payportal.documents import CreditNote, Invoice, LineItem
from payportal.einvoice._model import (
    CardPayment,
    EInvoice,
    OnlinePayment,
    PaymentMeans,
    Profile,
    SepaCreditTransfer,
    SepaDirectDebit,
    require,
)
from payportal.exceptions import ValidationError

__all__ = ["Line", "Means", "Party", "Semantic", "TaxBreakdown", "build", "unit_code"]

_HUNDRED = Decimal(100)

# UN/ECE Recommendation 20 codes for the units payportal users type most often.
_UNITS = {
    "": "C62",
    "pc": "H87",
    "pcs": "H87",
    "piece": "H87",
    "pieces": "H87",
    "stk": "H87",
    "stück": "H87",
    "h": "HUR",
    "hour": "HUR",
    "hours": "HUR",
    "std": "HUR",
    "std.": "HUR",
    "d": "DAY",
    "day": "DAY",
    "days": "DAY",
    "tag": "DAY",
    "tage": "DAY",
    "month": "MON",
    "months": "MON",
    "monat": "MON",
    "year": "ANN",
    "kg": "KGM",
    "g": "GRM",
    "km": "KMT",
    "m": "MTR",
    "l": "LTR",
    "kwh": "KWH",
    "min": "MIN",
    "pauschal": "LS",
    "lump sum": "LS",
    "flat": "LS",
}


def unit_code(unit: str) -> str:
    """The UN/ECE Rec. 20 code for a payportal line unit; unknown units count as ``C62`` (one)."""
    text = unit.strip()
    if len(text) == 3 and text.isupper() and text.isalnum():
        return text  # already a code such as "HUR"
    return _UNITS.get(text.lower(), "C62")


@attrs.frozen
class Party:
    """A seller or buyer as EN 16931 sees it (BG-4 / BG-7)."""

    name: str
    address: Address | None
    vat_id: str
    tax_number: str
    email: str
    phone: str
    contact: str
    identifier: str
    legal_id: str = ""


@attrs.frozen
class Line:
    """One invoice line (BG-25) with its net amount and the allowance a discount gives."""

    number: int
    item: LineItem
    quantity: Decimal
    unit_code: str
    price: Money
    net: Money
    gross_amount: Money
    allowance: Money
    category: str


@attrs.frozen
class TaxBreakdown:
    """One VAT breakdown (BG-23): category, rate, taxable amount and tax."""

    category: str
    rate: Decimal
    basis: Money
    tax: Money
    reason: str


@attrs.frozen
class Means:
    """One payment means (BG-16) resolved against the parties' bank accounts."""

    code: str
    information: str = ""
    iban: str = ""
    bic: str = ""
    account_name: str = ""
    card_digits: str = ""
    card_holder: str = ""
    card_network: str = ""
    mandate_reference: str = ""
    creditor_id: str = ""
    debtor_iban: str = ""


@attrs.frozen
class Semantic:
    """Everything a writer needs, computed and checked once."""

    profile: Profile
    number: str
    type_code: str
    issued_on: date
    currency: str
    note: str
    buyer_reference: str
    order_reference: str
    preceding_invoice: str
    delivered_on: date | None
    deliver_to: Address | None
    due_on: date | None
    payment_terms: str
    payment_reference: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    taxes: tuple[TaxBreakdown, ...]
    means: tuple[Means, ...]
    line_total: Money
    tax_basis: Money
    tax_total: Money
    grand_total: Money
    prepaid: Money
    due: Money


def _party(source: Company | Customer, *, is_seller: bool, contact: str) -> Party:
    if isinstance(source, Company):
        return Party(
            name=source.name,
            address=source.address,
            vat_id=source.vat_id or "",
            tax_number=source.tax_number,
            email=source.email or "",
            phone=source.phone,
            contact=contact or source.name,
            identifier="",
            legal_id=source.register_entry,
        )
    return Party(
        name=source.display_name,
        address=source.address,
        vat_id=source.vat_id or "",
        tax_number=source.tax_number,
        email=source.email or "",
        phone=source.phone,
        contact=source.contact_person if not is_seller else contact,
        identifier=source.number,
    )


def _category(rate: Decimal, einvoice: EInvoice) -> str:
    return "S" if rate > 0 else einvoice.zero_rate_category.value


def _line(number: int, item: LineItem, einvoice: EInvoice) -> Line:
    price = item.unit_price
    net = item.net
    field = f"document.lines[{number - 1}]"
    require(price is not None and net is not None, f"{field}.unit_price", "is required", None)
    assert price is not None
    assert net is not None
    gross = Money._of(
        (item.quantity * price.amount).quantize(price.amount, rounding=ROUND_HALF_UP),
        price.currency,
    )
    # A negative price (a discount or return line) is written as a negative quantity at a
    # positive price: EN 16931 forbids negative item prices (BR-27), not negative quantities.
    sign = -1 if price.amount < 0 else 1
    return Line(
        number=number,
        item=item,
        quantity=item.quantity * sign,
        unit_code=unit_code(item.unit),
        price=-price if sign < 0 else price,
        net=net,
        gross_amount=gross,
        allowance=gross - net,
        category=_category(item.tax_rate, einvoice),
    )


def _resolve(means: PaymentMeans, einvoice: EInvoice, index: int) -> Means:
    field = f"payment[{index}]"
    if isinstance(means, SepaCreditTransfer):
        iban, bic, name = means.iban, means.bic, means.account_name
        if not iban:
            accounts = einvoice.seller.bank_accounts
            require(
                accounts,
                f"{field}.iban",
                "is required for a SEPA credit transfer: give one or add a bank account to the "
                "seller",
            )
            iban, bic, name = accounts[0].iban, accounts[0].bic or "", accounts[0].holder
        return Means(code="58", iban=iban, bic=bic, account_name=name)
    if isinstance(means, SepaDirectDebit):
        mandate, debtor = means.mandate_reference, means.debtor_iban
        if not mandate or not debtor:
            account = next((a for a in einvoice.buyer.bank_accounts if a.mandate_reference), None)
            require(
                account is not None,
                f"{field}.mandate_reference",
                "is required for a SEPA direct debit: give it, or a buyer bank account with a "
                "mandate reference",
            )
            assert account is not None
            mandate = mandate or account.mandate_reference or ""
            debtor = debtor or account.iban
        return Means(
            code="59", mandate_reference=mandate, creditor_id=means.creditor_id, debtor_iban=debtor
        )
    if isinstance(means, CardPayment):
        return Means(
            code=means.code,
            card_digits=means.last_digits,
            card_holder=means.holder,
            card_network=means.network,
        )
    assert isinstance(means, OnlinePayment)
    return Means(code="68", information=means.information)


def _reference(einvoice: EInvoice) -> str:
    for means in einvoice.payment:
        if isinstance(means, SepaCreditTransfer | SepaDirectDebit) and means.reference:
            return means.reference
    return einvoice.document.number


def _skonto(document: Invoice, due: Money) -> str:
    terms = document.cash_discount
    if terms is None:
        return ""
    percent = terms.percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"#SKONTO#TAGE={terms.days}#PROZENT={percent}"
    if due != document.total:
        # The discount is on the gross total, not on what is still due (XRechnung BR-DE-18).
        text += f"#BASISBETRAG={document.total.amount:.2f}"
    return text + "#\n"


def _check_party(party: Party, role: str, profile: Profile) -> None:
    require(party.address is not None, f"{role}.address", "is required (BG-5/BG-8)")
    assert party.address is not None
    require(party.address.country, f"{role}.address.country", "is required (BT-40/BT-55)", None)
    if profile is Profile.XRECHNUNG:
        require(
            party.address.postal_code,
            f"{role}.address.postal_code",
            "is required by XRechnung (BR-DE-4/BR-DE-9)",
            party.address.postal_code,
        )
        require(
            party.email,
            f"{role}.email",
            "is required by XRechnung as the electronic address (BT-34/BT-49)",
            None,
        )


def buyer_reference(einvoice: EInvoice) -> str:
    """BT-10: the e-invoice's own buyer reference, else the customer's (the Leitweg-ID)."""
    return einvoice.buyer_reference or einvoice.buyer.buyer_reference


def _check_xrechnung(einvoice: EInvoice, seller: Party, means: tuple[Means, ...]) -> None:
    require(
        buyer_reference(einvoice),
        "buyer_reference",
        "is required by XRechnung (BT-10, the Leitweg-ID): give EInvoice(buyer_reference=...) "
        "or the customer's buyer_reference",
        einvoice.buyer_reference,
    )
    require(
        means,
        "payment",
        "is required by XRechnung: give at least one payment means (BR-DE-1)",
        (),
    )
    require(
        sum(c.isdigit() for c in seller.phone) >= 3,
        "seller.phone",
        "is required by XRechnung in the seller contact, with at least three digits "
        "(BR-DE-6, BR-DE-27)",
        seller.phone,
    )
    require(seller.email, "seller.email", "is required by XRechnung (BR-DE-7)", seller.email)


def _check_categories(
    einvoice: EInvoice, categories: set[str], seller: Party, buyer: Party
) -> tuple[Party, Party]:
    """Check the VAT identifiers each category needs; drop those category O forbids."""
    if "O" in categories:
        require(
            categories == {"O"},
            "zero_rate_category",
            "cannot be 'not subject to VAT' (O) beside taxed lines (BR-O-11)",
            einvoice.zero_rate_category,
        )
        # BR-O-02 to BR-O-04: an invoice outside the scope of VAT names no VAT identifiers,
        # so the seller must be identified otherwise (BR-CO-26).
        require(
            seller.legal_id,
            "seller.register_entry",
            "is required when no VAT id may be given (category O): BR-CO-26",
        )
        return attrs.evolve(seller, vat_id=""), attrs.evolve(buyer, vat_id="")
    simple = categories <= {"S", "Z", "E"}
    require(
        seller.vat_id or (seller.tax_number and simple),
        "seller.vat_id",
        "is required for VAT invoices (BR-S-02, BR-AE-02...): set the seller's VAT id"
        + (" or tax number" if simple else ""),
    )
    require(
        seller.vat_id or seller.legal_id,
        "seller.vat_id",
        "is required to identify the seller, unless the seller's register_entry is set (BR-CO-26)",
    )
    if categories & {"AE", "K"}:
        require(buyer.vat_id, "buyer.vat_id", "is required for reverse charge (BR-AE-02, BR-IC-02)")
    return seller, buyer


def _taxes(einvoice: EInvoice, categories: set[str]) -> tuple[TaxBreakdown, ...]:
    reason = einvoice.exemption_reason
    needs_reason = einvoice.zero_rate_category.needs_reason
    if needs_reason and categories - {"S"}:
        require(
            reason,
            "exemption_reason",
            f"is required for VAT category {einvoice.zero_rate_category.value} (BT-120)",
            reason,
        )
    return tuple(
        TaxBreakdown(
            category=_category(tax.rate, einvoice),
            rate=tax.rate,
            basis=tax.net,
            tax=tax.tax,
            reason=reason if tax.rate == 0 and needs_reason else "",
        )
        for tax in einvoice.document.totals.taxes
    )


def build(einvoice: EInvoice, profile: Profile) -> Semantic:
    """Compute and check the EN 16931 content of ``einvoice`` for ``profile``.

    Raises:
        ValidationError: a field EN 16931 or XRechnung requires is missing (``field`` names
            it, such as ``seller.vat_id``), or the document's sums break BR-CO-10, BR-CO-13,
            BR-CO-15, BR-CO-16 or the per-rate tax breakdown (BR-S-08, BR-S-09).
    """
    document = einvoice.document
    currency = document.currency
    zero = Money.zero(currency)
    lines = tuple(_line(i, item, einvoice) for i, item in enumerate(document.lines, start=1))
    require(lines, "document.lines", "must hold at least one priced line (BG-25)", ())
    seller = _party(einvoice.seller, is_seller=True, contact=einvoice.seller_contact)
    buyer = _party(einvoice.buyer, is_seller=False, contact="")
    _check_party(seller, "seller", profile)
    _check_party(buyer, "buyer", profile)

    totals = document.totals
    categories = {line.category for line in lines}
    seller, buyer = _check_categories(einvoice, categories, seller, buyer)
    taxes = _taxes(einvoice, categories)
    line_total = sum((line.net for line in lines), zero)
    # BR-CO-10 and the per-rate breakdown: payportal's totals must agree with the lines.
    if line_total != totals.net:
        raise ValidationError(
            f"does not equal the sum of line net amounts {line_total} (BR-CO-10)",
            field="document.totals.net",
            value=totals.net,
        )
    for tax in taxes:
        basis = sum((line.net for line in lines if line.item.tax_rate == tax.rate), zero)
        expected = basis.multiply(tax.rate / _HUNDRED, rounding=ROUND_HALF_UP)
        if basis != tax.basis or expected != tax.tax:
            raise ValidationError(
                f"does not match its lines ({basis} taxed {expected}) (BR-S-08/BR-S-09)",
                field=f"document.totals.taxes[{tax.rate}]",
                value=(tax.basis, tax.tax),
            )
    tax_total = sum((tax.tax for tax in taxes), zero)
    grand = line_total + tax_total
    if grand != totals.gross:
        raise ValidationError(
            f"does not equal net {line_total} plus VAT {tax_total} (BR-CO-15)",
            field="document.totals.gross",
            value=totals.gross,
        )
    if isinstance(document, Invoice):
        prepaid = document.paid
        due = grand - prepaid
        require(
            not prepaid or prepaid <= grand,
            "document.paid",
            "must not exceed the total (BR-CO-16)",
            prepaid,
        )
        due_on = document.due_on
        terms = _skonto(document, due)
    else:
        prepaid, due, due_on, terms = zero, grand, None, ""

    means = tuple(_resolve(m, einvoice, i) for i, m in enumerate(einvoice.payment))
    if profile is Profile.XRECHNUNG:
        _check_xrechnung(einvoice, seller, means)
    if due.amount > 0 and due_on is None and not terms:
        terms = "Payable on receipt."  # BR-CO-25: a due date or payment terms
    preceding = einvoice.preceding_invoice
    if not preceding and isinstance(document, CreditNote):
        preceding = document.invoice_id or ""
    delivered = document.service_date if isinstance(document, Invoice) else None
    deliver_to = None
    if "K" in categories:
        # BR-IC-11 and BR-IC-12: an intra-community supply says when and to which country.
        require(
            delivered, "document.service_date", "is required for intra-community supply (BR-IC-11)"
        )
        deliver_to = buyer.address
    return Semantic(
        profile=profile,
        number=document.number,
        type_code="381" if isinstance(document, CreditNote) else "380",
        issued_on=document.issued_on,
        currency=currency,
        note=einvoice.note or (document.reason if isinstance(document, CreditNote) else ""),
        buyer_reference=buyer_reference(einvoice),
        order_reference=einvoice.order_reference,
        preceding_invoice=preceding,
        delivered_on=delivered,
        deliver_to=deliver_to,
        due_on=due_on,
        payment_terms=terms,
        payment_reference=_reference(einvoice),
        seller=seller,
        buyer=buyer,
        lines=lines,
        taxes=taxes,
        means=means,
        line_total=line_total,
        tax_basis=line_total,
        tax_total=tax_total,
        grand_total=grand,
        prepaid=prepaid,
        due=due,
    )


def amount(money: Money) -> str:
    """An amount as EN 16931 writes it: the currency's decimals, no grouping."""
    return str(money.amount)


def decimal_text(value: Decimal) -> str:
    """A quantity or percentage without exponent or trailing zeros beyond what it holds."""
    text = format(value.normalize(), "f")
    return text if text not in {"-0", ""} else "0"
