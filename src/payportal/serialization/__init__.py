"""The stored form of payportal's models: JSON data with a schema version, and back.

One converter (on cattrs) knows the form of every public model; the models themselves do
not serialise. :func:`dump` gives JSON-compatible data, :func:`dumps` compact JSON text;
:func:`load` and :func:`loads` read them back, upgrading data of an older schema version,
and raise :class:`~payportal.exceptions.ValidationError` naming the path of anything that
is wrong. Money is a decimal string plus its currency, never a float.

>>> from payportal import Money
>>> dumps(Money("12.30", "EUR"))
'{"schema_version":2,"type":"Money","data":{"amount":"12.30","currency":"EUR"}}'
>>> loads(dumps(Money("12.30", "EUR")), Money)
Money('12.30', 'EUR')

See the guide page ``docs/guide/serialization.md`` for the format of each model.
"""

from payportal.serialization._codec import dump, dumps, load, loads
from payportal.serialization._upgrades import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "dump", "dumps", "load", "loads"]
