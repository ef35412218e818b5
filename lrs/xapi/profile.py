"""Jejak's xAPI Profile (schemas/profile/jejak.jsonld) and the check of statements that use it.

A statement that uses one of the profile's verbs must match one of that verb's Statement
Templates (determining properties, then rules; xAPI Profiles, Communication 2.1), and every
profile extension a statement carries must sit where its type says (context, result, activity
definition) and match its inline JSON Schema. Rule locations are JSONPath; the profile uses,
and this module reads, the subset `$`, `.name`, `['key']` and `[*]` (load() refuses others)."""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from jsonschema import Draft202012Validator

from lrs.errors import InvalidStatement

PROFILE_PATH = Path(str(resources.files("lrs.schemas"))) / "profile" / "jejak.jsonld"
MEDIA_TYPE = "application/ld+json"
_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['([^'\\]*)'\]|\[(\*)\]")
_PLACES = {"ContextExtension": "context.extensions", "ResultExtension": "result.extensions",
           "ActivityExtension": "an activity definition's extensions"}
_MISSING = object()


def parse_location(location: str) -> tuple[str | None, ...]:
    """JSONPath in the supported subset -> keys (None for [*]); ValueError otherwise."""
    if not location.startswith("$"):
        raise ValueError(f"location {location!r} does not start with $")
    keys: list[str | None] = []
    at = 1
    while at < len(location):
        match = _SEGMENT.match(location, at)
        if match is None:
            raise ValueError(f"location {location!r}: unsupported JSONPath at {location[at:]!r}")
        name, quoted, star = match.groups()
        keys.append(None if star else (name if name is not None else quoted))
        at = match.end()
    return tuple(keys)


def _values(document: Any, keys: Sequence[str | None]) -> list[Any]:
    found = [document]
    for key in keys:
        step: list[Any] = []
        for item in found:
            if key is None:
                step += list(item.values()) if isinstance(item, dict) else item if isinstance(item, list) else []
            elif isinstance(item, dict) and key in item:
                step.append(item[key])
        found = step
    return found


@dataclass(frozen=True)
class Rule:
    location: str
    keys: tuple[str | None, ...]
    presence: str | None
    any: tuple[Any, ...] | None
    all: tuple[Any, ...] | None
    none: tuple[Any, ...] | None

    def problem(self, statement: Mapping[str, Any]) -> str | None:
        values = _values(statement, self.keys)
        if self.presence == "included" and not values:
            return f"{self.location} is required"
        if self.presence == "excluded":
            return f"{self.location} must be absent" if values else None
        if not values:
            return None
        if self.any is not None and not any(v in self.any for v in values):
            return f"{self.location} must be one of {list(self.any)}"
        if self.all is not None and not all(v in self.all for v in values):
            return f"{self.location} must be {' or '.join(map(str, self.all))}"
        if self.none is not None and any(v in self.none for v in values):
            return f"{self.location} may not be any of {list(self.none)}"
        return None


@dataclass(frozen=True)
class Template:
    id: str
    verb: str
    object_activity_type: str | None
    rules: tuple[Rule, ...]

    def determined(self, statement: Mapping[str, Any]) -> bool:
        if self.object_activity_type is None:
            return True
        obj = statement.get("object", {})
        return bool(obj.get("objectType", "Activity") == "Activity"
                    and obj.get("definition", {}).get("type") == self.object_activity_type)


@dataclass(frozen=True)
class Extension:
    id: str
    type: str
    validator: Draft202012Validator

    def problem(self, value: Any) -> str | None:
        error = next(self.validator.iter_errors(value), None)
        return None if error is None else error.message


@dataclass(frozen=True)
class Profile:
    document: Mapping[str, Any]
    templates: Mapping[str, tuple[Template, ...]]  # by verb
    extensions: Mapping[str, Extension]
    _scalar_problem: Callable[[str, type, Any], str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The same codes and JP values come again and again: remember what a scalar was worth.
        def scalar_problem(iri: str, kind: type, value: Any) -> str | None:
            return self.extensions[iri].problem(value)
        object.__setattr__(self, "_scalar_problem", functools.lru_cache(maxsize=4096)(scalar_problem))

    def check(self, statement: Mapping[str, Any]) -> None:
        """Raise InvalidStatement when the statement misuses a concept of the profile."""
        for place, extensions in _extension_maps(statement):
            for iri, value in extensions.items():
                concept = self.extensions.get(iri)
                if concept is None:
                    continue
                if _PLACES[concept.type] != place:
                    raise InvalidStatement(f"extension {iri} is a {concept.type} of the Jejak profile: "
                                           f"it belongs in {_PLACES[concept.type]}, not {place}")
                problem = (self._scalar_problem(iri, type(value), value) if isinstance(value, (str, int, float))
                           else concept.problem(value))
                if problem is not None:
                    raise InvalidStatement(f"extension {iri}: {problem} (Jejak profile)")
        verb = statement.get("verb", {}).get("id")
        candidates = self.templates.get(verb, ())
        if not candidates:
            return
        problems = []
        for template in candidates:
            if not template.determined(statement):
                problems.append(f"template {template.id}: object must be an Activity of type "
                                f"{template.object_activity_type}")
                continue
            problem = next((p for rule in template.rules if (p := rule.problem(statement))), None)
            if problem is None:
                return
            problems.append(f"template {template.id}: {problem}")
        raise InvalidStatement(f"verb {verb} of the Jejak profile: " + "; ".join(problems))


def _extension_maps(statement: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for part, place in (("context", "context.extensions"), ("result", "result.extensions")):
        extensions = statement.get(part, {}).get("extensions")
        if isinstance(extensions, dict):
            yield place, extensions
    activities = [statement.get("object", {})]
    for group in statement.get("context", {}).get("contextActivities", {}).values():
        activities += group if isinstance(group, list) else [group]
    for activity in activities:
        extensions = activity.get("definition", {}).get("extensions") if isinstance(activity, dict) else None
        if isinstance(extensions, dict):
            yield _PLACES["ActivityExtension"], extensions
    inner = statement.get("object", {})
    if inner.get("objectType") == "SubStatement":
        yield from _extension_maps(inner)


def _rule(raw: Mapping[str, Any]) -> Rule:
    if "selector" in raw:
        raise ValueError(f"rule at {raw['location']}: selectors are not supported")
    def listed(name: str) -> tuple[Any, ...] | None:
        return tuple(raw[name]) if name in raw else None
    return Rule(raw["location"], parse_location(raw["location"]), raw.get("presence"),
                listed("any"), listed("all"), listed("none"))


def build(document: Mapping[str, Any]) -> Profile:
    """Index a profile document: templates by verb, extensions with compiled inline schemas."""
    templates: dict[str, list[Template]] = {}
    for raw in document.get("templates", []):
        template = Template(raw["id"], raw["verb"], raw.get("objectActivityType"),
                            tuple(_rule(r) for r in raw.get("rules", [])))
        templates.setdefault(template.verb, []).append(template)
    extensions = {
        c["id"]: Extension(c["id"], c["type"], Draft202012Validator(json.loads(c.get("inlineSchema", "{}"))))
        for c in document.get("concepts", []) if c["type"] in _PLACES
    }
    return Profile(document, {v: tuple(t) for v, t in templates.items()}, extensions)


@functools.cache
def load() -> Profile:
    """The profile shipped in schemas/profile/, read and indexed on first use."""
    return build(json.loads(PROFILE_PATH.read_text(encoding="utf-8")))
