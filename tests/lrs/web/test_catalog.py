"""The message catalogs: every message the pages use is in both, Indonesian is complete, and
the committed .mo files are the compiled .po files (README, "Web app")."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[3] / "lrs" / "web"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(WEB / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _used() -> set[str]:
    keywords = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), METHODS, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_catalog_holds_exactly_the_messages_used(lang: str) -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(lang) if m.id}
    used = _used()
    assert used - ids == set(), "messages missing from the catalog: run the update in README, Web app"
    assert ids - used == set(), "messages no page uses any more"


def test_indonesian_translates_every_message() -> None:
    untranslated = [m.id for m in _catalog("id") if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                              and not all(m.string)))]
    assert untranslated == []
    assert not any(m.fuzzy for m in _catalog("id") if m.id)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_committed_mo_is_the_compiled_po(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(lang))
    assert (WEB / "translations" / lang / "LC_MESSAGES" / "messages.mo").read_bytes() == compiled.getvalue()
