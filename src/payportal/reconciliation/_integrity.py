"""The checks every imported statement passes: its balances add up, its currencies agree.

A statement whose opening balance plus its credits minus its debits is not its closing
balance is either misread or incomplete (a truncated file, a page missing); either way,
booking from it would book the wrong money. :func:`settle` refuses such a statement with a
:class:`~payportal.exceptions.StatementFormatError`, or, when the caller asked for
``lenient=True``, returns it with one warning per problem.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from payportal.exceptions import StatementFormatError
from payportal.reconciliation._entry import Direction

if TYPE_CHECKING:
    from collections.abc import Iterable

    from payportal.reconciliation._entry import Statement

__all__ = ["balance_problems", "settle"]


def balance_problems(statement: Statement) -> list[str]:
    """What does not add up in ``statement``: one sentence per problem, empty when it does.

    Checks that every entry and both balances are in one currency, and that opening balance
    + Σ credits − Σ debits = closing balance. A statement without an opening or a closing
    balance has nothing to check against; its reader decides whether that is a problem.
    """
    problems: list[str] = []
    opening, closing = statement.opening_balance, statement.closing_balance
    currencies = {entry.amount.currency for entry in statement.entries}
    for balance in (opening, closing):
        if balance is not None:
            currencies.add(balance.currency)
    if statement.currency:
        currencies.add(statement.currency)
    if len(currencies) > 1:
        problems.append(f"mixes currencies {', '.join(sorted(currencies))} in one statement")
        return problems
    if opening is None or closing is None:
        return problems
    credited = sum(
        (e.amount.amount for e in statement.entries if e.direction is Direction.CREDIT),
        start=Decimal(0),
    )
    debited = sum(
        (e.amount.amount for e in statement.entries if e.direction is Direction.DEBIT),
        start=Decimal(0),
    )
    expected = opening.amount + credited - debited
    if expected != closing.amount:
        problems.append(
            f"does not add up: opening balance {opening.amount} + credits {credited} "
            f"- debits {debited} = {expected} {opening.currency}, but the closing balance "
            f"is {closing.amount} {closing.currency} (difference {closing.amount - expected})"
        )
    return problems


def settle(
    statement: Statement,
    problems: Iterable[str],
    *,
    source: str,
    location: str,
    lenient: bool,
) -> Statement:
    """Return ``statement`` if it has no problems, refuse it, or attach the problems.

    Args:
        statement: the statement as read.
        problems: the reader's own problems with it (a missing closing balance, mixed
            encodings); :func:`balance_problems` is added here.
        source: the file label for the error.
        location: where the statement is (its first line, its XPath).
        lenient: return the statement with :attr:`~Statement.warnings` instead of refusing.

    Raises:
        StatementFormatError: there is a problem and ``lenient`` is false; the message names
            the statement and every problem.
    """
    found = [*problems, *balance_problems(statement)]
    if not found:
        return statement
    name = f"statement {statement.statement_id!r}" if statement.statement_id else "the statement"
    if not lenient:
        raise StatementFormatError(
            f"{name} {'; and '.join(found)} (pass lenient=True to import it with warnings)",
            source=source,
            location=location,
        )
    return attrs.evolve(statement, warnings=(*statement.warnings, *found))
