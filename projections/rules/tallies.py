"""Roll-ups as sums: what one pegawai-year's figure adds to each roll-up it is part of (the nation,
an instansi, a unit kerja), and the Summary a roll-up's summed tally reads as, exactly what
summarize() (projections/rules/jp.py, the one definition) gives for the same figures.

A tally is counters only (name -> Decimal), so a roll-up is the sum of its pegawai's tallies and a
changed figure moves it by (new - old): projections/rollups.py stores each pegawai-year's parts and
applies the differences. A name is `kind:key`; every map a Summary shows by key (forms, months,
competencies) keeps the number of lines beside its JP, since a key with 0 JP still shows.
Competency gaps are counters of members too: per competency a pegawai-year's standard names (its
stored competency rows, projections/claim_figures.py), one under `gap.standard`, and one under
`gap.with` when assessed below the required level, `gap.unassessed` when not assessed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping, NamedTuple, Sequence

from projections.rules.competency import GapCount
from projections.rules.jp import ZERO, Compliance, JpTotal, Summary, compliance_of, jp_band

Scope = tuple[str, str, str]  # (kind: nation, instansi or unit, instansi code or "", unit kerja or "")
Tally = dict[str, Decimal]
NATION: Scope = ("nation", "", "")
ONE = Decimal(1)


def scope_of(instansi: str | None, unit_kerja: str | None = None) -> Scope:
    if instansi is None:
        return NATION
    return ("instansi", instansi, "") if unit_kerja is None else ("unit", instansi, unit_kerja)


def _bump(tally: Tally, name: str, by: Decimal = ONE) -> None:
    tally[name] = tally.get(name, ZERO) + by


def _member(tally: Tally, total: JpTotal, jenis_jabatan: str | None) -> None:
    in_scope = ONE if total.target_met is not None else ZERO
    met = ONE if total.target_met else ZERO
    status, jabatan = total.status or "", jenis_jabatan or ""
    for name, by in (("pegawai", ONE), ("in_scope", in_scope), ("met", met),
                     (f"status.pegawai:{status}", ONE), (f"status.in_scope:{status}", in_scope),
                     (f"status.met:{status}", met), (f"jabatan.pegawai:{jabatan}", ONE),
                     (f"jabatan.in_scope:{jabatan}", in_scope), (f"jabatan.met:{jabatan}", met),
                     (f"band:{jp_band(total.jp_counted)}", ONE),
                     *((f"version:{version}", ONE) for version in set(total.policy_versions))):
        tally[name] = tally.get(name, ZERO) + by


class StandardRow(NamedTuple):
    """A competency a pegawai-year's standard names (a competency row with a required level),
    with where the pegawai is on the period's last day."""

    instansi: str | None
    unit_kerja: str | None
    code: str
    jenis: str
    assessed: bool  # has an assessment
    gap: bool  # assessed below the required level


def contribution(total: JpTotal, jenis_jabatan: str | None,
                 standards: Sequence[StandardRow] = ()) -> dict[Scope, Tally]:
    """What a pegawai-year's figure adds to each roll-up: as a member where the roster has them on
    the period's last day (the figure's instansi and unit kerja; no unit reads as ""), and each
    line's JP where its activity date found them. `jenis_jabatan`: theirs at year end;
    `standards`: the competencies their standard names, counted where the rows place them."""
    parts: dict[Scope, Tally] = {}
    if total.instansi is not None:
        for scope in (NATION, scope_of(total.instansi), scope_of(total.instansi, total.unit_kerja or "")):
            _member(parts.setdefault(scope, {}), total, jenis_jabatan)
    for row in standards:
        if row.instansi is None:
            continue
        key = f"{row.jenis}/{row.code}"
        for scope in (NATION, scope_of(row.instansi), scope_of(row.instansi, row.unit_kerja or "")):
            tally = parts.setdefault(scope, {})
            _bump(tally, f"gap.standard:{key}")
            if row.gap:
                _bump(tally, f"gap.with:{key}")
            if not row.assessed:
                _bump(tally, f"gap.unassessed:{key}")
    credited: set[Scope] = set()
    for line in total.lines:
        if line.instansi is None:
            continue
        scopes = [NATION, scope_of(line.instansi)]
        if line.unit_kerja is not None:
            scopes.append(scope_of(line.instansi, line.unit_kerja))
        for scope in scopes:
            tally = parts.setdefault(scope, {})
            credited.add(scope)
            if line.status == "counted":
                _bump(tally, "jp_counted", line.jp_counted)
                for kind, key in (("form", line.form_code), ("month", line.activity_date.isoformat()[:7]),
                                  *(("competency", code) for code in line.competencies)):
                    _bump(tally, f"{kind}:{key}", line.jp_counted)
                    _bump(tally, f"{kind}.lines:{key}")
                # The month x learning form the dashboard charts ("YYYY-MM form").
                _bump(tally, f"month_form:{line.activity_date.isoformat()[:7]} {line.form_code}", line.jp_counted)
                _bump(tally, f"month_form.lines:{line.activity_date.isoformat()[:7]} {line.form_code}")
            elif line.status == "pending":
                _bump(tally, "jp_pending", line.jp or ZERO)
                _bump(tally, "pending_claims")
                _bump(tally, f"pending_on:{line.activity_date.isoformat()}")
    for scope in credited:
        _bump(parts[scope], "credited")
    return {scope: _nonzero(tally) for scope, tally in parts.items()}


def _nonzero(tally: Mapping[str, Decimal]) -> Tally:
    return {name: value for name, value in sorted(tally.items()) if value != ZERO}


def add(into: Tally, tally: Mapping[str, Decimal], sign: int = 1) -> None:
    """Add a tally (times its sign, +1 or -1) into another, in place."""
    if sign > 0:
        for name, value in tally.items():
            into[name] = into.get(name, ZERO) + value
    else:
        for name, value in tally.items():
            into[name] = into.get(name, ZERO) - value


def combine(signed: Iterable[tuple[int, Mapping[str, Decimal]]]) -> Tally:
    """The sum of tallies, each times its sign (+1 or -1), without the counters at 0."""
    found: Tally = {}
    for sign, tally in signed:
        add(found, tally, sign)
    return _nonzero(found)


def shown(tally: Mapping[str, Decimal]) -> bool:
    """A roll-up a summary shows: it has members, or JP lines credited to it."""
    return tally.get("pegawai", ZERO) > 0 or tally.get("credited", ZERO) > 0


def _keyed(tally: Mapping[str, Decimal], kind: str) -> dict[str, Decimal]:
    prefix = f"{kind}:"
    return {name[len(prefix):]: value for name, value in tally.items() if name.startswith(prefix)}


def _int(tally: Mapping[str, Decimal], name: str) -> int:
    return int(tally.get(name, ZERO))


def has_month_forms(tally: Mapping[str, Decimal]) -> bool:
    """Whether a tally keeps JP by month x form: every counted line adds it, so a tally with
    counted lines but none was summed before the counter came (its year needs re-rolling)."""
    return any(name.startswith("month_form.lines:") for name in tally) or not _keyed(tally, "month.lines")


def jp_by_month_form(tally: Mapping[str, Decimal]) -> dict[int, dict[str, Decimal]]:
    """Counted JP by the activity's month (1-12) and learning form, as the dashboard charts it."""
    amounts = _keyed(tally, "month_form")
    months: dict[int, dict[str, Decimal]] = {}
    for key in _keyed(tally, "month_form.lines"):
        month, form = key.split(" ", 1)
        forms = months.setdefault(int(month[5:7]), {})
        forms[form] = forms.get(form, ZERO) + amounts.get(key, ZERO)
    return {m: dict(sorted(forms.items())) for m, forms in sorted(months.items())}


def gap_counts_of(tally: Mapping[str, Decimal]) -> list[GapCount]:
    """Per competency, the roll-up's pegawai whose standard names it, with a gap, not assessed:
    what projections/rules/competency.py gap_counts() gives for its members' profiles."""
    with_gap, unassessed = _keyed(tally, "gap.with"), _keyed(tally, "gap.unassessed")
    found = []
    for key, count in _keyed(tally, "gap.standard").items():
        jenis, code = key.split("/", 1)
        found.append(GapCount(code, jenis, int(count), int(with_gap.get(key, ZERO)), int(unassessed.get(key, ZERO))))
    return sorted(found, key=lambda g: (g.code, g.jenis))


def summary_of(scope: Scope, tally: Mapping[str, Decimal], denominator: str = "") -> Summary:
    """The Summary a roll-up's summed tally reads as (summarize() of its pegawai)."""
    kind, instansi, unit_kerja = scope
    whole = compliance_of(_int(tally, "pegawai"), _int(tally, "in_scope"), _int(tally, "met"))

    def grouped(group: str) -> dict[str, Compliance]:
        return {key: compliance_of(int(count), _int(tally, f"{group}.in_scope:{key}"), _int(tally, f"{group}.met:{key}"))
                for key, count in sorted(_keyed(tally, f"{group}.pegawai").items())}

    def by_line(group: str) -> dict[str, Decimal]:
        amounts = _keyed(tally, group)
        return {key: amounts.get(key, ZERO) for key in sorted(_keyed(tally, f"{group}.lines"))}

    pending_days = sorted(_keyed(tally, "pending_on"))
    return Summary(
        None if kind == "nation" else instansi, unit_kerja if kind == "unit" else None,
        whole.pegawai, whole.in_scope, whole.target_met, whole.share_met,
        tally.get("jp_counted", ZERO), tally.get("jp_pending", ZERO), tuple(sorted(_keyed(tally, "version"))),
        denominator, grouped("status"), grouped("jabatan"), by_line("form"), by_line("competency"),
        by_line("month"), {band: int(n) for band, n in sorted(_keyed(tally, "band").items())},
        _int(tally, "pending_claims"), date.fromisoformat(pending_days[0]) if pending_days else None,
    )
