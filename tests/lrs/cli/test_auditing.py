"""`lrs keys create`, `lrs checkpoint` and `lrs verify` against tampering by someone with
database administrator rights (the log's triggers switched off), on SQLite and PostgreSQL: a
changed payload, a dropped tail (found with a checkpoint kept outside), a history rewritten and
re-hashed from some seq (found by the checkpoints signed before it), and keys that never signed."""
from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, Event, EventDraft
from lrs.store import chain, log, signing
from lrs.store.signing import PublicKey
from lrs.write.checkpoints import Signed, read_key, sign_head
from lrs.write.reference import trust_source
from lrs.write.statements import record_statements
from tests.fixtures.builders import make_statement
from tests.fixtures.jp import LMS
from tests.fixtures.tampering import (
    all_events, as_dba, change_payload, delete_rows, drop_tail, rewrite_from, rewrite_read_models, swap,
)


def _cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing.pem"
    path.write_bytes(signing.new_key_pem())
    return path


def _store(engine: Engine, n: int) -> None:
    record_statements(engine, [make_statement(actor={"mbox": f"mailto:p{i}@example.go.id", "name": "Siti"})
                               for i in range(n)], authority=LMS)


@pytest.fixture
def signed_log(engine: Engine, key_file: Path) -> list[Signed]:
    """seq 1 a trusted source; 2-4 statements; 5 the key, 6 a checkpoint of seq 4; 7-9
    statements; 10 a checkpoint of seq 9; 11-12 statements."""
    key = read_key(str(key_file))
    trust_source(engine, "lms")
    _store(engine, 3)
    first = sign_head(engine, key)
    _store(engine, 3)
    second = sign_head(engine, key)
    _store(engine, 2)
    assert (first.checkpoint.seq, first.event_seq, second.checkpoint.seq, second.event_seq) == (4, 6, 9, 10)
    return [first, second]


def _kept(tmp_path: Path, document: dict[str, Any], name: str = "kept.json") -> str:
    """A checkpoint kept outside the LRS, as a file."""
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_keys_create_writes_a_key_only_its_owner_reads_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "signing.pem"
    result = CliRunner().invoke(main, ["keys", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    public = PublicKey.of(read_key(str(out)))
    assert f"key id {public.key_id}" in result.stdout and public.public_key in result.stdout
    before = out.read_bytes()
    again = CliRunner().invoke(main, ["keys", "create", "--out", str(out)])
    assert again.exit_code == 1 and "exists: a signing key is never overwritten" in again.stderr
    assert out.read_bytes() == before


def test_checkpoint_prints_what_verify_proves_the_log_extends(database_url: str, engine: Engine, key_file: Path,
                                                              tmp_path: Path) -> None:
    trust_source(engine, "lms")
    _store(engine, 2)
    code, out, err = _cli(database_url, "checkpoint", env={"LRS_SIGNING_KEY_FILE": str(key_file)})
    assert code == 0, err
    kept = json.loads(out)
    assert (kept["seq"], kept["event_seq"], kept["public_key"]) == (3, 5, PublicKey.of(read_key(str(key_file))).public_key)
    _store(engine, 2)
    code, out, err = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, kept))
    assert code == 0, out + err
    assert "chain verified: 7 events" in out and "1 signed checkpoints; the log extends the checkpoint at seq 3" in out


def test_checkpoint_needs_a_key_and_a_head(database_url: str, engine: Engine, key_file: Path) -> None:
    code, _, err = _cli(database_url, "checkpoint")
    assert code == 1 and "no signing key: pass --key-file or set LRS_SIGNING_KEY_FILE" in err
    code, _, err = _cli(database_url, "checkpoint", "--key-file", str(key_file))
    assert code == 1 and "the log is empty" in err


def test_verify_json_says_what_was_checked(database_url: str, engine: Engine, signed_log: list[Signed],
                                           tmp_path: Path) -> None:
    code, out, err = _cli(database_url, "verify", "--json", "--checkpoint", _kept(tmp_path, signed_log[1].as_json()))
    assert code == 0, err
    result = json.loads(out)
    assert result["ok"] and result["problems"] == [] and result["problem_count"] == 0
    assert (result["events"], result["head"]["seq"], result["checkpoints"], result["keys"]) == (12, 12, 2, 1)
    assert result["outside_checkpoint"] == signed_log[1].checkpoint.as_json()
    assert "verifying" in err  # the progress bar, on stderr


def test_every_changed_payload_is_named(database_url: str, engine: Engine, signed_log: list[Signed]) -> None:
    events = all_events(engine)
    change_payload(engine, 3, events[2].payload_json.replace("Siti", "Budi"))
    change_payload(engine, 8, events[7].payload_json.replace("Siti", "Budi"))
    code, out, _ = _cli(database_url, "verify", "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [(p["kind"], p["seq"]) for p in problems][:2] == [("chain", 3), ("chain", 8)]
    assert "does not hash to its hash: its type, stored time or payload was changed" in problems[0]["message"]
    # The rows were written from the payloads before they changed: not what the log implies now.
    assert {(p["kind"], p["table"]) for p in problems[2:]} == {("read_model", "agent_names")}
    code, out, _ = _cli(database_url, "verify")
    assert code == 1 and "chain: the event at seq 3" in out and "chain verified" not in out


def test_a_dropped_tail_is_found_with_a_checkpoint_kept_outside(database_url: str, engine: Engine,
                                                                signed_log: list[Signed], tmp_path: Path) -> None:
    drop_tail(engine, after=8)  # seqs 9-12 go, with the checkpoint of seq 9 the log held
    code, out, _ = _cli(database_url, "verify", "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    # What is left is a whole chain; only the read rows of the dropped statements still tell...
    assert {p["kind"] for p in problems} == {"read_model"}
    assert "statements row seq 9 is not implied by the log: it was added" in problems[0]["message"]
    assert [p["seq"] for p in problems if p["table"] == "statements"] == [9, 11, 12]
    rewrite_read_models(engine)  # ...until they are written again: then only a copy kept outside can tell
    code, out, _ = _cli(database_url, "verify")
    assert code == 0, out
    code, out, _ = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, signed_log[1].as_json()))
    assert code == 1
    assert ("outside_checkpoint: the log ends at seq 8, but the checkpoint signs seq 9: the log lost its events "
            "after seq 8") in out


def test_a_deleted_event_is_named(database_url: str, engine: Engine, signed_log: list[Signed]) -> None:
    delete_rows(engine, [8])
    code, out, _ = _cli(database_url, "verify", "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [(p["kind"], p["seq"], p["message"]) for p in problems if p["kind"] == "chain"] == [
        ("chain", 9, "seq 9 follows seq 7: events are missing or out of place")]
    assert any(p["table"] == "statements" and p["key"] == {"seq": 8} for p in problems if p["kind"] == "read_model")


def test_swapped_events_are_named(database_url: str, engine: Engine, signed_log: list[Signed]) -> None:
    swap(engine, 7, 8)
    code, out, _ = _cli(database_url, "verify", "--json")
    assert code == 1
    chained = [(p["kind"], p["seq"]) for p in json.loads(out)["problems"] if p["kind"] == "chain"]
    assert chained[:2] == [("chain", 7), ("chain", 8)]
    assert "does not link to the event at seq 6" in json.loads(out)["problems"][0]["message"]


def _rename(event: Event) -> str:
    return event.payload_json.replace("Siti", "Budi") if event.seq == 3 else event.payload_json


def test_a_history_rewritten_and_rehashed_is_found_by_the_checkpoints_signed_before_it(
        database_url: str, engine: Engine, signed_log: list[Signed], tmp_path: Path) -> None:
    before = all_events(engine)
    rewrite_from(engine, 3, _rename)
    after = all_events(engine)
    assert chain.verify(after) is None and after[3].hash != before[3].hash  # a perfect chain again
    code, out, _ = _cli(database_url, "verify", "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [(p["kind"], p["seq"]) for p in problems if p["kind"] != "read_model"] == [("checkpoint", 6),
                                                                                       ("checkpoint", 10)]
    assert {p["table"] for p in problems if p["kind"] == "read_model"} == {"agent_names"}  # Siti's name, at seq 3
    assert (f"the checkpoint.signed event at seq 6 signed hash {before[3].hash} for seq 4, but the event at seq 4 "
            f"has hash {after[3].hash}: the log was rewritten at or before seq 4") == problems[0]["message"]
    code, out, _ = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, signed_log[0].as_json()))
    assert code == 1 and (f"outside_checkpoint: the event at seq 4 has hash {after[3].hash}, but the checkpoint "
                          f"signed hash {before[3].hash}: the history up to seq 4 was rewritten") in out


def test_a_rewrite_that_drops_the_logged_checkpoints_is_found_by_one_kept_outside(
        database_url: str, engine: Engine, signed_log: list[Signed], tmp_path: Path) -> None:
    rewrite_from(engine, 3, lambda e: None if e.type in (KEY_PUBLISHED, CHECKPOINT_SIGNED) else _rename(e))
    rewrite_read_models(engine)
    code, out, _ = _cli(database_url, "verify")
    assert code == 0, out  # nothing in the log or the read models contradicts it any more
    code, out, _ = _cli(database_url, "verify", "--json", "--checkpoint", _kept(tmp_path, signed_log[1].as_json()))
    assert code == 1
    messages = [p["message"] for p in json.loads(out)["problems"]]
    assert messages[0].startswith("the event at seq 9 has hash ")  # seqs closed up: 9 is now another event
    assert messages[-1] == (f"key {signed_log[1].checkpoint.key_id}, which the checkpoint names, is not published "
                            "in the log: it never signed a checkpoint of it")


def test_a_key_that_never_signed_the_checkpoint_is_named(database_url: str, engine: Engine, signed_log: list[Signed],
                                                         tmp_path: Path) -> None:
    real = signed_log[1]
    stranger = signing.load_key(signing.new_key_pem(), "stranger")
    c = real.checkpoint
    # a key the log never published
    forged = signing.sign(stranger, seq=c.seq, hash=c.hash, stored=c.stored)
    code, out, _ = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, forged.as_json(), "a.json"))
    assert code == 1 and f"key {forged.key_id}, which the checkpoint names, is not published in the log" in out
    # the published key's id, another key's signature
    wrong = {**c.as_json(), "signature": base64.b64encode(stranger.sign(c.signed_bytes())).decode()}
    code, out, _ = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, wrong, "b.json"))
    assert code == 1 and (f"the signature does not verify under key {c.key_id} as the log publishes it: that key never "
                          "signed this checkpoint") in out
    # the right signature, handed over with another public key than the one published
    other = {**real.as_json(), "public_key": PublicKey.of(stranger).public_key}
    code, out, err = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, other, "c.json"))
    assert code == 1 and "is not the id of its public_key" in err


def test_a_checkpoint_a_dba_adds_under_an_unpublished_key_is_named(database_url: str, engine: Engine,
                                                                    signed_log: list[Signed]) -> None:
    stranger = signing.load_key(signing.new_key_pem(), "stranger")
    head = all_events(engine)[-1]
    forged = signing.sign(stranger, seq=head.seq, hash=head.hash, stored=chain.format_stored(head.stored))
    with as_dba(engine) as conn:
        log.append(conn, [EventDraft(CHECKPOINT_SIGNED, forged.as_json())], head.stored)
    code, out, _ = _cli(database_url, "verify")
    assert code == 1 and (f"checkpoint: the checkpoint.signed event at seq 13 names key {forged.key_id}, which no "
                          "key.published event before it publishes") in out


def test_a_logged_checkpoint_changed_and_rehashed_fails_its_signature(database_url: str, engine: Engine,
                                                                      signed_log: list[Signed]) -> None:
    def edit(event: Event) -> str:
        if event.seq != 6:
            return event.payload_json
        return chain.canonical_json({**event.payload, "stored": "2020-01-01T00:00:00.000Z"})

    rewrite_from(engine, 6, edit)
    code, out, _ = _cli(database_url, "verify")
    assert code == 1 and (f"the checkpoint.signed event at seq 6: its signature does not verify under key "
                          f"{signed_log[0].checkpoint.key_id}") in out


def test_a_checkpoint_file_of_the_wrong_form_is_named(database_url: str, engine: Engine, signed_log: list[Signed],
                                                      tmp_path: Path) -> None:
    document = signed_log[0].as_json()
    del document["hash"]
    code, _, err = _cli(database_url, "verify", "--checkpoint", _kept(tmp_path, document))
    assert code == 1 and "kept.json.hash must be 64 lowercase hex digits, not None" in err
    (tmp_path / "text.json").write_text("seq 4")
    code, _, err = _cli(database_url, "verify", "--checkpoint", str(tmp_path / "text.json"))
    assert code == 1 and "text.json is not JSON" in err
