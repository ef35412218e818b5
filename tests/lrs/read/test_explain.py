"""Explaining a pegawai's JP year (lrs/read/explain.py, /api/v1/audit/explain, `lrs explain`), on
SQLite and PostgreSQL: a claim counted from a trusted source, one approved by the atasan, one
with a decision without effect, a voided one; every seq and hash named is the log's; as_of gives
the earlier state."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import Engine

from lrs.cli import main
from lrs.errors import NotAuthorized
from lrs.read.credentials import Credential
from lrs.read.explain import explain
from lrs.read.values import to_json
from lrs.store import log, read_models
from lrs.write.reference import create_credential, default_authority, publish_policy, record_roster
from lrs.write.statements import record_statements
from tests.fixtures.builders import add_credential, basic
from tests.fixtures.jp import NIP_A, NIP_B, NIP_C, claim, decision, overlay, roster_row, target, void

YEAR = 2026
MENTORING = "NK_MENTORING"  # verification supervisor; 180 min at 45 min per JP = 4 JP


def _credential(engine: Engine, key: str, **binding: Any) -> dict[str, Any]:
    create_credential(engine, key, "s3cret", ["statements/write"], **binding)
    return default_authority(key)


def _record(engine: Engine, statement: dict[str, Any], who: dict[str, Any]) -> str:
    record_statements(engine, [statement], authority=who)
    return str(statement["id"])


@pytest.fixture
def year(engine: Engine) -> dict[str, Any]:
    """A's year: from the trusted LMS a course (4 JP, counted) and another (voided); mentoring
    approved by the atasan C; mentoring 'approved' through a credential bound to nobody. The seq
    just before C's approval is `before`."""
    publish_policy(engine, overlay(**target(25)))
    record_roster(engine, [roster_row(NIP_A, atasan_nip=NIP_C), roster_row(NIP_C)])
    people = {"lms": _credential(engine, "lms", trusted_source=True),
              "atasan": _credential(engine, "atasan-c", nip=NIP_C),
              "pegawai": _credential(engine, "pegawai-a", nip=NIP_A),
              "phone": _credential(engine, "phone")}
    ids = {"trusted": _record(engine, claim(jp=4), people["lms"]),
           "voided": _record(engine, claim(jp=2, timestamp="2026-05-02T10:00:00+07:00"), people["lms"])}
    mentoring = {"verb": "http://adlnet.gov/expapi/verbs/attended", "duration": "PT3H"}
    ids["approved"] = _record(engine, claim(MENTORING, timestamp="2026-03-03T10:00:00+07:00", **mentoring),
                              people["pegawai"])
    ids["no effect"] = _record(engine, claim(MENTORING, timestamp="2026-03-04T10:00:00+07:00", **mentoring),
                               people["pegawai"])
    with engine.connect() as conn:
        before = read_models.head_seq(conn)
    ids["approval"] = _record(engine, decision("approved", ids["approved"], NIP_C), people["atasan"])
    ids["ignored"] = _record(engine, decision("approved", ids["no effect"], NIP_C), people["phone"])
    ids["void"] = _record(engine, void(ids["voided"]), people["lms"])
    return {"ids": ids, "before": before}


def _seqs_and_hashes(value: Any) -> Iterator[tuple[int, str | None]]:
    """Every (seq, hash) pair the explanation names, wherever it is."""
    if isinstance(value, dict):
        if "seq" in value and "hash" in value:
            yield value["seq"], value["hash"]
        for item in value.values():
            yield from _seqs_and_hashes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _seqs_and_hashes(item)


def _log(engine: Engine) -> dict[int, Any]:
    with engine.connect() as conn:
        return {e.seq: e for e in log.read(conn)}


def _by_id(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["statement_id"]: s for s in found["statements"]}


def test_each_statement_says_whether_it_counted_by_which_rule_and_from_which_events(
        engine: Engine, year: dict[str, Any]) -> None:
    ids, events = year["ids"], _log(engine)
    found = to_json(explain(engine, NIP_A, YEAR))
    lines = _by_id(found)
    assert set(lines) == {ids["trusted"], ids["voided"], ids["approved"], ids["no effect"]}
    assert (found["jp_counted"], found["jp_pending"], found["target_jp"]) == (8, 4, 25)

    trusted = lines[ids["trusted"]]
    assert (trusted["counted"], trusted["status"], trusted["jp_counted"]) == (True, "counted", 4)
    assert "from trusted source lms" in trusted["reason"]
    assert trusted["event"]["seq"] == next(s for s, e in events.items() if e.payload.get("id") == ids["trusted"])
    assert events[trusted["trusted_source"]["event"]["seq"]].type == "source.trusted"
    assert [v["published"] for v in trusted["policy_versions"]] == ["shipped default", "policy.published"]
    shipped, overlaid = trusted["policy_versions"]
    assert (shipped["seq"], shipped["hash"]) == (0, None)
    assert events[overlaid["seq"]].payload["policy_id"] == "overlay.kemenkeu"
    assert events[trusted["roster"]["event"]["seq"]].payload["nip"] == NIP_A

    approved = lines[ids["approved"]]
    assert (approved["counted"], approved["recognition"], approved["jp_counted"]) == (True, "validated", 4)
    [ruling] = approved["decisions"]
    assert (ruling["statement_id"], ruling["decider"], ruling["step"], ruling["effective"]) == \
        (ids["approval"], NIP_C, "supervisor", True)
    assert ruling["binding"]["nip"] == NIP_C and ruling["credential"] == "atasan-c"
    assert events[ruling["binding"]["event"]["seq"]].payload | {"key": "atasan-c", "nip": NIP_C} == \
        events[ruling["binding"]["event"]["seq"]].payload
    assert events[ruling["event"]["seq"]].payload["id"] == ids["approval"]

    ignored = lines[ids["no effect"]]
    assert (ignored["counted"], ignored["status"]) == (False, "pending")
    [ruling] = ignored["decisions"]
    assert ruling["effective"] is False and "neither bound to a person nor a trusted source" in ruling["reason"]
    assert (ruling["binding"], ruling["trusted_source"]) == (None, None)

    voided = lines[ids["voided"]]
    assert (voided["counted"], voided["status"], voided["jp_counted"]) == (False, "voided", 0)
    assert events[voided["voided_by"]["seq"]].payload["id"] == ids["void"]

    named = list(_seqs_and_hashes(found))
    assert len(named) > 10
    for seq, digest in named:
        assert digest is None and seq == 0 or events[seq].hash == digest, seq
    assert {(e["seq"], e["hash"]) for e in found["events"]} == {(s, h) for s, h in named if s > 0}
    assert [e["seq"] for e in found["events"]] == sorted(e["seq"] for e in found["events"])
    assert found["as_of_seq"] == max(events)


def test_as_of_explains_the_earlier_state(engine: Engine, year: dict[str, Any]) -> None:
    ids = year["ids"]
    found = to_json(explain(engine, NIP_A, YEAR, str(year["before"])))
    lines = _by_id(found)
    assert found["as_of_seq"] == year["before"]
    assert (found["jp_counted"], found["jp_pending"]) == (6, 8)  # the course later voided still counts
    approved = lines[ids["approved"]]
    assert (approved["status"], approved["decisions"]) == ("pending", [])
    assert lines[ids["voided"]]["status"] == "counted"  # the void came later
    assert all(s <= year["before"] for s, _ in _seqs_and_hashes(found))


def test_a_reader_bound_elsewhere_is_refused_and_audit_reads_anyone(engine: Engine, year: dict[str, Any]) -> None:
    other = Credential("other", ("reports",), default_authority("other"))
    create_credential(engine, "other", "s3cret", ["reports"], nip=NIP_B)
    with pytest.raises(NotAuthorized, match="reads only the reports of " + NIP_B):
        explain(engine, NIP_A, YEAR, reader=other)
    create_credential(engine, "bpk", "s3cret", ["audit"], nip=NIP_B)
    auditor = Credential("bpk", ("audit",), default_authority("bpk"))
    assert explain(engine, NIP_A, YEAR, reader=auditor).jp_counted == 8


def test_the_endpoint_answers_the_audit_scope_and_the_pegawai_but_not_a_stranger(
        client: FlaskClient, engine: Engine, year: dict[str, Any]) -> None:
    headers = add_credential(engine, "bpk", "s3cret", ["audit"])
    answer = client.get(f"/api/v1/audit/explain?nip={NIP_A}&year={YEAR}&as_of={year['before']}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == to_json(explain(engine, NIP_A, YEAR, str(year["before"])))
    own = {**headers, **basic("pegawai-a", "s3cret")}  # A's own credential (statements/write, bound to A)
    assert client.get(f"/api/v1/audit/explain?nip={NIP_A}&year={YEAR}", headers=own).status_code == 200
    stranger = add_credential(engine, "app", "s3cret", ["statements/write"])  # bound to nobody
    refused = client.get(f"/api/v1/audit/explain?nip={NIP_A}&year={YEAR}", headers=stranger)
    assert refused.status_code == 403 and "lacks the scope 'reports'" in refused.get_json()["message"]
    missing = client.get(f"/api/v1/audit/explain?nip={NIP_A}", headers=headers)
    assert missing.status_code == 400 and "year:" in missing.get_json()["message"]
    unknown = client.get(f"/api/v1/audit/explain?nip={NIP_B}&year={YEAR}", headers=headers)
    assert unknown.status_code == 404


def test_lrs_explain_prints_each_statement_with_its_events(database_url: str, engine: Engine,
                                                           year: dict[str, Any]) -> None:
    events = _log(engine)
    result = CliRunner().invoke(main, ["explain", NIP_A, "--year", str(YEAR), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    approval = next(s for s, e in events.items() if e.payload.get("id") == year["ids"]["approval"])
    assert f"approved {year['ids']['approval']} seq {approval} {events[approval].hash} by {NIP_C} (has effect" \
        in result.stdout
    assert "shipped default" in result.stdout and "voided by seq" in result.stdout
    as_json = CliRunner().invoke(main, ["explain", NIP_A, "--year", str(YEAR), "--json", "--as-of",
                                        str(year["before"]), "--database-url", database_url])
    assert json.loads(as_json.stdout) == to_json(explain(engine, NIP_A, YEAR, str(year["before"])))
