from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    AccessDeniedError,
    AccessPolicy,
    Action,
    BankAccount,
    Customer,
    CustomerAccess,
    MasterDataChange,
    Money,
    PortalSettings,
    ValidationError,
)
from payportal.customers import (
    BANK_DATA,
    CONTACT_DATA,
    TAX_DATA,
    MasterDataField,
    MasterDataGroup,
)
from payportal.documents import CreditNote, DeliveryNote, DocumentType, Invoice, LineItem, Offer
from payportal.portal import ACCOUNT_ACTIONS, APPLICABLE_ACTIONS
from payportal.testing.strategies import master_data_changes

TODAY = date(2026, 3, 10)
ERIKA = Customer(id="42", number="K-42", name="Erika")
MAX = Customer(id="43", number="K-43", name="Max")


def inv(customer_id: str = "42", price: str = "10.00") -> Invoice:
    return Invoice(
        id="i1",
        number="RE-1",
        customer_id=customer_id,
        issued_on=date(2026, 3, 1),
        lines=[LineItem(title="x", quantity=1, unit_price=Money(price, "EUR"))],
    )


def off(valid_until: date = date(2026, 3, 31)) -> Offer:
    return Offer(
        id="o1",
        number="AN-1",
        customer_id="42",
        issued_on=date(2026, 3, 1),
        valid_until=valid_until,
    )


def policy(settings: PortalSettings | None = None) -> AccessPolicy:
    return AccessPolicy(settings or PortalSettings.default(), today=lambda: TODAY)


def test_default_settings_allow_what_applies() -> None:
    p = policy()
    assert p.allowed_actions(ERIKA, inv()) == APPLICABLE_ACTIONS[DocumentType.INVOICE]
    assert Action.ACCEPT in p.allowed_actions(ERIKA, off())
    assert Action.PAY not in p.allowed_actions(ERIKA, off())
    assert p.account_actions(ERIKA) == ACCOUNT_ACTIONS
    assert {Action.EDIT_MASTER_DATA, Action.TOP_UP, Action.GRANT_MANDATE} <= ACCOUNT_ACTIONS


def test_a_customer_never_sees_another_customers_document() -> None:
    p = policy()
    assert p.allowed_actions(MAX, inv()) == frozenset()
    assert p.visible(MAX, [inv(), inv("43")]) == [inv("43")]
    with pytest.raises(AccessDeniedError, match="not a document of customer '43'"):
        p.check(MAX, inv(), Action.VIEW)


def test_pay_only_with_an_amount_due() -> None:
    p = policy()
    paid = inv().record_payment(Money("10.00", "EUR"))
    assert Action.PAY not in p.allowed_actions(ERIKA, paid)
    with pytest.raises(AccessDeniedError, match="nothing is due"):
        p.check(ERIKA, paid, Action.PAY)
    assert Action.PAY not in p.allowed_actions(ERIKA, inv().cancel())
    assert Action.VIEW in p.allowed_actions(ERIKA, paid)


def test_accept_and_reject_only_for_open_unexpired_offers() -> None:
    p = policy()
    expired = off(valid_until=date(2026, 3, 9))
    assert not {Action.ACCEPT, Action.REJECT} & p.allowed_actions(ERIKA, expired)
    with pytest.raises(AccessDeniedError, match="expired"):
        p.check(ERIKA, expired, Action.ACCEPT)
    accepted = off().accept(at=datetime(2026, 3, 10, tzinfo=UTC))
    with pytest.raises(AccessDeniedError, match="accepted"):
        p.check(ERIKA, accepted, Action.REJECT)
    assert Action.ACCEPT in p.allowed_actions(ERIKA, off(), on=date(2026, 3, 31))
    assert Action.ACCEPT not in p.allowed_actions(ERIKA, off(), on=date(2026, 4, 1))


def test_settings_hide_types_and_actions() -> None:
    settings = PortalSettings(
        document_actions={
            DocumentType.INVOICE: {Action.VIEW, Action.DOWNLOAD},
            DocumentType.OFFER: {Action.VIEW, Action.ACCEPT},
        },
        account_actions=set(),
    )
    p = policy(settings)
    assert p.allowed_actions(ERIKA, inv()) == {Action.VIEW, Action.DOWNLOAD}
    with pytest.raises(AccessDeniedError, match="does not allow to pay invoices"):
        p.check(ERIKA, inv(), Action.PAY)
    credit = CreditNote(id="c", number="GS-1", customer_id="42", issued_on=date(2026, 3, 1))
    with pytest.raises(AccessDeniedError, match="does not show credit notes"):
        p.check(ERIKA, credit, Action.VIEW)
    assert p.account_actions(ERIKA) == frozenset()
    with pytest.raises(AccessDeniedError):
        p.check_account(ERIKA, Action.TOP_UP)


def test_settings_refuse_actions_that_do_not_apply() -> None:
    with pytest.raises(ValidationError) as info:
        PortalSettings(document_actions={DocumentType.DELIVERY_NOTE: {Action.PAY}})
    assert info.value.field == "document_actions[delivery_note]"
    with pytest.raises(ValidationError) as info:
        PortalSettings(document_actions={}, account_actions={Action.PAY})
    assert info.value.field == "account_actions"


def test_overrides_narrow_access_per_customer() -> None:
    settings = PortalSettings.default().with_override(ERIKA, CustomerAccess.read_only())
    p = policy(settings)
    assert Action.PAY not in p.allowed_actions(ERIKA, inv())
    with pytest.raises(AccessDeniedError, match="may not pay"):
        p.check(ERIKA, inv(), Action.PAY)
    assert p.account_actions(ERIKA) == frozenset()
    assert Action.PAY in p.allowed_actions(MAX, inv("43"))
    p2 = policy(settings.with_override(ERIKA, CustomerAccess(document_types={DocumentType.OFFER})))
    assert p2.allowed_actions(ERIKA, inv()) == frozenset()
    note = DeliveryNote(id="d", number="LS", customer_id="42", issued_on=date(2026, 3, 1))
    assert p2.visible(ERIKA, [inv(), off(), note]) == [off()]
    disabled = policy(settings.with_override(ERIKA, CustomerAccess.disabled()))
    with pytest.raises(AccessDeniedError, match="disabled"):
        disabled.check(ERIKA, inv(), Action.VIEW)
    assert (
        policy(settings.without_override(ERIKA)).allowed_actions(ERIKA, inv())
        == (APPLICABLE_ACTIONS[DocumentType.INVOICE])
    )


def test_changing_the_default_retroactively_replaces_overrides() -> None:
    settings = PortalSettings.default().with_override("42", CustomerAccess.read_only())
    new, replaced = settings.with_default(CustomerAccess.disabled(), retroactive=True)
    assert replaced == {"42": CustomerAccess.read_only()}
    assert new.access_for("42") == CustomerAccess.disabled()
    assert new.access_for("99") == CustomerAccess.disabled()
    assert settings.access_for("42") == CustomerAccess.read_only()  # unchanged


def test_changing_the_default_for_new_customers_only_pins_existing_ones() -> None:
    settings = PortalSettings.default().with_override("42", CustomerAccess.read_only())
    new, replaced = settings.with_default(
        CustomerAccess.disabled(), retroactive=False, customers=[ERIKA, MAX]
    )
    assert replaced == {}
    assert new.access_for("42") == CustomerAccess.read_only()
    assert new.access_for("43") == CustomerAccess()  # pinned to the old default
    assert new.access_for("new") == CustomerAccess.disabled()
    with pytest.raises(ValidationError) as info:
        settings.with_default(CustomerAccess.disabled(), retroactive=False)
    assert info.value.field == "customers"


def test_check_account_refuses_document_actions() -> None:
    with pytest.raises(ValidationError):
        policy().check_account(ERIKA, Action.PAY)
    policy().check_account(ERIKA, Action.EDIT_MASTER_DATA)


# --- editable master-data groups -----------------------------------------------------------

CONTACT, BANK, TAX = MasterDataGroup.CONTACT, MasterDataGroup.BANK, MasterDataGroup.TAX
IBAN = "DE89370400440532013000"


def test_every_master_data_field_is_in_exactly_one_group() -> None:
    for field in MasterDataField:
        assert [g for g in MasterDataGroup if field in g.fields] == [MasterDataGroup.of(field)]
    assert CONTACT.fields == CONTACT_DATA
    assert BANK.fields == BANK_DATA
    assert TAX.fields == TAX_DATA


def test_hand_built_settings_make_only_contact_data_editable() -> None:
    settings = PortalSettings(document_actions={}, account_actions={Action.EDIT_MASTER_DATA})
    assert settings.editable_master_data == {CONTACT}
    assert policy(settings).editable_fields(ERIKA) == CONTACT_DATA
    assert PortalSettings.default().editable_master_data == set(MasterDataGroup)


def test_no_group_is_editable_without_the_edit_action() -> None:
    settings = PortalSettings.default().with_override(ERIKA, CustomerAccess.read_only())
    p = policy(settings)
    assert p.editable_groups(ERIKA) == frozenset()
    with pytest.raises(AccessDeniedError, match="customer '42' may not edit master data"):
        p.check_master_data_change(ERIKA, MasterDataChange(email="erika@example.org"))
    no_edits = PortalSettings(
        document_actions={}, account_actions=set(), editable_master_data=set(MasterDataGroup)
    )
    assert policy(no_edits).editable_fields(ERIKA) == frozenset()


def test_the_portal_refuses_a_group_it_does_not_offer() -> None:
    p = policy(PortalSettings(document_actions={}, editable_master_data={CONTACT, BANK}))
    with pytest.raises(AccessDeniedError) as caught:
        p.check_master_data_change(ERIKA, MasterDataChange(vat_id="DE136695976", phone="1"))
    assert str(caught.value) == (
        "customer '42' may not change vat_id: tax data cannot be edited in this portal"
    )


def test_an_override_narrows_the_groups_per_customer() -> None:
    settings = PortalSettings.default().with_override(
        ERIKA, CustomerAccess(editable_master_data={CONTACT})
    )
    p = policy(settings)
    assert p.editable_groups(ERIKA) == {CONTACT}
    assert p.editable_groups(MAX) == set(MasterDataGroup)
    change = MasterDataChange(bank_accounts=[BankAccount(iban=IBAN, holder="Erika")], vat_id=None)
    with pytest.raises(AccessDeniedError) as caught:
        p.apply_master_data_change(ERIKA, change)
    assert str(caught.value) == (
        "customer '42' may not change bank_accounts, vat_id: bank data is not editable for "
        "this customer; tax data is not editable for this customer"
    )
    updated, record = p.apply_master_data_change(MAX, change)
    assert updated.bank_accounts[0].iban == IBAN
    assert [c.field for c in record.changes] == ["bank_accounts"]


def test_an_override_cannot_grant_a_group_the_portal_withholds() -> None:
    settings = PortalSettings(document_actions={}, editable_master_data={CONTACT}).with_override(
        ERIKA, CustomerAccess(editable_master_data=set(MasterDataGroup))
    )
    assert policy(settings).editable_groups(ERIKA) == {CONTACT}


def test_apply_runs_the_customers_own_validation_after_the_policy() -> None:
    p = policy()
    with pytest.raises(ValidationError) as caught:
        p.apply_master_data_change(ERIKA, MasterDataChange(email="nope"))
    assert caught.value.field == "email"
    at = datetime(2026, 3, 10, 12, tzinfo=UTC)
    updated, record = p.apply_master_data_change(
        ERIKA, MasterDataChange(email="erika@example.org"), at=at
    )
    assert updated.email == "erika@example.org"
    assert record.at == at


@pytest.mark.parametrize(
    "bad", [{"contact"}, "contact", MasterDataGroup.CONTACT, [CONTACT_DATA], 3]
)
def test_groups_must_be_members(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        PortalSettings(document_actions={}, editable_master_data=bad)  # type: ignore[arg-type]
    assert caught.value.field == "editable_master_data"
    with pytest.raises(ValidationError) as caught:
        CustomerAccess(editable_master_data=bad)  # type: ignore[arg-type]
    assert caught.value.field == "editable_master_data"


def test_check_master_data_change_refuses_what_is_not_a_change() -> None:
    with pytest.raises(ValidationError) as caught:
        policy().check_master_data_change(ERIKA, {"email": "x@y.de"})  # type: ignore[arg-type]
    assert caught.value.field == "change"


@given(
    offered=st.frozensets(st.sampled_from(list(MasterDataGroup))),
    narrowed=st.none() | st.frozensets(st.sampled_from(list(MasterDataGroup))),
    edit=st.booleans(),
    change=master_data_changes(),
)
def test_a_change_is_allowed_exactly_when_every_field_is_in_an_editable_group(
    offered: frozenset[MasterDataGroup],
    narrowed: frozenset[MasterDataGroup] | None,
    edit: bool,
    change: MasterDataChange,
) -> None:
    settings = PortalSettings(
        document_actions={},
        account_actions={Action.EDIT_MASTER_DATA} if edit else set(),
        editable_master_data=offered,
    ).with_override(ERIKA, CustomerAccess(editable_master_data=narrowed))
    p = policy(settings)
    groups = {MasterDataGroup.of(f) for f in change.fields}
    allowed = edit and groups <= offered and (narrowed is None or groups <= narrowed)
    assert (p.master_data_denial(ERIKA, change) is None) == allowed
    if not allowed:
        with pytest.raises(AccessDeniedError, match="customer '42' may not"):
            p.check_master_data_change(ERIKA, change)
