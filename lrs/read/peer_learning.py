"""Learning that others used to close a gap: for each competency a pegawai has a gap in, the
activities tagged with it that pegawai in the same jabatan completed (counted claims, from the
stored per-claim figures: drawn from the log itself, no outside catalogue), most taken first,
each with its name as statements defined the activity."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import Engine

from lrs.store import activity_rows, peer_learning
from lrs.store.engine import reading
from projections.rules.competency import CompetencyProfile

SHOWN = 3  # activities per competency: a suggestion, not a catalogue


@dataclass(frozen=True)
class Taken:
    activity_id: str
    name: Mapping[str, str]  # the activity's name by language, as statements defined it
    pegawai: int  # how many others in the jabatan completed it


def for_gaps(engine: Engine, profile: CompetencyProfile, *, limit: int = SHOWN) -> dict[str, list[Taken]]:
    """For each competency of `profile` with a gap: what others in its jabatan took for it."""
    codes: Sequence[str] = [row.code for row in profile.competencies if row.gap]
    if not codes or not profile.jabatan:
        return {}
    found: dict[str, list[Taken]] = {}
    with reading(engine) as conn:
        for code in codes:
            rows = peer_learning.activities_taken(conn, profile.jabatan, code, besides=profile.nip, limit=limit)
            found[code] = [Taken(r["activity_id"], _name(activity_rows.find_definition(conn, r["activity_id"])),
                                 int(r["pegawai"])) for r in rows]
    return found


def _name(definition: Mapping[str, object] | None) -> Mapping[str, str]:
    name = (definition or {}).get("name")
    return {str(k): str(v) for k, v in name.items()} if isinstance(name, dict) else {}
