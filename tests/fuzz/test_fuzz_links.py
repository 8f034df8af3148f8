"""Fuzz the link entry points: ``PortalUrls.resolve`` and ``LinkSigner.verify``.

Whatever a request carries, they raise an :class:`InvalidLinkError` and nothing else, print
nothing, and a token that differs from a signed one in any character never verifies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fuzz_support import fuzz, mutate, only, raw_text, text_of
from hypothesis import given
from hypothesis import strategies as st

from payportal.customers import Customer
from payportal.exceptions import InvalidLinkError, MalformedLinkError
from payportal.links import Ed25519Key, HmacKey, KeyRing, LinkSigner, PortalUrls

NOW = datetime(2026, 6, 1, tzinfo=UTC)
RING = KeyRing([Ed25519Key.from_private_bytes("ed", bytes(range(32))), HmacKey("k1", b"s" * 32)])
SIGNER = LinkSigner(RING, clock=lambda: NOW)
URLS = PortalUrls("https://billing.example.com/app", SIGNER, ttl=timedelta(days=30))
CUSTOMER = Customer(id="42", number="K-42", name="Erika")
URL = URLS.customer_url(CUSTOMER)
TOKEN = URL.rsplit("/", 1)[1]


def edited(original: str) -> st.SearchStrategy[str]:
    return st.binary(min_size=3, max_size=30).map(
        lambda program: text_of(mutate(original.encode(), program))
    )


@fuzz
@given(token=st.one_of(edited(TOKEN), raw_text()))
def test_a_changed_token_never_verifies(token: str) -> None:
    outcome = only(InvalidLinkError, lambda: SIGNER.verify(token, purpose="portal"), "verify")
    if token != TOKEN:
        assert isinstance(outcome, InvalidLinkError)


@fuzz
@given(link=st.one_of(edited(URL), edited("/app/portal/pay/" + TOKEN), raw_text()))
def test_resolve_raises_only_invalid_link_errors(link: str) -> None:
    only(InvalidLinkError, lambda: URLS.resolve(link), "PortalUrls.resolve")


@pytest.mark.parametrize("value", [b"", URL.encode(), None, 42, [URL], {"url": URL}])
def test_resolve_refuses_what_is_not_text_as_malformed(value: object) -> None:
    with pytest.raises(MalformedLinkError):
        URLS.resolve(value)  # type: ignore[arg-type]
