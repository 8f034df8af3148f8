"""What the example app's test-client tests do on every page: post a form with the session's
CSRF token, and read a page's text (imported by the test modules as a sibling module)."""

from __future__ import annotations

from html import unescape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse


def csrf(client: FlaskClient) -> str:
    """The CSRF token of the client's session (the app sets it on the first page)."""
    with client.session_transaction() as session:
        return str(session["csrf"])


def post(
    client: FlaskClient, url: str, data: dict[str, object] | None = None, **form: object
) -> TestResponse:
    """Submit a form to ``url`` as the page's own form would: with the CSRF token."""
    return client.post(url, data={"csrf_token": csrf(client), **(data or {}), **form})


def text(response: TestResponse) -> str:
    """The page's HTML with its entities decoded."""
    return unescape(response.get_data(as_text=True))
