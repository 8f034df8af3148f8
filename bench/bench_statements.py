"""Import 100 MiB bank statements: camt.053 and MT940, time and peak memory.

Run with ``python bench/bench_statements.py`` (``python bench/bench_statements.py 10`` for
10 MiB files). The files are generated into a temporary directory, never into the repository:
daily statements of 1,000 entries each, the way a bank delivers a year of a busy account,
every entry with a counterparty, an IBAN, an end-to-end id and remittance text, balances that
add up. Each measurement runs in its own process, so its peak RSS is its own; each reader
runs three times, alternating with its anchor, and the best time (the highest peak RSS)
counts.

* camt.053: :func:`payportal.reconciliation.iter_statements` against a bare
  :func:`xml.etree.ElementTree.iterparse` pass that extracts amount, direction, booking date
  and remittance text of every entry and clears what it read (target: at least 0.5x its
  throughput, at most 100 MiB peak RSS);
* MT940: the same function against the ``mt-940`` library's ``mt940.parse`` of the same file
  (target: at least 1.0x, at most 100 MiB peak RSS). mt-940 prints its parsing to stdout;
  that is sent to /dev/null.

The ratio is payportal's throughput over the anchor's (above 1: payportal is faster).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

MIB = 1024 * 1024
ENTRIES_PER_STATEMENT = 1_000

CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-03-02T06:00:00+01:00</CreDtTm></GrpHdr>
"""
CAMT_ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{mark}</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>
<AcctSvcrRef>B{n:012d}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>
<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{n}</EndToEndId></Refs>
<RltdPties><Dbtr><Pty><Nm>Kunde {n} Muster GmbH</Nm></Pty></Dbtr>
<DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>Rechnung RE-2026-{n:06d} vom 01.02.2026 Kundennummer K-{n}</Ustrd></RmtInf>
</TxDtls></NtryDtls></Ntry>
"""
MT940_ENTRY = """:61:2603020302{mark}{amount}NTRFNONREF//B{n:012d}
:86:166?00GUTSCHRIFT?100599?20EREF+E2E-{n}?21SVWZ+Rechnung RE-2026-{n:06d}
?22 vom 01.02.2026 K-{n}?30COBADEFFXXX?31DE89370400440532013000
?32Kunde {n} Muster GmbH
"""


def amounts(n: int) -> tuple[str, Decimal]:
    cents = 100 + (n * 7919) % 500_000
    credit = n % 5 != 0
    value = Decimal(cents).scaleb(-2)
    return ("CRDT" if credit else "DBIT"), (value if credit else -value)


def write_camt(path: Path, size: int) -> int:
    entries = 0
    balance = Decimal("100000.00")
    with path.open("w", encoding="utf-8") as out:
        out.write(CAMT_HEAD)
        statement = 0
        while out.tell() < size:
            statement += 1
            opening = balance
            body = []
            for _ in range(ENTRIES_PER_STATEMENT):
                entries += 1
                mark, signed = amounts(entries)
                balance += signed
                body.append(
                    CAMT_ENTRY.format(amount=abs(signed), mark=mark, day="2026-03-02", n=entries)
                )
            out.write(
                f"<Stmt><Id>S{statement}</Id><Acct><Id><IBAN>DE02120300000000202051</IBAN>"
                "</Id><Ccy>EUR</Ccy></Acct>"
                f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>"
                f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{balance}</Amt>'
                "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>\n"
            )
            out.write("".join(body))
            out.write("</Stmt>\n")
        out.write("</BkToCstmrStmt></Document>\n")
    return entries


def write_mt940(path: Path, size: int) -> int:
    entries = 0
    balance = Decimal("100000.00")
    with path.open("w", encoding="latin-1", newline="\r\n") as out:
        statement = 0
        while out.tell() < size:
            statement += 1
            opening = balance
            body = []
            for _ in range(ENTRIES_PER_STATEMENT):
                entries += 1
                mark, signed = amounts(entries)
                balance += signed
                body.append(
                    MT940_ENTRY.format(
                        mark="C" if mark == "CRDT" else "D",
                        amount=str(abs(signed)).replace(".", ","),
                        n=entries,
                    )
                )
            out.write(
                f":20:STARTUMS{statement}\n:25:12030000/0000202051\n:28C:{statement}/1\n"
                f":60F:C260301EUR{str(opening).replace('.', ',')}\n"
            )
            out.write("".join(body))
            out.write(f":62F:C260302EUR{str(balance).replace('.', ',')}\n-\n")
    return entries


PAYPORTAL = """
count = 0
for statement in iter_statements(PATH):
    count += len(statement.entries)
"""
CAMT_ANCHOR = """
NS = "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}"
count = 0
for event, element in ET.iterparse(PATH):
    if element.tag == NS + "Ntry":
        amount = element.findtext(NS + "Amt")
        direction = element.findtext(NS + "CdtDbtInd")
        day = element.findtext(NS + "BookgDt/" + NS + "Dt")
        text = element.findtext(".//" + NS + "Ustrd")
        count += 1
        element.clear()
    elif element.tag == NS + "Stmt":
        element.clear()
"""
MT940_ANCHOR = """
count = 0
for transactions in [mt940.parse(PATH)]:
    count += len(transactions.transactions)
"""
# Each reader runs this many times, alternating with its anchor; the best time counts.
RUNS = 3
# Imports are done before the clock starts: what is timed is reading the file.
RUNNER = """
import resource, sys, time
import xml.etree.ElementTree as ET
import mt940
from payportal.reconciliation import iter_statements
PATH = sys.argv[1]
start = time.perf_counter()
{code}
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(took, peak, count, file=sys.stderr)
"""


def run(code: str, path: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS in MiB and entries read, measured in a fresh process."""
    script = RUNNER.format(code=textwrap.dedent(code))
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    took, peak, count = done.stderr.strip().splitlines()[-1].split()
    return float(took), float(peak), int(count)


def baseline() -> float:
    """Peak RSS of a process that only imports what is measured, for reference."""
    return run("count = 0", Path("-"))[1]


def _best(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The fastest time, the highest peak RSS and the entries read (the same in every run)."""
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]


def compare(label: str, path: Path, entries: int, anchor_name: str, anchor: str) -> None:
    """Read ``path`` with payportal and with ``anchor``, alternating, :data:`RUNS` times each,
    and print the best time of each (the least disturbed by the machine) and their ratio."""
    size = path.stat().st_size / MIB
    ours_runs, their_runs = [], []
    for _ in range(RUNS):
        ours_runs.append(run(PAYPORTAL, path))
        their_runs.append(run(anchor, path))
    ours, ours_peak, ours_count = _best(ours_runs)
    theirs, theirs_peak, theirs_count = _best(their_runs)
    print(f"{label}: {size:.1f} MiB, {entries:,} entries")
    print(
        f"  payportal   {ours:7.2f} s  {size / ours:6.2f} MiB/s  peak RSS {ours_peak:6.1f} MiB"
        f"  ({ours_count:,} entries)"
    )
    print(
        f"  {anchor_name:<11} {theirs:7.2f} s  {size / theirs:6.2f} MiB/s  peak RSS "
        f"{theirs_peak:6.1f} MiB  ({theirs_count:,} entries)"
    )
    print(f"  ratio payportal / {anchor_name} throughput: {theirs / ours:.2f}x")


def main(mib: int) -> None:
    print(f"peak RSS of a process that imports payportal and mt-940 only: {baseline():.1f} MiB")
    with tempfile.TemporaryDirectory() as directory:
        camt = Path(directory) / "statements.camt053.xml"
        entries = write_camt(camt, mib * MIB)
        compare("camt.053", camt, entries, "iterparse", CAMT_ANCHOR)
        camt.unlink()
        sta = Path(directory) / "statements.sta"
        entries = write_mt940(sta, mib * MIB)
        compare("MT940", sta, entries, "mt-940", MT940_ANCHOR)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
