"""Serving a download link: the whole answer against verifying the link alone, in one run.

``serve_download`` verifies the token, looks up the customer and the document, asks the access
policy, takes the app's PDF and writes the headers. The anchor is what every portal request
pays anyway, ``PortalUrls.resolve_download`` (size checks, base64, HMAC-SHA256, claims); the
ratio says what the rest adds. ``content_disposition`` is timed for an ASCII and a non-ASCII
file name against ``urllib.parse.quote`` of the same name (the percent-encoding it performs).
Run with ``python bench/bench_downloads.py``.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from payportal import Customer, Money, PortalSettings
from payportal.documents import Document, Invoice, LineItem
from payportal.downloads import content_disposition, serve_download
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls
from payportal.portal import AccessPolicy

if TYPE_CHECKING:
    from collections.abc import Callable

    from payportal.einvoice import EInvoice

REPEATS = 15
LOOPS = 3_000
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + b"0" * 50_000


class Files:
    def pdf(self, document: Document) -> bytes:
        return PDF

    def einvoice(self, document: object, buyer: Customer) -> EInvoice:
        raise NotImplementedError


def best_ops_per_second(operations: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best of REPEATS timed loops of each operation, in operations per second (taking turns,
    so a burst of load on a shared machine hits every contender)."""
    best = dict.fromkeys(operations, float("inf"))
    for _ in range(REPEATS):
        for name, operation in operations.items():
            start = time.perf_counter()
            for _ in range(LOOPS):
                operation()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: LOOPS / seconds for name, seconds in best.items()}


def main() -> None:
    erika = Customer(id="42", number="K-42", name="Erika")
    invoice = Invoice(
        id="i17",
        number="RE/2026/17",
        customer_id="42",
        issued_on=date(2026, 3, 1),
        lines=[LineItem(title="Work", quantity=1, unit_price=Money("100.00", "EUR"))],
    )
    signer = LinkSigner(KeyRing([HmacKey("k1", bytes(range(32)))]), clock=lambda: NOW)
    urls = PortalUrls("https://billing.example.com", signer, ttl=timedelta(minutes=15))
    url = urls.download_url(invoice)
    policy = AccessPolicy(PortalSettings.default(), today=NOW.date)
    customers, documents = {"42": erika}.get, {"i17": invoice}.get
    files = Files()

    def serve() -> object:
        response = serve_download(
            url,
            urls=urls,
            policy=policy,
            files=files,
            customers=customers,
            documents=documents,
            now=NOW,
        )
        assert response.status == 200
        return response

    results = best_ops_per_second(
        {
            "resolve_download (anchor)": lambda: urls.resolve_download(url, now=NOW),
            "serve_download": serve,
            "quote, non-ASCII (anchor)": lambda: quote("GS-Müller-2026-17.pdf"),
            "content_disposition, ASCII": lambda: content_disposition("RE-2026-17.pdf"),
            "content_disposition, non-ASCII": lambda: content_disposition("GS-Müller-2026-17.pdf"),
        }
    )
    for name, ops in results.items():
        print(f"{name:34} {ops:>12,.0f} /s")
    anchor = results["resolve_download (anchor)"]
    print(f"serve_download / resolve_download time ratio: {anchor / results['serve_download']:.2f}")
    quoted = results["quote, non-ASCII (anchor)"]
    for name in ("content_disposition, ASCII", "content_disposition, non-ASCII"):
        print(f"{name} / quote time ratio: {quoted / results[name]:.2f}")


if __name__ == "__main__":
    main()
