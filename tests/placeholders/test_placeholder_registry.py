"""The allow-list: built-in fields, registering, removing, and every field rendering."""

from __future__ import annotations

import attrs
import pytest
from method_samples import CARD_FIELDS, SavedCard

from payportal.documents import DocumentType
from payportal.exceptions import UnknownPlaceholderError, ValidationError
from payportal.placeholders import PlaceholderField, PlaceholderRegistry, RenderContext, Template

BUILT_IN = PlaceholderRegistry()
DOCUMENT_OBJECTS = [t.object_name for t in DocumentType]


def test_built_in_objects() -> None:
    assert BUILT_IN.objects == (
        "Client",
        "Company",
        "CreditNote",
        "DeliveryNote",
        "Invoice",
        "Offer",
        "OrderConfirmation",
        "Payment",
        "Receipt",
        "Reminder",
    )


@pytest.mark.parametrize("name", DOCUMENT_OBJECTS)
def test_every_document_type_has_the_common_fields(name: str) -> None:
    common = {
        "number",
        "title",
        "issued_on",
        "currency",
        "total_net",
        "total_tax",
        "total_gross",
        "customerportal_url",
    }
    assert common <= set(BUILT_IN.fields(name))


def test_type_specific_fields() -> None:
    for name in ("Invoice", "Reminder"):
        assert {"due_on", "amount_due", "payment_url"} <= set(BUILT_IN.fields(name))
    for name in ("CreditNote", "Offer", "DeliveryNote", "OrderConfirmation"):
        assert "payment_url" not in BUILT_IN.fields(name)
    assert {"level", "fee"} <= set(BUILT_IN.fields("Reminder"))
    assert "valid_until" in BUILT_IN.fields("Offer")
    assert "Client.customerportal_url" in BUILT_IN
    assert set(BUILT_IN.fields("Payment")) == {"id", "amount", "status", "reference", "provider"}


def _every_field() -> list[PlaceholderField]:
    return list(BUILT_IN)


@pytest.mark.parametrize("field", _every_field(), ids=lambda f: f.token)
@pytest.mark.parametrize("escape", ["text", "html"])
def test_every_registered_field_renders_for_every_object(
    field: PlaceholderField, escape: str, context: RenderContext
) -> None:
    # The fixture fills in every attribute, so every field has something to show; its
    # payment method is a mandate, so the card's fields are shown with a card.
    if field.token in CARD_FIELDS:
        context = attrs.evolve(context, payment_method=SavedCard())
    template = Template.compile(f"[{field.token}]", escape=escape)  # type: ignore[arg-type]
    rendered = template.render(context)
    assert rendered.strip(), field.token
    assert "[" not in rendered
    for hint in field.hints:
        hinted = Template.compile(f"[{field.token}:{hint}]").render(context)
        assert hinted.strip(), f"{field.token}:{hint}"


def test_every_field_renders_in_many_locales(context: RenderContext) -> None:
    text = " ".join(f"[{f.token}]" for f in BUILT_IN)
    template = Template.compile(text)
    for locale in ("de_DE", "en_IE", "fr_CH", "ja_JP", "ar_SA", "hi_IN"):
        assert template.render(context, locale=locale)


def test_register_validates_its_arguments() -> None:
    registry = PlaceholderRegistry.empty()
    with pytest.raises(ValidationError) as bad_object:
        registry.register("invoice", "x", str)
    assert bad_object.value.field == "object"
    with pytest.raises(ValidationError) as bad_field:
        registry.register("Invoice", "ProjectCode", str)
    assert bad_field.value.field == "field"
    with pytest.raises(ValidationError) as not_callable:
        registry.register("Invoice", "x", "attribute")  # type: ignore[arg-type]
    assert not_callable.value.field == "getter"
    with pytest.raises(ValidationError) as bad_kind:
        registry.register("Invoice", "x", str, kind="currency")  # type: ignore[arg-type]
    assert bad_kind.value.field == "kind"
    assert len(registry) == 0  # nothing half-registered


def test_registering_twice_needs_replace() -> None:
    registry = PlaceholderRegistry()
    with pytest.raises(ValidationError, match="already registered for Client"):
        registry.register("Client", "name", lambda c: c.name.upper())
    registry.register("Client", "name", lambda c: c.name.upper(), kind="text", replace=True)
    assert registry.field("Client", "name").kind == "text"


def test_remove_and_unknown_lookups() -> None:
    registry = PlaceholderRegistry.empty()
    registry.register("Project", "name", lambda p: p)
    registry.remove("Project", "name")
    assert registry.objects == ()
    assert "Project.name" not in registry
    with pytest.raises(UnknownPlaceholderError, match="did you mean number"):
        PlaceholderRegistry().field("Invoice", "numbr")
    with pytest.raises(UnknownPlaceholderError):
        registry.remove("Project", "name")


def test_registries_are_independent_and_templates_keep_what_they_compiled(
    context: RenderContext,
) -> None:
    registry = PlaceholderRegistry()
    copy = registry.copy()
    registry.register("Client", "shout", lambda c: c.name.upper())
    assert "Client.shout" not in copy
    assert "Client.shout" not in PlaceholderRegistry()
    with pytest.raises(UnknownPlaceholderError):
        Template.compile("[Client.shout]")  # the default registry never changes
    template = Template.compile("[Client.shout]", registry=registry)
    registry.remove("Client", "shout")
    assert template.render(context) == "ERIKA MUSTERMANN"


def test_closest_finds_what_was_meant() -> None:
    assert BUILT_IN.closest("invoice", "Total Gross") == "Invoice.total_gross"
    assert BUILT_IN.closest("Customer", "nam") == "Client.name"
    assert BUILT_IN.closest("Invoice", "number") == "Invoice.number"
    assert BUILT_IN.closest("Weather", "today") is None
    assert BUILT_IN.closest("Invoice", "weather") is None


def test_containment_and_repr() -> None:
    assert "Invoice.number" in BUILT_IN
    assert "Invoice" not in BUILT_IN
    assert 42 not in BUILT_IN
    assert repr(BUILT_IN).startswith(f"<PlaceholderRegistry: {len(BUILT_IN)} fields on 10 objects")
    field = BUILT_IN.field("Invoice", "due_on")
    assert (field.token, field.kind, field.hints[-1]) == ("Invoice.due_on", "date", "iso")
