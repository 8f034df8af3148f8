"""Reading UN/CEFACT CII D16B (ZUGFeRD 2.x / Factur-X, XRechnung CII) into payportal models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from payportal.documents import LineItem
from payportal.einvoice._cii import NAMESPACES
from payportal.einvoice._reading import (
    Element,
    ReadEInvoice,
    Reader,
    StatedTotals,
    single_discount,
    text,
)

if TYPE_CHECKING:
    from payportal.einvoice._model import PaymentMeans

__all__ = ["ROOT", "CiiReader"]

_RAM = "{" + NAMESPACES["ram"] + "}"
_RSM = "{" + NAMESPACES["rsm"] + "}"
_UDT = "{" + NAMESPACES["udt"] + "}"
ROOT = _RSM + "CrossIndustryInvoice"


class CiiReader(Reader):
    """Reads one CII document."""

    def cii_party(self, element: Element | None, role: str) -> dict[str, object]:
        if element is None:
            raise self.fail(f"the {role} (BG-4/BG-7) is missing")
        address = element.find(_RAM + "PostalTradeAddress")
        vat = tax_number = ""
        for registration in element.findall(_RAM + "SpecifiedTaxRegistration"):
            identifier = registration.find(_RAM + "ID")
            scheme = "" if identifier is None else identifier.get("schemeID", "")
            if scheme == "VA":
                vat = text(identifier)
            elif scheme == "FC":
                tax_number = text(identifier)
        email = text(element, f"{_RAM}URIUniversalCommunication/{_RAM}URIID")
        contact = element.find(_RAM + "DefinedTradeContact")
        if "@" not in email:
            email = text(contact, f"{_RAM}EmailURIUniversalCommunication/{_RAM}URIID")
        values = self.party_values(role, vat=vat, email=email, tax_number=tax_number)
        values["name"] = " ".join(
            self.required(element, _RAM + "Name", f"the {role}'s name").split()
        )
        values["phone"] = text(
            contact, f"{_RAM}TelephoneUniversalCommunication/{_RAM}CompleteNumber"
        )
        values["contact"] = text(contact, _RAM + "PersonName")
        values["identifier"] = text(element, _RAM + "ID")
        values["legal_id"] = text(element, f"{_RAM}SpecifiedLegalOrganization/{_RAM}ID")
        if address is not None:
            values["address"] = self.address(
                text(address, _RAM + "LineOne"),
                text(address, _RAM + "PostcodeCode"),
                text(address, _RAM + "CityName"),
                self.required(address, _RAM + "CountryID", f"the {role}'s country"),
                text(address, _RAM + "LineTwo"),
            )
        return values

    def read(self, root: Element) -> ReadEInvoice:
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
            price_text = text(price_element, _RAM + "ChargeAmount")
            base_text = text(price_element, _RAM + "BasisQuantity")
            line_settlement = element.find(_RAM + "SpecifiedLineTradeSettlement")
            quantity = element.find(f"{_RAM}SpecifiedLineTradeDelivery/{_RAM}BilledQuantity")
            lines.append(
                self.line(
                    title=self.required(product, _RAM + "Name", "the item name (BT-153)"),
                    description=text(product, _RAM + "Description"),
                    quantity=self.decimal(text(quantity) or "1", "the quantity"),
                    unit="" if quantity is None else quantity.get("unitCode", ""),
                    price=self.decimal(price_text, "the net price") if price_text else None,
                    base=self.decimal(base_text or "1", "the price base quantity"),
                    net=self.money(
                        line_settlement,
                        f"{_RAM}SpecifiedTradeSettlementLineMonetarySummation/{_RAM}LineTotalAmount",
                        "the line net amount (BT-131)",
                    ),
                    rate=self.decimal(
                        text(
                            line_settlement, f"{_RAM}ApplicableTradeTax/{_RAM}RateApplicablePercent"
                        )
                        or "0",
                        "the VAT rate",
                    ),
                    discount=single_discount(
                        line_settlement,
                        _RAM + "SpecifiedTradeAllowanceCharge",
                        f"{_RAM}ChargeIndicator/{_UDT}Indicator",
                        _RAM + "CalculationPercent",
                    ),
                )
            )
        self.where = f"invoice {number}"
        for charge in settlement.findall(_RAM + "SpecifiedTradeAllowanceCharge"):
            is_charge = text(charge, f"{_RAM}ChargeIndicator/{_UDT}Indicator").lower() == "true"
            value = self.money(charge, _RAM + "ActualAmount", "the allowance or charge amount")
            lines.append(
                LineItem(
                    title=text(charge, _RAM + "Reason") or ("Charge" if is_charge else "Allowance"),
                    quantity=1,
                    unit_price=value if is_charge else -value,
                    tax_rate=self.decimal(
                        text(charge, f"{_RAM}CategoryTradeTax/{_RAM}RateApplicablePercent") or "0",
                        "the VAT rate",
                    ),
                )
            )
        seller = self.cii_party(agreement.find(_RAM + "SellerTradeParty"), "seller")
        buyer = self.cii_party(agreement.find(_RAM + "BuyerTradeParty"), "buyer")
        terms = settlement.find(_RAM + "SpecifiedTradePaymentTerms")
        due_text = text(terms, f"{_RAM}DueDateDateTime/{_UDT}DateTimeString")
        terms_text = "".join(
            t.text or ""
            for t in settlement.iterfind(f"{_RAM}SpecifiedTradePaymentTerms/{_RAM}Description")
        )
        reference = text(settlement, _RAM + "PaymentReference")
        means: list[PaymentMeans] = []
        ibans: list[tuple[str, str, str]] = []
        for element in settlement.findall(_RAM + "SpecifiedTradeSettlementPaymentMeans"):
            iban = text(element, f"{_RAM}PayeePartyCreditorFinancialAccount/{_RAM}IBANID")
            bic = text(element, f"{_RAM}PayeeSpecifiedCreditorFinancialInstitution/{_RAM}BICID")
            name = text(element, f"{_RAM}PayeePartyCreditorFinancialAccount/{_RAM}AccountName")
            if iban:
                ibans.append((iban, bic, name or str(seller["name"])))
            found = self.means(
                text(element, _RAM + "TypeCode"),
                iban=iban,
                bic=bic,
                name=name,
                reference=reference,
                creditor_id=text(settlement, _RAM + "CreditorReferenceID"),
                mandate=text(terms, _RAM + "DirectDebitMandateID"),
                debtor_iban=text(element, f"{_RAM}PayerPartyDebtorFinancialAccount/{_RAM}IBANID"),
                card=text(element, f"{_RAM}ApplicableTradeSettlementFinancialCard/{_RAM}ID"),
                holder=text(
                    element, f"{_RAM}ApplicableTradeSettlementFinancialCard/{_RAM}CardholderName"
                ),
                information=text(element, _RAM + "Information"),
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
        delivered = text(
            transaction,
            f"{_RAM}ApplicableHeaderTradeDelivery/{_RAM}ActualDeliverySupplyChainEvent/"
            f"{_RAM}OccurrenceDateTime/{_UDT}DateTimeString",
        )
        return self.result(
            "cii",
            specification=text(
                root,
                f"{_RSM}ExchangedDocumentContext/{_RAM}GuidelineSpecifiedDocumentContextParameter/"
                f"{_RAM}ID",
            ),
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
            buyer_reference=text(agreement, _RAM + "BuyerReference"),
            order_reference=text(
                agreement, f"{_RAM}BuyerOrderReferencedDocument/{_RAM}IssuerAssignedID"
            ),
            preceding=text(settlement, f"{_RAM}InvoiceReferencedDocument/{_RAM}IssuerAssignedID"),
            delivered_on=self.day(delivered, "the delivery date", compact=True)
            if delivered
            else None,
            note=text(header, f"{_RAM}IncludedNote/{_RAM}Content"),
            categories=[
                text(t, _RAM + "CategoryCode")
                for t in settlement.findall(_RAM + "ApplicableTradeTax")
            ],
            reasons=[
                text(t, _RAM + "ExemptionReason")
                for t in settlement.findall(_RAM + "ApplicableTradeTax")
            ],
        )
