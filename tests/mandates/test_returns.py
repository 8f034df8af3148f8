"""Return reasons: the table, strict lookup, and finding a code in what banks send."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import defusedxml.ElementTree
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payportal import Money, ValidationError
from payportal.mandates import RETURN_REASONS, find_return_reason, return_reason
from payportal.reconciliation import Direction, StatementEntry

# Real bank files from the reconciliation corpus (OCA/bank-statement-import, AGPL-3.0; see
# tests/data/bank/corpus/OCA__bank-statement-import/PROVENANCE.md).
CORPUS = Path(__file__).resolve().parents[1] / "data" / "bank" / "corpus"
OCA = CORPUS / "OCA__bank-statement-import"


def test_the_codes_the_issue_names_are_there_with_their_blocking_rule() -> None:
    blocking = {code for code, reason in RETURN_REASONS.items() if reason.blocks_mandate}
    assert {"AC04", "AC06", "MD01", "MD07", "SL01"} <= blocking
    assert {"AM04", "MD06", "MS02", "MS03"}.isdisjoint(blocking)
    for code, reason in RETURN_REASONS.items():
        assert reason.code == code
        assert re.fullmatch(r"[A-Z]{2}[A-Z0-9]{2}", code)
        assert reason.meaning.endswith(".")


def test_lookup_ignores_case_and_space_and_refuses_unknown_codes() -> None:
    assert return_reason(" md06 ").name == "RefundRequestByEndCustomer"
    with pytest.raises(ValidationError) as caught:
        return_reason("ZZ99")
    assert (caught.value.field, caught.value.value) == ("code", "ZZ99")


def test_a_camt_return_reason_code_is_known() -> None:
    data = (OCA / "account_statement_import_camt" / "test-camt053").read_bytes()
    root = defusedxml.ElementTree.fromstring(data)
    codes = [e.text for e in root.iter() if e.tag.endswith("}Cd") and "RtrInf" in _path(root, e)]
    assert codes == ["AC06", "AC06"]
    assert all(return_reason(code or "").blocks_mandate for code in codes)


def _path(root: object, element: object) -> str:
    parents = {child: parent for parent in root.iter() for child in parent}  # type: ignore[attr-defined]
    names = []
    while element in parents:
        element = parents[element]
        names.append(element.tag.rsplit("}", 1)[-1])  # type: ignore[attr-defined]
    return "/".join(reversed(names))


@pytest.mark.parametrize(
    "path",
    [
        OCA / "account_bank_statement_import_mt940_base" / "test-ing.940",
        OCA / "account_bank_statement_import_mt940_nl_ing" / "test-ing-old.940",
    ],
)
def test_an_mt940_rtrn_code_is_found_in_the_purpose(path: Path) -> None:
    text = path.read_text("latin-1")
    purposes = [p for p in re.findall(r":86:(.*?)(?=\n:\d)", text, re.DOTALL) if "/RTRN/" in p]
    assert purposes
    for purpose in purposes:
        reason = find_return_reason(purpose.replace("\n", ""))
        assert reason is not None
        assert reason.code == "MS03"


def test_a_statement_entry_is_searched_by_its_remittance_text() -> None:
    entry = StatementEntry(
        "e-1",
        date(2025, 6, 5),
        Money("49.90", "EUR"),
        Direction.DEBIT,
        remittance_text="RUECKLASTSCHRIFT AM04 INV-2025-0001",
    )
    reason = find_return_reason(entry)
    assert reason is not None
    assert (reason.code, reason.blocks_mandate) == ("AM04", False)


@pytest.mark.parametrize(
    "text", ["", "IBAN DE04 5001 0517", "XAC04", "AC041", "ac04 in lower case", "MANDATE"]
)
def test_no_code_is_found_where_none_stands_alone(text: str) -> None:
    assert find_return_reason(text) is None


@given(st.sampled_from(sorted(RETURN_REASONS)), st.text("abc /+-", max_size=20))
def test_a_code_between_separators_is_always_found(code: str, around: str) -> None:
    found = find_return_reason(f"{around} {code}/{around}")
    assert found is RETURN_REASONS[code]
