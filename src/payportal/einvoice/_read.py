"""Reading CII, UBL and Factur-X / ZUGFeRD PDFs back into payportal documents and parties.

XML is parsed only with defusedxml, with DTDs refused. What payportal's models cannot hold is
mapped conservatively and reported, never guessed:

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
import xml.etree.ElementTree as StdET  # types only; parsing is defusedxml's
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

import attrs
import defusedxml
import defusedxml.ElementTree

from payportal._money import Money
from payportal.customers import Address, BankAccount, Company, Customer
from payportal.documents import CashDiscount, CreditNote, Invoice, LineItem, PaymentState
from payportal.einvoice._cii import NAMESPACES
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
from payportal.einvoice._pdf import extract_xml
from payportal.einvoice._ubl import CAC, CBC, CREDIT_NOTE, INVOICE
from payportal.exceptions import PayportalError, ValidationError

__all__ = ["ReadEInvoice", "StatedTotals", "read_einvoice"]

Element = StdET.Element
Syntax = Literal["cii", "ubl"]

_RAM = "{" + NAMESPACES["ram"] + "}"
_RSM = "{" + NAMESPACES["rsm"] + "}"
_UDT = "{" + NAMESPACES["udt"] + "}"
_CAC = "{" + CAC + "}"
_CBC = "{" + CBC + "}"
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
        dropped: values the file holds that payportal's models refused, as sentences.
    """

    einvoice: EInvoice
    syntax: Syntax
    stated: StatedTotals
    dropped: tuple[str, ...] = ()


def read_einvoice(data: bytes, *, source: str = "") -> ReadEInvoice:
    """Read a CII or UBL e-invoice, or the one embedded in a Factur-X / ZUGFeRD PDF.

    Args:
        data: the file's bytes.
        source: a label for error messages, such as the file name.

    Raises:
        EInvoiceFormatError: the bytes are not a PDF with an invoice attachment nor
            well-formed XML, hold a DTD or entities, are another document type, or an element
            the document needs is missing or malformed (``location`` names it).
    """
    if not isinstance(data, bytes):
        raise EInvoiceFormatError("must be given as bytes", source=source)
    if data.lstrip()[:5] == b"%PDF-":
        data = extract_xml(data, source=source)
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise EInvoiceFormatError(
            f"refused: {type(exc).__name__} (no DTDs or entities)", source=source
        ) from None
    except StdET.ParseError as exc:
        line, column = exc.position
        raise EInvoiceFormatError(
            f"is not well-formed XML: {exc}", source=source, location=f"line {line}:{column}"
        ) from None
    reader = _Reader(source)
    try:
        if root.tag == _RSM + "CrossIndustryInvoice":
            return reader.cii(root)
        if root.tag in {f"{{{INVOICE}}}Invoice", f"{{{CREDIT_NOTE}}}CreditNote"}:
            return reader.ubl(root)
    except EInvoiceFormatError:
        raise
    except PayportalError as exc:
        raise EInvoiceFormatError(
            f"cannot be represented: {exc}", source=source, location=reader.where
        ) from None
    if root.tag.endswith("}CrossIndustryDocument"):
        raise EInvoiceFormatError(
            "is a ZUGFeRD 1.0 invoice, which is not supported: ask for ZUGFeRD 2.x / Factur-X",
            source=source,
        )
    raise EInvoiceFormatError(
        f"is not a CII or UBL invoice (root element {root.tag})", source=source
    )


def _text(element: Element | None, path: str = "") -> str:
    found = element if not path or element is None else element.find(path)
    return "" if found is None else (found.text or "").strip()


def _single_discount(element: Element | None, path: str, indicator: str, percent: str) -> str:
    """The percentage of a line's only allowance, which payportal holds as its discount."""
    found = [] if element is None else element.findall(path)
    if len(found) != 1 or _text(found[0], indicator).lower() != "false":
        return ""
    return _text(found[0], percent)


@attrs.define
class _Reader:
    source: str
    where: str = ""
    dropped: list[str] = attrs.field(factory=list)
    currency: str = "EUR"

    def fail(self, message: str) -> EInvoiceFormatError:
        return EInvoiceFormatError(message, source=self.source, location=self.where)

    def required(self, element: Element | None, path: str, what: str) -> str:
        value = _text(element, path)
        if not value:
            raise self.fail(f"{what} is missing ({path.rsplit('/', 1)[-1]})")
        return value

    def decimal(self, text: str, what: str) -> Decimal:
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.fail(f"{what} is not a number: {text!r}") from None
        if not value.is_finite():
            raise self.fail(f"{what} is not a finite number: {text!r}")
        return value

    def money(self, element: Element | None, path: str, what: str, *, default: str = "") -> Money:
        text = _text(element, path) or default
        if not text:
            raise self.fail(f"{what} is missing ({path.rsplit('/', 1)[-1]})")
        try:
            return Money(self.decimal(text, what), self.currency)
        except ValidationError as exc:
            raise self.fail(f"{what} {exc.reason}") from None

    def day(self, text: str, what: str, *, compact: bool) -> date:
        try:
            if compact:
                return datetime.strptime(text, "%Y%m%d").date()  # noqa: DTZ007  # a date only
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(f"{what} is not a date: {text!r}") from None

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
        if price is not None and base and quantity >= 0:
            try:
                item = LineItem(
                    title=title,
                    description=description,
                    quantity=quantity,
                    unit=unit,
                    unit_price=Money(price / base, self.currency),
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

    # CII --------------------------------------------------------------------------------

    def cii_party(self, element: Element | None, role: str) -> dict[str, object]:
        if element is None:
            raise self.fail(f"the {role} (BG-4/BG-7) is missing")
        address = element.find(_RAM + "PostalTradeAddress")
        vat = tax_number = ""
        for registration in element.findall(_RAM + "SpecifiedTaxRegistration"):
            identifier = registration.find(_RAM + "ID")
            scheme = "" if identifier is None else identifier.get("schemeID", "")
            if scheme == "VA":
                vat = _text(identifier)
            elif scheme == "FC":
                tax_number = _text(identifier)
        email = _text(element, f"{_RAM}URIUniversalCommunication/{_RAM}URIID")
        contact = element.find(_RAM + "DefinedTradeContact")
        if "@" not in email:
            email = _text(contact, f"{_RAM}EmailURIUniversalCommunication/{_RAM}URIID")
        values = self.party_values(role, vat=vat, email=email, tax_number=tax_number)
        values["name"] = " ".join(
            self.required(element, _RAM + "Name", f"the {role}'s name").split()
        )
        values["phone"] = _text(
            contact, f"{_RAM}TelephoneUniversalCommunication/{_RAM}CompleteNumber"
        )
        values["contact"] = _text(contact, _RAM + "PersonName")
        values["identifier"] = _text(element, _RAM + "ID")
        values["legal_id"] = _text(element, f"{_RAM}SpecifiedLegalOrganization/{_RAM}ID")
        if address is not None:
            values["address"] = self.address(
                _text(address, _RAM + "LineOne"),
                _text(address, _RAM + "PostcodeCode"),
                _text(address, _RAM + "CityName"),
                self.required(address, _RAM + "CountryID", f"the {role}'s country"),
                _text(address, _RAM + "LineTwo"),
            )
        return values

    def cii(self, root: Element) -> ReadEInvoice:
        header = root.find(_RSM + "ExchangedDocument")
        transaction = root.find(_RSM + "SupplyChainTradeTransaction")
        if header is None or transaction is None:
            raise self.fail("ExchangedDocument or SupplyChainTradeTransaction is missing")
        agreement = transaction.find(_RAM + "ApplicableHeaderTradeAgreement")
        settlement = transaction.find(_RAM + "ApplicableHeaderTradeSettlement")
        if agreement is None or settlement is None:
            raise self.fail("the header trade agreement or settlement is missing")
        self.currency = self.required(settlement, _RAM + "InvoiceCurrencyCode", "the currency")
        number = self.required(header, _RAM + "ID", "the invoice number (BT-1)")
        self.where = f"invoice {number}"
        issued = self.day(
            self.required(header, f"{_RAM}IssueDateTime/{_UDT}DateTimeString", "the issue date"),
            "the issue date",
            compact=True,
        )
        lines: list[LineItem] = []
        for index, element in enumerate(
            transaction.findall(_RAM + "IncludedSupplyChainTradeLineItem")
        ):
            self.where = f"invoice {number}, line {index + 1}"
            product = element.find(_RAM + "SpecifiedTradeProduct")
            price_element = element.find(
                f"{_RAM}SpecifiedLineTradeAgreement/{_RAM}NetPriceProductTradePrice"
            )
            price_text = _text(price_element, _RAM + "ChargeAmount")
            base_text = _text(price_element, _RAM + "BasisQuantity")
            line_settlement = element.find(_RAM + "SpecifiedLineTradeSettlement")
            quantity = element.find(f"{_RAM}SpecifiedLineTradeDelivery/{_RAM}BilledQuantity")
            lines.append(
                self.line(
                    title=self.required(product, _RAM + "Name", "the item name (BT-153)"),
                    description=_text(product, _RAM + "Description"),
                    quantity=self.decimal(_text(quantity) or "1", "the quantity"),
                    unit="" if quantity is None else quantity.get("unitCode", ""),
                    price=self.decimal(price_text, "the net price") if price_text else None,
                    base=self.decimal(base_text or "1", "the price base quantity"),
                    net=self.money(
                        line_settlement,
                        f"{_RAM}SpecifiedTradeSettlementLineMonetarySummation/{_RAM}LineTotalAmount",
                        "the line net amount (BT-131)",
                    ),
                    rate=self.decimal(
                        _text(
                            line_settlement, f"{_RAM}ApplicableTradeTax/{_RAM}RateApplicablePercent"
                        )
                        or "0",
                        "the VAT rate",
                    ),
                    discount=_single_discount(
                        line_settlement,
                        _RAM + "SpecifiedTradeAllowanceCharge",
                        f"{_RAM}ChargeIndicator/{_UDT}Indicator",
                        _RAM + "CalculationPercent",
                    ),
                )
            )
        self.where = f"invoice {number}"
        for charge in settlement.findall(_RAM + "SpecifiedTradeAllowanceCharge"):
            is_charge = _text(charge, f"{_RAM}ChargeIndicator/{_UDT}Indicator").lower() == "true"
            value = self.money(charge, _RAM + "ActualAmount", "the allowance or charge amount")
            lines.append(
                LineItem(
                    title=_text(charge, _RAM + "Reason")
                    or ("Charge" if is_charge else "Allowance"),
                    quantity=1,
                    unit_price=value if is_charge else -value,
                    tax_rate=self.decimal(
                        _text(charge, f"{_RAM}CategoryTradeTax/{_RAM}RateApplicablePercent") or "0",
                        "the VAT rate",
                    ),
                )
            )
        seller = self.cii_party(agreement.find(_RAM + "SellerTradeParty"), "seller")
        buyer = self.cii_party(agreement.find(_RAM + "BuyerTradeParty"), "buyer")
        terms = settlement.find(_RAM + "SpecifiedTradePaymentTerms")
        due_text = _text(terms, f"{_RAM}DueDateDateTime/{_UDT}DateTimeString")
        terms_text = "".join(
            t.text or ""
            for t in settlement.iterfind(f"{_RAM}SpecifiedTradePaymentTerms/{_RAM}Description")
        )
        reference = _text(settlement, _RAM + "PaymentReference")
        means: list[PaymentMeans] = []
        ibans: list[tuple[str, str, str]] = []
        for element in settlement.findall(_RAM + "SpecifiedTradeSettlementPaymentMeans"):
            iban = _text(element, f"{_RAM}PayeePartyCreditorFinancialAccount/{_RAM}IBANID")
            bic = _text(element, f"{_RAM}PayeeSpecifiedCreditorFinancialInstitution/{_RAM}BICID")
            name = _text(element, f"{_RAM}PayeePartyCreditorFinancialAccount/{_RAM}AccountName")
            if iban:
                ibans.append((iban, bic, name or str(seller["name"])))
            found = self.means(
                _text(element, _RAM + "TypeCode"),
                iban=iban,
                bic=bic,
                name=name,
                reference=reference,
                creditor_id=_text(settlement, _RAM + "CreditorReferenceID"),
                mandate=_text(terms, _RAM + "DirectDebitMandateID"),
                debtor_iban=_text(element, f"{_RAM}PayerPartyDebtorFinancialAccount/{_RAM}IBANID"),
                card=_text(element, f"{_RAM}ApplicableTradeSettlementFinancialCard/{_RAM}ID"),
                holder=_text(
                    element, f"{_RAM}ApplicableTradeSettlementFinancialCard/{_RAM}CardholderName"
                ),
                information=_text(element, _RAM + "Information"),
            )
            if found is not None:
                means.append(found)
        summation = settlement.find(_RAM + "SpecifiedTradeSettlementHeaderMonetarySummation")
        tax_total = next(
            (
                t
                for t in ([] if summation is None else summation.findall(_RAM + "TaxTotalAmount"))
                if t.get("currencyID", self.currency) == self.currency
            ),
            None,
        )
        stated = StatedTotals(
            net=self.money(summation, _RAM + "TaxBasisTotalAmount", "the net total (BT-109)"),
            tax=self.money(tax_total, "", "the VAT total (BT-110)", default="0"),
            gross=self.money(summation, _RAM + "GrandTotalAmount", "the grand total (BT-112)"),
            prepaid=self.money(summation, _RAM + "TotalPrepaidAmount", "", default="0"),
            rounding=self.money(summation, _RAM + "RoundingAmount", "", default="0"),
            due=self.money(summation, _RAM + "DuePayableAmount", "the amount due (BT-115)"),
        )
        delivered = _text(
            transaction,
            f"{_RAM}ApplicableHeaderTradeDelivery/{_RAM}ActualDeliverySupplyChainEvent/"
            f"{_RAM}OccurrenceDateTime/{_UDT}DateTimeString",
        )
        return self.result(
            "cii",
            type_code=self.required(header, _RAM + "TypeCode", "the type code (BT-3)"),
            number=number,
            issued_on=issued,
            lines=lines,
            seller=seller,
            buyer=buyer,
            ibans=ibans,
            means=means,
            due_on=self.day(due_text, "the due date", compact=True) if due_text else None,
            terms=terms_text,
            stated=stated,
            buyer_reference=_text(agreement, _RAM + "BuyerReference"),
            order_reference=_text(
                agreement, f"{_RAM}BuyerOrderReferencedDocument/{_RAM}IssuerAssignedID"
            ),
            preceding=_text(settlement, f"{_RAM}InvoiceReferencedDocument/{_RAM}IssuerAssignedID"),
            delivered_on=self.day(delivered, "the delivery date", compact=True)
            if delivered
            else None,
            note=_text(header, f"{_RAM}IncludedNote/{_RAM}Content"),
            categories=[
                _text(t, _RAM + "CategoryCode")
                for t in settlement.findall(_RAM + "ApplicableTradeTax")
            ],
            reasons=[
                _text(t, _RAM + "ExemptionReason")
                for t in settlement.findall(_RAM + "ApplicableTradeTax")
            ],
        )

    # UBL --------------------------------------------------------------------------------

    def ubl_party(self, element: Element | None, role: str) -> dict[str, object]:
        party = None if element is None else element.find(_CAC + "Party")
        if party is None:
            raise self.fail(f"the {role} (BG-4/BG-7) is missing")
        vat = tax_number = ""
        for scheme in party.findall(_CAC + "PartyTaxScheme"):
            if _text(scheme, f"{_CAC}TaxScheme/{_CBC}ID") == "VAT":
                vat = _text(scheme, _CBC + "CompanyID")
            else:
                tax_number = _text(scheme, _CBC + "CompanyID")
        endpoint = party.find(_CBC + "EndpointID")
        email = _text(endpoint) if endpoint is not None and endpoint.get("schemeID") == "EM" else ""
        contact = party.find(_CAC + "Contact")
        email = email or _text(contact, _CBC + "ElectronicMail")
        values = self.party_values(role, vat=vat, email=email, tax_number=tax_number)
        name = _text(party, f"{_CAC}PartyLegalEntity/{_CBC}RegistrationName") or self.required(
            party, f"{_CAC}PartyName/{_CBC}Name", f"the {role}'s name"
        )
        values["name"] = " ".join(name.split())
        values["phone"] = _text(contact, _CBC + "Telephone")
        values["legal_id"] = _text(party, f"{_CAC}PartyLegalEntity/{_CBC}CompanyID")
        values["contact"] = _text(contact, _CBC + "Name")
        values["identifier"] = next(
            (
                _text(i)
                for i in party.iterfind(f"{_CAC}PartyIdentification/{_CBC}ID")
                if i.get("schemeID") != "SEPA"
            ),
            "",
        )
        address = party.find(_CAC + "PostalAddress")
        if address is not None:
            values["address"] = self.address(
                _text(address, _CBC + "StreetName"),
                _text(address, _CBC + "PostalZone"),
                _text(address, _CBC + "CityName"),
                self.required(
                    address, f"{_CAC}Country/{_CBC}IdentificationCode", f"the {role}'s country"
                ),
                _text(address, _CBC + "AdditionalStreetName"),
            )
        return values

    def ubl(self, root: Element) -> ReadEInvoice:
        credit = root.tag.endswith("CreditNote")
        kind = "CreditNote" if credit else "Invoice"
        self.currency = self.required(root, _CBC + "DocumentCurrencyCode", "the currency")
        number = self.required(root, _CBC + "ID", "the invoice number (BT-1)")
        self.where = f"invoice {number}"
        issued = self.day(
            self.required(root, _CBC + "IssueDate", "the issue date"),
            "the issue date",
            compact=False,
        )
        lines: list[LineItem] = []
        for index, element in enumerate(root.findall(f"{_CAC}{kind}Line")):
            self.where = f"invoice {number}, line {index + 1}"
            item = element.find(_CAC + "Item")
            quantity = element.find(_CBC + ("CreditedQuantity" if credit else "InvoicedQuantity"))
            price_text = _text(element, f"{_CAC}Price/{_CBC}PriceAmount")
            base_text = _text(element, f"{_CAC}Price/{_CBC}BaseQuantity")
            lines.append(
                self.line(
                    title=self.required(item, _CBC + "Name", "the item name (BT-153)"),
                    description=_text(item, _CBC + "Description"),
                    quantity=self.decimal(_text(quantity) or "1", "the quantity"),
                    unit="" if quantity is None else quantity.get("unitCode", ""),
                    price=self.decimal(price_text, "the net price") if price_text else None,
                    base=self.decimal(base_text or "1", "the price base quantity"),
                    net=self.money(
                        element, _CBC + "LineExtensionAmount", "the line net amount (BT-131)"
                    ),
                    rate=self.decimal(
                        _text(item, f"{_CAC}ClassifiedTaxCategory/{_CBC}Percent") or "0",
                        "the VAT rate",
                    ),
                    discount=_single_discount(
                        element,
                        _CAC + "AllowanceCharge",
                        _CBC + "ChargeIndicator",
                        _CBC + "MultiplierFactorNumeric",
                    ),
                )
            )
        self.where = f"invoice {number}"
        for charge in root.findall(_CAC + "AllowanceCharge"):
            is_charge = _text(charge, _CBC + "ChargeIndicator").lower() == "true"
            value = self.money(charge, _CBC + "Amount", "the allowance or charge amount")
            lines.append(
                LineItem(
                    title=_text(charge, _CBC + "AllowanceChargeReason")
                    or ("Charge" if is_charge else "Allowance"),
                    quantity=1,
                    unit_price=value if is_charge else -value,
                    tax_rate=self.decimal(
                        _text(charge, f"{_CAC}TaxCategory/{_CBC}Percent") or "0", "the VAT rate"
                    ),
                )
            )
        seller_element = root.find(_CAC + "AccountingSupplierParty")
        seller = self.ubl_party(seller_element, "seller")
        buyer = self.ubl_party(root.find(_CAC + "AccountingCustomerParty"), "buyer")
        creditor_id = ""
        if seller_element is not None:
            creditor_id = next(
                (
                    _text(i)
                    for i in seller_element.iterfind(
                        f"{_CAC}Party/{_CAC}PartyIdentification/{_CBC}ID"
                    )
                    if i.get("schemeID") == "SEPA"
                ),
                "",
            )
        means: list[PaymentMeans] = []
        ibans: list[tuple[str, str, str]] = []
        due_text = _text(root, _CBC + "DueDate")
        for element in root.findall(_CAC + "PaymentMeans"):
            iban = _text(element, f"{_CAC}PayeeFinancialAccount/{_CBC}ID")
            bic = _text(
                element, f"{_CAC}PayeeFinancialAccount/{_CAC}FinancialInstitutionBranch/{_CBC}ID"
            )
            name = _text(element, f"{_CAC}PayeeFinancialAccount/{_CBC}Name")
            due_text = due_text or _text(element, _CBC + "PaymentDueDate")
            if iban:
                ibans.append((iban, bic, name or str(seller["name"])))
            found = self.means(
                _text(element, _CBC + "PaymentMeansCode"),
                iban=iban,
                bic=bic,
                name=name,
                reference=_text(element, _CBC + "PaymentID"),
                creditor_id=creditor_id,
                mandate=_text(element, f"{_CAC}PaymentMandate/{_CBC}ID"),
                debtor_iban=_text(
                    element, f"{_CAC}PaymentMandate/{_CAC}PayerFinancialAccount/{_CBC}ID"
                ),
                card=_text(element, f"{_CAC}CardAccount/{_CBC}PrimaryAccountNumberID"),
                network=_text(element, f"{_CAC}CardAccount/{_CBC}NetworkID"),
                holder=_text(element, f"{_CAC}CardAccount/{_CBC}HolderName"),
                information=_text(element, _CBC + "InstructionNote"),
            )
            if found is not None:
                means.append(found)
        monetary = root.find(_CAC + "LegalMonetaryTotal")
        tax_total = next(
            (
                t.find(_CBC + "TaxAmount")
                for t in root.findall(_CAC + "TaxTotal")
                if t.find(_CAC + "TaxSubtotal") is not None
            ),
            None,
        )
        stated = StatedTotals(
            net=self.money(monetary, _CBC + "TaxExclusiveAmount", "the net total (BT-109)"),
            tax=self.money(tax_total, "", "the VAT total (BT-110)", default="0"),
            gross=self.money(monetary, _CBC + "TaxInclusiveAmount", "the grand total (BT-112)"),
            prepaid=self.money(monetary, _CBC + "PrepaidAmount", "", default="0"),
            rounding=self.money(monetary, _CBC + "PayableRoundingAmount", "", default="0"),
            due=self.money(monetary, _CBC + "PayableAmount", "the amount due (BT-115)"),
        )
        subtotals = root.findall(f"{_CAC}TaxTotal/{_CAC}TaxSubtotal/{_CAC}TaxCategory")
        delivered = _text(root, f"{_CAC}Delivery/{_CBC}ActualDeliveryDate")
        return self.result(
            "ubl",
            type_code=self.required(root, f"{_CBC}{kind}TypeCode", "the type code (BT-3)"),
            number=number,
            issued_on=issued,
            lines=lines,
            seller=seller,
            buyer=buyer,
            ibans=ibans,
            means=means,
            due_on=self.day(due_text, "the due date", compact=False) if due_text else None,
            terms="".join(t.text or "" for t in root.iterfind(f"{_CAC}PaymentTerms/{_CBC}Note")),
            stated=stated,
            buyer_reference=_text(root, _CBC + "BuyerReference"),
            order_reference=_text(root, f"{_CAC}OrderReference/{_CBC}ID"),
            preceding=_text(
                root, f"{_CAC}BillingReference/{_CAC}InvoiceDocumentReference/{_CBC}ID"
            ),
            delivered_on=self.day(delivered, "the delivery date", compact=False)
            if delivered
            else None,
            note=_text(root, _CBC + "Note"),
            categories=[_text(t, _CBC + "ID") for t in subtotals],
            reasons=[_text(t, _CBC + "TaxExemptionReason") for t in subtotals],
        )

    # Both -------------------------------------------------------------------------------

    def result(
        self,
        syntax: Syntax,
        *,
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
            einvoice=einvoice, syntax=syntax, stated=stated, dropped=tuple(self.dropped)
        )
