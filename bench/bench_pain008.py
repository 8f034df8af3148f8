"""Write and XSD-validate a pain.008 batch of 10,000 direct debits, beside ``sepaxml``.

The batch: 10,000 collections on 4,000 recurring mandates (a quarter never collected, so
their first collection is FRST, the rest RCUR), two due dates, CORE, amounts from 1.00 to
999.99 EUR, a remittance text each. Mandates and collections are built before any timing.

Measured per version (pain.008.001.02 and .08), the least wall time of three runs:

* **payportal**: :func:`payportal.mandates.write_pain008` (sequence types, grouping, sums)
  and then the official XSD check with lxml (parse the bytes, ``XMLSchema.validate``);
* **anchor, sepaxml** (the PyPI package the issue names), writing the same batch:
  ``SepaDD.add_payment`` for every collection and ``export(validate=True)``, which is how
  sepaxml checks its output (with ``xmlschema``);
* **sepaxml + lxml**: the same, but ``export(validate=False)`` followed by the same lxml check
  as payportal's, so both sides validate alike.

Both files are checked against the XSD outside the timing as well (a benchmark of a writer
whose output is invalid would be worthless). The ratio printed is the anchor's time over
payportal's: above 1, payportal is faster.

Run with ``python bench/bench_pain008.py`` (``--count 1000`` for a quicker run). Needs the
``bench`` extra (sepaxml) and lxml (in the ``test`` extra).

A run on the shared 2-core CI machine (2026-12-06, sepaxml 2.7.0, lxml 6.2): .02 payportal
0.90 s, sepaxml 8.24 s (9.2x), sepaxml + lxml 0.91 s (1.0x); .08 payportal 0.73 s, sepaxml
6.47 s (8.8x), sepaxml + lxml 1.03 s (1.4x). Writing alone took payportal 0.6-0.7 s, two
thirds of it in ElementTree's serialiser.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.etree
from sepaxml import SepaDD

from payportal import Money
from payportal.mandates import (
    PAIN_008_VERSIONS,
    Collection,
    Consent,
    Creditor,
    Mandate,
    sequence_types,
    write_pain008,
)

if TYPE_CHECKING:
    from collections.abc import Callable

SEPA = Path(__file__).resolve().parents[1] / "tests" / "data" / "sepa"
CREDITOR = Creditor(
    name="Muster GmbH",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    creditor_id="DE98ZZZ09999999999",
)
CREATED = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)
ACCOUNTS = (
    ("DE89370400440532013000", "COBADEFFXXX"),
    ("AT611904300234573201", "BKAUATWW"),
    ("FR1420041010050500013M02606", "PSSTFRPPXXX"),
    ("NL91ABNA0417164300", "ABNANL2A"),
    ("BE48320070184927", "BBRUBEBB"),
)
MANDATES = 4_000


def build(count: int) -> list[Collection]:
    rng = random.Random(25)
    consent = Consent(datetime(2024, 1, 2, 9, 0, tzinfo=UTC), "I authorise Muster GmbH ...")
    mandates = []
    for n in range(min(MANDATES, count)):
        iban, bic = ACCOUNTS[n % len(ACCOUNTS)]
        mandate = Mandate.grant(
            reference=f"MUSTER-M{n:08d}",
            creditor_id=CREDITOR.creditor_id,
            debtor_name=f"Kunde {n} Mustermann",
            iban=iban,
            bic=bic,
            signed_on=date(2024, 1, 2),
            consent=consent,
        )
        if n % 4:
            mandate = mandate.record_collection(date(2025, 5, 2))
        mandates.append(mandate)
    dues = (date(2025, 6, 16), date(2025, 7, 1))
    per_mandate: dict[str, int] = {}
    collections = []
    for n in range(count):
        mandate = mandates[n % len(mandates)]
        seen = per_mandate.get(mandate.reference, 0)
        per_mandate[mandate.reference] = seen + 1
        collections.append(
            Collection(
                mandate,
                Money.from_minor(rng.randrange(100, 100_000), "EUR"),
                f"INV-2025-{n:07d}",
                dues[min(seen, 1)] if seen < 2 else dues[1],
                remittance=f"Rechnung INV-2025-{n:07d} Kundennummer {n % MANDATES}",
            )
        )
    return collections


def sepaxml_payments(collections: list[Collection]) -> list[dict[str, Any]]:
    """The same batch as sepaxml's payment dicts (built outside the timing)."""
    kinds = sequence_types(collections)
    return [
        {
            "name": c.mandate.debtor_name,
            "IBAN": c.mandate.iban,
            "BIC": c.mandate.bic,
            "amount": c.amount.minor_units,
            "type": kind.value,
            "collection_date": c.due_date,
            "mandate_id": c.mandate.reference,
            "mandate_date": c.mandate.signed_on,
            "description": c.remittance,
            "endtoend_id": c.end_to_end_id,
        }
        for c, kind in zip(collections, kinds, strict=True)
    ]


def schema(version: str) -> lxml.etree.XMLSchema:
    return lxml.etree.XMLSchema(lxml.etree.parse(str(SEPA / f"{version}.xsd")))


def lxml_valid(checker: lxml.etree.XMLSchema, data: bytes) -> bool:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return bool(checker.validate(lxml.etree.fromstring(data, parser)))


def best(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args, _ = parser.parse_known_args()  # bench/run_all.py passes its own arguments on
    collections = build(args.count)
    payments = sepaxml_payments(collections)
    print(f"pain.008 batch of {len(collections):,} collections; least wall time of 3 runs")
    for version in PAIN_008_VERSIONS:
        checker = schema(version)

        def ours(version: str = version, checker: lxml.etree.XMLSchema = checker) -> bytes:
            data = write_pain008(
                CREDITOR, collections, message_id="BENCH-1", created_at=CREATED, version=version
            )
            if not lxml_valid(checker, data):
                raise AssertionError("payportal wrote an invalid file")
            return data

        def theirs(validate: bool, version: str = version) -> bytes:
            config = {
                "name": CREDITOR.name,
                "IBAN": CREDITOR.iban,
                "BIC": CREDITOR.bic,
                "batch": True,
                "creditor_id": CREDITOR.creditor_id,
                "currency": "EUR",
                "instrument": "CORE",
            }
            sepa = SepaDD(config, schema=version, clean=True)
            for payment in payments:
                sepa.add_payment(dict(payment))
            return bytes(sepa.export(validate=validate))

        def theirs_lxml(checker: lxml.etree.XMLSchema = checker) -> bytes:
            data = theirs(False)
            if not lxml_valid(checker, data):
                raise AssertionError("sepaxml wrote an invalid file")
            return data

        assert lxml_valid(checker, ours())
        assert lxml_valid(checker, theirs(True))
        write_only = best(
            lambda version=version: write_pain008(
                CREDITOR, collections, message_id="BENCH-1", created_at=CREATED, version=version
            )
        )
        mine = best(ours)
        anchor = best(lambda: theirs(True))
        anchor_lxml = best(theirs_lxml)
        print(f"\n{version}")
        print(f"  payportal write only                 {write_only:8.3f} s")
        print(f"  payportal write + lxml XSD check     {mine:8.3f} s")
        print(f"  sepaxml export(validate=True)        {anchor:8.3f} s   (anchor)")
        print(f"  sepaxml export + lxml XSD check      {anchor_lxml:8.3f} s")
        print(f"  ratio anchor / payportal             {anchor / mine:8.2f}x")
        print(f"  ratio sepaxml+lxml / payportal       {anchor_lxml / mine:8.2f}x")


if __name__ == "__main__":
    main()
