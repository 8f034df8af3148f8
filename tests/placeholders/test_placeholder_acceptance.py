"""The acceptance snippet of issue 5, exactly as the issue states it."""
# The snippet's own style (one-line try/except, import inside) is kept verbatim on purpose.
# ruff: noqa: E501, E701, PLC0415, PT017
# fmt: off


def test_acceptance_snippet_from_the_issue() -> None:
    from payportal.placeholders import Template, UnknownPlaceholderError
    t = Template.compile("Hello [Client.name], [draft] stays. Pay here: [Invoice.customerportal_url]")
    assert [p.token for p in t.placeholders] == ["Client.name", "Invoice.customerportal_url"]
    try: Template.compile("[Invoice.customerportal_ur]")
    except UnknownPlaceholderError as e: assert "customerportal_url" in str(e)
    else: raise AssertionError
