"""Reading OASIS UBL 2.1 Invoice and CreditNote (XRechnung UBL, Peppol) into payportal models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from payportal.documents import LineItem
from payportal.einvoice._reading import (
    Element,
    ReadEInvoice,
    Reader,
    StatedTotals,
    single_discount,
    text,
)
from payportal.einvoice._ubl import CAC, CBC, CREDIT_NOTE, INVOICE

if TYPE_CHECKING:
    from payportal.einvoice._model import PaymentMeans

__all__ = ["ROOTS", "UblReader"]

_CAC = "{" + CAC + "}"
_CBC = "{" + CBC + "}"
ROOTS = frozenset({f"{{{INVOICE}}}Invoice", f"{{{CREDIT_NOTE}}}CreditNote"})


class UblReader(Reader):
    """Reads one UBL Invoice or CreditNote."""

    def ubl_party(self, element: Element | None, role: str) -> dict[str, object]:
        party = None if element is None else element.find(_CAC + "Party")
        if party is None:
            raise self.fail(f"the {role} (BG-4/BG-7) is missing")
        vat = tax_number = ""
        for scheme in party.findall(_CAC + "PartyTaxScheme"):
            if text(scheme, f"{_CAC}TaxScheme/{_CBC}ID") == "VAT":
                vat = text(scheme, _CBC + "CompanyID")
            else:
                tax_number = text(scheme, _CBC + "CompanyID")
        endpoint = party.find(_CBC + "EndpointID")
        email = text(endpoint) if endpoint is not None and endpoint.get("schemeID") == "EM" else ""
        contact = party.find(_CAC + "Contact")
        email = email or text(contact, _CBC + "ElectronicMail")
        values = self.party_values(role, vat=vat, email=email, tax_number=tax_number)
        name = text(party, f"{_CAC}PartyLegalEntity/{_CBC}RegistrationName") or self.required(
            party, f"{_CAC}PartyName/{_CBC}Name", f"the {role}'s name"
        )
        values["name"] = " ".join(name.split())
        values["phone"] = text(contact, _CBC + "Telephone")
        values["legal_id"] = text(party, f"{_CAC}PartyLegalEntity/{_CBC}CompanyID")
        values["contact"] = text(contact, _CBC + "Name")
        values["identifier"] = next(
            (
                text(i)
                for i in party.iterfind(f"{_CAC}PartyIdentification/{_CBC}ID")
                if i.get("schemeID") != "SEPA"
            ),
            "",
        )
        address = party.find(_CAC + "PostalAddress")
        if address is not None:
            values["address"] = self.address(
                text(address, _CBC + "StreetName"),
                text(address, _CBC + "PostalZone"),
                text(address, _CBC + "CityName"),
                self.required(
                    address, f"{_CAC}Country/{_CBC}IdentificationCode", f"the {role}'s country"
                ),
                text(address, _CBC + "AdditionalStreetName"),
            )
        return values

    def read(self, root: Element) -> ReadEInvoice:
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
            price_text = text(element, f"{_CAC}Price/{_CBC}PriceAmount")
            base_text = text(element, f"{_CAC}Price/{_CBC}BaseQuantity")
            lines.append(
                self.line(
                    title=self.required(item, _CBC + "Name", "the item name (BT-153)"),
                    description=text(item, _CBC + "Description"),
                    quantity=self.decimal(text(quantity) or "1", "the quantity"),
                    unit="" if quantity is None else quantity.get("unitCode", ""),
                    price=self.decimal(price_text, "the net price") if price_text else None,
                    base=self.decimal(base_text or "1", "the price base quantity"),
                    net=self.money(
                        element, _CBC + "LineExtensionAmount", "the line net amount (BT-131)"
                    ),
                    rate=self.decimal(
                        text(item, f"{_CAC}ClassifiedTaxCategory/{_CBC}Percent") or "0",
                        "the VAT rate",
                    ),
                    discount=single_discount(
                        element,
                        _CAC + "AllowanceCharge",
                        _CBC + "ChargeIndicator",
                        _CBC + "MultiplierFactorNumeric",
                    ),
                )
            )
        self.where = f"invoice {number}"
        for charge in root.findall(_CAC + "AllowanceCharge"):
            is_charge = text(charge, _CBC + "ChargeIndicator").lower() == "true"
            value = self.money(charge, _CBC + "Amount", "the allowance or charge amount")
            lines.append(
                LineItem(
                    title=text(charge, _CBC + "AllowanceChargeReason")
                    or ("Charge" if is_charge else "Allowance"),
                    quantity=1,
                    unit_price=value if is_charge else -value,
                    tax_rate=self.decimal(
                        text(charge, f"{_CAC}TaxCategory/{_CBC}Percent") or "0", "the VAT rate"
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
                    text(i)
                    for i in seller_element.iterfind(
                        f"{_CAC}Party/{_CAC}PartyIdentification/{_CBC}ID"
                    )
                    if i.get("schemeID") == "SEPA"
                ),
                "",
            )
        means: list[PaymentMeans] = []
        ibans: list[tuple[str, str, str]] = []
        due_text = text(root, _CBC + "DueDate")
        for element in root.findall(_CAC + "PaymentMeans"):
            iban = text(element, f"{_CAC}PayeeFinancialAccount/{_CBC}ID")
            bic = text(
                element, f"{_CAC}PayeeFinancialAccount/{_CAC}FinancialInstitutionBranch/{_CBC}ID"
            )
            name = text(element, f"{_CAC}PayeeFinancialAccount/{_CBC}Name")
            due_text = due_text or text(element, _CBC + "PaymentDueDate")
            if iban:
                ibans.append((iban, bic, name or str(seller["name"])))
            found = self.means(
                text(element, _CBC + "PaymentMeansCode"),
                iban=iban,
                bic=bic,
                name=name,
                reference=text(element, _CBC + "PaymentID"),
                creditor_id=creditor_id,
                mandate=text(element, f"{_CAC}PaymentMandate/{_CBC}ID"),
                debtor_iban=text(
                    element, f"{_CAC}PaymentMandate/{_CAC}PayerFinancialAccount/{_CBC}ID"
                ),
                card=text(element, f"{_CAC}CardAccount/{_CBC}PrimaryAccountNumberID"),
                network=text(element, f"{_CAC}CardAccount/{_CBC}NetworkID"),
                holder=text(element, f"{_CAC}CardAccount/{_CBC}HolderName"),
                information=text(element, _CBC + "InstructionNote"),
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
        delivered = text(root, f"{_CAC}Delivery/{_CBC}ActualDeliveryDate")
        return self.result(
            "ubl",
            specification=text(root, _CBC + "CustomizationID"),
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
            buyer_reference=text(root, _CBC + "BuyerReference"),
            order_reference=text(root, f"{_CAC}OrderReference/{_CBC}ID"),
            preceding=text(root, f"{_CAC}BillingReference/{_CAC}InvoiceDocumentReference/{_CBC}ID"),
            delivered_on=self.day(delivered, "the delivery date", compact=False)
            if delivered
            else None,
            note=text(root, _CBC + "Note"),
            categories=[text(t, _CBC + "ID") for t in subtotals],
            reasons=[text(t, _CBC + "TaxExemptionReason") for t in subtotals],
        )
