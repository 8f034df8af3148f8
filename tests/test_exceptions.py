from __future__ import annotations

import inspect
import pickle

import pytest

from payportal import exceptions
from payportal.exceptions import (
    PayportalError,
    ProviderError,
    StatementFormatError,
    ValidationError,
)

ALL = [
    obj
    for _, obj in inspect.getmembers(exceptions, inspect.isclass)
    if issubclass(obj, Exception) and obj.__module__ == exceptions.__name__
]


def test_every_error_is_a_payportal_error_and_drawn_in_the_tree() -> None:
    doc = exceptions.__doc__ or ""
    for cls in ALL:
        assert issubclass(cls, PayportalError)
        assert cls.__name__ in doc, f"{cls.__name__} missing from the tree in the docstring"
    assert sorted(exceptions.__all__) == sorted(c.__name__ for c in ALL)


def test_validation_error_names_field_and_value() -> None:
    err = ValidationError("is not a valid IBAN", field="iban", value="DE00")
    assert str(err) == "iban is not a valid IBAN (got 'DE00')"
    nested = err.within("bank_accounts[0]")
    assert nested.field == "bank_accounts[0].iban"
    assert type(nested) is ValidationError
    assert ValidationError("x", field="[1]").within("lines").field == "lines[1]"
    assert isinstance(err, ValueError)


def test_long_values_are_shortened_in_messages() -> None:
    assert len(str(ValidationError("bad", field="f", value="x" * 1000))) < 120


@pytest.mark.parametrize(
    "err",
    [
        ValidationError("bad", field="f", value=1),
        exceptions.InvalidChecksumError("bad check digits", field="reference", value="RF00"),
        ProviderError("declined", provider="paypal", code="X", request_id="r1", status_code=402),
        exceptions.PaymentDeclinedError("no", provider="sofort"),
        StatementFormatError("truncated", source="a.xml", location="line 3"),
        exceptions.ExpiredLinkError("expired"),
        exceptions.ConcurrentUpdateError("stale", record="account 42", expected=3, actual=4),
        exceptions.CorruptRecordError("truncated", record="account 42"),
    ],
)
def test_errors_pickle(err: Exception) -> None:
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert str(copy) == str(err)
    assert copy.__dict__ == err.__dict__


def test_provider_error_message_carries_its_details() -> None:
    err = ProviderError("declined", provider="paypal", code="X1", request_id="r1", status_code=402)
    assert str(err) == "paypal: declined code=X1 status=402 request_id=r1"
    assert (err.provider, err.code, err.request_id) == ("paypal", "X1", "r1")
