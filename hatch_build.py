"""payportal's gettext catalogs: extracted, updated and compiled with babel.

Used two ways:

* as hatchling's build hook (``[tool.hatch.build.targets.wheel.hooks.custom]`` in
  pyproject.toml): a wheel gets each ``src/payportal/i18n/locale/*/LC_MESSAGES/payportal.po``
  compiled to ``payportal.mo`` beside it; an editable install writes the ``.mo`` files into
  the source tree, where they are ignored by git.
* as a script, by whoever changes a text: ``python hatch_build.py extract`` rewrites the
  template ``payportal.pot`` from the source, ``update`` merges it into each language's
  ``.po`` (new texts arrive untranslated, changed ones fuzzy), ``compile`` writes the
  ``.mo`` files of a source checkout. ``tests/i18n`` fails on a ``.pot`` that is out of date
  with the source and on any untranslated or fuzzy entry.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # imported by the tests or run as a script: no build running
    BuildHookInterface = object  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "src" / "payportal"
LOCALES = SOURCE / "i18n" / "locale"
DOMAIN = "payportal"
POT = LOCALES / f"{DOMAIN}.pot"
MAPPING = ROOT / "babel.cfg"
# N_(msgid) and NC_(context, msgid): payportal.i18n's markers; nothing else is a text.
KEYWORDS: dict[str, Any] = {"N_": None, "NC_": ((1, "c"), 2)}
COMMENT_TAGS = ("Translators:",)
HEADER = {
    "project": "payportal",
    "copyright_holder": "The payportal developers",
    "msgid_bugs_address": "",
}


def extract() -> Catalog:
    """The template catalog as the source marks its texts today (no dates in it)."""
    try:
        from babel.messages.frontend import parse_mapping_cfg as parse  # noqa: PLC0415
    except ImportError:  # babel before 2.15 names it parse_mapping
        from babel.messages.frontend import parse_mapping as parse  # noqa: PLC0415
    with MAPPING.open(encoding="utf-8") as file:
        method_map, options_map = parse(file)
    catalog = Catalog(**HEADER, fuzzy=False)
    found = extract_from_dir(
        str(SOURCE),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        path = (SOURCE / filename).relative_to(ROOT).as_posix()
        catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def _write_po(catalog: Catalog, path: Path, *, template: bool) -> None:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=0,  # no wrapping: one line per msgid line, readable diffs
        sort_by_file=True,
        omit_header=False,
        ignore_obsolete=True,
        include_previous=False,
        include_lineno=False,  # references by file only: a moved line is no change
    )
    text = buffer.getvalue()
    if template:
        # The template carries no date: extracting again is no change unless a text changed.
        text = _without_date(text)
    elif path.is_file() and _without_date(path.read_bytes()) == _without_date(text):
        return  # only the date babel stamps on every update would change
    path.write_bytes(text)


def _without_date(text: bytes) -> bytes:
    return b"\n".join(
        line for line in text.split(b"\n") if not line.startswith(b'"POT-Creation-Date:')
    )


def po_files() -> list[Path]:
    """Each language's ``payportal.po``, sorted by language."""
    return sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    """A ``.po`` or ``.pot`` file as a catalog."""
    locale = None if path.suffix == ".pot" else path.parent.parent.name
    with path.open("rb") as file:
        return read_po(file, locale=locale, domain=DOMAIN)


def update() -> None:
    """Write the template and merge it into every language's catalog."""
    template = extract()
    _write_po(template, POT, template=True)
    for path in po_files():
        catalog = read(path)
        catalog.update(template, update_header_comment=False)
        _write_po(catalog, path, template=False)


def compile_mo(path: Path) -> bytes:
    """The ``.mo`` bytes of one ``.po`` file (fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, read(path), use_fuzzy=False)
    return buffer.getvalue()


def compile_all(into: Path | None = None) -> dict[Path, str]:
    """Compile every ``.po``; write beside it, or under ``into`` (keeping the layout).

    Returns:
        The written file -> its path inside the wheel (``payportal/i18n/locale/...``).
    """
    written: dict[Path, str] = {}
    for path in po_files():
        inside = path.with_suffix(".mo").relative_to(SOURCE.parent)
        target = path.with_suffix(".mo") if into is None else into / inside
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compile_mo(path))
        written[target] = inside.as_posix()
    return written


class CatalogsHook(BuildHookInterface):  # type: ignore[misc,type-arg]
    """Compiles the catalogs into every wheel (and into the tree for editable installs)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            compile_all()  # the package is imported from src/: the .mo files go there
            return
        self._folder = tempfile.TemporaryDirectory(prefix="payportal-mo-")
        for written, inside in compile_all(Path(self._folder.name)).items():
            build_data["force_include"][str(written)] = inside

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder is not None:
            folder.cleanup()


def main(argv: list[str]) -> int:
    """``python hatch_build.py extract|update|compile``."""
    commands = {
        "extract": lambda: _write_po(extract(), POT, template=True),
        "update": update,
        "compile": compile_all,
    }
    if len(argv) != 1 or argv[0] not in commands:
        sys.stderr.write(f"usage: python hatch_build.py {'|'.join(commands)}\n")
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
