"""Property: for random histories (claims and assessments by account or by an mbox, decisions by
the right people and others, voids of claims, decisions and assessments, roster rows and moves
naming the mbox or not, national versions and instansi overlays effective before the statements
they govern, competency standards and plans) arriving in any order, after every arrival each
stored figure (JP, claim rows, competency rows) is what the rules compute from the facts and none
waits, and the roll-ups are the sums of their parts with the gap counts of their units' competency
rows; at the end the reads from storage equal an as-of replay at the head, and a full rebuild
stores exactly the same rows.

Examples: 25 on SQLite, 6 on PostgreSQL; LRS_PROPERTY_EXAMPLES=<n> runs n on each."""
from __future__ import annotations

import copy
import os
import shutil
import tempfile
import uuid
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from lrs.errors import InvalidPolicy, NotFound
from lrs.read.competencies import instansi_gaps, pegawai_profile
from lrs.read.jp import pegawai_jp
from lrs.read.recognitions import claims_of, pending_for, pending_validation
from lrs.read.values import to_json
from lrs.store import figure_rows, read_models, rollup_rows
from lrs.store.engine import make_engine, reading
from lrs.store.tables import metadata
from lrs.write.reference import (
    create_credential, default_authority, publish_policy, record_roster, record_standards, trust_source,
)
from lrs.write.statements import record_statements
from projections import figures, rollups, runner
from projections.replays import Replays
from projections.rules.policy import PolicySet
from projections.rules.tallies import gap_counts_of
from tests.fixtures.databases import PgSchema
from tests.fixtures.jp import (
    LMS, NIP_A, NIP_B, NIP_C, PHONE, assessment, claim, decision, overlay, planned, roster_row, target, void,
)

EXAMPLES = {"sqlite": 25, "postgresql": 6}
NIPS = (NIP_A, NIP_B)
YEARS = (2025, 2026)
FORMS = ("KL_TEKNIS", "NK_ELEARNING", "NK_MENTORING", "NK_DETASERING")
DAYS = ("2025-06-01T10:00:00+07:00", "2025-12-31T23:30:00+07:00", "2026-01-01T00:30:00+07:00",
        "2026-08-17T09:00:00+07:00")
MBOX = "mailto:pegawai@example.go.id"
TODAY = date(2026, 9, 1)  # the inbox's day: the same for the stored and the replayed reads
STORED = ("jp_figures", "claim_figures", "competency_profiles", "competency_figures")

# An actor is a nip's SIASN account, or an mbox that a roster row may name (then or later).
ACTORS = (NIP_A, NIP_B, MBOX)
claim_op = st.tuples(
    st.just("claim"), st.sampled_from(FORMS), st.sampled_from(ACTORS), st.sampled_from([None, 2, 4.5, 16]),
    st.sampled_from(["PT45M", "PT3H"]), st.sampled_from(DAYS), st.booleans(), st.booleans(),
)
# A decision or a void names a statement by its place among the history's statements (drawn
# before the order is), so it may arrive before its target.
decide_op = st.tuples(st.just("decide"), st.sampled_from(["approved", "rejected", "validated"]), st.integers(0, 30),
                      st.sampled_from(["atasan", "colleague", "pengelola", "self"]), st.sampled_from([None, 2, 30]))
void_op = st.tuples(st.just("void"), st.integers(0, 30))
move_op = st.tuples(st.just("roster"), st.sampled_from(NIPS), st.sampled_from(["Biro SDM", "Inspektorat"]),
                    st.sampled_from(["KEMENKEU", "KEMENDAGRI"]), st.sampled_from(["Analis", "Pranata"]),
                    st.sampled_from(["2025-07-01", "2026-03-01"]), st.sampled_from(["PNS", "PPPK"]),
                    st.sampled_from([None, MBOX]))
national_op = st.tuples(st.just("national"), st.sampled_from([15, 20]), st.sampled_from(["2025-01-01", "2026-01-01"]))
overlay_op = st.tuples(st.just("overlay"), st.sampled_from(["KEMENKEU", "KEMENDAGRI"]), st.sampled_from([20, 30]),
                       st.sampled_from(["2025-01-01", "2026-01-01"]), st.sampled_from([None, 5]))
standard_op = st.tuples(st.just("standard"), st.sampled_from(["Analis", "Pranata"]), st.sampled_from(["INT", "TK.A"]),
                        st.integers(1, 5), st.sampled_from(["2025-01-01", "2026-06-01"]),
                        st.sampled_from(["", "KEMENKEU"]))
assess_op = st.tuples(st.just("assess"), st.sampled_from(["INT", "TK.A"]), st.integers(1, 5), st.sampled_from(ACTORS),
                      st.sampled_from(DAYS), st.sampled_from(["asesor", "asesor-dagri", "phone"]))
plan_op = st.tuples(st.just("plan"), st.sampled_from(NIPS), st.sampled_from([2025, 2026]), st.sampled_from([None, 4]))
trust_op = st.just(("trust",))
BASE = [("roster", NIP_A, "Biro SDM", "KEMENKEU", "Analis", "2020-01-01", "PNS", None),
        ("roster", NIP_B, "Biro SDM", "KEMENKEU", "Analis", "2020-01-01", "PNS", None),
        ("standard", "Analis", "INT", 3, "2025-01-01", "")]  # so the roll-ups' gap counts have something to count


# Always tried: an assessment below the standard and a claim that rolls the year up (the roll-ups'
# gap counts then have a gap to count, which random histories seldom reach).
GAP_EXAMPLE = [("base-0", BASE[0]), ("base-1", BASE[1]), ("base-2", BASE[2]),
               (str(uuid.UUID(int=1)), ("assess", "INT", 1, NIP_A, DAYS[3], "asesor")),
               (str(uuid.UUID(int=2)), ("claim", "KL_TEKNIS", NIP_A, 4, "PT45M", DAYS[3], True, False))]


@st.composite
def histories(draw: Callable[..., Any]) -> list[tuple[Any, ...]]:
    """A history of events, the base roster rows among them, in an order drawn separately."""
    ops = draw(st.lists(st.one_of(claim_op, decide_op, void_op, move_op, national_op, overlay_op, standard_op,
                                  assess_op, plan_op, trust_op), min_size=1, max_size=10))
    ids = [str(uuid.UUID(int=i + 1)) for i in range(len(ops))]
    statements = [ids[i] for i, op in enumerate(ops) if op[0] in ("claim", "decide", "assess", "plan")]
    stored_by = {ids[i]: _storer(op) for i, op in enumerate(ops) if op[0] in ("claim", "decide", "assess", "plan")}
    resolved = []
    for i, op in enumerate(ops):
        if op[0] == "decide" and statements:
            op = (*op[:2], statements[op[2] % len(statements)], *op[3:])
        elif op[0] == "void" and statements:
            voided = statements[op[1] % len(statements)]
            op = ("void", voided, stored_by[voided])  # only who stored a statement may void it
        elif op[0] in ("decide", "void"):
            continue
        resolved.append((ids[i], op))
    return list(draw(st.permutations([*resolved, *((f"base-{i}", op) for i, op in enumerate(BASE))])))


DECIDERS = {"atasan": (default_authority("atasan"), NIP_C), "colleague": (default_authority("colleague"), NIP_B),
            "pengelola": (default_authority("pengelola"), NIP_C), "self": (default_authority("pegawai-a"), NIP_A)}


def _storer(op: tuple[Any, ...]) -> dict[str, Any]:
    """The authority _apply stores a statement op with."""
    if op[0] == "claim":
        return LMS if op[6] else PHONE
    if op[0] == "decide":
        return DECIDERS[op[3]][0]
    if op[0] == "assess":
        return default_authority(op[5])
    return PHONE


def _apply(engine: Engine, statement_id: str, op: tuple[Any, ...], versions: list[int]) -> None:
    kind = op[0]
    if kind == "claim":
        _, form, actor, jp, duration, day, trusted, competency = op
        statement = claim(form, nip=actor, jp=jp, duration=duration, timestamp=day, statement_id=statement_id,
                          activity="https://lms.example.go.id/c/1", mbox=actor if actor == MBOX else None)
        if competency:
            statement["object"]["definition"] = {"extensions": {"https://jejak.example/xapi/ext/competency-codes":
                                                                ["TK.A"]}}
        record_statements(engine, [statement], authority=LMS if trusted else PHONE)
    elif kind == "decide":
        _, verb, target_id, who, jp = op
        authority, nip = DECIDERS[who]
        statement = decision(verb, target_id, nip, jp=jp, reason="checked")
        statement["id"] = statement_id
        record_statements(engine, [statement], authority=authority)
    elif kind == "void":
        statement = void(op[1])
        statement["id"] = statement_id
        record_statements(engine, [statement], authority=op[2])
    elif kind == "roster":
        _, nip, unit, instansi, jabatan, since, status, mbox = op
        record_roster(engine, [roster_row(nip, unit_kerja=unit, instansi=instansi, jabatan=jabatan,
                                          effective_from=since, status=status, mbox=mbox,
                                          atasan_nip=NIP_C if unit == "Biro SDM" else None)])
    elif kind == "national":
        _, value, since = op
        versions[0] += 1
        document = copy.deepcopy(dict(PolicySet.of([]).national(date(2026, 1, 1))))
        document.update(version=f"property-{versions[0]}", effective_from=since)
        document["targets"]["PNS"]["target_jp"]["value"] = value
        publish_policy(engine, document, replace=True)
    elif kind == "overlay":
        _, instansi, value, since, cap = op
        versions[0] += 1
        extra = {"learning_forms": {"NK_ELEARNING": {"annual_cap_jp": {"value": cap, "source": "t"}}}} if cap else {}
        try:
            publish_policy(engine, overlay(instansi, version=str(versions[0]), effective_from=since,
                                           **target(value), **extra), replace=True)
        except InvalidPolicy:
            pass  # an overlay below a national minimum published before it is refused: nothing stored
    elif kind == "standard":
        _, jabatan, code, level, since, instansi = op
        record_standards(engine, [{"instansi": instansi, "jabatan": jabatan, "kompetensi": code,
                                   "jenis": "manajerial" if code == "INT" else "teknis", "level": level,
                                   "effective_from": since}])
    elif kind == "assess":
        _, code, level, actor, day, key = op
        statement = assessment(code, level, actor, timestamp=day)
        statement["id"] = statement_id
        if actor == MBOX:
            statement["actor"] = {"objectType": "Agent", "mbox": MBOX}
        record_statements(engine, [statement], authority=default_authority(key))
    elif kind == "plan":
        _, nip, year, jp = op
        statement = planned("https://lms.example.go.id/c/1", year, nip, jp=jp, codes=["TK.A"])
        statement["id"] = statement_id
        record_statements(engine, [statement], authority=PHONE)
    elif kind == "trust":
        trust_source(engine, "phone")


def _setup(engine: Engine) -> None:
    trust_source(engine, "lms")
    for key, extra in (("atasan", {"nip": NIP_C}), ("colleague", {"nip": NIP_B}), ("pegawai-a", {"nip": NIP_A}),
                       ("pengelola", {"role": "unit_pengelola", "instansi": "KEMENKEU"}),
                       ("asesor", {"role": "assessor", "instansi": "KEMENKEU"}),
                       ("asesor-dagri", {"role": "assessor", "instansi": "KEMENDAGRI"})):
        create_credential(engine, key, "s", ["all"], **extra)
    record_roster(engine, [roster_row(NIP_C, jabatan="Kepala")])


def _stored_agree(engine: Engine) -> None:
    """Every stored figure, claim and competency row is what the rules compute, and none waits;
    every roll-up is the sum of its parts, and its competency gap counts (what the dashboard's
    heatmap reads) are those of its unit's competency profiles."""
    with reading(engine) as conn:
        assert figure_rows.pending(conn) == (0, None)
        assert list(figures.differences(conn)) == []
        assert list(rollups.differences(conn)) == []
        opened = rollup_rows.open_years(conn)
        rolled = {year: rollup_rows.stored_tallies(conn, year) for year in opened}
    for year, tallies in rolled.items():
        for instansi in ("KEMENKEU", "KEMENDAGRI"):
            expected = {u.unit_kerja: u.competencies for u in instansi_gaps(engine, instansi, year) if u.pegawai}
            stored = {scope[2]: gap_counts_of(tally) for scope, tally in tallies.items()
                      if scope[:2] == ("unit", instansi) and tally.get("pegawai")}
            assert stored == expected


def _stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The stored rows, without when each was computed."""
    with reading(engine) as conn:
        return {name: sorted((tuple(row) for row in conn.execute(select(*[
            c for c in metadata.tables[name].columns if c.name != "current_as_of"]))), key=repr) for name in STORED}


def _reads(engine: Engine, as_of: str | None) -> dict[str, Any]:
    """What the reads answer, now (stored rows where current) or as of a seq (one replay, kept)."""
    out: dict[str, Any] = {}
    kept = Replays(engine, 1)
    try:
        for nip in NIPS:
            for year in YEARS:
                try:
                    out[f"{nip}/{year}"] = to_json([pegawai_jp(engine, nip, year, as_of, replays=kept),
                                                    claims_of(engine, nip, year, as_of, replays=kept),
                                                    pegawai_profile(engine, nip, year, as_of, replays=kept)])
                except NotFound:
                    out[f"{nip}/{year}"] = None
        for instansi in ("KEMENKEU", "KEMENDAGRI"):
            out[instansi] = to_json([instansi_gaps(engine, instansi, 2026, as_of, replays=kept),
                                     pending_validation(engine, instansi, as_of, today=TODAY, replays=kept)])
        out["inbox"] = to_json(pending_for(engine, NIP_C, as_of, today=TODAY, replays=kept))
    finally:
        kept.close()
    return out


def _check(engine: Engine, history: list[tuple[str, tuple[Any, ...]]]) -> None:
    versions = [0]
    for statement_id, op in history:
        _apply(engine, statement_id, op, versions)
        _stored_agree(engine)
    with engine.connect() as conn:
        head = str(read_models.head_seq(conn))
    assert _reads(engine, None) == _reads(engine, head)
    before = _stored(engine)
    runner.rebuild(engine, batch=4)
    _stored_agree(engine)
    assert _stored(engine) == before


def _examples(backend: str) -> int:
    return int(os.environ.get("LRS_PROPERTY_EXAMPLES", EXAMPLES[backend]))


def _settings(backend: str) -> settings:
    return settings(max_examples=_examples(backend), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_stored_figures_equal_the_rules_a_rebuild_and_a_replay_on_sqlite(tmp_path: Path) -> None:
    template = tmp_path / "template.sqlite"
    engine = make_engine(f"sqlite:///{template}")
    metadata.create_all(engine)
    _setup(engine)  # once: credentials hash their secrets slowly on purpose
    engine.dispose()

    @_settings("sqlite")
    @given(histories())
    @example(GAP_EXAMPLE)
    def run(history: list[tuple[str, tuple[Any, ...]]]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            shutil.copyfile(template, Path(folder) / "p.sqlite")
            engine = make_engine(f"sqlite:///{Path(folder) / 'p.sqlite'}")
            try:
                _check(engine, history)
            finally:
                engine.dispose()
    run()


def test_stored_figures_equal_the_rules_a_rebuild_and_a_replay_on_postgresql(pg_schema: PgSchema) -> None:
    @_settings("postgresql")
    @given(histories())
    @example(GAP_EXAMPLE)
    def run(history: list[tuple[str, tuple[Any, ...]]]) -> None:
        engine = make_engine(pg_schema.url)
        try:
            _setup(engine)
            _check(engine, history)
        finally:
            engine.dispose()
            pg_schema.empty()  # the session's schema: the next test (or example) starts empty
    run()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_example_counts_can_be_raised(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRS_PROPERTY_EXAMPLES", "200")
    assert _settings(backend).max_examples == 200
