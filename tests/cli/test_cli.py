from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import payportal
from payportal import __main__ as entry
from payportal._cli import KEYS_ENV, cli, run
from payportal.references import rf

BANK = Path(__file__).resolve().parents[1] / "data" / "bank"
SECRET = base64.b64encode(b"k" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- links ----------------------------------------------------------------------------------


def test_link_sign_then_verify_with_keys_from_the_environment(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    signed = runner.invoke(cli, ["link", "sign", "--customer", "42"], env=env)
    assert signed.exit_code == 0, signed.output
    token = signed.output.strip()
    checked = runner.invoke(cli, ["link", "verify", token, "--purpose", "portal"], env=env)
    assert checked.exit_code == 0, checked.output
    claims = json.loads(checked.output)
    assert claims["subject"] == "customer:42"
    assert claims["purpose"] == "portal"


def test_link_keys_from_a_key_file_rotate(runner, tmp_path):
    old = tmp_path / "old.keys"
    old.write_text(f"# oldest first\nk1:{SECRET}\n")
    token = runner.invoke(
        cli, ["link", "sign", "--customer", "42", "--document", "invoice:inv-1", "--key-file", old]
    ).output.strip()
    rotated = tmp_path / "rotated.keys"
    rotated.write_text(f"k1:{SECRET}\nk2:{OTHER}\n")
    checked = runner.invoke(cli, ["link", "verify", token, "--key-file", str(rotated)])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["purpose"] == "document"


def test_link_verify_rejects_a_forged_token_with_exit_1(runner):
    token = runner.invoke(
        cli, ["link", "sign", "--customer", "42"], env={KEYS_ENV: f"k1:{SECRET}"}
    ).output.strip()
    result = runner.invoke(cli, ["link", "verify", token], env={KEYS_ENV: f"k1:{OTHER}"})
    assert result.exit_code == 1
    assert "signature" in result.output.lower()


def test_link_without_keys_is_a_usage_error_and_never_shows_secrets(runner):
    result = runner.invoke(cli, ["link", "sign", "--customer", "42"], env={KEYS_ENV: ""})
    assert result.exit_code == 2
    assert KEYS_ENV in result.output
    short = base64.b64encode(b"tiny-secret").decode()
    result = runner.invoke(cli, ["link", "sign", "--customer", "1"], env={KEYS_ENV: f"k:{short}"})
    assert result.exit_code == 2
    assert short not in result.output
    assert "tiny-secret" not in result.output


def test_link_help_says_where_keys_come_from(runner):
    result = runner.invoke(cli, ["link", "sign", "--help"])
    assert KEYS_ENV in result.output
    assert "--key-file" in result.output
    # There is no option that takes the secret itself.
    assert "--key " not in result.output
    assert "--secret" not in result.output


# -- references -----------------------------------------------------------------------------


def test_ref_make_check_find(runner):
    made = runner.invoke(cli, ["ref", "make", "rf", "body=539007547034"])
    assert made.exit_code == 0, made.output
    assert made.output == "RF18 5390 0754 7034\tRF18539007547034\n"
    checked = runner.invoke(cli, ["ref", "check", "rf18 5390 0754 7034"])
    assert checked.output == "rf\tRF18 5390 0754 7034\tRF18539007547034\n"
    found = runner.invoke(cli, ["ref", "find", "--json", "SVWZ+Re RF18 5390 0754 7034 danke"])
    assert json.loads(found.output)[0]["value"] == "RF18539007547034"


def test_ref_rejections_exit_1_and_usage_errors_exit_2(runner):
    bad = runner.invoke(cli, ["ref", "check", "RF19 5390 0754 7034", "--scheme", "rf"])
    assert bad.exit_code == 1
    assert "check" in bad.output.lower()
    assert runner.invoke(cli, ["ref", "find", "nothing here"]).exit_code == 1
    assert runner.invoke(cli, ["ref", "make", "rf", "nonsense"]).exit_code == 2
    assert runner.invoke(cli, ["ref", "make", "rf", "base=1"]).exit_code == 2
    assert runner.invoke(cli, ["ref", "make", "nope", "body=1"]).exit_code == 2


def test_ref_find_reads_stdin(runner):
    result = runner.invoke(cli, ["ref", "find", "-"], input="EREF+BP1234567/3333\n")
    assert result.output == "billpay\tlikely\tBP1234567/3333\n"


# -- templates ------------------------------------------------------------------------------


def test_template_lint_reports_errors_with_exit_1(runner, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Dear [Client.name]")
    assert runner.invoke(cli, ["template", "lint", str(good)]).exit_code == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("Dear [Client.nmae]")
    result = runner.invoke(cli, ["template", "lint", str(bad)])
    assert result.exit_code == 1
    assert "1:6: error" in result.output
    assert "did you mean" in result.output


def test_template_render(runner, tmp_path):
    text = tmp_path / "mail.txt"
    text.write_text("Dear [Client.name], please pay [Invoice.total_gross].")
    data = tmp_path / "data.json"
    data.write_text(
        json.dumps(
            {
                "customer": {"id": "42", "number": "K-42", "name": "Erika", "locale": "de_DE"},
                "invoice": {
                    "id": "i-1",
                    "number": "RE-1",
                    "issued_on": "2026-03-01",
                    "lines": [
                        {"title": "Work", "quantity": 1, "unit_price": "100.00", "tax_rate": 19}
                    ],
                },
            }
        )
    )
    result = runner.invoke(cli, ["template", "render", str(text), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.output == "Dear Erika, please pay 119,00\xa0€.\n"
    data.write_text(json.dumps({"invoice": {}}))
    assert runner.invoke(cli, ["template", "render", str(text), "--data", str(data)]).exit_code == 1


# -- reconcile ------------------------------------------------------------------------------


def _camt(tmp_path: Path, reference: str) -> Path:
    path = tmp_path / "march.xml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">119.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Danke {reference}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><AcctSvcrRef>B-2</AcctSvcrRef></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    )
    return path


def test_reconcile_prints_a_table(runner, tmp_path):
    reference = rf.generate("1001")
    items = tmp_path / "items.csv"
    items.write_text(f"key,amount,currency,reference\nRE-1001,119.00,EUR,{reference}\n")
    result = runner.invoke(
        cli, ["reconcile", str(_camt(tmp_path, rf.format(reference))), "--items", str(items)]
    )
    assert result.exit_code == 0, result.output
    assert "RE-1001" in result.output
    assert "reference in text" in result.output
    assert "1 matched, 1 unmatched" in result.output


def test_reconcile_json_for_machines(runner, tmp_path):
    items = tmp_path / "items.json"
    items.write_text(
        json.dumps(
            [{"key": "RE-1001", "amount": "100.00", "customer": "42", "name": "Erika Muster"}]
        )
    )
    result = runner.invoke(
        cli, ["reconcile", str(_camt(tmp_path, "RE-1001")), "--items", str(items), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [match] = data["matches"]
    assert match["customer"] == "42"
    assert match["reasons"] == ["reference_in_text", "overpayment"]
    assert match["unapplied"] == "19.00"
    assert [e["entry_id"] for e in data["unmatched"]] == ["ref:DE89370400440532013000:B-2"]


def test_reconcile_real_sample(runner, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("key,amount\nTF20005,125004.88\n22004,50990.05\n")
    result = runner.invoke(
        cli, ["reconcile", str(BANK / "mt940_sample.sta"), "--items", str(items), "--json"]
    )
    assert result.exit_code == 0, result.output
    matched = {m["items"][0] for m in json.loads(result.output)["matches"]}
    assert matched == {"TF20005", "22004"}


def test_reconcile_rejects_bad_files_with_exit_1(runner, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("key,amount\nRE-1,abc\n")
    statement = _camt(tmp_path, "RE-1")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(items)])
    assert result.exit_code == 1
    assert "items.csv, line 2" in result.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(statement.read_bytes()[:200])
    items.write_text("key,amount\nRE-1,1.00\n")
    result = runner.invoke(cli, ["reconcile", str(broken), "--items", str(items)])
    assert result.exit_code == 1
    assert "not well-formed XML" in result.output
    broken_json = tmp_path / "items.json"
    broken_json.write_text("[{")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(broken_json)])
    assert result.exit_code == 1
    assert "items.json" in result.output
    missing = runner.invoke(cli, ["reconcile", str(statement)])
    assert missing.exit_code == 2


# -- entry points ---------------------------------------------------------------------------


def test_run_returns_exit_codes(capsys):
    assert run(["ref", "check", "RF18539007547034"]) == 0
    assert run(["ref", "check", "RF19539007547034", "--scheme", "rf"]) == 1
    assert run(["no-such-command"]) == 2
    capsys.readouterr()


def test_without_click_main_explains_the_extra_and_exits_2(monkeypatch, capsys):
    # None in sys.modules makes "import click" fail as if click were not installed.
    monkeypatch.setitem(sys.modules, "click", None)
    monkeypatch.delitem(sys.modules, "payportal._cli")
    monkeypatch.delattr(payportal, "_cli")
    assert entry.main(["demo"]) == 2
    assert "pip install 'payportal[cli]'" in capsys.readouterr().err


def test_python_dash_m_payportal_ref_check():
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "ref", "check", "+++010/8068/17183+++"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("be_ogm\t")


def test_link_verify_reads_the_token_from_stdin_and_keeps_actions(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    token = runner.invoke(
        cli, ["link", "sign", "--customer", "42", "--action", "view", "--action", "pay"], env=env
    ).output
    checked = runner.invoke(cli, ["link", "verify", "-"], input=token, env=env)
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["actions"] == ["pay", "view"]


def test_link_verify_refuses_a_revoked_link(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    token = runner.invoke(cli, ["link", "sign", "--customer", "42"], env=env).output.strip()
    result = runner.invoke(cli, ["link", "verify", token, "--current-version", "2"], env=env)
    assert result.exit_code == 1
    assert "revoked" in result.output.lower()
