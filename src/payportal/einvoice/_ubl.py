"""OASIS UBL 2.1 Invoice and CreditNote in the EN 16931 syntax binding (EN 16931-3-2).

Element order follows the UBL 2.1 XSD sequences (``UBL-Invoice-2.1.xsd``,
``UBL-CreditNote-2.1.xsd`` and the common aggregate components).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # building only; parsing is defusedxml's
from typing import TYPE_CHECKING

from payportal.einvoice._cii import BUSINESS_PROCESS
from payportal.einvoice._semantic import Line, Means, Party, Semantic, amount, decimal_text

if TYPE_CHECKING:
    from payportal._money import Money
    from payportal.customers import Address

__all__ = ["CAC", "CBC", "CREDIT_NOTE", "INVOICE", "write_ubl"]

INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

_Sub = ET.SubElement


def _text(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = _Sub(parent, tag, attrib)
    element.text = text
    return element


def _money(parent: ET.Element, tag: str, money: Money) -> None:
    _text(parent, tag, amount(money), currencyID=money.currency)


def _tax_scheme(parent: ET.Element, scheme: str = "VAT") -> None:
    holder = _Sub(parent, "cac:TaxScheme")
    _text(holder, "cbc:ID", scheme)


def _address(parent: ET.Element, tag: str, address: Address) -> None:
    postal = _Sub(parent, tag)
    _text(postal, "cbc:StreetName", address.street)
    if address.addition:
        _text(postal, "cbc:AdditionalStreetName", address.addition)
    _text(postal, "cbc:CityName", address.city)
    if address.postal_code:
        _text(postal, "cbc:PostalZone", address.postal_code)
    if address.region:
        _text(postal, "cbc:CountrySubentity", address.region)
    _text(_Sub(postal, "cac:Country"), "cbc:IdentificationCode", address.country)


def _party(parent: ET.Element, tag: str, party: Party, *, creditor_id: str = "") -> None:
    element = _Sub(_Sub(parent, tag), "cac:Party")
    if party.email:
        _text(element, "cbc:EndpointID", party.email, schemeID="EM")
    if party.identifier:
        _text(_Sub(element, "cac:PartyIdentification"), "cbc:ID", party.identifier)
    if creditor_id:
        identification = _Sub(element, "cac:PartyIdentification")
        _text(identification, "cbc:ID", creditor_id, schemeID="SEPA")
    if party.address is not None:
        _address(element, "cac:PostalAddress", party.address)
    if party.vat_id:
        scheme = _Sub(element, "cac:PartyTaxScheme")
        _text(scheme, "cbc:CompanyID", party.vat_id)
        _tax_scheme(scheme)
    if party.tax_number and tag == "cac:AccountingSupplierParty":
        scheme = _Sub(element, "cac:PartyTaxScheme")
        _text(scheme, "cbc:CompanyID", party.tax_number)
        _tax_scheme(scheme, "FC")
    legal = _Sub(element, "cac:PartyLegalEntity")
    _text(legal, "cbc:RegistrationName", party.name)
    if party.legal_id:
        _text(legal, "cbc:CompanyID", party.legal_id)
    seller = tag == "cac:AccountingSupplierParty"
    if seller or party.contact or party.phone:
        contact = _Sub(element, "cac:Contact")
        if party.contact:
            _text(contact, "cbc:Name", party.contact)
        if party.phone:
            _text(contact, "cbc:Telephone", party.phone)
        if party.email and seller:
            _text(contact, "cbc:ElectronicMail", party.email)


def _means(parent: ET.Element, means: Means, reference: str) -> None:
    element = _Sub(parent, "cac:PaymentMeans")
    _text(element, "cbc:PaymentMeansCode", means.code)
    if means.information:
        _text(element, "cbc:InstructionNote", means.information)
    if reference:
        _text(element, "cbc:PaymentID", reference)
    if means.card_digits:
        card = _Sub(element, "cac:CardAccount")
        _text(card, "cbc:PrimaryAccountNumberID", means.card_digits)
        # UBL requires a network; EN 16931 has no business term for it.
        _text(card, "cbc:NetworkID", means.card_network or "card")
        if means.card_holder:
            _text(card, "cbc:HolderName", means.card_holder)
    if means.iban:
        account = _Sub(element, "cac:PayeeFinancialAccount")
        _text(account, "cbc:ID", means.iban)
        if means.account_name:
            _text(account, "cbc:Name", means.account_name)
        if means.bic:
            _text(_Sub(account, "cac:FinancialInstitutionBranch"), "cbc:ID", means.bic)
    if means.mandate_reference:
        mandate = _Sub(element, "cac:PaymentMandate")
        _text(mandate, "cbc:ID", means.mandate_reference)
        _text(_Sub(mandate, "cac:PayerFinancialAccount"), "cbc:ID", means.debtor_iban)


def _category(
    parent: ET.Element, tag: str, code: str, rate: str, reason: str = "", *, breakdown: bool = False
) -> None:
    element = _Sub(parent, tag)
    _text(element, "cbc:ID", code)
    # The breakdown always has a rate (XRechnung BR-DE-14); an O line has none (BR-O-05).
    if code != "O" or breakdown:
        _text(element, "cbc:Percent", rate)
    if reason:
        _text(element, "cbc:TaxExemptionReason", reason)
    _tax_scheme(element)


def _line(parent: ET.Element, line: Line, credit: bool) -> None:
    kind = "CreditNote" if credit else "Invoice"
    element = _Sub(parent, f"cac:{kind}Line")
    _text(element, "cbc:ID", str(line.number))
    quantity = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    _text(element, quantity, decimal_text(line.quantity), unitCode=line.unit_code)
    _money(element, "cbc:LineExtensionAmount", line.net)
    if line.allowance:
        allowance = _Sub(element, "cac:AllowanceCharge")
        _text(allowance, "cbc:ChargeIndicator", "false")
        _text(allowance, "cbc:AllowanceChargeReasonCode", "95")
        _text(allowance, "cbc:AllowanceChargeReason", "Discount")
        _text(allowance, "cbc:MultiplierFactorNumeric", decimal_text(line.item.discount))
        _money(allowance, "cbc:Amount", line.allowance)
        _money(allowance, "cbc:BaseAmount", line.gross_amount)
    item = _Sub(element, "cac:Item")
    if line.item.description:
        _text(item, "cbc:Description", line.item.description)
    _text(item, "cbc:Name", line.item.title)
    _category(item, "cac:ClassifiedTaxCategory", line.category, decimal_text(line.item.tax_rate))
    _money(_Sub(element, "cac:Price"), "cbc:PriceAmount", line.price)


def write_ubl(semantic: Semantic) -> bytes:
    """Serialise a checked :class:`Semantic` as a UBL 2.1 Invoice or CreditNote."""
    credit = semantic.type_code == "381"
    name = "CreditNote" if credit else "Invoice"
    root = ET.Element(
        name,
        {
            "xmlns": CREDIT_NOTE if credit else INVOICE,
            "xmlns:cac": CAC,
            "xmlns:cbc": CBC,
        },
    )
    _text(root, "cbc:CustomizationID", semantic.profile.value)
    _text(root, "cbc:ProfileID", BUSINESS_PROCESS)
    _text(root, "cbc:ID", semantic.number)
    _text(root, "cbc:IssueDate", semantic.issued_on.isoformat())
    if semantic.due_on is not None and not credit:
        _text(root, "cbc:DueDate", semantic.due_on.isoformat())
    _text(root, f"cbc:{name}TypeCode", semantic.type_code)
    if semantic.note:
        _text(root, "cbc:Note", semantic.note)
    _text(root, "cbc:DocumentCurrencyCode", semantic.currency)
    if semantic.buyer_reference:
        _text(root, "cbc:BuyerReference", semantic.buyer_reference)
    if semantic.order_reference:
        _text(_Sub(root, "cac:OrderReference"), "cbc:ID", semantic.order_reference)
    if semantic.preceding_invoice:
        billing = _Sub(root, "cac:BillingReference")
        _text(_Sub(billing, "cac:InvoiceDocumentReference"), "cbc:ID", semantic.preceding_invoice)
    creditor_id = next((m.creditor_id for m in semantic.means if m.creditor_id), "")
    _party(root, "cac:AccountingSupplierParty", semantic.seller, creditor_id=creditor_id)
    _party(root, "cac:AccountingCustomerParty", semantic.buyer)
    if semantic.delivered_on is not None or semantic.deliver_to is not None:
        delivery = _Sub(root, "cac:Delivery")
        if semantic.delivered_on is not None:
            _text(delivery, "cbc:ActualDeliveryDate", semantic.delivered_on.isoformat())
        if semantic.deliver_to is not None:
            _address(_Sub(delivery, "cac:DeliveryLocation"), "cac:Address", semantic.deliver_to)
    for means in semantic.means:
        _means(root, means, semantic.payment_reference)
    if semantic.payment_terms:
        _text(_Sub(root, "cac:PaymentTerms"), "cbc:Note", semantic.payment_terms)
    total = _Sub(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", semantic.tax_total)
    for tax in semantic.taxes:
        subtotal = _Sub(total, "cac:TaxSubtotal")
        _money(subtotal, "cbc:TaxableAmount", tax.basis)
        _money(subtotal, "cbc:TaxAmount", tax.tax)
        _category(
            subtotal,
            "cac:TaxCategory",
            tax.category,
            decimal_text(tax.rate),
            tax.reason,
            breakdown=True,
        )
    monetary = _Sub(root, "cac:LegalMonetaryTotal")
    _money(monetary, "cbc:LineExtensionAmount", semantic.line_total)
    _money(monetary, "cbc:TaxExclusiveAmount", semantic.tax_basis)
    _money(monetary, "cbc:TaxInclusiveAmount", semantic.grand_total)
    if semantic.prepaid:
        _money(monetary, "cbc:PrepaidAmount", semantic.prepaid)
    _money(monetary, "cbc:PayableAmount", semantic.due)
    for line in semantic.lines:
        _line(root, line, credit)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
