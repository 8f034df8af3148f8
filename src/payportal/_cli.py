"""The ``payportal`` command line, built with click and rich (the ``cli`` extra).

Only this module imports click and rich; the library itself never needs them. Exit codes:
0 when the command did what was asked; 1 when it ran but found nothing (``ref find`` without a
match) or found problems (``template lint`` with errors); 2 for every error: input that was
rejected (an invalid reference, token, template, amount or statement), usage errors (unknown
commands, missing options, missing key configuration) and files that cannot be read. An error is
always one line on standard error, never a traceback.
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
from typing import TYPE_CHECKING, Any, Literal, NoReturn
from urllib.parse import urlsplit

import babel.numbers
import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from payportal import __version__, _demo, references
from payportal._money import Money, parse_locale
from payportal.accounts import CustomerAccount, OpenItem
from payportal.customers import BankAccount, Customer
from payportal.documents import Invoice, LineItem
from payportal.exceptions import (
    InvalidChecksumError,
    InvalidFormatError,
    InvalidLengthError,
    PayportalError,
    ValidationError,
)
from payportal.links import (
    LINK_PURPOSES,
    HmacKey,
    KeyRing,
    LinkClaims,
    LinkSigner,
    PortalUrls,
)
from payportal.placeholders import RenderContext, Template, lint
from payportal.portal import Action
from payportal.reconciliation import CsvLayout, read_statement, reconcile

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
    """The input was understood but is not acceptable: exit code 2, like every error."""

    exit_code = 2


def _read_stdin() -> str:
    """Standard input as UTF-8 text; anything else is refused in one line, not a traceback."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (a test harness)
        return sys.stdin.read()
    data = stream.read()
    try:
        return str(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise Rejected(
            f"standard input is not UTF-8 text (byte {error.start + 1} cannot be decoded)"
        ) from None


def _decode_error(error: UnicodeDecodeError) -> str:
    return f"a file is not UTF-8 text (byte {error.start + 1} cannot be decoded)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Commands(click.Group):
    """The top-level group: every error leaves as one line on stderr with exit status 2.

    click prints usage errors over several lines (usage, hint, error) and lets any other
    exception escape as a traceback; a command line used in scripts should do neither.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            text = _one_line(error.format_message())
            if isinstance(error, click.UsageError) and error.ctx is not None:
                message = f"{error.ctx.command_path}: {text} (see --help)"
            else:
                message = f"payportal: {text}"
            click.echo(message, err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("payportal: aborted", err=True)
            sys.exit(2)
        except OSError as error:
            click.echo(f"payportal: {_one_line(str(error))}", err=True)
            sys.exit(2)
        except UnicodeDecodeError as error:
            click.echo(f"payportal: {_decode_error(error)}", err=True)
            sys.exit(2)
        except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback
            click.echo(
                f"payportal: internal error, please report it: {type(error).__name__}: "
                f"{_one_line(str(error))}",
                err=True,
            )
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


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


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="payportal")
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


def _portal_urls(
    link: str, base_url: str | None, paths: tuple[str, ...], signer: LinkSigner
) -> PortalUrls:
    """The portal a customer's link points into: its origin (or ``base_url``) and paths."""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Rejected(f"{link!r} is not an http(s) portal link")
    templates: dict[str, str] = {}
    for given in paths:
        kind, equals, template = given.partition("=")
        if not equals:
            raise click.BadParameter(f"{given!r} is not KIND=/path/{{token}}", param_hint="--path")
        templates[kind.strip()] = template.strip()
    try:
        return PortalUrls(
            base_url or f"{parts.scheme}://{parts.netloc}", signer, paths=templates or None
        )
    except PayportalError as error:
        raise click.BadParameter(str(error), param_hint="--base-url/--path") from None


@link.command("verify", epilog=KEYS_HELP)
@click.argument("link_or_token", metavar="LINK")
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(sorted(set(LINK_PURPOSES.values()))),
    help="Accepted purpose (repeatable; default: all).",
)
@click.option("--current-version", type=click.IntRange(min=1), help="The customer's link version.")
@click.option(
    "--base-url",
    help="The portal's base URL when it has a path prefix (default: the link's origin).",
)
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="KIND=TEMPLATE",
    help="The portal's link path for customer, document or payment links, as "
    "customer=/portal/{token} (repeatable; default: payportal's paths).",
)
@_key_file
def link_verify(
    *,
    link_or_token: str,
    purposes: tuple[str, ...],
    current_version: int | None,
    base_url: str | None,
    paths: tuple[str, ...],
    key_file: Path | None,
) -> None:
    """Check the LINK a customer received (the whole URL, or only its token; - reads it from
    stdin) and print its claims as JSON."""
    if link_or_token == _STDIN:
        link_or_token = _read_stdin()
    link_or_token = link_or_token.strip()
    signer = LinkSigner(_keyring(key_file))
    accepted = purposes or sorted(set(LINK_PURPOSES.values()))
    try:
        if "://" in link_or_token:
            # The path the link was sent with decides its purpose, as in the portal itself.
            urls = _portal_urls(link_or_token, base_url, paths, signer)
            claims = urls.resolve(link_or_token, current_version=current_version)
            if claims.purpose not in accepted:
                raise Rejected(f"the link is a {claims.purpose} link, not {' or '.join(accepted)}")
        else:
            claims = signer.verify(link_or_token, purpose=accepted, current_version=current_version)
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
    """Validate a reference; print its scheme, printed and compact form.

    When it is not valid, the error says which check failed for each scheme tried: the
    checksum, the length or the characters.
    """
    tried = schemes or references.PARSE_DEFAULT
    try:
        parsed = references.parse(reference, schemes=tried)
    except PayportalError:
        raise Rejected(_why_not_a_reference(reference, tried)) from None
    click.echo(f"{parsed.scheme}\t{parsed.formatted}\t{parsed.value}")


_CHECKS: tuple[tuple[type[PayportalError], str], ...] = (
    (InvalidChecksumError, "checksum"),
    (InvalidLengthError, "length"),
    (InvalidFormatError, "characters"),
)


def _why_not_a_reference(reference: str, schemes: Sequence[str]) -> str:
    """One line naming, per scheme, the check that failed; a checksum failure first, since
    a reference that fails only its checksum was almost certainly mistyped."""
    failures: list[tuple[int, str]] = []
    for scheme in schemes:
        try:
            references.parse(reference, schemes=(scheme,))
        except PayportalError as error:
            rank, check = next(
                (
                    (rank, name)
                    for rank, (kind, name) in enumerate(_CHECKS)
                    if isinstance(error, kind)
                ),
                (len(_CHECKS), "format"),
            )
            reason = getattr(error, "reason", str(error)).rpartition(": ")[2]
            failures.append((rank, f"{scheme}: {check} check failed ({reason})"))
    best = min(rank for rank, _ in failures)
    shown = [text for rank, text in failures if rank == best]
    others = [text.partition(":")[0] for rank, text in failures if rank != best]
    if others:
        shown.append(f"not {' or '.join(others)} either (characters or format)")
    return f"{reference!r} is not a valid reference: " + "; ".join(shown)


@ref.command("find")
@click.argument("text")
@click.option("--scheme", "schemes", multiple=True, type=_scheme_names, help="Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
def ref_find(text: str, schemes: tuple[str, ...], as_json: bool) -> None:
    """Find references in remittance TEXT (- reads it from stdin); exit 1 if there is none."""
    if text == _STDIN:
        text = _read_stdin()
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
        return _read_stdin()
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise Rejected(f"{path}: {_decode_error(error).removeprefix('a file ')}") from None


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
@click.option(
    "--portal-url",
    help="The portal's base URL: sign [Client.customerportal_url] and payment links with the "
    f"keys from --key-file or ${KEYS_ENV}.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days until signed links expire.",
)
@_key_file
def template_render(
    *,
    path: Path,
    data: Path,
    locale: str | None,
    as_html: bool,
    portal_url: str | None,
    days: int,
    key_file: Path | None,
) -> None:
    """Render a template with the customer and invoice in a JSON file.

    Links into the portal ([Client.customerportal_url], [Invoice.payment_url]) need
    --portal-url and the link keys.
    """
    urls = None
    if portal_url is not None:
        try:
            urls = PortalUrls(portal_url, LinkSigner(_keyring(key_file)), ttl=timedelta(days=days))
        except PayportalError as error:
            raise click.BadParameter(str(error), param_hint="--portal-url") from None
    try:
        payload = json.loads(data.read_text(encoding="utf-8"))
        customer = _customer(payload["customer"])
        documents = [_invoice(payload["invoice"], customer)] if "invoice" in payload else []
        compiled = Template.compile(_read_text(path), escape="html" if as_html else "text")
        context = RenderContext(customer=customer, documents=documents, locale=locale, urls=urls)
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


def _csv_rows(text: str, path: Path) -> list[dict[str, str]]:
    """The rows of an items CSV, comma- or semicolon-separated (as spreadsheets in locales
    with a decimal comma write it)."""
    first = text.partition("\n")[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        if None in row:
            # An unquoted decimal comma splits "12,50" into two fields: never read it as 12.
            raise Rejected(
                f"{path}, line {reader.line_num}: more fields than the header has; quote "
                "amounts with a decimal comma (\"12,50\") or separate the columns with ';'"
            )
        rows.append(row)
    return rows


def _load_items(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        if not _is_json(path):
            return _csv_rows(text, path)
        rows = json.loads(text)
    except (ValueError, csv.Error) as error:  # undecodable text, broken JSON or CSV
        raise Rejected(f"{path}: {error}") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Rejected(f"{path}: expected a JSON list of objects")
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def _amount(text: str, locale: str | None) -> Decimal:
    """An amount as people write it: with ``locale`` by its separators (``12,50`` in de_DE),
    without one only in the plain form ``1234.50``; anything that could mean two amounts
    is refused, never guessed."""
    text = text.strip()
    if locale is not None:
        try:
            return babel.numbers.parse_decimal(text, locale=parse_locale(locale), strict=True)
        except babel.numbers.NumberFormatError:
            raise ValueError(f"amount {text!r} is not a number as {locale} writes it") from None
    if "," in text:
        raise ValueError(
            f"amount {text!r} is ambiguous: a comma may be a decimal or a thousands separator; "
            "write 1234.50, or give --locale (de_DE reads 12,50 as 12.50)"
        )
    try:
        return Decimal(text)
    except ArithmeticError:
        raise ValueError(f"amount {text!r} is not a number") from None


def _build_world(
    rows: list[dict[str, str]], path: Path, locale: str | None = None
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
                Money(_amount(row["amount"], locale), currency),
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
    debits = [
        {
            **_entry_json(debit.entry),
            "kind": debit.kind.value,
            "customer": debit.customer_id,
            "items": list(debit.items),
            "references": list(debit.references),
            "confidence": debit.confidence.name.lower(),
        }
        for debit in proposal.debits
    ]
    return {
        "matches": matches,
        "debits": debits,
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
    if proposal.debits:
        out = Table(title="Money paid out that concerns customers (not booked as payments)")
        for column in ("Booked", "Amount", "Kind", "Customer", "Items"):
            out.add_column(column, justify="right" if column == "Amount" else "left")
        for debit in proposal.debits:
            out.add_row(
                debit.entry.booking_date.isoformat(),
                str(debit.entry.amount),
                debit.kind.value.replace("_", " "),
                debit.customer_id or "",
                ", ".join(debit.items),
            )
        console.print(out)
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
@click.option(
    "--locale",
    help="Read the items' amounts as this locale writes them (de_DE: 1.234,50). Without it "
    "amounts are plain (1234.50) and an amount with a comma is refused as ambiguous.",
)
@click.option(
    "--format",
    "statement_format",
    type=click.Choice(["camt", "mt940", "csv"]),
    help="The statement's format (default: recognised from the content).",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Read statements whose balances do not add up, with a warning for each problem, "
    "instead of refusing the file.",
)
@click.option(
    "--csv-decimal",
    type=click.Choice([",", "."]),
    help="A CSV export's decimal mark (default: found from the file, refused if ambiguous).",
)
@click.option("--csv-date-format", help="A CSV export's date format, as %d.%m.%Y.")
@click.option("--csv-currency", help="A CSV export's currency when no column or header says.")
@click.option("--encoding", help="The statement's encoding (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print the proposal as JSON.")
def reconcile_command(
    *,
    statement: Path,
    items_path: Path,
    schemes: tuple[str, ...],
    locale: str | None,
    statement_format: Literal["camt", "mt940", "csv"] | None,
    lenient: bool,
    csv_decimal: Literal[",", "."] | None,
    csv_date_format: str | None,
    csv_currency: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    """Propose which open items the credits on a camt or MT940 STATEMENT pay.

    Nothing is booked; the proposal is printed as a table (or JSON with --json).
    """
    layout = None
    if csv_decimal or csv_date_format or csv_currency:
        layout = CsvLayout(
            decimal=csv_decimal,
            date_format=csv_date_format or "",
            currency=(csv_currency or "").upper(),
        )
    try:
        statements = read_statement(
            statement,
            format=statement_format,
            encoding=encoding,
            lenient=lenient,
            layout=layout,
        )
    except PayportalError as error:
        _reject(error)
    entries = [e for s in statements for e in s.entries]
    remarks = [
        f"{s.statement_id or 'statement'}: {text}" for s in statements for text in s.warnings
    ]
    remarks += [f"{s.statement_id or 'statement'}: {text}" for s in statements for text in s.notes]
    if locale is not None:
        try:
            parse_locale(locale)
        except PayportalError as error:
            raise click.BadParameter(str(error), param_hint="--locale") from None
    accounts_or_items, customers, known = _build_world(_load_items(items_path), items_path, locale)
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
        _echo_json({**_proposal_json(proposal), "remarks": remarks})
    else:
        _print_proposal(proposal, _out())
        for remark in remarks:
            click.echo(f"note: {_one_line(remark)}", err=True)


# -- entry point ----------------------------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="payportal")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0  # pragma: no cover - click always exits in standalone mode
