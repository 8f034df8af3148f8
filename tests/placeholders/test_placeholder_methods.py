"""The customer's payment method in templates: mandate, masked IBAN, saved card."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from method_samples import MANDATE, SavedCard
from stdnum import iban as stdnum_iban

from payportal.customers import Customer
from payportal.exceptions import ValidationError
from payportal.mandates import Scheme
from payportal.placeholders import RenderContext, ShownMethod, Template, mask_iban
from payportal.providers import MethodKind, SavedMethod

ERIKA = Customer(id="42", number="K-42", name="Erika Mustermann", locale="de_DE")
ALL = Template.compile(
    "[Client.payment_method]|[Client.masked_iban]|[Client.mandate_reference]|"
    "[Client.card_brand]|[Client.card_last4]"
)


def test_the_issue_s_example_is_masked_exactly() -> None:
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** **** **30 00"
    assert mask_iban("de89 3704 0044 0532 0130 00") == "DE89 **** **** **** **30 00"


def test_a_mandate_shows_scheme_masked_iban_and_reference_in_the_customers_language() -> None:
    context = RenderContext(customer=ERIKA, payment_method=MANDATE)
    assert ALL.render(context) == (
        "SEPA-Basislastschrift|DE89 **** **** **** **30 00|M-2026-0001||"
    )
    assert ALL.render(context, locale="fr_FR").startswith("Prélèvement SEPA|")
    b2b = attrs.evolve(MANDATE, scheme=Scheme.B2B)
    rendered = ALL.render(RenderContext(customer=ERIKA, payment_method=b2b), locale="en")
    assert rendered.startswith("SEPA Business-to-Business Direct Debit|")


def test_a_saved_card_shows_its_brand_and_last_four_and_no_mandate() -> None:
    context = RenderContext(customer=ERIKA, payment_method=SavedCard())
    assert ALL.render(context) == "Visa •••• 4242, 12/27|||Visa|4242"


def test_without_a_method_the_fields_render_nothing() -> None:
    assert ALL.render(RenderContext(customer=ERIKA)) == "||||"


def test_the_full_iban_never_reaches_the_text() -> None:
    template = Template.compile("[Client.payment_method] [Client.masked_iban]", escape="html")
    rendered = template.render(RenderContext(customer=ERIKA, payment_method=MANDATE))
    assert "3704" not in rendered
    assert MANDATE.iban not in rendered.replace(" ", "")


def test_the_saved_method_protocol_is_what_the_context_accepts() -> None:
    assert isinstance(SavedCard(), ShownMethod)
    with pytest.raises(ValidationError) as caught:
        RenderContext(customer=ERIKA, payment_method="DE89370400440532013000")  # type: ignore[arg-type]
    assert caught.value.field == "payment_method"


@pytest.mark.parametrize("junk", ["", "DE00370400440532013000", "DE8937040044", 42])
def test_mask_iban_refuses_what_is_no_iban(junk: object) -> None:
    with pytest.raises(ValidationError) as caught:
        mask_iban(junk)  # type: ignore[arg-type]
    assert caught.value.field == "iban"


LENGTHS = {"DE": 22, "AT": 20, "CH": 21, "LU": 20}  # no national check digits in the BBAN


@given(
    country=st.sampled_from(sorted(LENGTHS)),
    digits=st.text("0123456789", min_size=30, max_size=30),
)
def test_a_masked_iban_keeps_exactly_the_first_and_last_four_in_groups_of_four(
    country: str, digits: str
) -> None:
    body = digits[: LENGTHS[country] - 4]
    iban = country + stdnum_iban.calc_check_digits(country + "00" + body) + body
    masked = mask_iban(iban)
    compact = masked.replace(" ", "")
    assert len(compact) == len(iban)
    assert compact[:4] == iban[:4]
    assert compact[-4:] == iban[-4:]
    assert set(compact[4:-4]) == {"*"}
    assert [len(g) for g in masked.split(" ")[:-1]] == [4] * (len(masked.split(" ")) - 1)
    assert 1 <= len(masked.split(" ")[-1]) <= 4


def test_a_providers_saved_method_fills_the_card_fields() -> None:
    card = SavedMethod(
        id="ca_1",
        provider="billwerk",
        customer="c-1",
        kind=MethodKind.CARD,
        brand="Visa",
        last4="4242",
        expiry="12/27",
    )
    assert isinstance(card, ShownMethod)
    assert ALL.render(RenderContext(customer=ERIKA, payment_method=card)) == (
        "Visa •••• 4242, 12/27|||Visa|4242"
    )
