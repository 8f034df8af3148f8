"""The policy's payment-method actions: saved provider methods and SEPA mandates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import (
    AccessDeniedError,
    AccessPolicy,
    Action,
    Customer,
    CustomerAccess,
    PortalSettings,
    ValidationError,
)
from payportal.portal import ACCOUNT_ACTIONS, PAYMENT_METHOD_ACTIONS

ERIKA = Customer(id="42", number="K-42", name="Erika")
METHODS = sorted(PAYMENT_METHOD_ACTIONS, key=lambda a: a.value)


def test_payment_method_actions_are_account_actions_that_links_can_carry() -> None:
    assert PAYMENT_METHOD_ACTIONS <= ACCOUNT_ACTIONS
    assert len(PAYMENT_METHOD_ACTIONS) == 5


def test_hand_built_settings_offer_no_payment_methods_until_the_merchant_opts_in() -> None:
    policy = AccessPolicy(PortalSettings(document_actions={}))
    assert policy.payment_method_actions(ERIKA, has_mandate=True, has_saved_method=True) == set()
    with pytest.raises(
        AccessDeniedError, match="the portal does not let customers grant a mandate"
    ):
        policy.check_payment_method(ERIKA, Action.GRANT_MANDATE)


def test_direct_debit_only_offers_mandates_and_no_saved_methods() -> None:
    settings = PortalSettings(
        document_actions={}, account_actions={Action.GRANT_MANDATE, Action.REVOKE_MANDATE}
    )
    policy = AccessPolicy(settings)
    assert policy.payment_method_actions(ERIKA, has_mandate=True, has_saved_method=True) == {
        Action.GRANT_MANDATE,
        Action.REVOKE_MANDATE,
    }
    with pytest.raises(AccessDeniedError, match="add a payment method"):
        policy.check_payment_method(ERIKA, Action.ADD_PAYMENT_METHOD)


def test_state_decides_what_can_be_revoked_changed_or_removed() -> None:
    policy = AccessPolicy(PortalSettings.default())
    assert policy.payment_method_actions(ERIKA) == {Action.GRANT_MANDATE, Action.ADD_PAYMENT_METHOD}
    with pytest.raises(AccessDeniedError, match="customer '42' has no active mandate to revoke"):
        policy.check_payment_method(ERIKA, Action.REVOKE_MANDATE)
    with pytest.raises(AccessDeniedError, match="no saved payment method to remove"):
        policy.check_payment_method(ERIKA, Action.REMOVE_PAYMENT_METHOD)
    with pytest.raises(AccessDeniedError, match="no saved payment method to change"):
        policy.check_payment_method(ERIKA, Action.CHANGE_PAYMENT_METHOD)
    policy.check_payment_method(ERIKA, Action.REVOKE_MANDATE, has_mandate=True)
    policy.check_payment_method(ERIKA, Action.REMOVE_PAYMENT_METHOD, has_saved_method=True)


def test_overrides_narrow_payment_methods_per_customer() -> None:
    settings = PortalSettings.default().with_override(
        ERIKA, CustomerAccess(actions={Action.VIEW, Action.REVOKE_MANDATE})
    )
    policy = AccessPolicy(settings)
    with pytest.raises(AccessDeniedError, match="customer '42' may not grant a mandate"):
        policy.check_payment_method(ERIKA, Action.GRANT_MANDATE)
    policy.check_payment_method(ERIKA, Action.REVOKE_MANDATE, has_mandate=True)
    disabled = AccessPolicy(settings.with_override(ERIKA, CustomerAccess.disabled()))
    assert disabled.payment_method_denial(ERIKA, Action.REVOKE_MANDATE, has_mandate=True) == (
        "the portal is disabled for customer '42'"
    )


def test_check_account_gives_the_reason() -> None:
    policy = AccessPolicy(PortalSettings(document_actions={}, account_actions=set()))
    with pytest.raises(AccessDeniedError, match="may not top up: the portal does not let"):
        policy.check_account(ERIKA, Action.TOP_UP)


@pytest.mark.parametrize("action", [Action.PAY, Action.TOP_UP, Action.EDIT_MASTER_DATA])
def test_only_payment_method_actions_are_checked_as_such(action: Action) -> None:
    with pytest.raises(ValidationError) as caught:
        AccessPolicy(PortalSettings.default()).payment_method_denial(ERIKA, action)
    assert caught.value.field == "action"


@given(
    offered=st.frozensets(st.sampled_from(METHODS)),
    narrowed=st.none() | st.frozensets(st.sampled_from(list(Action))),
    enabled=st.booleans(),
    has_mandate=st.booleans(),
    has_saved_method=st.booleans(),
    action=st.sampled_from(METHODS),
)
def test_a_payment_method_action_is_allowed_exactly_when_settings_access_and_state_agree(
    offered: frozenset[Action],
    narrowed: frozenset[Action] | None,
    enabled: bool,
    has_mandate: bool,
    has_saved_method: bool,
    action: Action,
) -> None:
    access = CustomerAccess(enabled=enabled, actions=narrowed)
    settings = PortalSettings(document_actions={}, account_actions=offered).with_override(
        ERIKA, access
    )
    policy = AccessPolicy(settings)
    state_allows = {
        Action.REVOKE_MANDATE: has_mandate,
        Action.CHANGE_PAYMENT_METHOD: has_saved_method,
        Action.REMOVE_PAYMENT_METHOD: has_saved_method,
    }.get(action, True)
    allowed = (
        enabled and action in offered and (narrowed is None or action in narrowed) and state_allows
    )
    reason = policy.payment_method_denial(
        ERIKA, action, has_mandate=has_mandate, has_saved_method=has_saved_method
    )
    assert (reason is None) == allowed
    listed = policy.payment_method_actions(
        ERIKA, has_mandate=has_mandate, has_saved_method=has_saved_method
    )
    assert (action in listed) == allowed
    if not allowed:
        with pytest.raises(AccessDeniedError, match=f"cannot {action.verb}: "):
            policy.check_payment_method(
                ERIKA, action, has_mandate=has_mandate, has_saved_method=has_saved_method
            )
