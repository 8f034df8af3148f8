"""What reading CII and UBL shares: the result types and the mapping into payportal models.

What payportal's models cannot hold is mapped conservatively and reported, never guessed:

* a line whose net amount is not quantity x price (price base quantities, prices with more
  decimals than the currency, line allowances in amounts) becomes one unit at its net amount;
* document level allowances and charges (BG-20, BG-21) become lines at their VAT rate;
* identifiers payportal validates (VAT ids, IBANs, e-mail addresses) that fail validation are
  left out, and :attr:`ReadEInvoice.dropped` says which and why.

So the document's net, VAT and gross totals equal the file's whenever the file follows
EN 16931's own sums.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as StdET  # the element type only; parsing is defusedxml's
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

import attrs

from payportal._money import Money
from payportal.customers import Address, BankAccount, Company, Customer
from payportal.documents import CashDiscount, CreditNote, Invoice, LineItem, PaymentState
from payportal.einvoice._errors import EInvoiceFormatError
from payportal.einvoice._model import (
    CardPayment,
    EInvoice,
    OnlinePayment,
    PaymentMeans,
    SepaCreditTransfer,
    SepaDirectDebit,
    TaxCategory,
)
from payportal.exceptions import ValidationError

__all__ = ["Element", "ReadEInvoice", "Reader", "StatedTotals", "Syntax", "single_discount", "text"]

Element = StdET.Element
Syntax = Literal["cii", "ubl"]

_CREDIT_CODES = frozenset({"381", "261", "262", "296", "308", "396", "420", "458", "532"})
_SKONTO = re.compile(r"#SKONTO#TAGE=([0-9]+)#PROZENT=([0-9]+\.[0-9]{2})")


@attrs.frozen
class StatedTotals:
    """The totals as the file states them (BG-22), to compare with the document's."""

    net: Money
    tax: Money
    gross: Money
    prepaid: Money
    rounding: Money
    due: Money


@attrs.frozen
class ReadEInvoice:
    """An e-invoice read from a file.

    Attributes:
        einvoice: the document, the parties and the payment means.
        syntax: ``"cii"`` or ``"ubl"`` (a Factur-X PDF reads as ``"cii"``).
        stated: the totals the file states.
        specification: the specification identifier (BT-24), such as
            ``urn:cen.eu:en16931:2017`` (Factur-X / ZUGFeRD EN 16931) or XRechnung's
            (:attr:`Profile.XRECHNUNG`'s value).
        dropped: values the file holds that payportal's models refused, as sentences.
    """

    einvoice: EInvoice
    syntax: Syntax
    stated: StatedTotals
    specification: str = ""
    dropped: tuple[str, ...] = ()


def text(element: Element | None, path: str = "") -> str:
    found = element if not path or element is None else element.find(path)
    return "" if found is None else (found.text or "").strip()


def single_discount(element: Element | None, path: str, indicator: str, percent: str) -> str:
    """The percentage of a line's only allowance, which payportal holds as its discount."""
    found = [] if element is None else element.findall(path)
    if len(found) != 1 or text(found[0], indicator).lower() != "false":
        return ""
    return text(found[0], percent)


@attrs.define
class Reader:
    """What reading either syntax shares: the error context, number parsing, the models."""

    source: str
    where: str = ""
    dropped: list[str] = attrs.field(factory=list)
    currency: str = "EUR"

    def fail(self, message: str) -> EInvoiceFormatError:
        return EInvoiceFormatError(message, source=self.source, location=self.where)

    def required(self, element: Element | None, path: str, what: str) -> str:
        value = text(element, path)
        if not value:
            raise self.fail(f"{what} is missing ({path.rsplit('/', 1)[-1]})")
        return value

    def decimal(self, raw: str, what: str) -> Decimal:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.fail(f"{what} is not a number: {raw!r}") from None
        if not value.is_finite():
            raise self.fail(f"{what} is not a finite number: {raw!r}")
        return value

    def money(self, element: Element | None, path: str, what: str, *, default: str = "") -> Money:
        raw = text(element, path) or default
        if not raw:
            raise self.fail(f"{what} is missing ({path.rsplit('/', 1)[-1]})")
        try:
            return Money(self.decimal(raw, what), self.currency)
        except ValidationError as exc:
            raise self.fail(f"{what} {exc.reason}") from None

    def day(self, raw: str, what: str, *, compact: bool) -> date:
        try:
            if compact:
                return datetime.strptime(raw, "%Y%m%d").date()  # noqa: DTZ007  # a date only
            return date.fromisoformat(raw)
        except ValueError:
            raise self.fail(f"{what} is not a date: {raw!r}") from None

    def keep(self, value: str, check: type[object], field: str, **fields: object) -> bool:
        """Whether ``value`` passes payportal's validation; else note it as dropped."""
        try:
            check(**fields)
        except ValidationError as exc:
            self.dropped.append(f"{field} {value!r} left out: {exc.reason}")
            return False
        return True

    # Parties -------------------------------------------------------------------------

    def address(self, street: str, postal: str, city: str, country: str, extra: str) -> Address:
        street, postal, city, extra = (" ".join(t.split()) for t in (street, postal, city, extra))
        if not street or not city:
            # EN 16931 only requires the country; payportal addresses need street and city.
            street, city = street or "-", city or "-"
        return Address(
            street=street, postal_code=postal, city=city, country=country, addition=extra
        )

    def party_values(
        self, role: str, *, vat: str, email: str, tax_number: str = ""
    ) -> dict[str, object]:
        values: dict[str, object] = {"tax_number": tax_number}
        if vat and self.keep(vat, Company, f"{role}.vat_id", name="x", vat_id=vat):
            values["vat_id"] = vat
        if email and self.keep(email, Company, f"{role}.email", name="x", email=email):
            values["email"] = email
        return values

    def accounts(self, role: str, ibans: list[tuple[str, str, str]]) -> list[BankAccount]:
        kept = []
        for iban, bic, holder in ibans:
            fields = {"iban": iban, "holder": holder or "-", "bic": bic or None}
            if self.keep(iban, BankAccount, f"{role}.bank_accounts", **fields):
                kept.append(BankAccount(**fields))  # type: ignore[arg-type]
        return kept

    def means(self, code: str, **fields: str) -> PaymentMeans | None:
        try:
            if code in {"30", "31", "42", "58"} and fields.get("iban"):
                return SepaCreditTransfer(
                    iban=fields["iban"],
                    bic=fields.get("bic", ""),
                    account_name=fields.get("name", ""),
                    reference=fields.get("reference", ""),
                )
            if code in {"49", "59"} and fields.get("creditor_id"):
                return SepaDirectDebit(
                    creditor_id=fields["creditor_id"],
                    mandate_reference=fields.get("mandate", ""),
                    debtor_iban=fields.get("debtor_iban", ""),
                    reference=fields.get("reference", ""),
                )
            if code in {"48", "54", "55"} and fields.get("card"):
                return CardPayment(
                    last_digits=fields["card"][-4:],
                    holder=fields.get("holder", ""),
                    code=code,
                    network=fields.get("network", "") if fields.get("network") != "card" else "",
                )
            if code == "68":
                return OnlinePayment(information=fields.get("information") or "online payment")
        except ValidationError as exc:
            self.dropped.append(f"payment means {code} left out: {exc.field} {exc.reason}")
            return None
        self.dropped.append(f"payment means {code} left out: payportal has no model for it")
        return None

    # Lines ------------------------------------------------------------------------------

    def line(
        self,
        *,
        title: str,
        description: str,
        quantity: Decimal,
        unit: str,
        price: Decimal | None,
        base: Decimal,
        net: Money,
        rate: Decimal,
        discount: str = "",
    ) -> LineItem:
        title = " ".join(title.split())
        if price is not None and base:
            # payportal holds a negative quantity as a negative price (a discount line).
            sign = -1 if quantity < 0 else 1
            try:
                item = LineItem(
                    title=title,
                    description=description,
                    quantity=quantity * sign,
                    unit=unit,
                    unit_price=Money(price * sign / base, self.currency),
                    tax_rate=rate,
                    discount=Decimal(discount or "0"),
                )
            except (ValidationError, InvalidOperation):
                pass
            else:
                if item.net == net:
                    return item
        # Not quantity x price in payportal's terms: keep the amount, describe the rest.
        detail = f"{quantity} {unit}".strip()
        if price is not None:
            detail += f" at {price}" + (f" per {base}" if base != 1 else "")
        return LineItem(
            title=title,
            description="; ".join(p for p in (description, detail) if p),
            quantity=1,
            unit_price=net,
            tax_rate=rate,
        )

    def document(
        self,
        *,
        type_code: str,
        number: str,
        issued_on: date,
        customer_id: str,
        lines: list[LineItem],
        due_on: date | None,
        prepaid: Money,
        terms: str,
        preceding: str,
        delivered_on: date | None,
        note: str,
    ) -> Invoice | CreditNote:
        common = {
            "id": number,
            "number": number,
            "customer_id": customer_id or "-",
            "issued_on": issued_on,
            "currency": self.currency,
            "lines": lines,
        }
        if type_code in _CREDIT_CODES:
            return CreditNote(**common, invoice_id=preceding or None, reason=note)  # type: ignore[arg-type]
        skonto = _SKONTO.search(terms)
        discount = CashDiscount(Decimal(skonto[2]), int(skonto[1])) if skonto else None
        invoice = Invoice(
            **common,  # type: ignore[arg-type]
            due_on=due_on,
            cash_discount=discount,
            service_date=delivered_on,
        )
        if prepaid.amount > 0:
            state = PaymentState.PAID if prepaid >= invoice.total else PaymentState.PARTIALLY_PAID
            invoice = attrs.evolve(invoice, paid=prepaid, state=state)
        return invoice

    # Both -------------------------------------------------------------------------------

    def result(
        self,
        syntax: Syntax,
        *,
        specification: str,
        type_code: str,
        number: str,
        issued_on: date,
        lines: list[LineItem],
        seller: dict[str, object],
        buyer: dict[str, object],
        ibans: list[tuple[str, str, str]],
        means: list[PaymentMeans],
        due_on: date | None,
        terms: str,
        stated: StatedTotals,
        buyer_reference: str,
        order_reference: str,
        preceding: str,
        delivered_on: date | None,
        note: str,
        categories: list[str],
        reasons: list[str],
    ) -> ReadEInvoice:
        contact = str(seller.pop("contact", ""))
        seller.pop("identifier", None)
        seller_company = Company(
            bank_accounts=self.accounts("seller", ibans),
            register_entry=str(seller.pop("legal_id", "")),
            **seller,  # type: ignore[arg-type]
        )
        buyer_contact = str(buyer.pop("contact", ""))
        buyer.pop("legal_id", None)
        identifier = str(buyer.pop("identifier", "")) or str(buyer["name"])
        buyer_name = str(buyer.pop("name"))
        customer = Customer(
            id=identifier,
            number=identifier,
            name=buyer_contact or buyer_name,
            company=buyer_name,
            contact_person=buyer_contact,
            currency=self.currency,
            **buyer,  # type: ignore[arg-type]
        )
        document = self.document(
            type_code=type_code,
            number=number,
            issued_on=issued_on,
            customer_id=identifier,
            lines=lines,
            due_on=due_on,
            prepaid=stated.prepaid,
            terms=terms,
            preceding=preceding,
            delivered_on=delivered_on,
            note=note,
        )
        zero = next((c for c in categories if c and c != "S"), "Z")
        try:
            category = TaxCategory(zero)
        except ValueError:
            self.dropped.append(f"VAT category {zero!r} read as zero rated (Z)")
            category = TaxCategory.ZERO_RATED
        einvoice = EInvoice(
            document=document,
            seller=seller_company,
            buyer=customer,
            payment=means,
            buyer_reference=buyer_reference,
            seller_contact=contact,
            order_reference=order_reference,
            preceding_invoice=preceding,
            zero_rate_category=category,
            exemption_reason=next((r for r in reasons if r), ""),
            note=note,
        )
        return ReadEInvoice(
            einvoice=einvoice,
            syntax=syntax,
            stated=stated,
            specification=specification,
            dropped=tuple(self.dropped),
        )
