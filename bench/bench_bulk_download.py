"""A ZIP of many documents: peak memory and time against the stdlib writing the same bytes.

``zip_documents`` checks every document against the access policy, then streams the archive:
each document's PDF is fetched when its turn comes and written in 64 KiB pieces through a
write-only sink, and the pieces are handed on (here: dropped, as a web server sends them).
The anchor is the standard library's ``zipfile`` writing the same entries (same names, same
bytes, same compression) to a temporary file with ``writestr``, in the same run.

For 100, 1,000 and 5,000 documents of 50 KB each it prints the tracemalloc peak and the best
wall time of both, and their ratios. The peak of a streamed archive should not grow with the
number of documents beyond the closing directory (a few hundred bytes per entry, which the
ZIP format needs and the anchor keeps too). Run with ``python bench/bench_bulk_download.py``
(``--quick`` for 100 and 1,000 only).

First full run (2-core shared machine, Python 3.11)::

    documents  streamed peak  stdlib peak peak ratio streamed s  stdlib s time ratio
          100         437 KiB      418 KiB       1.05      0.082     0.085       0.96
        1,000         942 KiB      880 KiB       1.07      0.849     1.182       0.72
        5,000       3,825 KiB    2,953 KiB       1.30      4.727     4.656       1.02
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from payportal import Customer, Money, PortalSettings
from payportal.documents import Document, Invoice, LineItem
from payportal.downloads import zip_documents
from payportal.portal import AccessPolicy

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.einvoice import EInvoice

REPEATS = 3
SIZE = 50_000
ERIKA = Customer(id="42", number="K-42", name="Erika")
POLICY = AccessPolicy(PortalSettings.default(), today=lambda: date(2026, 3, 2))


def _body() -> bytes:
    # 50 KB that compress a little, as PDFs (mostly compressed streams) do.
    seed, parts = b"payportal", []
    while sum(map(len, parts)) < SIZE:
        seed = hashlib.sha256(seed).digest()
        parts.append(seed + b" 0 obj << /Length 44 >> stream ")
    return b"%PDF-1.7\n" + b"".join(parts)[:SIZE]


PDF = _body()


class Files:
    def pdf(self, document: Document) -> bytes:
        # A new object each time, as an app that renders or reads the PDF makes one.
        return document.id.encode() + PDF

    def einvoice(self, document: object, buyer: Customer) -> EInvoice:
        raise NotImplementedError


def documents(count: int) -> list[Invoice]:
    return [
        Invoice(
            id=f"i{n}",
            number=f"RE-2026-{n:05d}",
            customer_id="42",
            issued_on=date(2026, 3, 1),
            lines=[LineItem(title="Work", quantity=1, unit_price=Money("100.00", "EUR"))],
        )
        for n in range(count)
    ]


def streamed(docs: list[Invoice]) -> Callable[[], int]:
    def run() -> int:
        archive = zip_documents(ERIKA, docs, policy=POLICY, files=Files(), einvoice=None)
        return sum(len(piece) for piece in archive)

    return run


def stdlib(docs: list[Invoice], folder: Path) -> Callable[[], int]:
    target = folder / "anchor.zip"

    def run() -> int:
        files = Files()
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for doc in docs:
                archive.writestr(f"{doc.number}.pdf", files.pdf(doc))
        return target.stat().st_size

    return run


def measure(run: Callable[[], int]) -> tuple[int, float, int]:
    """(tracemalloc peak in bytes, best wall time in seconds without tracing, archive size)."""
    tracemalloc.start()
    size = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(_timed(run) for _ in range(REPEATS))
    return peak, best, size


def _timed(run: Callable[[], int]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(counts: tuple[int, ...]) -> None:
    print(
        f"{'documents':>9} {'streamed peak':>14} {'stdlib peak':>12} {'peak ratio':>10} "
        f"{'streamed s':>10} {'stdlib s':>9} {'time ratio':>10} {'size ratio':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            docs = documents(count)
            ours = measure(streamed(docs))
            anchor = measure(stdlib(docs, Path(folder)))
            print(
                f"{count:>9,} {ours[0] / 1024:>11,.0f} KiB {anchor[0] / 1024:>8,.0f} KiB "
                f"{ours[0] / anchor[0]:>10.2f} {ours[1]:>10.3f} {anchor[1]:>9.3f} "
                f"{ours[1] / anchor[1]:>10.2f} {ours[2] / anchor[2]:>10.3f}"
            )


if __name__ == "__main__":
    main((100, 1_000) if "--quick" in sys.argv else (100, 1_000, 5_000))
