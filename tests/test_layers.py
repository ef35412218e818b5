"""The folders are the layers: every import of lrs/ and projections/ points down this list, and
two folders of one layer never import each other (docs/architecture.md, "Layers"). The store
sits above the folds and the rules, so nothing there can reach a database."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Top to bottom. Folders on one line are one layer: neither may import the other.
LAYERS: list[tuple[str, ...]] = [
    ("lrs.cli",),
    ("lrs.server", "lrs.worker"),  # lrs.worker: the gunicorn worker class, named by a string
    ("lrs.app",),
    ("lrs.web", "lrs.reports_api", "lrs.ops"),  # lrs.web: the people's pages; lrs.ops: probes
    ("lrs.api",),
    ("lrs.write", "lrs.read"),
    ("projections.runner", "projections.projector", "projections.replays", "projections.log_reader",
     "projections.figures", "projections.loading", "projections.rollups", "projections.claim_figures",
     "projections.snapshots"),
    ("lrs.store",),  # above the folds and rules, so that they stay pure: no SQL, no I/O
    ("projections.folds",),
    ("projections.rules",),
    ("lrs.xapi",),
    ("lrs.events", "lrs.errors", "lrs.vocabulary", "lrs.config"),
]
# Machinery modules share one room: the runner is read by the projector and the replays.
ROOMS = {"projections.runner": "machinery", "projections.projector": "machinery",
         "projections.replays": "machinery", "projections.log_reader": "machinery",
         "projections.figures": "machinery", "projections.loading": "machinery",
         "projections.rollups": "machinery", "projections.claim_figures": "machinery",
         "projections.snapshots": "machinery"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _folder(module: str) -> str | None:
    """The layer folder a module belongs to: the longest LAYERS entry it is or lies under."""
    names = [name for layer in LAYERS for name in layer if module == name or module.startswith(name + ".")]
    return max(names, key=len) if names else None


def _layer(folder: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if folder in layer)


def _imports(path: Path) -> list[tuple[int, str]]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in ("lrs", "projections")]


SOURCES = sorted(p for top in ("lrs", "projections") for p in (ROOT / top).rglob("*.py")
                 if "migrations" not in p.parts)


def test_every_module_has_a_layer() -> None:
    homeless = [str(p.relative_to(ROOT)) for p in SOURCES
                if _folder(_module_name(p)) is None and p.name != "__init__.py"]
    assert homeless == [], "add these to LAYERS in tests/test_layers.py and docs/architecture.md"


def _violations(module: str, imports: list[tuple[int, str]]) -> list[str]:
    source = _folder(module)
    if source is None:
        return []  # a package's own __init__ above the layers (lrs/, projections/)
    wrong = []
    for line, name in imports:
        target = _folder(name)
        if target is None:
            continue
        same_room = target == source or ROOMS.get(target, target) == ROOMS.get(source, source)
        if not same_room and _layer(target) <= _layer(source):
            wrong.append(f"line {line}: {name} ({target}) is not below {source}")
    return wrong


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    assert _violations(_module_name(path), _imports(path)) == []


def test_an_import_up_or_across_is_caught() -> None:
    assert _violations("projections.rules.jp", [(3, "lrs.store.read_models.load")]) == [
        "line 3: lrs.store.read_models.load (lrs.store) is not below projections.rules"]
    assert _violations("lrs.write.statements", [(5, "lrs.read.jp.total")]) != []
    assert _violations("lrs.read.jp", [(1, "projections.rules.jp.total"), (2, "lrs.read.facts.load")]) == []
