"""Factur-X / ZUGFeRD PDFs: the attachment and the PDF/A-3 XMP metadata readers look for."""

from __future__ import annotations

import io

import facturx
import lxml.etree
import pypdf
import pytest
from einvoice_samples import SHAPES, blank_pdf

from payportal.einvoice import Profile, to_cii, to_facturx_pdf

FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def _xmp(pdf: bytes) -> lxml.etree._Element:
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return lxml.etree.fromstring(root["/Metadata"].get_object().get_data())


def test_the_cii_is_attached_as_factur_x_xml_with_relationship_data() -> None:
    einvoice = SHAPES["multi_rate"]
    pdf = to_facturx_pdf(einvoice, blank_pdf())
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    [attachment] = reader.attachment_list
    assert attachment.name == "factur-x.xml"
    assert attachment.content == to_cii(einvoice)
    [spec] = reader.trailer["/Root"]["/AF"]
    assert spec.get_object()["/AFRelationship"] == "/Data"


def test_the_xmp_declares_pdfa3_and_the_factur_x_profile() -> None:
    xmp = _xmp(to_facturx_pdf(SHAPES["skonto"], blank_pdf()))
    assert xmp.findtext(f".//{{{PDFAID}}}part") == "3"
    assert xmp.findtext(f".//{{{PDFAID}}}conformance") == "B"
    assert xmp.findtext(f".//{{{FX}}}DocumentType") == "INVOICE"
    assert xmp.findtext(f".//{{{FX}}}DocumentFileName") == "factur-x.xml"
    assert xmp.findtext(f".//{{{FX}}}ConformanceLevel") == "EN 16931"


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_en16931_cii_passes_the_factur_x_xsd(name: str) -> None:
    # The Factur-X 1.07 EN 16931 XSD, as bundled with the factur-x library.
    facturx.xml_check_xsd(to_cii(SHAPES[name], profile=Profile.EN16931), level="en16931")
