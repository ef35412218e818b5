"""The facts the domain rules read, typed: a claim of learning, a roster row, a decision on a
claim, a credential's binding, an assessment, a position's standard, a planned activity. Each is
built from a read model row (`of`); the rules never see a database. Pure."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

@dataclass(frozen=True)
class Claim:
    statement_id: str
    seq: int
    activity_id: str
    registration: str | None
    verb_id: str
    form_code: str
    jp_declared: Decimal | None
    minutes: Decimal | None
    activity_date: date
    activity_time: str
    authority_key: str | None
    voided: bool = False
    competency_codes: tuple[str, ...] = ()  # the competencies the activity names

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Claim:
        def dec(value: Any) -> Decimal | None:
            return None if value is None else Decimal(value)
        codes = tuple(json.loads(row["competency_codes"])) if row.get("competency_codes") else ()
        return cls(row["statement_id"], int(row["seq"]), row["activity_id"], row["registration"],
                   row["verb_id"], row["form_code"], dec(row["jp_declared"]), dec(row["minutes"]),
                   date.fromisoformat(row["activity_date"]), row["activity_time"], row["authority_key"],
                   bool(row.get("voided")), codes)


@dataclass(frozen=True)
class RosterEntry:
    nip: str
    effective_from: date
    nama: str
    status: str
    jabatan: str
    unit_kerja: str
    instansi: str
    atasan_nip: str | None
    mbox: str | None
    jenis_jabatan: str | None = None  # struktural, fungsional, pelaksana...

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> RosterEntry:
        return cls(row["nip"], date.fromisoformat(row["effective_from"]), row["nama"], row["status"],
                   row["jabatan"], row["unit_kerja"], row["instansi"], row["atasan_nip"], row["mbox"],
                   row.get("jenis_jabatan"))


def entry_on(history: Sequence[RosterEntry], day: date) -> RosterEntry | None:
    """The roster row in force on `day` (the latest effective_from not after it)."""
    fits = [e for e in history if e.effective_from <= day]
    return max(fits, key=lambda e: e.effective_from, default=None)


@dataclass(frozen=True)
class Decision:
    statement_id: str
    seq: int
    target_id: str
    kind: str  # approved | rejected | validated
    authority_key: str | None
    home_page: str | None
    account: str | None
    mbox: str | None
    jp: Decimal | None
    reason: str | None
    decided_at: str
    voided: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Decision:
        return cls(row["statement_id"], int(row["seq"]), row["target_id"], row["kind"], row["authority_key"],
                   row["home_page"], row["account"], row["mbox"],
                   None if row["jp"] is None else Decimal(row["jp"]), row["reason"], row["decided_at"],
                   bool(row.get("voided")))



@dataclass(frozen=True)
class Binding:
    key: str
    nip: str | None
    role: str | None
    instansi: str | None
    unit_kerja: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Binding:
        return cls(row["key"], row["nip"], row["role"], row["instansi"], row["unit_kerja"])

    def covers(self, role: str, instansi: str, unit_kerja: str) -> bool:
        return (self.role == role and self.instansi == instansi
                and self.unit_kerja in (None, unit_kerja))


@dataclass(frozen=True)
class Assessment:
    statement_id: str
    seq: int
    competency: str
    level: int
    assessor: Any
    assessed_at: str
    authority_key: str | None  # the credential that posted it: whether it counts depends on it
    voided: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Assessment:
        return cls(row["statement_id"], int(row["seq"]), row["competency"], int(row["level"]),
                   None if row["assessor"] is None else json.loads(row["assessor"]), row["assessed_at"],
                   row["authority_key"], bool(row.get("voided")))



@dataclass(frozen=True)
class Standard:
    instansi: str
    jabatan: str
    kompetensi: str
    jenis: str
    level: int
    effective_from: date
    seq: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Standard:
        return cls(row["instansi"], row["jabatan"], row["kompetensi"], row["jenis"], int(row["level"]),
                   date.fromisoformat(row["effective_from"]), int(row["seq"]))


@dataclass(frozen=True)
class Planned:
    statement_id: str
    seq: int
    plan_year: int
    activity_id: str
    title: str | None
    form_code: str | None
    jp: Decimal | None
    competency_codes: tuple[str, ...]
    voided: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Planned:
        return cls(row["statement_id"], int(row["seq"]), int(row["plan_year"]), row["activity_id"], row["title"],
                   row["form_code"], None if row["jp"] is None else Decimal(row["jp"]),
                   tuple(json.loads(row["competency_codes"])) if row["competency_codes"] else (),
                   bool(row.get("voided")))
