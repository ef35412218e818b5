"""The marshmallow schemas of /api/v1: the query parameters each view loads (unknown names are
refused) and the shapes of its replies. lrs/reports_api/openapi.py builds the OpenAPI document
from both, so what a view accepts and what the document says cannot drift apart."""
from __future__ import annotations

from typing import Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lrs.errors import BadRequest

MAX_LIMIT = 500
YEAR = validate.Range(min=1900, max=9999)


def load(schema: Schema, args: Mapping[str, str]) -> dict[str, Any]:
    """The parameters `schema` loads from `args`; BadRequest naming each bad one and why."""
    try:
        loaded: dict[str, Any] = schema.load(dict(args))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
        problems = "; ".join(f"{name}: {' '.join(map(str, why))}" for name, why in messages.items())
        raise BadRequest(f"bad parameters ({problems})") from exc
    return loaded


# --- Query parameters ------------------------------------------------------------------------

class Args(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(validate=validate.OneOf(["json"]),
                           metadata={"description": "Only json: /api/v1 answers JSON (a table is an export)."})


class AsOfArgs(Args):
    as_of = fields.String(metadata={"description": "The figures as they stood at this event seq or ISO 8601 "
                                                   "stored time (replayed from the log)."})


class YearArgs(AsOfArgs):
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "The calendar year."})


class JpArgs(YearArgs):
    explain = fields.Boolean(load_default=True, metadata={"description": "Include each statement's line."})


class PageArgs(Args):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9),
                            metadata={"description": "Items to skip."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT),
                           metadata={"description": f"Items in the page (at most {MAX_LIMIT})."})


class SummaryArgs(YearArgs, PageArgs):
    pass


class NationalArgs(PageArgs):
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "The calendar year."})


class PendingArgs(AsOfArgs, PageArgs):
    pass


class PegawaiListArgs(YearArgs):
    target_met = fields.Boolean(metadata={"description": "Only those meeting (true) or not meeting (false) their "
                                                        "target; a pegawai without a target matches neither."})
    status = fields.String(metadata={"description": "Only this roster status (PNS, PPPK...)."})
    unit_kerja = fields.String(metadata={"description": "Only this unit kerja (instansi list only)."})
    jp_below = fields.Decimal(allow_nan=False, metadata={"description": "Only those with fewer JP counted."})
    sort = fields.String(load_default="jp", validate=validate.OneOf(["jp", "-jp", "nama", "-nama", "nip", "-nip"]),
                         metadata={"description": "Order; ties by nip in the same direction."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT),
                           metadata={"description": f"Pegawai in the page (at most {MAX_LIMIT})."})
    cursor = fields.String(metadata={"description": "The next page: taken from the previous page's `more`."})


class ExplainArgs(AsOfArgs):
    nip = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "The pegawai's NIP."})
    year = fields.Integer(required=True, validate=YEAR, metadata={"description": "The calendar year."})


# --- Replies (documentation of the JSON the views send; nested details stay open objects) ------

def _objects(description: str) -> fields.List[Any]:
    return fields.List(fields.Dict(), metadata={"description": description})


class Error(Schema):
    error = fields.String(required=True, metadata={"description": "The kind of error, e.g. BadRequest."})
    message = fields.String(required=True, metadata={"description": "What is wrong, naming the parameter."})


class JpTotal(Schema):
    nip = fields.String(required=True)
    year = fields.Integer(required=True)
    nama = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    unit_kerja = fields.String(allow_none=True)
    instansi = fields.String(allow_none=True)
    jp_counted = fields.Float(required=True)
    jp_pending = fields.Float()
    jp_by_form = fields.Dict(keys=fields.String(), values=fields.Float())
    target_jp = fields.Float(allow_none=True)
    target_met = fields.Boolean(allow_none=True)
    target_reason = fields.String()
    policy_versions = fields.List(fields.String())
    lines = _objects("Each statement that could count: JP, status, reason, decisions (only with explain).")
    suspected_duplicates = _objects("Claims that may report one completion twice.")
    warnings = _objects("Warnings with a code and a message.")


class Paged(Schema):
    """An offset page: how many there are in all, where the page starts and its size."""
    count = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class SummaryPage(Paged):
    year = fields.Integer(required=True)
    summary = fields.Dict(required=True, metadata={"description": "The totals of the whole instansi or unit kerja."})
    units = _objects("The instansi's unit kerja summaries (instansi summary).")
    pegawai = _objects("The unit kerja's pegawai JP totals (unit summary).")
    current_as_of = fields.Integer(allow_none=True, metadata={
        "description": "A stored roll-up: the log position it is current as of (null: computed on request)."})
    pending_figures = fields.Integer(allow_none=True, metadata={
        "description": "Figures of the year waiting to be recomputed (0: the roll-up is exact)."})


class NationalPage(Paged):
    year = fields.Integer(required=True)
    summary = fields.Dict(required=True, metadata={"description": "The nation's totals (stored roll-up)."})
    instansi = _objects("Each instansi's summary, paged by code.")
    current_as_of = fields.Integer(metadata={"description": "The log position the roll-up is current as of."})
    pending_figures = fields.Integer(metadata={"description": "Figures of the year waiting to be recomputed."})


class PegawaiListPage(Schema):
    instansi = fields.String(required=True)
    unit_kerja = fields.String(allow_none=True)
    year = fields.Integer(required=True)
    pegawai = _objects("nip, nama, unit_kerja, status, jp_counted, jp_pending, target_jp, target_met, and "
                       "whether the figure waits to be recomputed (pending) or was computed on read (computed).")
    current_as_of = fields.Integer(metadata={"description": "The log position the stored figures are current as of."})
    pending = fields.Integer(metadata={"description": "Figures of the year waiting to be recomputed."})
    computed = fields.Integer(metadata={"description": "Members without a stored figure, computed on read."})
    more = fields.String(allow_none=True, metadata={"description": "The next page's URL; null on the last page."})


class Recognitions(Schema):
    nip = fields.String(required=True)
    year = fields.Integer(required=True)
    claims = _objects("The claims that need a decision: status, JP and every decision.")


class PendingPage(Paged):
    atasan = fields.String(metadata={"description": "The atasan (atasan pending)."})
    instansi = fields.String(metadata={"description": "The instansi (instansi pending)."})
    pending = _objects("Claims waiting, oldest first: the pegawai, the claim's line, the step and the cap.")


class CompetencyProfile(Schema):
    nip = fields.String(required=True)
    year = fields.Integer(required=True)
    nama = fields.String(allow_none=True)
    jabatan = fields.String(allow_none=True)
    unit_kerja = fields.String(allow_none=True)
    instansi = fields.String(allow_none=True)
    standard = fields.String(metadata={"description": "Which competency standard applied, or why none."})
    competencies = _objects("Required and assessed level, gap, learning per competency.")
    jpm = fields.Float(allow_none=True, metadata={"description": "Job-person match."})
    plan = _objects("The development plan's items against what was done.")
    jp_planned = fields.Float()
    jp_done = fields.Float()
    policy_versions = fields.List(fields.String())


class UnitGaps(Schema):
    instansi = fields.String(required=True)
    unit_kerja = fields.String(required=True)
    year = fields.Integer(required=True)
    pegawai = fields.Integer()
    competencies = _objects("Per competency, how many pegawai have a gap.")


class Checkpoint(Schema):
    seq = fields.Integer(required=True, metadata={"description": "The log position signed."})
    hash = fields.String(required=True)
    stored = fields.String(required=True)
    key_id = fields.String(required=True)
    signature = fields.String(required=True, metadata={"description": "Ed25519, base64."})
    public_key = fields.String(allow_none=True)
    event_seq = fields.Integer(metadata={"description": "The seq of the checkpoint.signed event."})


class CheckpointPage(Paged):
    checkpoints = fields.List(fields.Nested(Checkpoint), required=True)
    keys = _objects("Every published key: algorithm, key_id, public_key, event_seq.")


class Explanation(Schema):
    nip = fields.String(required=True)
    year = fields.Integer(required=True)
    as_of_seq = fields.Integer(metadata={"description": "The last event the explanation reflects."})
    jp_counted = fields.Float()
    jp_pending = fields.Float()
    target_jp = fields.Float(allow_none=True)
    target_met = fields.Boolean(allow_none=True)
    target_reason = fields.String()
    target_roster = fields.Dict(allow_none=True, metadata={"description": "The roster row on the period's last day."})
    target_policy_versions = _objects("The policy versions the target comes from, with their events.")
    statements = _objects("Each statement that could count: its rule, policy versions, decisions, void.")
    roster = _objects("Every roster row of the pegawai, oldest first.")
    events = _objects("Every event named above (seq, hash), in seq order.")
