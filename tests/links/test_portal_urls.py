from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from payportal import (
    Action,
    Customer,
    ExpiredLinkError,
    MalformedLinkError,
    RevokedLinkError,
    ValidationError,
    WrongPurposeError,
)
from payportal.documents import DeliveryNote, Invoice
from payportal.links import HmacKey, KeyRing, LinkSigner, PortalUrls

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ERIKA = Customer(id="42", number="K-42", name="Erika", link_version=2)
INVOICE = Invoice(id="inv-17", number="RE-17", customer_id="42", issued_on=date(2026, 1, 1))
NOTE = DeliveryNote(id="dn-1", number="LS-1", customer_id="42", issued_on=date(2026, 1, 1))
SIGNER = LinkSigner(KeyRing([HmacKey("k1", b"s" * 32)]), clock=lambda: NOW)
URLS = PortalUrls("https://billing.example.com/", SIGNER, ttl=timedelta(days=30))


def test_customer_url_is_pinned_and_resolves() -> None:
    url = URLS.customer_url(ERIKA)
    assert url == (
        "https://billing.example.com/portal/"
        "AQJrMQEAaVW5AICangECAQECNDLvb281Ddx_rfD15zYIH5vxa0Zd6ygkiExtfRjJPmbpHg"
    )
    claims = URLS.resolve(url)
    assert (claims.subject, claims.purpose, claims.version) == ("customer:42", "portal", 2)
    assert claims.expires_at == NOW + timedelta(days=30)


def test_document_and_payment_urls_carry_their_purpose() -> None:
    document = URLS.resolve(URLS.document_url(INVOICE))
    assert (document.subject, document.purpose, document.customer_id) == (
        "invoice:inv-17",
        "document",
        "42",
    )
    payment = URLS.resolve(URLS.payment_url(INVOICE, version=2))
    assert (payment.subject, payment.purpose, payment.version) == ("invoice:inv-17", "pay", 2)
    assert URLS.document_url(INVOICE).startswith("https://billing.example.com/portal/document/")
    assert URLS.payment_url(INVOICE).startswith("https://billing.example.com/portal/pay/")


def test_a_token_in_the_wrong_path_is_refused() -> None:
    pay_token = URLS.payment_url(INVOICE).rsplit("/", 1)[1]
    with pytest.raises(WrongPurposeError):
        URLS.resolve(f"https://billing.example.com/portal/{pay_token}")
    with pytest.raises(WrongPurposeError):
        URLS.resolve(pay_token, purpose="portal")
    assert URLS.resolve(pay_token).purpose == "pay"


def test_resolve_accepts_paths_and_bare_tokens() -> None:
    url = URLS.customer_url(ERIKA)
    path = url.removeprefix("https://billing.example.com")
    token = path.rsplit("/", 1)[1]
    assert URLS.resolve(path) == URLS.resolve(token) == URLS.resolve(url)


@pytest.mark.parametrize(
    "bad",
    [
        "https://billing.example.com/elsewhere/abc",
        "https://billing.example.com/portal/",
        "https://billing.example.com/portal/a/b",
        "/portal/%41QJr",
    ],
)
def test_urls_matching_no_template_are_malformed(bad: str) -> None:
    with pytest.raises(MalformedLinkError):
        URLS.resolve(bad)


def test_resolve_refuses_oversized_and_non_string_input() -> None:
    with pytest.raises(MalformedLinkError, match="too long"):
        URLS.resolve("/portal/" + "A" * 10_000)
    with pytest.raises(MalformedLinkError, match="must be a string"):
        URLS.resolve(None)  # type: ignore[arg-type]


def test_custom_paths_with_base_path_and_query() -> None:
    urls = PortalUrls(
        "https://example.com/billing",
        SIGNER,
        paths={"customer": "/p?t={token}"},
    )
    url = urls.customer_url(ERIKA)
    assert url.startswith("https://example.com/billing/p?t=AQJr")
    assert urls.resolve(url).subject == "customer:42"
    assert urls.resolve(url.removeprefix("https://example.com/billing")).subject == "customer:42"
    # Kinds not overridden keep their default path, under the base path.
    assert urls.document_url(INVOICE).startswith("https://example.com/billing/portal/document/")
    assert urls.resolve(urls.document_url(INVOICE)).purpose == "document"


def test_expiry_and_revocation_pass_through() -> None:
    url = URLS.customer_url(ERIKA)
    with pytest.raises(ExpiredLinkError):
        URLS.resolve(url, now=NOW + timedelta(days=30))
    with pytest.raises(RevokedLinkError):
        URLS.resolve(url, current_version=3)


def test_document_version_comes_from_the_signers_provider() -> None:
    class Versions:
        def current_version(self, customer_id: str) -> int:
            return 5 if customer_id == "42" else 1

    signer = LinkSigner(SIGNER.keyring, clock=lambda: NOW, versions=Versions())
    urls = PortalUrls("https://billing.example.com", signer)
    assert urls.resolve(urls.document_url(INVOICE)).version == 5
    assert urls.resolve(urls.document_url(INVOICE, version=7)).version == 7
    assert URLS.resolve(URLS.document_url(INVOICE)).version == 1


def test_without_ttl_the_signers_default_applies() -> None:
    signer = LinkSigner(SIGNER.keyring, clock=lambda: NOW, default_ttl=timedelta(hours=2))
    urls = PortalUrls("https://billing.example.com", signer)
    assert urls.resolve(urls.customer_url(ERIKA)).expires_at == NOW + timedelta(hours=2)


def test_actions_narrow_a_link() -> None:
    claims = URLS.resolve(URLS.document_url(NOTE, actions={Action.VIEW}))
    assert claims.actions == frozenset({Action.VIEW})
    assert URLS.resolve(URLS.customer_url(ERIKA, actions=[Action.PAY])).allows(Action.PAY)


def test_payment_url_needs_a_payable_document() -> None:
    with pytest.raises(ValidationError, match="payable") as info:
        URLS.payment_url(NOTE)  # type: ignore[arg-type]
    assert info.value.field == "document"
    with pytest.raises(ValidationError) as info:
        URLS.document_url(ERIKA)  # type: ignore[arg-type]
    assert info.value.field == "document"
    with pytest.raises(ValidationError) as info:
        URLS.customer_url(INVOICE)  # type: ignore[arg-type]
    assert info.value.field == "customer"


def test_ttl_past_year_9999_is_a_validation_error() -> None:
    late = LinkSigner(SIGNER.keyring, clock=lambda: datetime(9999, 1, 1, tzinfo=UTC))
    urls = PortalUrls("https://billing.example.com", late, ttl=timedelta(days=400))
    with pytest.raises(ValidationError) as info:
        urls.customer_url(ERIKA)
    assert info.value.field == "ttl"


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("billing.example.com", SIGNER), {}, "base_url"),
        (("ftp://billing.example.com", SIGNER), {}, "base_url"),
        (("https://billing.example.com?x=1", SIGNER), {}, "base_url"),
        ((None, SIGNER), {}, "base_url"),
        (("https://billing.example.com", "signer"), {}, "signer"),
        (("https://x.example", SIGNER), {"paths": {"invoice": "/i/{token}"}}, "paths['invoice']"),
        (("https://x.example", SIGNER), {"paths": {"customer": "p/{token}"}}, "paths['customer']"),
        (("https://x.example", SIGNER), {"paths": {"customer": "/p/"}}, "paths['customer']"),
        (
            ("https://x.example", SIGNER),
            {"paths": {"customer": "/{token}/{token}"}},
            "paths['customer']",
        ),
        (
            ("https://x.example", SIGNER),
            {"paths": {"customer": "/{id}/{token}"}},
            "paths['customer']",
        ),
        (("https://x.example", SIGNER), {"paths": {"customer": "/p#{token}"}}, "paths['customer']"),
        (("https://x.example", SIGNER), {"paths": ["/p/{token}"]}, "paths"),
        (("https://x.example", SIGNER), {"ttl": timedelta(0)}, "ttl"),
        # Hostile input (issue 26): only http(s), however a browser reads the scheme.
        (("javascript:alert(1)//x", SIGNER), {}, "base_url"),
        ((" JavaScript://billing.example.com", SIGNER), {}, "base_url"),
        (("https://billing.example.com/a b", SIGNER), {}, "base_url"),
        (("https://billing.example.com/\x00x", SIGNER), {}, "base_url"),
        (("https://[billing.example.com", SIGNER), {}, "base_url"),
        (
            ("https://x.example", SIGNER),
            {"paths": {"customer": "/p /{token}"}},
            "paths['customer']",
        ),
        (
            ("https://x.example", SIGNER),
            {"paths": {"customer": "/p\t{token}"}},
            "paths['customer']",
        ),
        (
            ("https://x.example", SIGNER),
            {"paths": {"customer": "/\\evil/{token}"}},
            "paths['customer']",
        ),
    ],
)
def test_portal_urls_arguments_are_validated(
    args: tuple[object, ...], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        PortalUrls(*args, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_a_url_with_an_unclosed_ipv6_host_is_malformed_not_a_value_error() -> None:
    # Found by tests/fuzz/test_fuzz_links.py: urlsplit raised ValueError("Invalid IPv6 URL").
    with pytest.raises(MalformedLinkError):
        URLS.resolve("https://[billing.example.com/portal/AAAA")


def test_a_secret_passed_as_the_signer_is_not_shown() -> None:
    secret = b"a raw secret that must never be logged"
    with pytest.raises(ValidationError) as info:
        PortalUrls("https://x.example", secret)  # type: ignore[arg-type]
    assert "raw secret" not in str(info.value)
    assert info.value.value == f"<{len(secret)} bytes>"


def test_the_base_url_is_stored_without_surrounding_white_space() -> None:
    assert PortalUrls("  https://x.example/\n", SIGNER).base_url == "https://x.example"
