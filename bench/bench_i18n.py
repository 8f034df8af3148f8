"""Loading the gettext catalogs, and looking texts up, against the standard library.

Question: payportal ships compiled ``.mo`` catalogs (built by hatch_build.py) instead of
reading the ``.po`` sources at import. What does each way cost per catalog, and what does a
label lookup through :class:`payportal.i18n.Translations` (merchant overrides, then the
catalogs of ``de_AT``, ``de``, ``en``) cost next to a bare ``gettext`` lookup?

Anchors, measured in the same run on the same files:

* loading: babel's ``read_po`` of the ``.po`` file (the runtime alternative), and the
  standard library's ``gettext.GNUTranslations`` reading the ``.mo`` file;
* lookup: ``GNUTranslations.pgettext`` of the same context and msgid on the German ``.mo``.

Timing: the least CPU time (``time.process_time``) of several runs, garbage collector off.
Needs the ``.mo`` files: an editable install or ``python hatch_build.py compile`` makes them.

Run with ``python bench/bench_i18n.py``.
"""

from __future__ import annotations

import gc
import gettext
import sys
import time
from importlib import resources
from typing import TYPE_CHECKING

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from payportal.documents import PaymentState
from payportal.i18n import Translations, translator_for

if TYPE_CHECKING:
    from collections.abc import Callable

REPEAT = 7


def best(run: Callable[[], object], times: int = 1) -> float:
    """The least CPU seconds of ``REPEAT`` runs of ``times`` calls."""
    results = []
    for _ in range(REPEAT):
        gc.disable()
        start = time.process_time()
        for _ in range(times):
            run()
        results.append(time.process_time() - start)
        gc.enable()
    return min(results)


def main() -> int:
    folder = resources.files("payportal.i18n").joinpath("locale")
    print("catalog  read_po (.po)  read_mo (.mo, payportal)  GNUTranslations (.mo)  po/mo")
    for language in ("de", "en", "fr"):
        messages = folder.joinpath(language, "LC_MESSAGES")
        po, mo = messages.joinpath("payportal.po"), messages.joinpath("payportal.mo")
        if not mo.is_file():
            print("no .mo files: run `python hatch_build.py compile` first", file=sys.stderr)
            return 1

        def load_po(po: resources.abc.Traversable = po) -> object:
            with po.open("rb") as file:
                return read_po(file)

        def load_mo(mo: resources.abc.Traversable = mo) -> object:
            with mo.open("rb") as file:
                return read_mo(file)

        def load_stdlib(mo: resources.abc.Traversable = mo) -> object:
            with mo.open("rb") as file:
                return gettext.GNUTranslations(file)  # type: ignore[arg-type]

        po_s, mo_s, std_s = (best(f, 20) / 20 for f in (load_po, load_mo, load_stdlib))
        print(
            f"{language:<8} {po_s * 1e3:10.2f} ms {mo_s * 1e3:20.2f} ms "
            f"{std_s * 1e3:19.2f} ms {po_s / mo_s:9.1f}x"
        )

    calls = 100_000
    german = translator_for("de_AT")
    label = Translations.label_text(PaymentState.PARTIALLY_PAID)
    assert label is not None
    assert label.context is not None
    with folder.joinpath("de", "LC_MESSAGES", "payportal.mo").open("rb") as file:
        stdlib = gettext.GNUTranslations(file)  # type: ignore[arg-type]
    assert stdlib.pgettext(label.context, label.msgid) == german.label(PaymentState.PARTIALLY_PAID)
    ours = best(lambda: german.label(PaymentState.PARTIALLY_PAID), calls) / calls
    anchor = best(lambda: stdlib.pgettext(label.context, label.msgid), calls) / calls
    cached = best(lambda: translator_for("de_AT"), calls) / calls
    print(f"\nlabel lookup (de_AT -> de -> en): {ours * 1e9:7.0f} ns per call")
    print(f"stdlib pgettext (de .mo), anchor:  {anchor * 1e9:7.0f} ns per call")
    print(f"ratio ours / anchor: {ours / anchor:.2f}")
    print(f"translator_for('de_AT') (cached): {cached * 1e9:7.0f} ns per call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
