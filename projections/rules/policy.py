"""Policy as versioned data: load and validate documents, merge an instansi overlay over the
national policy, and pick the policy in force on a date (`policy_in_force`)."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

import jsonschema

from lrs.errors import InvalidPolicy
from projections.rules import dates
from projections.rules.reasons import why

POLICY_DIR = Path(str(resources.files("lrs.schemas"))) / "policy"
NATIONAL_DEFAULTS = "national-default.v*.json"
MINUTE = timedelta(minutes=1)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((POLICY_DIR / "policy.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


@cache
def national_defaults() -> tuple[dict[str, Any], ...]:
    """Every national default version shipped in schemas/policy/, oldest first. Each is in force
    without any event from its effective_from: a correction of the default ships as a new
    version, so figures dated before it keep the rule they were computed with."""
    documents = [json.loads(path.read_text()) for path in POLICY_DIR.glob(NATIONAL_DEFAULTS)]
    return tuple(sorted(documents, key=lambda document: str(document["effective_from"])))


def national_default() -> dict[str, Any]:
    """The newest shipped national default (where a key a national version lacks comes from)."""
    return national_defaults()[-1]


def _number(entry: Mapping[str, Any] | None) -> Decimal | None:
    if entry is None or entry.get("value") is None:
        return None
    return Decimal(str(entry["value"]))


@dataclass(frozen=True)
class Form:
    """One learning form's rules, as the merged policy states them."""

    code: str
    mode: str
    per: str
    minutes_ref: str | None
    prefer_declared: bool
    jp_per_unit: Decimal | None
    fallback: str | None
    cap: Decimal | None
    verification: str


@dataclass(frozen=True)
class Policy:
    """A merged policy (national, or an overlay over it); `versions` names what was merged."""

    document: Mapping[str, Any]
    versions: tuple[str, ...]

    def _entry(self, section: str, name: str) -> Any:
        """A value of the document; a key that a national version published before it existed
        lacks is the newest shipped default's."""
        entry = self.document.get(section, {}).get(name) or national_default()[section][name]
        return entry["value"]

    def iri(self, name: str) -> str:
        return str(self._entry("iris", name))

    def iris(self, name: str) -> tuple[str, ...]:
        return tuple(self._entry("iris", name))

    @property
    def supervisor_on(self) -> str:
        """Whose atasan may decide a claim: on the activity date, or also on the decision date."""
        return str(self._entry("recognition", "supervisor_on"))

    def competency_codes(self, form_code: str, activity_id: str) -> tuple[str, ...]:
        """Competencies a claim develops when its activity names none (competency_mapping)."""
        mapping = self.document.get("competency_mapping") or national_default()["competency_mapping"]
        for table, key in (("by_activity", activity_id), ("by_form", form_code)):
            entry = mapping.get(table, {}).get(key)
            if entry is not None:
                return tuple(entry["value"])
        return ()

    @property
    def without_atasan(self) -> str | None:
        """Who takes the supervisor step for a pegawai with no atasan in the roster, or None."""
        value = self._entry("recognition", "without_atasan")
        return None if value is None else str(value)

    @property
    def denominator(self) -> str:
        """Who is in the compliance denominator (R-REP-01), said on every summary."""
        rule = str(self._entry("reporting", "denominator"))
        if rule == "period_end_roster_with_target":
            return str(why(f"denominator.{rule}"))
        raise ValueError(f"unknown denominator rule {rule!r}")

    @property
    def approved_jp_limit(self) -> str:
        """`claimed`: a decision may lower the JP, not raise it; `annual_cap`: up to the form's cap."""
        return str(self._entry("recognition", "approved_jp_limit"))

    @property
    def match_mbox(self) -> bool:
        return bool(self.document["iris"]["match_mbox"]["value"])

    @property
    def timezone(self) -> str:
        """The timezone whose calendar day decides a year, an atasan or a policy version."""
        return str(self._entry("period", "timezone"))

    @property
    def period(self) -> str:
        return str(self._entry("period", "type"))

    def day_of(self, timestamp: str | datetime) -> date:
        return dates.day_of(timestamp, self.timezone)

    @property
    def rounding_step(self) -> Decimal | None:
        return _number(self.document["rounding_step_jp"])

    def target_for(self, status: str) -> Decimal | None:
        return _number(self.document["targets"].get(status, {}).get("target_jp"))

    def ceiling_for(self, status: str) -> Decimal | None:
        """The most JP of assigned development a year for a status (R-PPPK-01), or None; a
        national version published before the ceiling existed has the shipped default's."""
        entry = self.document["targets"].get(status, {})
        if "max_jp_assigned" not in entry:
            entry = national_default()["targets"].get(status, {})
        return _number(entry.get("max_jp_assigned"))

    @property
    def duplicate_window(self) -> timedelta:
        """Claims of one activity and verb this close to the first are one completion."""
        return timedelta(minutes=float(self._entry("deduplication", "window_minutes")))

    @property
    def suspect_window(self) -> timedelta:
        """Separate completions of one activity this close are listed as suspected duplicates."""
        return timedelta(minutes=float(self._entry("deduplication", "suspect_within_minutes")))

    @property
    def once_per_period(self) -> frozenset[str]:
        """The jp_rule `per` values whose forms count once per activity per period."""
        return frozenset(self._entry("deduplication", "once_per_period"))

    def minutes_per_jp(self, ref: str | None) -> Decimal | None:
        return _number(self.document["minutes_per_jp"].get(ref or "")) if ref else None

    def form(self, code: str) -> Form | None:
        entry = self.document["learning_forms"].get(code)
        if entry is None:
            return None
        rule = entry["jp_rule"]
        return Form(code, entry["mode"], rule["per"], rule.get("minutes_per_jp"),
                    bool(rule.get("prefer_declared_jp")), _number(rule.get("jp_per_unit")),
                    rule.get("fallback"), _number(entry["annual_cap_jp"]), entry["verification"]["value"])


def label(document: Mapping[str, Any]) -> str:
    return f"{document['policy_id']}@{document['version']}"


def merge(national: Mapping[str, Any], overlay: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overlay's values over the national document, key by key (learning forms per code)."""
    merged = copy.deepcopy(dict(national))
    if overlay is None:
        return merged

    def deep(into: dict[str, Any], top: Mapping[str, Any]) -> None:
        for key, value in top.items():
            if isinstance(value, Mapping) and isinstance(into.get(key), dict) and "value" not in value:
                deep(into[key], value)
            else:
                into[key] = copy.deepcopy(value)

    deep(merged, {k: v for k, v in overlay.items() if k not in ("$schema", "jurisdiction")})
    return merged


# What names or explains a version, not what it rules: never a difference, never dropped.
METADATA = frozenset({"$schema", "policy_id", "version", "effective_from", "jurisdiction", "instansi",
                      "built_from", "note"})
DOCUMENTARY = frozenset({"source", "note"})


class Unset(Enum):
    """A key a policy does not set (one side of a change)."""

    UNSET = "(not set)"


UNSET = Unset.UNSET


@dataclass(frozen=True)
class Change:
    """One value path whose value differs between two policies; `UNSET` where a side lacks it."""

    path: str
    before: Any
    after: Any

    def __str__(self) -> str:
        def shown(value: Any) -> str:
            return value.value if value is UNSET else json.dumps(value, ensure_ascii=False)
        return f"{self.path}: {shown(self.before)} -> {shown(self.after)}"


def _values(document: Mapping[str, Any], top: bool = True, prefix: str = "") -> dict[str, Any]:
    """Every value path of a policy document: a {value, source} entry is one value (its source
    documents it); metadata and sources are left out."""
    found: dict[str, Any] = {}
    for key, item in document.items():
        if key in DOCUMENTARY or (top and key in METADATA):
            continue
        path = f"{prefix}{key}"
        if isinstance(item, Mapping) and "value" in item:
            found[path] = item["value"]
        elif isinstance(item, Mapping):
            found.update(_values(item, False, path + "/"))
        else:
            found[path] = item
    return found


def difference(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Every value path whose value differs from policy `before` to policy `after` (plain
    documents, usually merged ones), in path order: changed, set, or no longer set."""
    old, new = _values(before), _values(after)
    return [Change(path, old.get(path, UNSET), new.get(path, UNSET))
            for path in sorted(old.keys() | new.keys()) if old.get(path, UNSET) != new.get(path, UNSET)]


def dropped(previous: Mapping[str, Any], replacement: Mapping[str, Any]) -> list[str]:
    """The value paths version `previous` sets that `replacement` does not repeat: a new version
    of a layer replaces the previous one whole, so each of these goes back to the layer below."""
    kept = _values(replacement)
    return sorted(path for path in _values(previous) if path not in kept)


def validate(document: Any, national: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check a document against policy.schema.json; an overlay also against the national policy
    it would sit on (it may raise a target, never lower it, and never set a ceiling). Returns
    the document."""
    if not isinstance(document, dict):
        raise InvalidPolicy("a policy document must be a JSON object")
    if document.get("jurisdiction") == "instansi":
        for fixed in ("iris", "period"):
            if fixed in document:
                raise InvalidPolicy(f"{fixed}: only a national policy sets {fixed}; an instansi overlay "
                                    "may not change them")
    problems = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in problems[:10]]
        raise InvalidPolicy("policy does not match policy.schema.json: " + "; ".join(lines))
    merged: Mapping[str, Any] = document
    if document["jurisdiction"] == "instansi":
        floor = Policy(national or national_default(), ())
        for status, entry in document.get("targets", {}).items():
            if "max_jp_assigned" in entry:
                raise InvalidPolicy(f"targets/{status}/max_jp_assigned: the ceiling on assigned development "
                                    "comes from PP 49/2018; only a national policy sets it")
            proposed, minimum = _number(entry["target_jp"]), floor.target_for(status)
            if minimum is not None and (proposed is None or proposed < minimum):
                raise InvalidPolicy(
                    f"targets/{status}/target_jp: an instansi overlay may raise the national "
                    f"minimum of {minimum} JP ({label(floor.document)}), never lower or remove it"
                )
        merged = merge(national or national_default(), document)
        for code, entry in merged["learning_forms"].items():
            if not {"mode", "jp_rule", "annual_cap_jp", "verification"} <= entry.keys():
                raise InvalidPolicy(f"learning_forms/{code}: a new form needs mode, jp_rule, "
                                    "annual_cap_jp and verification")
    rules = Policy(merged, ())
    if rules.suspect_window < rules.duplicate_window:
        raise InvalidPolicy(f"deduplication/suspect_within_minutes: {rules.suspect_window / MINUTE:g} is less "
                            f"than window_minutes ({rules.duplicate_window / MINUTE:g}); it must be at least "
                            "that, since claims inside the window are one completion, not suspects")
    return document


@dataclass(frozen=True)
class Published:
    """A policy document and the seq of the event that published it (0: shipped default)."""

    document: Mapping[str, Any]
    seq: int

    @property
    def effective_from(self) -> date:
        return date.fromisoformat(self.document["effective_from"])


@dataclass(frozen=True)
class PolicySet:
    """Every policy version known, national and overlays; the shipped defaults always included."""

    published: tuple[Published, ...] = field(default_factory=tuple)
    # Merging copies a whole document; the same (date, instansi) is asked for again and again.
    _merged: dict[tuple[date, str | None], Policy] = field(default_factory=dict, compare=False, repr=False)
    _zones: dict[date, str] = field(default_factory=dict, compare=False, repr=False)
    _periods: dict[int, str] = field(default_factory=dict, compare=False, repr=False)  # a rebuild asks ~10/figure

    @classmethod
    def of(cls, published: Sequence[Published]) -> PolicySet:
        return cls((*(Published(document, 0) for document in national_defaults()), *published))

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> PolicySet:
        """From the `policies` read model's rows (document text and seq), in seq order."""
        return cls.of([Published(json.loads(r["document"]), int(r["seq"]))
                       for r in sorted(rows, key=lambda r: int(r["seq"]))])

    def _period(self, year: int) -> str:
        # Only a national policy sets the period; the one in force when the period begins.
        found = self._periods.get(year)
        if found is None:
            found = self._periods[year] = Policy(self.national(date(year, 1, 1)), ()).period
        return found

    def period_end(self, year: int) -> date:
        """The last day of reporting period `year`, as the national policy defines the period."""
        return dates.period_end(self._period(year), year)

    def period_start(self, year: int) -> date:
        return dates.period_start(self._period(year), year)

    def period_of(self, day: date) -> int:
        return dates.period_of(self._period(day.year), day)

    def day_of(self, at: datetime) -> date:
        """The day a moment falls on in the timezone of the national policy in force then."""
        zone = self._zones.get(at.date())
        if zone is None:
            zone = self._zones[at.date()] = Policy(self.national(at.date()), ()).timezone
        return dates.day_of(at, zone)

    def known_until(self, seq: int) -> PolicySet:
        """The versions published by events up to `seq`: what a replay as of `seq` knew."""
        return PolicySet(tuple(p for p in self.published if p.seq <= seq))

    def _latest(self, at: date, instansi: str | None) -> Published | None:
        fits = [p for p in self.published if p.effective_from <= at
                and p.document.get("instansi") == instansi
                and (p.document["jurisdiction"] == "national") == (instansi is None)]
        # The latest effective date wins; among equals, the one published last.
        return max(fits, key=lambda p: (p.effective_from, p.seq), default=None)

    def nationals(self) -> list[Policy]:
        """Every national version known (the IRIs a projection reads are set only there)."""
        return [Policy(p.document, (label(p.document),)) for p in self.published
                if p.document["jurisdiction"] == "national"]

    def national(self, at: date) -> Mapping[str, Any]:
        found = self._latest(at, None)
        return found.document if found else national_defaults()[0]

    def policy_in_force(self, at: date, instansi: str | None = None) -> Policy:
        found = self._merged.get((at, instansi))
        if found is None:
            found = self._merged[(at, instansi)] = self._in_force(at, instansi)
        return found

    def replacement(self, document: Mapping[str, Any]) -> Replacement:
        """What publishing `document` (a valid policy, published after every version known) would
        change for its instansi, or nationally, on its effective date."""
        at = date.fromisoformat(document["effective_from"])
        instansi = document["instansi"] if document["jurisdiction"] == "instansi" else None
        previous = self._latest(at, instansi)
        last = max((p.seq for p in self.published), default=0)
        after = PolicySet((*self.published, Published(document, last + 1)))
        changes = difference(self.policy_in_force(at, instansi).document, after.policy_in_force(at, instansi).document)
        return Replacement(document, label(previous.document) if previous else None, tuple(changes),
                           tuple(dropped(previous.document, document)) if previous else ())

    def _in_force(self, at: date, instansi: str | None) -> Policy:
        national = self.national(at)
        overlay = self._latest(at, instansi) if instansi is not None else None
        if overlay is None:
            return Policy(national, (label(national),))
        return Policy(merge(national, overlay.document), (label(national), label(overlay.document)))


@dataclass(frozen=True)
class Replacement:
    """What publishing a version would do on its effective date: the version of the same layer
    (the instansi's overlay, or the national policy) then in force, which it replaces whole; the
    changes to the policy in force; and the values the replaced version sets that it drops."""

    document: Mapping[str, Any]
    replaces: str | None
    changes: tuple[Change, ...]
    dropped: tuple[str, ...]

    @property
    def refusal(self) -> str | None:
        """Why publishing is refused unless told to replace (None: nothing would be dropped)."""
        if not self.dropped:
            return None
        return (f"{label(self.document)} would drop {', '.join(self.dropped)}: {self.replaces}, in force on "
                f"{self.document['effective_from']}, sets them, and a new version replaces it whole; repeat "
                "them in the new version, or pass --replace to drop them")
