"""How kosit/xslt/*.xsl were made (not run by the tests): KoSIT's build.xml, with saxonche.

KoSIT's release build (``ant compile``) merges the Peppol BIS rules it adopts into the
XRechnung Schematron (``src/xsl/peppol-into-xr.xsl``) and compiles the result with SchXslt
1.x ``2.0/pipeline-for-svrl.xsl`` (parameters ``generate-fired-rule=false``,
``full-path-notation=3``). This script repeats those two steps with saxonche instead of Ant
and Java. Arguments: the xrechnung-schematron checkout prepared as build.xml's
``prepare-build-dir`` leaves it (``build/bis/PEPPOL-EN16931-{CII,UBL}.sch`` copied from
peppol-bis-invoice-3 ``rules/sch/``, ``build/schematron/tmp/*.sch`` with the version tokens
replaced, ``build/schematron/common.sch``), the SchXslt checkout, and the output folder.
"""

import sys
from pathlib import Path

from saxonche import PySaxonProcessor


def main(xr: Path, schxslt: Path, out: Path) -> None:
    with PySaxonProcessor(license=False) as processor:
        compiler = processor.new_xslt30_processor()
        for syntax in ("CII", "UBL"):
            merge = compiler.compile_stylesheet(
                stylesheet_file=str(xr / "src/xsl/peppol-into-xr.xsl")
            )
            merge.set_parameter("syntax", processor.make_string_value(syntax))
            merged = xr / f"build/schematron/{syntax.lower()}/XRechnung-{syntax}-validation.sch"
            merge.transform_to_file(
                source_file=str(xr / f"build/schematron/tmp/XRechnung-{syntax}-validation.sch"),
                output_file=str(merged),
            )
            pipeline = compiler.compile_stylesheet(
                stylesheet_file=str(
                    schxslt / "core/src/main/resources/xslt/2.0/pipeline-for-svrl.xsl"
                )
            )
            pipeline.set_parameter("generate-fired-rule", processor.make_boolean_value(False))
            pipeline.set_parameter("full-path-notation", processor.make_string_value("3"))
            pipeline.transform_to_file(
                source_file=str(merged), output_file=str(out / f"XRechnung-{syntax}-validation.xsl")
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
