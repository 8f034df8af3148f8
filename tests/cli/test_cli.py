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
    assert result.exit_code == 2
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
    assert bad.exit_code == 2
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
    assert runner.invoke(cli, ["template", "render", str(text), "--data", str(data)]).exit_code == 2


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
    args = ["reconcile", str(BANK / "mt940_sample.sta"), "--items", str(items), "--json"]
    # The sample's second statement does not add up (by 300.08 EUR, in the file itself):
    # refused as it is, read with a warning when asked to be lenient.
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2
    assert "does not add up" in refused.stderr
    result = runner.invoke(cli, [*args, "--lenient"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {m["items"][0] for m in data["matches"]} == {"TF20005", "22004"}
    assert any("300.08" in remark for remark in data["remarks"])


def test_reconcile_reads_a_bank_csv_export_with_its_layout(runner, tmp_path):
    reference = rf.generate("1001")
    export = tmp_path / "export.csv"
    export.write_text(
        "Buchungsdatum;Verwendungszweck;Betrag\n"
        f"02.03.2026;Rechnung {rf.format(reference)};119,00\n",
        encoding="utf-8",
    )
    items = _items(tmp_path, f"key,amount,reference\nRE-1001,119.00,{reference}\n")
    args = ["reconcile", str(export), "--items", str(items), "--format", "csv", "--json"]
    result = runner.invoke(
        cli, [*args, "--csv-decimal", ",", "--csv-date-format", "%d.%m.%Y", "--csv-currency", "EUR"]
    )
    assert result.exit_code == 0, result.output
    [match] = json.loads(result.stdout)["matches"]
    assert match["items"] == ["RE-1001"]
    assert match["amount"] == "119.00"


def test_reconcile_lists_debits_apart_from_payments(runner, tmp_path):
    statement = tmp_path / "refund.sta"
    statement.write_text(
        ":20:STARTUMS\n:25:37040044/0532013000\n:28C:00001/001\n:60F:C260301EUR1000,00\n"
        ":61:2603020302DR19,00NTRFNONREF//2026030200019\n"
        ":86:166?00SEPA-UEBERWEISUNG?20SVWZ+Erstattung RE-1001?32Max Mustermann\n"
        ":62F:C260302EUR981,00\n-\n"
    )
    items = _items(tmp_path, "key,amount,customer,name\nRE-1001,100.00,42,Max Mustermann\n")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(items), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["matches"] == []
    [debit] = data["debits"]
    assert debit["customer"] == "42"
    assert debit["amount"] == "-19.00" or debit["amount"] == "19.00"


def test_reconcile_rejects_bad_files_with_exit_2(runner, tmp_path):
    items = tmp_path / "items.csv"
    items.write_text("key,amount\nRE-1,abc\n")
    statement = _camt(tmp_path, "RE-1")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(items)])
    assert result.exit_code == 2
    assert "items.csv, line 2" in result.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(statement.read_bytes()[:200])
    items.write_text("key,amount\nRE-1,1.00\n")
    result = runner.invoke(cli, ["reconcile", str(broken), "--items", str(items)])
    assert result.exit_code == 2
    assert "not well-formed XML" in result.output
    broken_json = tmp_path / "items.json"
    broken_json.write_text("[{")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(broken_json)])
    assert result.exit_code == 2
    assert "items.json" in result.output
    missing = runner.invoke(cli, ["reconcile", str(statement)])
    assert missing.exit_code == 2


# -- entry points ---------------------------------------------------------------------------


def test_run_returns_exit_codes(capsys):
    assert run(["ref", "check", "RF18539007547034"]) == 0
    assert run(["ref", "check", "RF19539007547034", "--scheme", "rf"]) == 2
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
    assert result.exit_code == 2
    assert "revoked" in result.output.lower()


# -- what a user expects of a command line (issue: fresh machine, exact money) ---------------


def test_version_option(runner):
    for option in ("--version", "-V"):
        result = runner.invoke(cli, [option])
        assert result.exit_code == 0
        assert result.output == f"payportal, version {payportal.__version__}\n"


def test_python_dash_m_payportal_version():
    done = subprocess.run(
        [sys.executable, "-m", "payportal", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert payportal.__version__ in done.stdout


def _signed(runner: CliRunner, env: dict[str, str], *extra: str) -> str:
    result = runner.invoke(cli, ["link", "sign", "--customer", "42", *extra], env=env)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_link_verify_takes_the_url_the_customer_received(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    token = _signed(runner, env)
    url = f"https://billing.example.com/portal/{token}"
    result = runner.invoke(cli, ["link", "verify", url], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["subject"] == "customer:42"
    # The same token under the payment path is refused: the path decides the purpose.
    result = runner.invoke(
        cli, ["link", "verify", f"https://billing.example.com/portal/pay/{token}"], env=env
    )
    assert result.exit_code == 2
    assert "purpose" in result.stderr


def test_link_verify_url_under_a_prefix_and_custom_paths(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    token = _signed(runner, env)
    url = f"https://example.com/billing/kunden/{token}"
    result = runner.invoke(cli, ["link", "verify", url], env=env)
    assert result.exit_code == 2
    assert "does not match" in result.stderr
    result = runner.invoke(
        cli,
        [
            "link",
            "verify",
            url,
            "--base-url",
            "https://example.com/billing",
            "--path",
            "customer=/kunden/{token}",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["customer_id"] == "42"


def test_link_verify_refuses_a_tampered_url(runner):
    env = {KEYS_ENV: f"k1:{SECRET}"}
    token = _signed(runner, env)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    result = runner.invoke(cli, ["link", "verify", f"https://x.example/portal/{tampered}"], env=env)
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("reference", "scheme", "check"),
    [
        ("RF19 5390 0754 7034", "rf", "checksum"),
        ("RF18 5390 0754 7034 1234 5678 9012 3", "rf", "length"),
        ("RF18 5390 0754 70!4", "rf", "characters"),
        ("+++010/8068/17184+++", "be_ogm", "checksum"),
    ],
)
def test_ref_check_says_which_check_failed(runner, reference, scheme, check):
    result = runner.invoke(cli, ["ref", "check", reference, "--scheme", scheme])
    assert result.exit_code == 2
    assert f"{scheme}: {check} check failed" in result.stderr


def test_ref_check_puts_the_likely_typing_error_first(runner):
    result = runner.invoke(cli, ["ref", "check", "RF19 5390 0754 7034"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "payportal: 'RF19 5390 0754 7034' is not a valid reference: rf: checksum"
    )


def _items(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "items.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unquoted_decimal_comma_is_refused_not_read_as_whole_units(runner, tmp_path):
    statement = _camt(tmp_path, "RE-1")
    items = _items(tmp_path, "key,amount\nRE-1,12,50\n")
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(items)])
    assert result.exit_code == 2
    assert "more fields than the header" in result.stderr


def test_comma_amount_without_a_locale_is_ambiguous(runner, tmp_path):
    statement = _camt(tmp_path, "RE-1")
    items = _items(tmp_path, 'key,amount\nRE-1,"1,250"\n')
    result = runner.invoke(cli, ["reconcile", str(statement), "--items", str(items)])
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr


@pytest.mark.parametrize(
    ("amount", "separator", "locale", "applied"),
    [
        ('"118,50"', ",", "de_DE", "118.50"),
        ("118,50", ";", "de_DE", "118.50"),
        ('"1,000.00"', ",", "en_US", "119.00"),
        ("118.50", ",", None, "118.50"),
    ],
)
def test_item_amounts_follow_the_locale(runner, tmp_path, amount, separator, locale, applied):
    reference = rf.generate("1001")
    statement = _camt(tmp_path, rf.format(reference))
    header = separator.join(["key", "amount", "currency", "reference"])
    row = separator.join(["RE-1001", amount, "EUR", reference])
    items = _items(tmp_path, f"{header}\n{row}\n")
    args = ["reconcile", str(statement), "--items", str(items), "--json"]
    if locale:
        args += ["--locale", locale]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    [match] = json.loads(result.stdout)["matches"]
    assert match["allocation"][0]["amount"] == applied


def test_template_render_signs_portal_links_with_keys_from_the_environment(runner, tmp_path):
    text = tmp_path / "mail.txt"
    text.write_text("[Client.customerportal_url]")
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"customer": {"id": "42", "number": "K-42", "name": "Erika"}}))
    env = {KEYS_ENV: f"k1:{SECRET}"}
    without = runner.invoke(cli, ["template", "render", str(text), "--data", str(data)], env=env)
    assert without.exit_code == 2
    assert "urls" in without.stderr
    result = runner.invoke(
        cli,
        [
            "template",
            "render",
            str(text),
            "--data",
            str(data),
            "--portal-url",
            "https://billing.example.com",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("https://billing.example.com/portal/")
    verified = runner.invoke(cli, ["link", "verify", url], env=env)
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["customer_id"] == "42"


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["link", "sign"],
        ["link", "verify", "garbage"],
        ["ref", "check", "nope"],
        ["ref", "make", "rf", "nonsense"],
        ["reconcile", "missing.xml", "--items", "missing.csv"],
        ["template", "render", "missing.txt", "--data", "missing.json"],
    ],
)
def test_every_error_is_one_line_on_stderr_with_status_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(KEYS_ENV, f"k1:{SECRET}")
    done = subprocess.run(
        [sys.executable, "-m", "payportal", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_unreadable_statement_is_one_line_not_a_traceback(runner, tmp_path):
    folder = tmp_path / "statement.xml"
    folder.mkdir()
    items = _items(tmp_path, "key,amount\nRE-1,1.00\n")
    result = runner.invoke(cli, ["reconcile", str(folder), "--items", str(items)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
