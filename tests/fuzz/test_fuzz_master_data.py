"""Fuzz master-data changes: ``MasterDataChange.from_dict`` and ``Customer.apply_change``.

Whatever a customer submits (form fields, JSON, raw bytes), the change is refused with a
:class:`ValidationError` naming a field, or an :class:`AccessDeniedError`, or accepted; what
is accepted holds no control character in a single-line field and no e-mail address a mail
server would refuse.
"""

from __future__ import annotations

import json
from typing import Any

from fuzz_support import fuzz, only, text_of
from hypothesis import given
from hypothesis import strategies as st

from payportal._validators import email_problem
from payportal.customers import Customer, MasterDataChange, MasterDataField
from payportal.exceptions import AccessDeniedError, ValidationError

ERIKA = Customer(id="42", number="K-42", name="Erika Mustermann", email="erika@example.org")
FIELDS = tuple(f.value for f in MasterDataField)
NESTED = ("street", "postal_code", "city", "country", "addition", "region", "iban", "holder")
NESTED += ("bic", "mandate_reference", "mandate_signed_on")
SINGLE_LINE = ("name", "company", "contact_person", "phone", "tax_number")

# Values close to valid ones, and pieces that hostile input is made of.
SAMPLES = (
    "Erika",
    "erika@example.org",
    "<x>@y.z",
    "x@y",
    "DE",
    "de_DE",
    "DE89370400440532013000",
    "DE136695976",
    "COBADEFFXXX",
    "+49 30 1234",
    "\n",
    "\t",
    "\x00",
    "\u202e",
    "\ud800",
    "javascript:alert(1)",
    "",
    " ",
    "a" * 300,
)


class _Reader:
    """Hands out the parts of a submission that ``program`` asks for, cut from ``payload``."""

    def __init__(self, program: bytes, payload: bytes) -> None:
        self.program = iter(program)
        self.payload = payload

    def byte(self) -> int:
        return next(self.program, 0)

    def text(self) -> str:
        size, self.payload = self.byte() % 48, self.payload
        piece, self.payload = self.payload[:size], self.payload[size:]
        return text_of(piece)

    def value(self, depth: int = 0) -> object:
        kind = self.byte() % (10 if depth < 2 else 5)
        if kind == 0:
            return SAMPLES[self.byte() % len(SAMPLES)]
        if kind == 1:
            return self.text()
        if kind == 2:
            return None
        if kind == 3:
            return (self.byte() - 128) * 1000
        if kind == 4:
            return (1.5, float("nan"), True, b"bytes")[self.byte() % 4]
        if kind in (5, 6):  # a nested record: an address or a bank account
            return {self.key(NESTED): self.value(depth + 1) for _ in range(self.byte() % 6)}
        if kind == 7:
            return [self.value(depth + 1) for _ in range(self.byte() % 4)]
        return SAMPLES[self.byte() % len(SAMPLES)] + self.text()

    def key(self, known: tuple[str, ...]) -> str:
        choice = self.byte()
        return known[choice % len(known)] if choice < 224 else self.text()


def _submission(parts: tuple[bytes, bytes]) -> dict[str, object]:
    reader = _Reader(*parts)
    return {reader.key(FIELDS): reader.value() for _ in range(reader.byte() % 6)}


# Two binary draws per example, read as a submission: cheap enough for the full run's
# 10,000 examples, and the shrinker still simplifies both.
submissions = st.tuples(st.binary(max_size=40), st.binary(max_size=200)).map(_submission)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return {"name": text_of(data)}


@fuzz
@given(
    data=st.one_of(submissions, st.binary(max_size=200).map(_json)),
    editable=st.sets(st.sampled_from(list(MasterDataField))),
)
def test_a_submission_is_refused_with_a_named_field_or_accepted_clean(
    data: Any, editable: set[MasterDataField]
) -> None:
    def submit() -> tuple[Customer, object]:
        return ERIKA.apply_change(MasterDataChange.from_dict(data), editable=editable)

    outcome = only((ValidationError, AccessDeniedError), submit, "a master data change")
    if isinstance(outcome, ValidationError):
        assert outcome.field, f"{outcome} names no field"
        return
    if isinstance(outcome, AccessDeniedError):
        return
    updated, _ = outcome  # type: ignore[misc]
    for name in SINGLE_LINE:
        value = getattr(updated, name)
        assert value.isprintable() or not any(ord(c) < 32 for c in value), (name, value)
    assert updated.email is None or email_problem(updated.email) is None
