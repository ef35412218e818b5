"""What the bench scripts share to load generated data: JSON lines read in batches, and the
generator's population as roster rows."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Iterator


def chunks(lines: Iterable[str], size: int) -> Iterator[list[dict[str, Any]]]:
    """The JSON objects of `lines` (one per line), `size` at a time; the last batch may be smaller."""
    chunk: list[dict[str, Any]] = []
    for line in lines:
        chunk.append(json.loads(line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def roster_rows(people: Path) -> list[dict[str, Any]]:
    """`xapi_gen.py --population-out` as roster rows: every pegawai a PNS since 2000-01-01."""
    rows = []
    with people.open() as handle:
        for line in handle:
            person = json.loads(line)
            rows.append({"nip": person["nip"], "nama": person["name"], "status": "PNS",
                         "jabatan": person["jabatan"], "unit_kerja": person["unit_kerja"],
                         "instansi": person["instansi"]["code"], "atasan_nip": person["atasan"].get("nip"),
                         "effective_from": "2000-01-01", "mbox": person["actor"].get("mbox")})
    return rows
