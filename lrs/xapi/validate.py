"""Validate xAPI 1.0.3 and 2.0 statements (and agent parameters) against the schemas and rules; raise InvalidStatement."""

from __future__ import annotations

import functools
import heapq
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, relevance

from lrs.errors import InvalidStatement
from lrs.xapi import durations, json_limits, profile, rules
from lrs.xapi.versions import V1, V2

SCHEMA_DIR = Path(str(resources.files("lrs.schemas"))) / "xapi"
STATEMENT_SCHEMA = "statement.schema.json"
# The schema each version's statements are checked against; statement-2.0 starts from statement.schema.json.
SCHEMAS = {V1: STATEMENT_SCHEMA, V2: "statement-2.0.schema.json"}
_REFERENCES = frozenset({"$ref", "$dynamicRef", "$dynamicAnchor"})

Check = Callable[[Any], bool]

_JSON_TYPES = {
    "object": "an object", "array": "an array", "string": "a string", "number": "a number",
    "integer": "an integer", "boolean": "a boolean", "null": "null",
}
# Keywords whose message benefits from echoing the offending value.
_ECHO_VALUE = frozenset({"type", "const", "enum", "pattern", "format", "minimum", "maximum", "minLength"})


def validate_statement(statement: object, version: str = V1) -> None:
    """Raise InvalidStatement unless `statement` is a valid statement of xAPI `version` (V1 or V2) as a client may send it."""
    json_limits.check_strings(statement, "statement")  # first: later messages may quote strings
    compiled = _compiled("statement", version)
    if not compiled.check(statement):
        hint = ""
        if version == V1 and _compiled("statement", V2).check(statement):
            hint = "; the statement is valid xAPI 2.0, which a request asks for with X-Experience-API-Version: 2.0.0"
        compiled.raise_first_error(statement, "statement", hint)
    assert isinstance(statement, Mapping)
    rules.check_statement(statement, "statement")
    profile.load().check(statement)


def validate_agent(obj: object, where: str) -> None:
    """Raise InvalidStatement unless `obj` is an Agent or an identified Group; `where` names it in messages."""
    json_limits.check_strings(obj, where)
    compiled = _compiled("identifiedActor")
    if not compiled.check(obj):
        compiled.raise_first_error(obj, where)


@functools.cache
def load_schema(name: str = STATEMENT_SCHEMA) -> dict[str, Any]:
    """A schema of schemas/xapi/ (the 1.0.3 statement schema by default), read once and shared (do not mutate it)."""
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@dataclass(frozen=True)
class _Compiled:
    """One entry point of the schema: a fast yes/no check, and jsonschema to explain a "no"."""

    check: Check
    validator: Draft202012Validator

    def raise_first_error(self, instance: object, root: str, hint: str = "") -> None:
        """Raise the most relevant error, `hint` appended; should jsonschema see none (a bug), the instance is let through."""
        error = _first_error(self.validator.iter_errors(instance))
        if error is not None:
            raise InvalidStatement(_describe(error, root) + hint)


@functools.cache
def _compiled(definition: str, version: str = V1) -> _Compiled:
    """Compile the $defs entry `definition` as `version` sees it, references inlined so nothing is resolved while validating."""
    root_file = SCHEMAS[version]
    root = {"$schema": load_schema(root_file)["$schema"], **_Inliner(root_file).definition(definition)}
    checker = FormatChecker(formats=())  # only the formats implemented here are asserted
    checker.checks("date-time")(rules.is_timestamp)
    checker.checks("duration")(durations.is_duration)
    return _Compiled(_Compiler(checker).compile(root), Draft202012Validator(root, format_checker=checker))


class _Inliner:
    """Replace every reference of the schemas in SCHEMA_DIR by the (shared) definition it names, as seen from the
    schema file `root`; the schemas have no cycles.

    The forms our schemas use are supported, and any other is refused at load time: "$ref" to "#/$defs/name" or
    "file.json#/$defs/name" (a file of SCHEMA_DIR), and "$dynamicRef" to "#anchor". JSON Schema 2020-12 (Core 8.2.3.2)
    resolves a dynamic reference to the outermost schema resource in the dynamic scope that has a $dynamicAnchor of
    that name; our scopes hold at most `root` and the file it starts from, so that is `root` when it has the anchor
    and otherwise the referring file. This is how statement-2.0.schema.json replaces the 1.0.3 context and version.
    """

    def __init__(self, root: str) -> None:
        self._root = root
        self._done: dict[tuple[str, str], Any] = {}

    def definition(self, name: str) -> Any:
        """The $defs entry `name` of `root`, or else of statement.schema.json, with its references inlined."""
        file = self._root if name in load_schema(self._root)["$defs"] else STATEMENT_SCHEMA
        return self._resolve((file, name), ())

    def _resolve(self, key: tuple[str, str], stack: tuple[tuple[str, str], ...]) -> Any:
        if key in stack:
            raise ValueError(f"schema $defs cycle: {' -> '.join('#'.join(k) for k in (*stack, key))}")
        if key not in self._done:
            file, name = key
            self._done[key] = self._walk(load_schema(file)["$defs"][name], file, (*stack, key))
        return self._done[key]

    def _walk(self, node: Any, file: str, stack: tuple[tuple[str, str], ...]) -> Any:
        if isinstance(node, list):
            return [self._walk(item, file, stack) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: self._walk(value, file, stack) for key, value in node.items() if key not in _REFERENCES}
        target = self._target(node, file)
        if target is None:
            return out
        resolved = self._resolve(target, stack)
        if not out or set(out) <= {"description", "$comment"}:
            return resolved
        out["allOf"] = [resolved, *out.get("allOf", ())]
        return out

    def _target(self, node: Mapping[str, Any], file: str) -> tuple[str, str] | None:
        """The (file, $defs name) a node's $ref or $dynamicRef points to; None when it has neither."""
        if "$ref" in node:
            where, _, pointer = str(node["$ref"]).partition("#")
            name = pointer.removeprefix("/$defs/")
            if name == pointer or "/" in name or "/" in where:
                raise ValueError(f"unsupported $ref {node['$ref']!r} in {file}")
            return where or file, name
        if "$dynamicRef" in node:
            anchor = str(node["$dynamicRef"]).removeprefix("#")
            for candidate in (self._root, file):
                for name, definition in load_schema(candidate)["$defs"].items():
                    if definition.get("$dynamicAnchor") == anchor:
                        return candidate, name
            raise ValueError(f"no $dynamicAnchor {anchor!r} for the $dynamicRef in {file}")
        return None


class _Compiler:
    """Compile the subset of JSON Schema 2020-12 the statement schema uses into nested closures.

    jsonschema needs ~0.5 ms per statement; these closures answer "valid or not" about ten times faster,
    and jsonschema is only run to explain a statement they refuse. The test suite checks both agree.
    """

    _ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "errorMessage", "then", "else"})
    _TYPES: dict[str, Check] = {
        "object": lambda x: isinstance(x, dict),
        "array": lambda x: isinstance(x, list),
        "string": lambda x: isinstance(x, str),
        "boolean": lambda x: isinstance(x, bool),
        "null": lambda x: x is None,
        "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
        "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
        or (isinstance(x, float) and x.is_integer()),
    }

    def __init__(self, format_checker: FormatChecker) -> None:
        self._formats = format_checker
        self._done: dict[int, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema is False:
            return _always if schema else _never
        known = self._done.get(id(schema))
        if known is None:
            checks = [self._keyword(key, value, schema) for key, value in schema.items() if key not in self._ANNOTATIONS]
            known = self._done[id(schema)] = _all_of(checks)
        return known

    def _keyword(self, key: str, value: Any, schema: Mapping[str, Any]) -> Check:  # noqa: C901 (a flat dispatch)
        if key == "type":
            return _any_of([self._TYPES[name] for name in ([value] if isinstance(value, str) else value)])
        if key == "properties":
            props = {name: self.compile(sub) for name, sub in value.items()}

            def properties(x: Any) -> bool:
                if isinstance(x, dict):  # by the object's keys: most objects use few of the schema's
                    for name, child in x.items():
                        check = props.get(name)
                        if check is not None and not check(child):
                            return False
                return True

            return properties
        if key == "required":
            needed = frozenset(value)  # a set test on the keys runs in C; most objects have them all
            return lambda x: not isinstance(x, dict) or x.keys() >= needed
        if key == "additionalProperties":
            allowed = frozenset(schema.get("properties", ()))
            if value is False:
                return lambda x: not isinstance(x, dict) or x.keys() <= allowed
            other = self.compile(value)
            return lambda x: not isinstance(x, dict) or all(other(v) for k, v in x.items() if k not in allowed)
        if key == "propertyNames":
            names = self.compile(value)
            return lambda x: not isinstance(x, dict) or all(names(k) for k in x)
        if key == "items":
            item = self.compile(value)

            def items(x: Any) -> bool:
                if isinstance(x, list):
                    for element in x:
                        if not item(element):
                            return False
                return True

            return items
        if key in ("const", "enum"):
            options = frozenset([value] if key == "const" else value)
            if not all(isinstance(option, str) for option in options):
                raise ValueError(f"only string {key} values are supported: {value!r}")
            return lambda x: isinstance(x, str) and x in options
        if key == "pattern":
            search = re.compile(value).search
            return lambda x: not isinstance(x, str) or search(x) is not None
        if key == "format":
            conforms, name = self._formats.conforms, value
            return lambda x: conforms(x, name)
        if key in ("minimum", "maximum"):
            is_number, at_most = self._TYPES["number"], key == "maximum"
            return lambda x: not is_number(x) or (x <= value if at_most else x >= value)
        if key == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= value
        if key in ("minItems", "maxItems"):
            at_most = key == "maxItems"
            return lambda x: not isinstance(x, list) or (len(x) <= value if at_most else len(x) >= value)
        if key == "dependentRequired":
            pairs = [(name, tuple(needed)) for name, needed in value.items()]
            return lambda x: not isinstance(x, dict) or all(d in x for n, ds in pairs if n in x for d in ds)
        if key == "allOf":
            return _all_of([self.compile(sub) for sub in value])
        if key == "anyOf":
            return _any_of([self.compile(sub) for sub in value])
        if key == "oneOf":
            subs = [self.compile(sub) for sub in value]

            def one_of(x: Any) -> bool:
                matched = False
                for check in subs:
                    if check(x):
                        if matched:
                            return False
                        matched = True
                return matched

            return one_of
        if key == "not":
            negated = self.compile(value)
            return lambda x: not negated(x)
        if key == "if":
            cond, then, other = (self.compile(s) for s in (value, schema.get("then", True), schema.get("else", True)))
            return lambda x: then(x) if cond(x) else other(x)
        raise ValueError(f"schema keyword {key!r} is not supported by the fast validator")


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def all_of(x: Any) -> bool:
        for check in checks:
            if not check(x):
                return False
        return True

    return all_of


def _any_of(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def any_of(x: Any) -> bool:
        for check in checks:
            if check(x):
                return True
        return False

    return any_of


def _always(_: object) -> bool:
    return True


def _never(_: object) -> bool:
    return False


def _first_error(errors: Iterable[ValidationError]) -> ValidationError | None:
    """jsonschema's best_match, except that it stops descending at errors the schema words itself."""
    best = max(errors, key=relevance, default=None)
    while best is not None and best.context and _custom_rule(best) is None:
        smallest = heapq.nsmallest(2, best.context, key=relevance)
        if len(smallest) == 2 and relevance(smallest[0]) == relevance(smallest[1]):
            break
        best = smallest[0]
    return best


def _custom_rule(error: ValidationError) -> str | None:
    schema = error.schema
    if not isinstance(schema, Mapping):
        return None
    messages = schema.get("errorMessage")
    rule = messages.get(error.validator) if isinstance(messages, Mapping) else None
    return rule if isinstance(rule, str) else None


def _describe(error: ValidationError, root: str) -> str:
    """Turn a jsonschema error into a sentence naming the JSON path and the rule broken."""
    path = list(error.absolute_path)
    where = rules.render_path(root, path)
    keyword = str(error.validator)
    expected: Any = error.validator_value
    value = error.instance
    rule = _custom_rule(error)
    if "propertyNames" in list(error.absolute_schema_path)[-3:]:
        return f"{where} has an invalid key {_show(value)}: {rule or 'this key is not allowed'}"
    if rule is None and isinstance(value, Mapping):
        if keyword == "required":
            missing = next((key for key in expected if key not in value), "?")
            return f"{rules.render_path(root, [*path, missing])} is required"
        if keyword == "additionalProperties" and isinstance(error.schema, Mapping):
            return _unknown_property(error.schema, value, path, root)
    if value is None:
        return f"{where} must not be null"
    if rule is None:
        rule = _default_rule(keyword, expected, value)
    elif "{ifis}" in rule:
        rule = rule.replace("{ifis}", _ifis_found(value))
    if rule is None:
        return f"{where} is invalid: {error.message}"
    suffix = f"; got {_show(value)}" if keyword in _ECHO_VALUE else ""
    return f"{where} {rule}{suffix}"


def _default_rule(keyword: str, expected: Any, value: Any) -> str | None:
    if keyword == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        return "must be " + " or ".join(_JSON_TYPES.get(name, name) for name in names)
    if keyword == "const":
        return f"must be {_show(expected)}"
    if keyword == "enum":
        return "must be one of " + ", ".join(_show(option) for option in expected)
    if keyword == "minimum":
        return f"must be greater than or equal to {expected}"
    if keyword == "maximum":
        return f"must be less than or equal to {expected}"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters long"
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return f"must contain {bound} {expected} item{'' if expected == 1 else 's'}"
    if keyword == "pattern":
        return "is not in the required format"
    if keyword == "dependentRequired" and isinstance(value, Mapping):
        present = next((key for key, needed in expected.items() if key in value and set(needed) - set(value)), "")
        return f"must also have {', '.join(expected.get(present, ()))} because it has {present}"
    return None


def _unknown_property(schema: Mapping[str, Any], value: Mapping[str, Any], path: list[str | int], root: str) -> str:
    allowed = list(schema.get("properties", {}))
    extras = [key for key in value if key not in allowed]
    extra = extras[0] if extras else "?"
    message = rules.render_path(root, [*path, extra]) + " is not allowed"
    twin = next((name for name in allowed if name.lower() == extra.lower()), None)
    if twin is not None:
        return f"{message} (property names are case-sensitive: did you mean {twin!r}?)"
    if allowed:
        return f"{message} (allowed here: {', '.join(allowed)})"
    return message


def _ifis_found(value: Any) -> str:
    found = [key for key in rules.IFIS if isinstance(value, Mapping) and key in value]
    return f"found {len(found)}: {', '.join(found)}" if found else "none was given"


def _show(value: Any) -> str:
    """A short JSON rendering of an offending value."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= 80:
        return text
    return text[:76] + ('..."' if isinstance(value, str) else "...")
