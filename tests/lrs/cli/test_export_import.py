"""`lrs export` and `lrs import`: export -> import gives the same events and hashes, read models
and figures, on SQLite and PostgreSQL and across them; an import into a non-empty store, of a
broken chain, of a file whose checkpoints do not verify, or of a cut file is refused and writes
nothing; a range export verifies on its own against a checkpoint (`lrs verify --file`)."""
from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from lrs.cli import main
from lrs.events import CHECKPOINT_SIGNED, KEY_PUBLISHED, STATEMENT_STORED
from lrs.read.competencies import pegawai_profile
from lrs.read.jp import pegawai_jp, summary
from lrs.read.recognitions import claims_of
from lrs.read.values import to_json
from lrs.store import chain, log, signing
from lrs.store.engine import make_engine
from lrs.write.checkpoints import sign_head
from lrs.write.reference import trust_source
from lrs.write.statements import record_statements
from lrs.xapi.multipart import Part
from tests.fixtures.databases import SqliteTemplate
from tests.fixtures.jp import LMS, NIP_A, NIP_B, NIP_C, claim
from tests.fixtures.populated import populate, tables

YEAR = 2026


def _cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def figures(engine: Engine) -> dict[str, Any]:
    return {"jp": [to_json(pegawai_jp(engine, nip, YEAR)) for nip in (NIP_A, NIP_B, NIP_C)],
            "summary": to_json(summary(engine, "KEMENKEU", YEAR).summary),
            "recognitions": to_json(claims_of(engine, NIP_A, YEAR)),
            "competencies": to_json(pegawai_profile(engine, NIP_A, YEAR))}


def test_export_then_import_gives_the_same_hashes_read_models_and_figures(
        database_url: str, engine: Engine, empty_store: str, tmp_path: Path) -> None:
    signed = populate(engine)
    exported = tmp_path / "jejak.ndjson.gz"
    code, out, err = _cli(database_url, "export", "--out", str(exported))
    assert code == 0, err
    assert "1 attachments" in out and "exporting" in err
    code, out, err = _cli(empty_store, "import", str(exported))
    assert code == 0, err
    assert "2 signed checkpoints, 1 attachments" in out and "projections rebuilt" in out
    target = make_engine(empty_store)
    try:
        assert tables(target) == tables(engine)
        assert figures(target) == figures(engine)
        assert figures(engine)["jp"][0]["jp_counted"] > 0  # the figures compared are not empty
    finally:
        target.dispose()
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(signed[0].as_json()))
    code, out, err = _cli(empty_store, "verify", "--checkpoint", str(kept))
    assert code == 0 and "2 signed checkpoints; the log extends the checkpoint" in out, out + err


# Refusals: the target is the test's database (both backends); the file comes from a small store.

@pytest.fixture
def exported(sqlite_template: SqliteTemplate, tmp_path: Path) -> Path:
    """An export of seq 1 a trusted source, 2-5 statements (one with an attachment), 6 a key,
    7 a checkpoint of seq 5, 8-9 statements."""
    url = sqlite_template.fresh_url()
    source = make_engine(url)
    trust_source(source, "lms")
    record_statements(source, [claim(jp=n) for n in range(1, 4)], authority=LMS)
    evidence = b"bukti"
    sha2 = hashlib.sha256(evidence).hexdigest()
    record_statements(source, [{**claim(jp=5), "attachments": [{
        "usageType": "http://id.tincanapi.com/attachment/certificate", "display": {"en-US": "certificate"},
        "contentType": "text/plain", "length": 5, "sha2": sha2}]}], authority=LMS,
        attachments=[Part(sha2, "text/plain", evidence)])
    sign_head(source, signing.load_key(signing.new_key_pem(), "key"))
    record_statements(source, [claim(jp=7), claim(jp=8)], authority=LMS)
    source.dispose()
    path = tmp_path / "small.ndjson.gz"
    code, _, err = _cli(url, "export", "--out", str(path))
    assert code == 0, err
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write(path: Path, changed: list[dict[str, Any]]) -> Path:
    target = path.with_name("changed.ndjson.gz")
    with gzip.open(target, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in changed)
    return target


def rehashed(all_lines: list[dict[str, Any]], edit: Callable[[dict[str, Any]], dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Every event line through `edit` (None drops it), then the chain hashed again from the
    start, seqs closed up and the header and end line made to agree: a file whose chain verifies."""
    kept = [e for line in all_lines if line["kind"] == "event" and (e := edit(line)) is not None]
    prev, events = chain.GENESIS_HASH, []
    for seq, line in enumerate(kept, start=1):
        stored = datetime.fromisoformat(line["stored"].replace("Z", "+00:00"))
        digest = chain.event_hash(prev, seq, line["type"], stored, chain.canonical_json(line["payload"]))
        events.append({**line, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    header, end = all_lines[0], all_lines[-1]
    attachments = [line for line in all_lines if line["kind"] == "attachment"]
    return [{**header, "to_seq": len(events)}, *events, *attachments, {**end, "events": len(events)}]


def assert_nothing_written(engine: Engine, events: int = 0) -> None:
    rows = tables(engine)
    assert len(rows.pop("events")) == events
    if events == 0:
        assert {name: found for name, found in rows.items() if found} == {}


def _refused(database_url: str, path: Path, message: str) -> None:
    code, _, err = _cli(database_url, "import", str(path))
    assert code == 1, err
    assert "import refused, nothing written: " in err and message in err, err


def test_an_export_rewritten_by_another_tool_imports_to_the_same_hashes(database_url: str, engine: Engine,
                                                                        exported: Path) -> None:
    """Spacing and key order are not the log's: the payload is canonicalised again on import."""
    found = lines(exported)
    code, _, err = _cli(database_url, "import", str(write(exported, [dict(reversed(x.items())) for x in found])))
    assert code == 0, err
    assert sorted((r[0], r[-1]) for r in tables(engine)["events"]) == [(x["seq"], x["hash"]) for x in found
                                                                      if x["kind"] == "event"]


def test_an_import_into_a_store_that_is_not_empty_is_refused(database_url: str, engine: Engine, exported: Path) -> None:
    trust_source(engine, "phone")
    _refused(database_url, exported, "the store is not empty: its log holds events up to seq 1")
    assert_nothing_written(engine, events=1)


def test_an_import_of_a_broken_chain_is_refused(database_url: str, engine: Engine, exported: Path) -> None:
    found = lines(exported)
    found[3]["payload"]["actor"]["account"]["name"] = NIP_B  # seq 3 changed, its hash left as it was
    _refused(database_url, write(exported, found), "the event at seq 3 does not follow the event at seq 2 (by seq "
                                                   "and prev_hash), or its hash does not recompute")
    assert_nothing_written(engine)


def test_an_import_of_a_rewritten_and_rehashed_file_is_refused_by_its_checkpoints(
        database_url: str, engine: Engine, exported: Path) -> None:
    def edit(line: dict[str, Any]) -> dict[str, Any]:
        if line["seq"] == 2:
            line["payload"]["actor"]["account"]["name"] = NIP_B
        return line

    _refused(database_url, write(exported, rehashed(lines(exported), edit)),
             "the checkpoint.signed event at seq 7 signed hash")
    assert_nothing_written(engine)


def test_an_import_of_a_forged_checkpoint_is_refused(database_url: str, engine: Engine, exported: Path) -> None:
    stranger = signing.load_key(signing.new_key_pem(), "stranger")

    def forge(line: dict[str, Any]) -> dict[str, Any] | None:
        if line["type"] == KEY_PUBLISHED:
            return None  # only the stranger's key would remain, and it is never published
        if line["type"] == CHECKPOINT_SIGNED:
            p = line["payload"]
            line["payload"] = signing.sign(stranger, seq=p["seq"], hash=p["hash"], stored=p["stored"]).as_json()
        return line

    _refused(database_url, write(exported, rehashed(lines(exported), forge)),
             "which no key.published event before it publishes")
    assert_nothing_written(engine)


@pytest.mark.parametrize("cut, message", [
    (lambda found: found[:-1], "has no end line: it is cut short (the last seq read is 9)"),
    (lambda found: found[:4] + found[5:], "seq 5 follows seq 3; an export holds every seq of its range"),
])
def test_an_import_of_a_cut_or_mended_file_is_refused(database_url: str, engine: Engine, exported: Path, cut: Any,
                                                      message: str) -> None:
    found = lines(exported)
    assert [x["kind"] for x in found].count("attachment") == 1
    _refused(database_url, write(exported, cut(found)), message)
    assert_nothing_written(engine)


def test_an_import_of_changed_attachment_bytes_is_refused(database_url: str, engine: Engine, exported: Path) -> None:
    found = [{**x, "base64": "QlVLVEk="} if x["kind"] == "attachment" else x for x in lines(exported)]
    _refused(database_url, write(exported, found), "do not hash to it")
    assert_nothing_written(engine)


def test_an_import_of_what_is_not_an_export_is_refused(database_url: str, engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "plain.json").write_text("{}")
    _refused(database_url, tmp_path / "plain.json", "cannot be read as a gzip file")
    assert_nothing_written(engine)


# Ranges.

def test_a_range_export_verifies_on_its_own_against_a_checkpoint(database_url: str, engine: Engine, tmp_path: Path,
                                                                 sqlite_template: SqliteTemplate) -> None:
    key = signing.load_key(signing.new_key_pem(), "key")
    trust_source(engine, "lms")
    record_statements(engine, [claim(jp=n) for n in range(1, 5)], authority=LMS)  # 2-5
    signed = sign_head(engine, key)  # 6 the key, 7 a checkpoint of seq 5
    record_statements(engine, [claim(jp=n) for n in range(1, 4)], authority=LMS)  # 8-10
    later = sign_head(engine, key)  # 11 a checkpoint of seq 10
    part = tmp_path / "part.ndjson.gz"
    code, out, err = _cli(database_url, "export", "--out", str(part), "--from-seq", "8", "--to-seq", "11")
    assert code == 0 and "exported seqs 8 to 11: 4 events" in out, err
    found = lines(part)
    with engine.connect() as conn:
        assert found[0]["prev_hash"] == log.at(conn, [7])[7].hash  # the hash before its first event
    assert found[0]["keys"] == [signed.key.as_json()]  # published before the range
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(later.as_json()))
    code, out, err = _cli(database_url, "verify", "--file", str(part), "--checkpoint", str(kept))
    assert code == 0 and "chain verified: 4 events" in out and "extends the checkpoint at seq 10" in out, out + err
    kept.write_text(json.dumps(signed.as_json()))
    code, out, _ = _cli(database_url, "verify", "--file", str(part), "--checkpoint", str(kept))
    assert code == 1 and "the checkpoint signs seq 5, before the file's first event (seq 8)" in out
    changed = found[:2] + [{**found[2], "type": STATEMENT_STORED + "x"}] + found[3:]
    code, out, _ = _cli(database_url, "verify", "--file", str(write(part, changed)))
    assert code == 1 and "chain: the event at seq 9 does not hash to its hash" in out
    code, _, err = _cli(sqlite_template.fresh_url(), "import", str(part))
    assert code == 1 and "holds seqs 8 to 11: a store starts from an export of the whole log" in err


def test_export_refuses_a_range_past_the_head_and_an_existing_file(database_url: str, engine: Engine,
                                                                   tmp_path: Path) -> None:
    trust_source(engine, "lms")
    target = tmp_path / "e.ndjson.gz"
    code, _, err = _cli(database_url, "export", "--out", str(target), "--to-seq", "2")
    assert code == 1 and "--to-seq 2 is past the head of the log (seq 1)" in err and not target.exists()
    code, _, err = _cli(database_url, "export", "--out", str(target), "--from-seq", "2", "--to-seq", "1")
    assert code == 1 and "--to-seq 1 is before --from-seq 2" in err
    target.write_text("mine")
    code, _, err = _cli(database_url, "export", "--out", str(target))
    assert code == 1 and "exists; choose another --out" in err and target.read_text() == "mine"
    assert list(tmp_path.iterdir()) == [target]  # no .partial left behind
