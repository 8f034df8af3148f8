from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest

from payportal import _demo
from payportal.__main__ import main
from payportal.links import HmacKey, KeyRing, LinkSigner


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    buffer = io.StringIO()
    assert _demo.run(buffer, as_json=True) == 0
    data: dict[str, Any] = json.loads(buffer.getvalue())
    return data


def test_demo_prints_a_walk_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "Signed portal links",
        "E-mail rendered",
        "accepts an offer",
        "bank details",
        "Prepaid top-up",
        "BillPay",
        "SEPA direct debit",
    ):
        assert heading in out
    assert "481,07\xa0€" in out  # de_DE formatting of Erika's invoice
    assert "€306.43" in out  # en_IE formatting of John's


def test_access_policy_follows_settings_and_overrides(report: dict[str, Any]) -> None:
    erika, john = report["portal"]["K-1042"], report["portal"]["K-1077"]
    assert {d["type"] for d in erika["documents"]} == {
        "invoice",
        "reminder",
        "credit_note",
        "offer",
        "order_confirmation",
        "delivery_note",
    }
    offer = next(d for d in erika["documents"] if d["type"] == "offer")
    assert {"accept", "reject"} <= set(offer["actions"])
    assert "pay" not in offer["actions"]
    # John's override: view and pay only, no account actions, never Erika's documents.
    assert [d["number"] for d in john["documents"]] == ["RE-2026-21"]
    assert john["documents"][0]["actions"] == ["download", "pay", "print", "view"]
    assert john["account_actions"] == []
    invoice = next(d for d in erika["documents"] if d["type"] == "invoice")
    assert [t["rate"] for t in invoice["taxes"]] == ["7 %", "19 %"]


def test_links_verify_and_the_email_carries_them(report: dict[str, Any]) -> None:
    links = report["links"]
    signer = LinkSigner(
        KeyRing([HmacKey.derive(_demo._DEMO_MASTER_SECRET, "portal-links", kid="demo-2026")])
    )
    token = links["invoice_url"].rsplit("/", 1)[1]
    claims = signer.verify(token, purpose="document", now=_demo.NOW)
    assert claims.subject == "invoice:inv-17" == links["invoice_link_opens"]
    email = report["email"]["text"]
    assert links["invoice_url"] in email
    assert links["customer_url"] in email
    assert "481,07\xa0€" in email
    assert report["email"]["placeholders"][0] == "Client.name"


def test_each_customer_reads_the_email_in_their_language(report: dict[str, Any]) -> None:
    german, english = report["email"], report["email_en"]
    assert german["subject"] == "Rechnung RE-2026-17 von Druckerei Beispiel GmbH"
    assert german["text"].startswith("Guten Tag Erika Mustermann,")
    # German text with German dates (the demo once wrote English text with German dates).
    assert "unsere Rechnung RE-2026-17 vom 1. Oktober 2026 über 481,07\xa0€" in german["text"]
    assert "please" not in german["text"]
    assert english["locale"] == "en_IE"
    assert english["text"].startswith("Dear John Murphy,")
    assert "our invoice RE-2026-21 of 2 November 2026" in english["text"]


def test_offer_master_data_and_payments(report: dict[str, Any]) -> None:
    assert report["offer"]["status"] == "accepted"
    assert "accept" not in report["offer"]["actions_now"]
    assert report["master_data"]["changed"] == ["bank_accounts"]
    assert "vat_id" in report["master_data"]["refused_tax_change"]
    paypal, payengine = report["payments"]["paypal"], report["payments"]["payengine"]
    assert paypal["server"].startswith("http://127.0.0.1:")
    assert (paypal["paid"], paypal["still_open"]) == ("€150.00", "€156.43")
    assert payengine["kept_as_credit"] == "13,93\xa0€"  # 500.00 - 486.07
    assert [line["component"] for line in payengine["allocated"]] == ["costs", "principal"]
    # Paying the reminder settled the invoice it reminds of; nothing is left to pay twice.
    assert payengine["settled"] == {"MA-2026-3": "paid", "RE-2026-17": "paid"}
    assert payengine["still_open"] == "0,00\xa0€"


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "demo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "payportal demo" in done.stdout


def test_usage_errors_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "nonsense"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2


def test_prepaid_top_up_waits_for_release_after_the_statement(report: dict[str, Any]) -> None:
    prepaid = report["prepaid"]
    # The statement books the transfer through the booking path: pending, not yet credited.
    assert prepaid["booked"] == ["booked"]
    assert prepaid["status_after_statement"] == "pending"
    assert prepaid["pending_after_statement"] == "50,00\xa0€"
    # The merchant's release credits it.
    assert prepaid["status_after_release"] == "booked"
    assert prepaid["prepaid_balance"] == "50,00\xa0€"
    assert prepaid["pending_after_release"] == "0,00\xa0€"
    assert prepaid["outbox"] == [
        "payment.booked",
        "top_up.pending",
        "receipt.issued",
        "top_up.released",
    ]
    assert prepaid["epc_qr_lines"][:4] == ["BCD", "002", "1", "SCT"]
    compact = prepaid["reference"].replace(" ", "")
    assert prepaid["epc_qr_lines"][-1] == compact
    # The bank text carries the reference in lower case; it was still found.
    assert compact.lower() in prepaid["statement_entry"]["remittance_text"].replace(" ", "")


def test_billpay_order_carries_its_bp_reference(report: dict[str, Any]) -> None:
    billpay = report["billpay"]
    assert billpay["approved"] == "authorized"
    assert billpay["activate_by"] == "2027-01-23"  # two months after the demo's today
    assert billpay["status"] == "paid"
    assert billpay["reference"].startswith("BP")
    assert "/" in billpay["reference"]


def test_direct_debit_is_collected_then_returned_with_the_fee(report: dict[str, Any]) -> None:
    debit = report["direct_debit"]
    pain = debit["pain008"]
    assert pain["sequence_type"] == "FRST"
    assert pain["due_date"] == "2026-12-07"  # 14 days' notice from 2026-11-23
    assert pain["amount"] == "58,31\xa0€"
    assert pain["head"].startswith(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"'
    )
    assert debit["collected_again"] == 0
    assert debit["credit"] == ["booked"]
    assert debit["state_after_credit"] == "paid"
    assert debit["return"] == ["booked"]
    assert debit["state_after_return"] == "open"
    assert debit["open_items"] == {"RE-2026-31": "58,31\xa0€", "RLS-PPDD0000000001": "3,00\xa0€"}
    assert debit["mandate_state"] == "blocked"
    assert debit["outbox"][-1] == "direct_debit.returned"
