"""Who in an instansi (or unit kerja) is behind: its pegawai's JP figures of a year, filtered and
sorted, in keyset pages, read from the stored figures (lrs/store/figure_rows.py figure_page) in one
indexed query per page.

Who belongs is the summaries' rule (lrs/read/jp.py): where the roster places the pegawai on the
period's last day. Two kinds of pegawai have no current stored figure there, and neither is left
out or shown wrong without saying so:
- a member with no stored figure in that place (no claim yet that year, figures not computed since
  they began, or a stored figure that still names their old unit): computed on read for the
  request, as projections/figures.py would store it, and merged into the order (`computed`);
- a stored figure waiting in the queue to be recomputed: listed with its values as last stored and
  `pending` set; the page says how many figures of the year wait (`pending`). Recomputing a queue
  that a policy filled with a whole instansi per request would cost what the stored figures save.
Filters, sort and paging are Flask's no more than the web pages': they call this as /api/v1 does."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from sqlalchemy import Engine

from lrs.errors import BadRequest
from lrs.read import access
from lrs.read.credentials import Credential
from lrs.read.facts import facts_at
from lrs.store import figure_rows, rollup_rows, read_models
from projections import runner
from projections.figures import compute
from projections.replays import Replays
from projections.rules.jp import JpTotal
from projections.rules.policy import PolicySet

SORTS = ("jp", "-jp", "nama", "-nama", "nip", "-nip")


@dataclass(frozen=True)
class Listed:
    nip: str
    nama: str | None
    jp_counted: Decimal
    jp_pending: Decimal
    target_jp: Decimal | None
    target_met: bool | None
    unit_kerja: str | None
    status: str | None
    pending: bool  # the stored figure waits to be recomputed: its values are as last stored
    computed: bool  # no stored figure in this place: computed for this request


@dataclass(frozen=True)
class ListQuery:
    target_met: bool | None = None
    status: str | None = None
    unit_kerja: str | None = None
    jp_below: Decimal | None = None  # jp_counted below this
    sort: str = "jp"  # one of SORTS; ties by nip in the same direction
    limit: int = 50
    cursor: str | None = None  # next_cursor of the page before


@dataclass(frozen=True)
class PegawaiPage:
    instansi: str
    unit_kerja: str | None
    year: int
    items: list[Listed]
    current_as_of: int  # the projections' checkpoint the figures are current as of
    pending: int  # figures of the year waiting to be recomputed (any instansi)
    computed: int  # members of this list (all pages) computed on read, having no stored figure here
    next_cursor: str | None  # None on the last page


def pegawai_list(
    engine: Engine, instansi: str, year: int, query: ListQuery = ListQuery(), *, as_of: str | None = None,
    replays: Replays | None = None, reader: Credential | None = None,
) -> PegawaiPage:
    """A page of the pegawai of an instansi (or of query.unit_kerja) in `year`; BadRequest naming a
    bad sort or cursor, NotAuthorized when `reader` may not read the instansi's (unit's) summary.
    An `as_of` is read from a replay, which stores no figures: every member is computed."""
    field, descending = _sort(query.sort)
    after = _after(query.cursor, query.sort)
    access.require_unit(engine, reader, instansi, query.unit_kerja)
    stored = not as_of  # a replay stores no figures
    with facts_at(engine, as_of, replays) as conn:
        year_end = PolicySet.from_rows(read_models.policy_rows(conn)).period_end(year)
        pending = figure_rows.queued_in(conn, year) if stored else 0
        # A rolled-up year with nothing queued has a stored figure for every member (opening the
        # year queued them all; a roster row queues its rolled-up years): no roster scan needed.
        complete = stored and not pending and year in rollup_rows.open_years(conn)
        missing = [] if complete else figure_rows.members_without_figure(
            conn, instansi, query.unit_kerja, year, year_end.isoformat(), stored_here=stored)
        totals, _ = compute(conn, [(nip, year) for nip in missing])
        rows = figure_rows.figure_page(
            conn, instansi, year, unit_kerja=query.unit_kerja, target_met=query.target_met, status=query.status,
            jp_below=query.jp_below, sort=field, descending=descending, after=after,
            limit=query.limit + 1) if stored else []
        current = min(read_models.checkpoints(conn, runner.BY_NAME).values())
    computed = [_of_total(t) for t in totals if t.instansi == instansi
                and query.unit_kerja in (None, t.unit_kerja)]
    wanted = [item for item in computed if _matches(item, query)
              and (after is None or _beyond(_key(item, field), after, descending))]
    merged = sorted([_of_row(r) for r in rows] + wanted, key=lambda item: _key(item, field), reverse=descending)
    items = merged[:query.limit]
    more = len(merged) > query.limit
    return PegawaiPage(instansi, query.unit_kerja, year, items, current, pending, len(computed),
                       _cursor(query.sort, _key(items[-1], field)) if more else None)


def _sort(sort: str) -> tuple[str, bool]:
    if sort not in SORTS:
        raise BadRequest(f"sort {sort!r} is not one of {', '.join(SORTS)}")
    return sort.lstrip("-"), sort.startswith("-")


def _key(item: Listed, field: str) -> tuple[Any, ...]:
    if field == "jp":
        return item.jp_counted, item.nip
    if field == "nama":
        return item.nama or "", item.nip
    return (item.nip,)


def _beyond(key: tuple[Any, ...], after: Sequence[Any], descending: bool) -> bool:
    return key < tuple(after) if descending else key > tuple(after)


def _matches(item: Listed, query: ListQuery) -> bool:
    return ((query.target_met is None or item.target_met is query.target_met)
            and (query.status is None or item.status == query.status)
            and (query.jp_below is None or item.jp_counted < query.jp_below))


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _of_row(row: dict[str, Any]) -> Listed:
    return Listed(row["nip"], row["nama"], Decimal(row["jp_counted"]), Decimal(row["jp_pending"]),
                  _dec(row["target_jp"]), row["target_met"], row["unit_kerja"], row["status"], bool(row["pending"]),
                  False)


def _of_total(t: JpTotal) -> Listed:
    return Listed(t.nip, t.nama, t.jp_counted, t.jp_pending, t.target_jp, t.target_met, t.unit_kerja, t.status,
                  False, True)


# The cursor: the sort and the last row's key, as base64url JSON (opaque to clients).

def _cursor(sort: str, key: tuple[Any, ...]) -> str:
    text = json.dumps({"sort": sort, "after": [str(v) for v in key]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str | None, sort: str) -> tuple[Any, ...] | None:
    if cursor is None:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [str(v) for v in found["after"]]
        made_for = found["sort"]
        key = (Decimal(values[0]), values[1]) if made_for.lstrip("-") == "jp" else tuple(values)
    except (ValueError, KeyError, TypeError, IndexError, InvalidOperation, binascii.Error) as exc:
        raise BadRequest(f"cursor {cursor!r} is not one this list gave") from exc
    if made_for != sort:
        raise BadRequest(f"cursor was given for sort {made_for!r}, not {sort!r}")
    if len(key) != (1 if sort.lstrip("-") == "nip" else 2):
        raise BadRequest(f"cursor {cursor!r} is not one this list gave")
    return key
