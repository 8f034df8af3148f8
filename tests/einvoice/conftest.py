"""The official validation artefacts, loaded once per test session.

XSDs are checked with lxml; the CEN EN 16931 and KoSIT XRechnung Schematron rules, compiled to
XSLT, run with saxonche and report SVRL. A finding counts as fatal when its ``flag`` is
``fatal`` (or absent: the CEN artefacts mark errors ``fatal``, warnings ``warning``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import lxml.etree
import pytest
from saxonche import PySaxonProcessor

if TYPE_CHECKING:
    from collections.abc import Callable

EINVOICE = Path(__file__).resolve().parents[1] / "data" / "einvoice"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

Findings = list[tuple[str, str, str]]  # (flag, rule id, text)


class Validator:
    """Runs one syntax's XSD and Schematron XSLTs on a document."""

    def __init__(self, processor: PySaxonProcessor, xsd: Path, xslts: dict[str, Path]) -> None:
        self.processor = processor
        self.schema = lxml.etree.XMLSchema(lxml.etree.parse(str(xsd)))
        compiler = processor.new_xslt30_processor()
        self.executables = {
            name: compiler.compile_stylesheet(stylesheet_file=str(path))
            for name, path in xslts.items()
        }

    def xsd_errors(self, data: bytes) -> list[str]:
        document = lxml.etree.fromstring(data)
        if self.schema.validate(document):
            return []
        return [f"{e.line}: {e.message}" for e in self.schema.error_log]

    def findings(self, data: bytes, rules: str) -> Findings:
        node = self.processor.parse_xml(xml_text=data.decode("utf-8"))
        report = self.executables[rules].transform_to_string(xdm_node=node)
        assert report is not None
        svrl = lxml.etree.fromstring(report.encode("utf-8"))
        found: Findings = []
        for failed in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
            text = " ".join("".join(failed.itertext()).split())
            found.append((failed.get("flag") or "fatal", failed.get("id") or "", text))
        return found

    def fatal(self, data: bytes) -> list[str]:
        """XSD errors and fatal Schematron findings of every rule set, as readable lines."""
        problems = [f"XSD {e}" for e in self.xsd_errors(data)]
        for rules in self.executables:
            problems += [
                f"{rules} {rule}: {text}"
                for flag, rule, text in self.findings(data, rules)
                if flag in {"fatal", "error"}
            ]
        return problems


@pytest.fixture(scope="session")
def saxon() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@pytest.fixture(scope="session")
def cii_validator(saxon: PySaxonProcessor) -> Validator:
    return Validator(
        saxon,
        EINVOICE / "cen/cii/schema/CrossIndustryInvoice_100pD16B.xsd",
        {
            "EN16931": EINVOICE / "cen/xslt/EN16931-CII-validation.xslt",
            "XRechnung": EINVOICE / "kosit/xslt/XRechnung-CII-validation.xsl",
        },
    )


@pytest.fixture(scope="session")
def ubl_validators(saxon: PySaxonProcessor) -> dict[str, Validator]:
    rules = {
        "EN16931": EINVOICE / "cen/xslt/EN16931-UBL-validation.xslt",
        "XRechnung": EINVOICE / "kosit/xslt/XRechnung-UBL-validation.xsl",
    }
    first = Validator(saxon, EINVOICE / "ubl21/xsd/maindoc/UBL-Invoice-2.1.xsd", rules)
    second = Validator.__new__(Validator)
    second.processor, second.executables = saxon, first.executables
    second.schema = lxml.etree.XMLSchema(
        lxml.etree.parse(str(EINVOICE / "ubl21/xsd/maindoc/UBL-CreditNote-2.1.xsd"))
    )
    return {"Invoice": first, "CreditNote": second}


@pytest.fixture(scope="session")
def validate(
    cii_validator: Validator, ubl_validators: dict[str, Validator]
) -> Callable[[bytes], list[str]]:
    """XSD errors and fatal Schematron findings for a CII or UBL document."""

    def check(data: bytes) -> list[str]:
        root = lxml.etree.fromstring(data)
        local = lxml.etree.QName(root).localname
        if local == "CrossIndustryInvoice":
            return cii_validator.fatal(data)
        return ubl_validators[local].fatal(data)

    return check
