"""Counted learning as SIASN "riwayat diklat/kursus" records (domain brief 5.4 and 7.3): one
record per counted line credited to an instansi in a year, in Jejak's record fields, with the
SIASN payload's field names beside them. What SIASN needs and the log does not hold stays null
rather than guessed: BKN's reference ids (jenisDiklatId, jenisKursusSertipikat), the certificate
number, the person's SIASN id (pnsOrangId). jumlahJam carries JP, as instansi integrations send
it (brief OQ-11)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import Engine

from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at, load
from lrs.read.values import to_json
from lrs.store import read_models, statement_rows
from lrs.store.engine import reading
from projections.replays import Replays
from projections.rules.facts import entry_on
from projections.rules.jp import Line, total


def _day(value: date) -> str:
    return value.strftime("%d-%m-%Y")  # SIASN's tanggalKursus format


def _first(language_map: Any) -> str | None:
    if isinstance(language_map, Mapping) and language_map:
        return str(next(iter(language_map.values())))
    return None


def _verification(line: Line, authority_key: str | None) -> tuple[str | None, Any]:
    """Who verified a counted line and when: the trusted source that sent it, or the decision in effect."""
    effective = [r for r in line.decisions if r.effective]
    if line.recognition == "auto" or not effective:
        return authority_key, None
    last = effective[-1]
    return last.decider, last.decided_at


def records(engine: Engine, instansi: str, year: int, as_of: str | None = None, *,
            replays: Replays | None = None, reader: Credential | None = None) -> list[dict[str, Any]]:
    """The instansi's counted learning of a year, oldest activity first, as SIASN records.
    NotAuthorized when `reader` (None: the operator) may not read the instansi."""
    access.require_unit(engine, reader, instansi, None)
    with facts_at(engine, as_of, replays) as conn:
        candidates = read_models.nips_in(conn, instansi, None)
        loaded = load(conn, candidates, year)
    counted: list[tuple[str, Line]] = []
    authority: dict[str, str | None] = {}
    for nip in candidates:
        result = total(nip, year, loaded.claims[nip], loaded.history[nip], loaded.facts)
        counted += [(nip, line) for line in result.lines
                    if line.status == "counted" and line.instansi == instansi and line.jp_counted > 0]
        authority.update({c.statement_id: c.authority_key for c in loaded.claims[nip]})
    with reading(engine) as conn:  # stored statements never change: any as_of reads them as they are
        stored = statement_rows.find_by_ids(conn, [line.statement_id for _, line in counted])
    found = []
    for nip, line in sorted(counted, key=lambda item: (item[1].activity_date, item[0], item[1].seq)):
        body = stored[line.statement_id].body if line.statement_id in stored else {}
        found.append(_record(nip, line, loaded.history[nip], body, authority.get(line.statement_id), year))
    return found


def _record(nip: str, line: Line, history: Sequence[Any], body: Mapping[str, Any], authority_key: str | None,
            year: int) -> dict[str, Any]:
    entry = entry_on(history, line.activity_date)
    activity = body.get("object") or {}
    name = _first((activity.get("definition") or {}).get("name")) or activity.get("id")
    provider = (body.get("context") or {}).get("platform")
    evidence = [a for a in body.get("attachments") or () if isinstance(a, Mapping) and "sha2" in a]
    verified_by, verified_at = _verification(line, authority_key)
    jp: Decimal = line.jp_counted
    record: dict[str, Any] = to_json({
        "nip": nip, "nama": entry.nama if entry else None, "jenis_pegawai": entry.status if entry else None,
        "jabatan": entry.jabatan if entry else None, "unit_kerja": line.unit_kerja, "instansi": line.instansi,
        "nama_kegiatan": name, "learning_form_code": line.form_code, "penyelenggara": provider,
        "tanggal_mulai": line.activity_date, "tanggal_selesai": line.activity_date, "jp": jp,
        "nomor_sertifikat": None, "tahun": year, "verification_status": line.recognition,
        "verified_by": verified_by, "verified_at": verified_at, "competency_codes": list(line.competencies),
        "evidence_uri": (f"/app/claims/{line.statement_id}/evidence/{str(evidence[0]['sha2']).lower()}"
                         if evidence else None),
        "statement_id": line.statement_id, "policy_versions": list(line.policy_versions),
        "siasn": {"pnsOrangId": None, "instansiId": line.instansi, "namaKursus": name, "jenisDiklatId": None,
                  "jenisKursusSertipikat": None, "institusiPenyelenggara": provider,
                  "tanggalKursus": _day(line.activity_date), "tanggalSelesaiKursus": _day(line.activity_date),
                  "jumlahJam": jp, "nomorSertipikat": None, "tahunKursus": year},
    })
    return record
