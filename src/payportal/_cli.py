"""The ``payportal`` command line, built with click and rich (the ``cli`` extra).

Only this module imports click and rich; the library itself never needs them. Exit codes:
0 when the command did what was asked, 1 when the input was rejected (an invalid reference,
token, template or statement), 2 for usage errors (unknown commands, missing options,
missing key configuration).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from payportal import _demo, references
from payportal._money import Money
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import BankAccount, Customer
from payportal.documents import Invoice, LineItem
from payportal.exceptions import PayportalError, ValidationError
from payportal.links import LINK_PURPOSES, HmacKey, KeyRing, LinkClaims, LinkSigner
from payportal.placeholders import RenderContext, Template, lint
from payportal.portal import Action
from payportal.reconciliation import read_statement, reconcile

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from payportal.reconciliation import ReconciliationProposal, StatementEntry

__all__ = ["cli", "run"]

#: The environment variable holding the link keys, one ``KID:SECRET`` per line or comma.
KEYS_ENV = "PAYPORTAL_LINK_KEYS"
# Statements with more entries than this get a progress bar (on a terminal).
_PROGRESS_FROM = 5000
_PIPED_WIDTH = 160
# The argument that means "read standard input".
_STDIN = "-"

KEYS_HELP = f"""
Keys are never given on the command line, where other users could read them in the process
list. They come from the file named by --key-file or else from the environment variable
{KEYS_ENV}: one key per line (or comma-separated in the variable) as KID:SECRET, where KID is
the key id carried in every token and SECRET at least 32 random bytes, base64-encoded
(`openssl rand -base64 32` makes one). List the keys oldest first: the last one signs, all of
them verify.
"""


class Rejected(click.ClickException):
    """The input was understood but is not acceptable: exit code 1."""

    exit_code = 1


def _reject(error: PayportalError | OSError) -> NoReturn:
    raise Rejected(str(error)) from None


def _out() -> Console:
    console = Console(file=sys.stdout)
    if not console.is_terminal:
        # Piped or redirected: wide enough that table cells are not wrapped mid-reference.
        console = Console(file=sys.stdout, width=_PIPED_WIDTH)
    return console


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """payportal: payment references, signed links, templates and bank reconciliation."""


# -- demo -----------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the demo's findings as JSON.")
def demo(as_json: bool) -> None:
    """Run the end-to-end demo."""
    code = _demo.run(sys.stdout, as_json=as_json)
    if code:
        raise click.exceptions.Exit(code)


# -- links ----------------------------------------------------------------------------------


@cli.group(epilog=KEYS_HELP)
def link() -> None:
    """Sign and verify portal links."""


def _parse_keys(text: str, source: str) -> KeyRing:
    keys = []
    for number, raw in enumerate(text.replace(",", "\n").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kid, colon, secret = line.partition(":")
        if not colon:
            raise click.UsageError(f"{source}, key {number}: expected KID:SECRET")
        try:
            data = base64.b64decode(secret.strip() + "==", altchars=b"-_", validate=False)
        except (binascii.Error, ValueError):
            raise click.UsageError(f"{source}, key {number}: SECRET is not base64") from None
        try:
            keys.append(HmacKey(kid.strip(), data))
        except ValidationError as error:
            # The message names the key id and the problem, never the secret.
            raise click.UsageError(
                f"{source}, key {number}: {error.field} {error.reason}"
            ) from None
    if not keys:
        raise click.UsageError(f"{source} holds no keys")
    try:
        return KeyRing(keys)
    except ValidationError as error:
        raise click.UsageError(f"{source}: {error}") from None


def _keyring(key_file: Path | None) -> KeyRing:
    if key_file is not None:
        return _parse_keys(key_file.read_text(encoding="utf-8"), str(key_file))
    text = os.environ.get(KEYS_ENV)
    if not text:
        raise click.UsageError(f"no link keys: pass --key-file or set {KEYS_ENV}")
    return _parse_keys(text, KEYS_ENV)


_key_file = click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"File with the keys, one KID:SECRET per line (default: ${KEYS_ENV}).",
)


@link.command("sign", epilog=KEYS_HELP)
@click.option("--customer", "customer_id", required=True, help="The customer's id.")
@click.option(
    "--document", help="Link to one document, as TYPE:ID (invoice:inv-17); default: the portal."
)
@click.option(
    "--purpose",
    type=click.Choice(sorted(set(LINK_PURPOSES.values()))),
    help="What the link is for (default: portal, or document with --document).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days until the link expires.",
)
@click.option(
    "--version",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="The customer's current link version (raise it to revoke older links).",
)
@click.option(
    "--action",
    "actions",
    multiple=True,
    type=click.Choice([a.value for a in Action]),
    help="Only allow these actions (repeatable).",
)
@_key_file
def link_sign(
    *,
    customer_id: str,
    document: str | None,
    purpose: str | None,
    days: int,
    version: int,
    actions: tuple[str, ...],
    key_file: Path | None,
) -> None:
    """Print a signed link token for a customer's portal or one of their documents."""
    signer = LinkSigner(_keyring(key_file))
    now = datetime.now(UTC)
    try:
        claims = LinkClaims(
            subject=document or f"customer:{customer_id}",
            customer_id=customer_id,
            purpose=purpose or ("document" if document else "portal"),
            issued_at=now,
            expires_at=now + timedelta(days=days),
            version=version,
            actions=[Action(a) for a in actions] if actions else None,
        )
        click.echo(signer.sign(claims))
    except PayportalError as error:
        _reject(error)


@link.command("verify", epilog=KEYS_HELP)
@click.argument("token")
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(sorted(set(LINK_PURPOSES.values()))),
    help="Accepted purpose (repeatable; default: all).",
)
@click.option("--current-version", type=click.IntRange(min=1), help="The customer's link version.")
@_key_file
def link_verify(
    token: str, purposes: tuple[str, ...], current_version: int | None, key_file: Path | None
) -> None:
    """Check a link token (- reads it from stdin) and print its claims as JSON."""
    if token == _STDIN:
        token = sys.stdin.read().strip()
    signer = LinkSigner(_keyring(key_file))
    try:
        claims = signer.verify(
            token,
            purpose=purposes or sorted(set(LINK_PURPOSES.values())),
            current_version=current_version,
        )
    except PayportalError as error:
        _reject(error)
    _echo_json(
        {
            "subject": claims.subject,
            "customer_id": claims.customer_id,
            "purpose": claims.purpose,
            "issued_at": claims.issued_at.isoformat(),
            "expires_at": None if claims.expires_at is None else claims.expires_at.isoformat(),
            "version": claims.version,
            "actions": None if claims.actions is None else sorted(a.value for a in claims.actions),
        }
    )


# -- references -----------------------------------------------------------------------------


@cli.group()
def ref() -> None:
    """Make, check and find payment references."""


_scheme_names = click.Choice(sorted(references.SCHEMES))


@ref.command("make")
@click.argument("scheme", type=_scheme_names)
@click.argument("fields", nargs=-1, required=True, metavar="NAME=VALUE...")
def ref_make(scheme: str, fields: tuple[str, ...]) -> None:
    """Generate a reference: `payportal ref make rf body=539007547034`.

    The fields are the scheme's generate() arguments: body (rf), base (be_ogm, ch_qrr, fi,
    no_kid), order_number and merchant_id (billpay).
    """
    data: dict[str, str] = {}
    for field in fields:
        name, equals, value = field.partition("=")
        if not equals or not name.isidentifier():
            raise click.BadParameter(f"{field!r} is not NAME=VALUE", param_hint="FIELDS")
        data[name] = value
    try:
        reference = references.generate(scheme, **data)
    except TypeError as error:
        raise click.BadParameter(str(error), param_hint="FIELDS") from None
    except PayportalError as error:
        _reject(error)
    click.echo(f"{reference.formatted}\t{reference.value}")


@ref.command("check")
@click.argument("reference")
@click.option("--scheme", "schemes", multiple=True, type=_scheme_names, help="Repeatable.")
def ref_check(reference: str, schemes: tuple[str, ...]) -> None:
    """Validate a reference; print its scheme, printed and compact form."""
    try:
        parsed = references.parse(reference, schemes=schemes or references.PARSE_DEFAULT)
    except PayportalError as error:
        _reject(error)
    click.echo(f"{parsed.scheme}\t{parsed.formatted}\t{parsed.value}")


@ref.command("find")
@click.argument("text")
@click.option("--scheme", "schemes", multiple=True, type=_scheme_names, help="Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
def ref_find(text: str, schemes: tuple[str, ...], as_json: bool) -> None:
    """Find references in remittance TEXT (- reads it from stdin); exit 1 if there is none."""
    if text == _STDIN:
        text = sys.stdin.read()
    matches = references.find(text, schemes=schemes or references.FIND_DEFAULT)
    rows = [
        {
            "value": m.value,
            "scheme": m.scheme,
            "confidence": m.confidence.name.lower(),
            "span": list(m.span),
        }
        for m in matches
    ]
    if as_json:
        _echo_json(rows)
    else:
        for row in rows:
            click.echo(f"{row['scheme']}\t{row['confidence']}\t{row['value']}")
    if not matches:
        raise click.exceptions.Exit(1)


# -- templates ------------------------------------------------------------------------------


@cli.group()
def template() -> None:
    """Check and render placeholder templates."""


_template_file = click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)


def _read_text(path: Path) -> str:
    if str(path) == _STDIN:
        return sys.stdin.read()
    return path.read_text(encoding="utf-8")


@template.command("lint")
@_template_file
def template_lint(path: Path) -> None:
    """Report every problem in a template; exit 1 if there are errors."""
    diagnostics = lint(_read_text(path))
    for diagnostic in diagnostics:
        click.echo(f"{path}:{diagnostic}")
    if any(d.severity == "error" for d in diagnostics):
        raise click.exceptions.Exit(1)


def _customer(data: dict[str, Any]) -> Customer:
    fields = dict(data)
    fields["bank_accounts"] = [BankAccount(**b) for b in fields.get("bank_accounts", ())]
    return Customer(**fields)


def _invoice(data: dict[str, Any], customer: Customer) -> Invoice:
    fields = dict(data)
    currency = fields.get("currency", customer.currency)
    fields["lines"] = [
        LineItem(**{**line, "unit_price": Money(str(line["unit_price"]), currency)})
        for line in fields.get("lines", ())
    ]
    for name in ("issued_on", "due_on"):
        if name in fields:
            fields[name] = date.fromisoformat(fields[name])
    fields.setdefault("customer_id", customer.id)
    return Invoice(**fields)


@template.command("render")
@_template_file
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help='JSON with "customer" (Customer fields) and optionally "invoice" (Invoice fields, '
    "lines with title, quantity, unit_price, tax_rate).",
)
@click.option("--locale", help="Render in this locale instead of the customer's.")
@click.option("--html", "as_html", is_flag=True, help="Escape values for HTML.")
def template_render(path: Path, data: Path, locale: str | None, as_html: bool) -> None:
    """Render a template with the customer and invoice in a JSON file."""
    try:
        payload = json.loads(data.read_text(encoding="utf-8"))
        customer = _customer(payload["customer"])
        documents = [_invoice(payload["invoice"], customer)] if "invoice" in payload else []
        compiled = Template.compile(_read_text(path), escape="html" if as_html else "text")
        context = RenderContext(customer=customer, documents=documents, locale=locale)
        click.echo(compiled.render(context))
    except PayportalError as error:
        _reject(error)
    except (ValueError, KeyError, TypeError) as error:
        # JSON that does not describe a customer and an invoice: say what was wrong.
        raise Rejected(f"{data}: {type(error).__name__}: {error}") from None


# -- reconcile ------------------------------------------------------------------------------


_ITEM_COLUMNS = ("key", "amount", "currency", "due_on", "customer", "name", "iban", "reference")


def _is_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _load_items(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        if not _is_json(path):
            return list(csv.DictReader(io.StringIO(text)))
        rows = json.loads(text)
    except (ValueError, csv.Error) as error:  # undecodable text, broken JSON or CSV
        raise Rejected(f"{path}: {error}") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Rejected(f"{path}: expected a JSON list of objects")
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def _build_world(
    rows: list[dict[str, str]], path: Path
) -> tuple[list[CustomerAccount] | list[OpenItem], list[Customer], dict[str, str]]:
    """Open items, grouped into accounts when the file names customers; their holders; and
    the references issued for them."""
    items: dict[str | None, list[OpenItem]] = {}
    customers: dict[str, Customer] = {}
    known: dict[str, str] = {}
    # CSV rows are named by their line (after the header), JSON objects by their position.
    unit, first = ("item", 1) if _is_json(path) else ("line", 2)
    for number, row in enumerate(rows, start=first):
        where = f"{path}, {unit} {number}"
        missing = [c for c in ("key", "amount") if not (row.get(c) or "").strip()]
        if missing:
            raise Rejected(f"{where}: {', '.join(missing)} missing (columns: {_ITEM_COLUMNS})")
        try:
            currency = (row.get("currency") or "EUR").strip().upper()
            due = row.get("due_on") or ""
            item = OpenItem.simple(
                row["key"].strip(),
                Money(Decimal(row["amount"].strip()), currency),
                due=date.fromisoformat(due.strip()) if due.strip() else date.min,
            )
            owner = (row.get("customer") or "").strip() or None
            if owner is not None and owner not in customers:
                name = (row.get("name") or "").strip() or owner
                iban = (row.get("iban") or "").strip()
                customers[owner] = Customer(
                    id=owner,
                    number=owner,
                    name=name,
                    currency=currency,
                    bank_accounts=[BankAccount(iban=iban, holder=name)] if iban else (),
                )
            if reference := "".join((row.get("reference") or "").split()).upper():
                known[reference] = item.key
        except (PayportalError, ArithmeticError, ValueError) as error:
            raise Rejected(f"{where}: {error}") from None
        items.setdefault(owner, []).append(item)
    if None in items and len(items) > 1:
        raise Rejected(f"{path}: either every item names its customer or none does")
    if None in items:
        return items[None], [], known
    try:
        accounts = [
            CustomerAccount(customer_id=owner, currency=customers[owner].currency, items=found)
            for owner, found in items.items()
            if owner is not None
        ]
    except PayportalError as error:
        raise Rejected(f"{path}: {error}") from None
    return accounts, list(customers.values()), known


def _progress(total: int) -> tuple[Progress | None, Callable[[int], None] | None]:
    console = Console(file=sys.stderr)
    if total < _PROGRESS_FROM or not console.is_terminal:
        return None, None
    progress = Progress(
        TextColumn("reconciling"), BarColumn(), MofNCompleteColumn(), console=console
    )
    task = progress.add_task("reconcile", total=total)
    return progress, lambda done: progress.update(task, completed=done)


def _entry_json(entry: StatementEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "booking_date": entry.booking_date.isoformat(),
        "amount": str(entry.amount.amount),
        "currency": entry.amount.currency,
        "counterparty": entry.counterparty_name,
        "remittance_text": entry.remittance_text,
    }


def _proposal_json(proposal: ReconciliationProposal) -> dict[str, Any]:
    matches = []
    for match in proposal.matches:
        row = _entry_json(match.entry)
        row.update(
            customer=match.customer_id,
            items=list(match.items),
            top_up=match.top_up,
            references=list(match.references),
            confidence=match.confidence.name.lower(),
            reasons=[r.value for r in match.reasons],
        )
        if match.allocation is not None:
            row["allocation"] = [
                {
                    "item": line.item,
                    "component": line.component.value,
                    "amount": str(line.amount.amount),
                }
                for line in match.allocation.lines
            ]
            row["unapplied"] = str(match.allocation.unapplied.amount)
        matches.append(row)
    return {
        "matches": matches,
        "unmatched": [_entry_json(e) for e in proposal.unmatched],
        "already_booked": [e.entry_id for e in proposal.already_booked],
        "ignored": len(proposal.ignored),
    }


def _print_proposal(proposal: ReconciliationProposal, console: Console) -> None:
    table = Table(title="Proposed matches", show_lines=False)
    for column in ("Booked", "Amount", "Payer", "Items", "Allocation", "Reason", "Confidence"):
        table.add_column(column, justify="right" if column == "Amount" else "left")
    for match in proposal.matches:
        entry = match.entry
        if match.allocation is not None:
            parts = [f"{line.item} {line.amount.amount}" for line in match.allocation.lines]
            if match.allocation.unapplied:
                parts.append(f"unapplied {match.allocation.unapplied.amount}")
            allocation = ", ".join(parts)
        else:
            allocation = f"top-up {match.top_up}"
        table.add_row(
            entry.booking_date.isoformat(),
            str(entry.amount),
            entry.counterparty_name,
            ", ".join(match.items) or (match.top_up or ""),
            allocation,
            ", ".join(r.value.replace("_", " ") for r in match.reasons),
            match.confidence.name.lower(),
        )
    console.print(table)
    if proposal.unmatched:
        rest = Table(title="Unmatched credits")
        for column in ("Booked", "Amount", "Payer", "Remittance"):
            rest.add_column(column, justify="right" if column == "Amount" else "left")
        for entry in proposal.unmatched:
            rest.add_row(
                entry.booking_date.isoformat(),
                str(entry.amount),
                entry.counterparty_name,
                entry.remittance_text,
            )
        console.print(rest)
    console.print(
        f"{len(proposal.matches)} matched, {len(proposal.unmatched)} unmatched, "
        f"{len(proposal.already_booked)} already booked, {len(proposal.ignored)} debits "
        "or reversals ignored"
    )


@cli.command("reconcile")
@click.argument("statement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--items",
    "items_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Open items as CSV or JSON (.json): key, amount, and optionally currency, due_on, "
    "customer, name, iban, reference.",
)
@click.option("--scheme", "schemes", multiple=True, type=_scheme_names, help="Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
def reconcile_command(
    statement: Path, items_path: Path, schemes: tuple[str, ...], as_json: bool
) -> None:
    """Propose which open items the credits on a camt or MT940 STATEMENT pay.

    Nothing is booked; the proposal is printed as a table (or JSON with --json).
    """
    try:
        entries = [e for s in read_statement(statement) for e in s.entries]
    except PayportalError as error:
        _reject(error)
    accounts_or_items, customers, known = _build_world(_load_items(items_path), items_path)
    progress, report = _progress(len(entries))
    try:
        if progress is not None:
            progress.start()
        proposal = reconcile(
            entries,
            accounts_or_items,
            schemes=schemes or references.FIND_DEFAULT,
            known_references=known,
            customers=customers,
            progress=report,
        )
    except PayportalError as error:
        _reject(error)
    finally:
        if progress is not None:
            progress.stop()
    if as_json:
        _echo_json(_proposal_json(proposal))
    else:
        _print_proposal(proposal, _out())


# -- entry point ----------------------------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="payportal")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0  # pragma: no cover - click always exits in standalone mode
