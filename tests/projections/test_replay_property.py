"""Property: for random sequences of statements, decisions on them (by the right people, by others
and by the learner themselves), assessments from allowed and other credentials, voids, roster rows
(moves between units) and policy versions, the live projection, a full rebuild and
a replay as of each prefix give exactly the same figures (JP totals with their recognition,
competency profiles, summaries), and every stored figure is what the rules compute."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.write.reference import create_credential, default_authority
from lrs.write.reference import publish_policy, record_roster, record_standards, trust_source
from lrs.write.statements import record_statements
from lrs.read.competencies import pegawai_profile
from lrs.errors import NotFound
from lrs.read.jp import pegawai_jp, summary
from lrs.read.values import to_json
from lrs.store import figure_rows, read_models
from lrs.store.engine import make_engine, reading
from lrs.store.tables import metadata
from projections import figures as stored_figures
from projections import runner
from tests.fixtures.jp import (
    LMS, NIP_A, NIP_B, NIP_C, PHONE, assessment, claim, decision, overlay, planned, roster_row, target, void,
)

NIPS = (NIP_A, NIP_B)
FORMS = ("KL_TEKNIS", "NK_ELEARNING", "NK_COACHING", "KL_STRUKTURAL", "NK_MANDIRI", "NK_DETASERING")
DAYS = ("2025-06-01T10:00:00+07:00", "2025-12-31T23:30:00+07:00", "2026-01-01T00:30:00+07:00",
        "2026-08-17T09:00:00+07:00")

statement_op = st.tuples(
    st.just("statement"), st.sampled_from(FORMS), st.sampled_from(NIPS),
    st.one_of(st.none(), st.sampled_from([2, 4.5, 8, 16])), st.sampled_from(["PT45M", "PT2H", "PT7H"]),
    st.sampled_from(DAYS), st.booleans(), st.sampled_from(["reg-1", "reg-2", None]),
)
void_op = st.tuples(st.just("void"), st.integers(0, 20))
decide_op = st.tuples(st.just("decide"), st.sampled_from(["approved", "rejected", "validated"]), st.integers(0, 20),
                      st.sampled_from(["atasan", "colleague", "pengelola", "self", "verifier-a"]),
                      st.sampled_from([None, 2, 30]))
roster_op = st.tuples(st.just("roster"), st.sampled_from(NIPS), st.sampled_from(["Biro SDM", "Inspektorat"]),
                      st.sampled_from(["2025-01-01", "2025-07-01", "2026-03-01"]), st.sampled_from(["PNS", "PPPK"]))
policy_op = st.tuples(st.just("policy"), st.sampled_from([20, 25, 30]),
                      st.sampled_from(["2025-01-01", "2026-01-01"]), st.sampled_from([None, 5, 10]))
# Who posts an assessment: allowed (an assessor of KEMENKEU or of its Biro SDM, the unit pengelola, a
# trusted source) or not (another instansi's assessor, NIP_B's own credentials, an unbound app).
ASSESSORS = ("asesor", "asesor-sdm", "pengelola", "lms", "asesor-dagri", "asesor-b", "colleague", "phone")
assess_op = st.tuples(st.just("assess"), st.sampled_from(["INT", "TK.A"]), st.integers(1, 5), st.sampled_from(NIPS),
                      st.sampled_from(DAYS), st.sampled_from(ASSESSORS))
plan_op = st.tuples(st.just("plan"), st.sampled_from(NIPS), st.sampled_from(["https://lms.example.go.id/c/1",
                                                                             "https://lms.example.go.id/c/2"]),
                    st.sampled_from([None, 4]))
ops = st.lists(st.one_of(statement_op, void_op, decide_op, roster_op, policy_op, assess_op, plan_op),
               min_size=1, max_size=8)
DECIDERS = {"atasan": (default_authority("atasan"), NIP_C), "colleague": (default_authority("colleague"), NIP_B),
            "pengelola": (default_authority("pengelola"), NIP_C),
            # Deciding one's own claim: NIP_A's personal credential, and a verifier of Biro SDM who is NIP_A.
            "self": (default_authority("pegawai-a"), NIP_A), "verifier-a": (default_authority("verifier-a"), NIP_A)}
REG = {"reg-1": "11111111-1111-4111-8111-111111111111", "reg-2": "22222222-2222-4222-8222-222222222222"}


def _figures(engine: Any, as_of: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for nip in NIPS:
        for year in (2025, 2026):
            try:
                out[f"{nip}/{year}"] = to_json(pegawai_jp(engine, nip, year, as_of))
                out[f"{nip}/{year}/competencies"] = to_json(pegawai_profile(engine, nip, year, as_of))
            except NotFound:
                out[f"{nip}/{year}"] = None
    try:
        page = summary(engine, "KEMENKEU", 2026, as_of=as_of)
        out["summary"] = to_json([page.summary, page.items])
    except NotFound:
        out["summary"] = None
    return out


def _stored_agree(engine: Any) -> None:
    """Every stored figure is what total() computes from the facts, and none waits."""
    with reading(engine) as conn:
        assert figure_rows.pending(conn) == (0, None)
        assert list(stored_figures.differences(conn)) == []


_AUTHORS: dict[str, Any] = {}  # statement id -> the authority that stored it (ids are fresh uuids)


def _apply(engine: Any, op: tuple[Any, ...], stored: list[str], version: list[int]) -> None:
    """Apply one op; `stored` lists the statements stored, and `_AUTHORS` who stored each (only
    that credential may void it)."""
    kind = op[0]
    if kind == "statement":
        _, form, nip, jp, duration, day, trusted, reg = op
        statement = claim(form, nip=nip, jp=jp, duration=duration, timestamp=day,
                          registration=REG.get(reg or ""), activity="https://lms.example.go.id/c/1")
        if reg is None:
            statement["context"].pop("registration")
        record_statements(engine, [statement], authority=LMS if trusted else PHONE)
        stored.append(statement["id"])
        _AUTHORS[statement["id"]] = LMS if trusted else PHONE
    elif kind == "void" and stored:
        voided = stored[op[1] % len(stored)]
        record_statements(engine, [void(voided)], authority=_AUTHORS.get(voided, PHONE))
    elif kind == "decide" and stored:
        _, verb, index, who, jp = op
        authority, nip = DECIDERS[who]
        statement = decision(verb, stored[index % len(stored)], nip, jp=jp, reason="checked")
        record_statements(engine, [statement], authority=authority)
        stored.append(statement["id"])
        _AUTHORS[statement["id"]] = authority
    elif kind == "assess":
        _, code, level, nip, day, key = op
        statement = assessment(code, level, nip, timestamp=day)
        record_statements(engine, [statement], authority=default_authority(key))
        stored.append(statement["id"])
        _AUTHORS[statement["id"]] = default_authority(key)
    elif kind == "plan":
        _, nip, activity, jp = op
        statement = planned(activity, 2026, nip, jp=jp, codes=["TK.A"])
        record_statements(engine, [statement], authority=PHONE)
        stored.append(statement["id"])
    elif kind == "roster":
        _, nip, unit, since, status = op
        record_roster(engine, [roster_row(nip, unit_kerja=unit, effective_from=since, status=status,
                                          atasan_nip=NIP_C if unit == "Biro SDM" else None)])
    elif kind == "policy":
        _, value, since, cap = op
        version[0] += 1
        extra = ({"learning_forms": {"NK_ELEARNING": {"annual_cap_jp": {"value": cap, "source": "t"}}}}
                 if cap else {})
        # Each version replaces the one in force whole, a dropped cap included (--replace).
        publish_policy(engine, overlay(version=str(version[0]), effective_from=since, **target(value), **extra),
                       replace=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_live_rebuild_and_as_of_replay_agree(sequence: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'p.sqlite'}")
        metadata.create_all(engine)
        trust_source(engine, "lms")
        create_credential(engine, "atasan", "s", ["all"], nip=NIP_C)
        create_credential(engine, "colleague", "s", ["all"], nip=NIP_B)
        create_credential(engine, "pengelola", "s", ["all"], role="unit_pengelola", instansi="KEMENKEU")
        create_credential(engine, "pegawai-a", "s", ["all"], nip=NIP_A)
        create_credential(engine, "verifier-a", "s", ["all"], nip=NIP_A, role="verifier", instansi="KEMENKEU",
                          unit_kerja="Biro SDM")
        create_credential(engine, "asesor", "s", ["all"], role="assessor", instansi="KEMENKEU")
        create_credential(engine, "asesor-sdm", "s", ["all"], role="assessor", instansi="KEMENKEU",
                          unit_kerja="Biro SDM")
        create_credential(engine, "asesor-dagri", "s", ["all"], role="assessor", instansi="KEMENDAGRI")
        create_credential(engine, "asesor-b", "s", ["all"], role="assessor", instansi="KEMENKEU", nip=NIP_B)
        record_standards(engine, [{"instansi": "", "jabatan": "Analis", "kompetensi": code, "jenis": jenis,
                                   "level": 3, "effective_from": "2025-07-01"}
                                  for code, jenis in (("INT", "manajerial"), ("TK.A", "teknis"))])
        stored: list[str] = []
        version = [0]
        live: list[tuple[int, dict[str, Any]]] = []
        for op in sequence:
            _apply(engine, op, stored, version)
            _stored_agree(engine)
            with engine.connect() as conn:
                live.append((read_models.head_seq(conn), _figures(engine)))
        runner.rebuild(engine, batch=3)
        _stored_agree(engine)
        assert _figures(engine) == live[-1][1]
        for seq, figures in live:
            assert _figures(engine, as_of=str(seq)) == figures
        engine.dispose()
