"""Attachment bytes are content-addressed: stored once, and a swapped file is detected."""
from __future__ import annotations

import hashlib

from sqlalchemy import Engine, func, select, update

from lrs.store import attachment_blobs
from lrs.store.tables import attachments


def test_same_bytes_stored_once_and_intact_blobs_verify(engine: Engine) -> None:
    content = b"sertifikat pelatihan"
    sha2 = hashlib.sha256(content).hexdigest()
    with engine.begin() as conn:
        attachment_blobs.put(conn, [(sha2, "application/pdf", content)])
        attachment_blobs.put(conn, [(sha2, "application/pdf", content)])
        assert conn.execute(select(func.count()).select_from(attachments)).scalar_one() == 1
        assert list(attachment_blobs.mismatched(conn)) == []


def test_swapped_evidence_file_is_reported(engine: Engine) -> None:
    good, other = b"bukti coaching", b"forged"
    sha2 = hashlib.sha256(good).hexdigest()
    with engine.begin() as conn:
        attachment_blobs.put(conn, [(sha2, "text/plain", good)])
        conn.execute(update(attachments).values(content=other))
        assert list(attachment_blobs.mismatched(conn)) == [sha2]


def test_lrs_verify_fails_on_a_swapped_attachment(engine: Engine, database_url: str) -> None:
    from click.testing import CliRunner

    from lrs.cli import main

    content = b"sertifikat"
    with engine.begin() as conn:
        attachment_blobs.put(conn, [(hashlib.sha256(content).hexdigest(), "text/plain", content)])
    assert CliRunner().invoke(main, ["verify", "--database-url", database_url]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(update(attachments).values(content=b"forged"))
    result = CliRunner().invoke(main, ["verify", "--database-url", database_url])
    sha2 = hashlib.sha256(content).hexdigest()
    assert result.exit_code == 1 and f"attachment: the bytes of attachment {sha2} no longer hash to it" in result.output
