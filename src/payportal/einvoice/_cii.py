"""UN/CEFACT Cross Industry Invoice (CII D16B) in the EN 16931 syntax binding.

The element order follows the D16B XSD sequences (``CrossIndustryInvoice_100pD16B.xsd`` and
its ReusableAggregateBusinessInformationEntity module); the business terms follow the CEN
syntax binding for CII (EN 16931-3-3). Tags are written with their usual prefixes and the
namespace declarations are put on the root, so the output reads like the official samples.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # building only; parsing is defusedxml's
from typing import TYPE_CHECKING

from payportal.einvoice._semantic import Line, Means, Party, Semantic, amount, decimal_text

if TYPE_CHECKING:
    from datetime import date

    from payportal.customers import Address

__all__ = ["NAMESPACES", "write_cii"]

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

# BT-23: the Peppol billing process, which the XRechnung rules (PEPPOL-EN16931-R001) require.
BUSINESS_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

_Sub = ET.SubElement


def _text(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = _Sub(parent, tag, attrib)
    element.text = text
    return element


def _date(parent: ET.Element, tag: str, value: date) -> None:
    holder = _Sub(parent, tag)
    _text(holder, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _address(parent: ET.Element, address: Address) -> None:
    postal = _Sub(parent, "ram:PostalTradeAddress")
    if address.postal_code:
        _text(postal, "ram:PostcodeCode", address.postal_code)
    _text(postal, "ram:LineOne", address.street)
    if address.addition:
        _text(postal, "ram:LineTwo", address.addition)
    _text(postal, "ram:CityName", address.city)
    _text(postal, "ram:CountryID", address.country)
    if address.region:
        _text(postal, "ram:CountrySubDivisionName", address.region)


def _party(parent: ET.Element, tag: str, party: Party, *, seller: bool) -> None:
    element = _Sub(parent, tag)
    if party.identifier and not seller:
        _text(element, "ram:ID", party.identifier)
    _text(element, "ram:Name", party.name)
    if party.legal_id:
        _text(_Sub(element, "ram:SpecifiedLegalOrganization"), "ram:ID", party.legal_id)
    if seller or party.contact or party.phone:
        contact = _Sub(element, "ram:DefinedTradeContact")
        if party.contact:
            _text(contact, "ram:PersonName", party.contact)
        if party.phone:
            phone = _Sub(contact, "ram:TelephoneUniversalCommunication")
            _text(phone, "ram:CompleteNumber", party.phone)
        if party.email and seller:
            mail = _Sub(contact, "ram:EmailURIUniversalCommunication")
            _text(mail, "ram:URIID", party.email)
    if party.address is not None:
        _address(element, party.address)
    if party.email:
        uri = _Sub(element, "ram:URIUniversalCommunication")
        _text(uri, "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        registration = _Sub(element, "ram:SpecifiedTaxRegistration")
        _text(registration, "ram:ID", party.vat_id, schemeID="VA")
    if party.tax_number and seller:
        registration = _Sub(element, "ram:SpecifiedTaxRegistration")
        _text(registration, "ram:ID", party.tax_number, schemeID="FC")


def _line(parent: ET.Element, line: Line) -> None:
    element = _Sub(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _Sub(element, "ram:AssociatedDocumentLineDocument")
    _text(document, "ram:LineID", str(line.number))
    product = _Sub(element, "ram:SpecifiedTradeProduct")
    _text(product, "ram:Name", line.item.title)
    if line.item.description:
        _text(product, "ram:Description", line.item.description)
    agreement = _Sub(element, "ram:SpecifiedLineTradeAgreement")
    net_price = _Sub(agreement, "ram:NetPriceProductTradePrice")
    _text(net_price, "ram:ChargeAmount", amount(line.price))
    delivery = _Sub(element, "ram:SpecifiedLineTradeDelivery")
    _text(delivery, "ram:BilledQuantity", decimal_text(line.quantity), unitCode=line.unit_code)
    settlement = _Sub(element, "ram:SpecifiedLineTradeSettlement")
    tax = _Sub(settlement, "ram:ApplicableTradeTax")
    _text(tax, "ram:TypeCode", "VAT")
    _text(tax, "ram:CategoryCode", line.category)
    if line.category != "O":
        _text(tax, "ram:RateApplicablePercent", decimal_text(line.item.tax_rate))
    if line.allowance:
        allowance = _Sub(settlement, "ram:SpecifiedTradeAllowanceCharge")
        indicator = _Sub(allowance, "ram:ChargeIndicator")
        _text(indicator, "udt:Indicator", "false")
        _text(allowance, "ram:CalculationPercent", decimal_text(line.item.discount))
        _text(allowance, "ram:BasisAmount", amount(line.gross_amount))
        _text(allowance, "ram:ActualAmount", amount(line.allowance))
        _text(allowance, "ram:ReasonCode", "95")  # UNTDID 5189: discount
        _text(allowance, "ram:Reason", "Discount")
    summation = _Sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _text(summation, "ram:LineTotalAmount", amount(line.net))


def _means(parent: ET.Element, means: Means) -> None:
    element = _Sub(parent, "ram:SpecifiedTradeSettlementPaymentMeans")
    _text(element, "ram:TypeCode", means.code)
    if means.information:
        _text(element, "ram:Information", means.information)
    if means.card_digits:
        card = _Sub(element, "ram:ApplicableTradeSettlementFinancialCard")
        _text(card, "ram:ID", means.card_digits)
        if means.card_holder:
            _text(card, "ram:CardholderName", means.card_holder)
    if means.debtor_iban:
        debtor = _Sub(element, "ram:PayerPartyDebtorFinancialAccount")
        _text(debtor, "ram:IBANID", means.debtor_iban)
    if means.iban:
        creditor = _Sub(element, "ram:PayeePartyCreditorFinancialAccount")
        _text(creditor, "ram:IBANID", means.iban)
        if means.account_name:
            _text(creditor, "ram:AccountName", means.account_name)
        if means.bic:
            institution = _Sub(element, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _text(institution, "ram:BICID", means.bic)


def write_cii(semantic: Semantic) -> bytes:
    """Serialise a checked :class:`Semantic` as a CII D16B document (UTF-8 bytes)."""
    root = ET.Element(
        "rsm:CrossIndustryInvoice", {f"xmlns:{p}": uri for p, uri in NAMESPACES.items()}
    )
    context = _Sub(root, "rsm:ExchangedDocumentContext")
    process = _Sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    _text(process, "ram:ID", BUSINESS_PROCESS)
    guideline = _Sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _text(guideline, "ram:ID", semantic.profile.value)

    header = _Sub(root, "rsm:ExchangedDocument")
    _text(header, "ram:ID", semantic.number)
    _text(header, "ram:TypeCode", semantic.type_code)
    _date(header, "ram:IssueDateTime", semantic.issued_on)
    if semantic.note:
        note = _Sub(header, "ram:IncludedNote")
        _text(note, "ram:Content", semantic.note)

    transaction = _Sub(root, "rsm:SupplyChainTradeTransaction")
    for line in semantic.lines:
        _line(transaction, line)

    agreement = _Sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if semantic.buyer_reference:
        _text(agreement, "ram:BuyerReference", semantic.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", semantic.seller, seller=True)
    _party(agreement, "ram:BuyerTradeParty", semantic.buyer, seller=False)
    if semantic.order_reference:
        order = _Sub(agreement, "ram:BuyerOrderReferencedDocument")
        _text(order, "ram:IssuerAssignedID", semantic.order_reference)

    delivery = _Sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    if semantic.deliver_to is not None:
        _address(_Sub(delivery, "ram:ShipToTradeParty"), semantic.deliver_to)
    if semantic.delivered_on is not None:
        event = _Sub(delivery, "ram:ActualDeliverySupplyChainEvent")
        _date(event, "ram:OccurrenceDateTime", semantic.delivered_on)

    _settlement(_Sub(transaction, "ram:ApplicableHeaderTradeSettlement"), semantic)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _settlement(settlement: ET.Element, semantic: Semantic) -> None:
    creditor_id = next((m.creditor_id for m in semantic.means if m.creditor_id), "")
    if creditor_id:
        _text(settlement, "ram:CreditorReferenceID", creditor_id)
    if semantic.payment_reference and semantic.means:
        _text(settlement, "ram:PaymentReference", semantic.payment_reference)
    _text(settlement, "ram:InvoiceCurrencyCode", semantic.currency)
    for means in semantic.means:
        _means(settlement, means)
    for tax in semantic.taxes:
        element = _Sub(settlement, "ram:ApplicableTradeTax")
        _text(element, "ram:CalculatedAmount", amount(tax.tax))
        _text(element, "ram:TypeCode", "VAT")
        if tax.reason:
            _text(element, "ram:ExemptionReason", tax.reason)
        _text(element, "ram:BasisAmount", amount(tax.basis))
        _text(element, "ram:CategoryCode", tax.category)
        # Written for O too: XRechnung requires the rate in every breakdown (BR-DE-14), while
        # EN 16931 forbids it only on O lines (BR-O-05).
        _text(element, "ram:RateApplicablePercent", decimal_text(tax.rate))
    mandate = next((m.mandate_reference for m in semantic.means if m.mandate_reference), "")
    if semantic.payment_terms or semantic.due_on is not None or mandate:
        terms = _Sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if semantic.payment_terms:
            _text(terms, "ram:Description", semantic.payment_terms)
        if semantic.due_on is not None:
            _date(terms, "ram:DueDateDateTime", semantic.due_on)
        if mandate:
            _text(terms, "ram:DirectDebitMandateID", mandate)
    summation = _Sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _text(summation, "ram:LineTotalAmount", amount(semantic.line_total))
    _text(summation, "ram:TaxBasisTotalAmount", amount(semantic.tax_basis))
    _text(summation, "ram:TaxTotalAmount", amount(semantic.tax_total), currencyID=semantic.currency)
    _text(summation, "ram:GrandTotalAmount", amount(semantic.grand_total))
    if semantic.prepaid:
        _text(summation, "ram:TotalPrepaidAmount", amount(semantic.prepaid))
    _text(summation, "ram:DuePayableAmount", amount(semantic.due))
    if semantic.preceding_invoice:
        preceding = _Sub(settlement, "ram:InvoiceReferencedDocument")
        _text(preceding, "ram:IssuerAssignedID", semantic.preceding_invoice)
