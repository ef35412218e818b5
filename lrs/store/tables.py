"""The one schema: the event log, the statement read model, its index tables and the projection
read models (alembic reads it)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, Column, DateTime, Index, Integer, LargeBinary, MetaData, Numeric, String, Table, Text, text,
)

metadata = MetaData()

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BIGINT elsewhere.
SeqType = BigInteger().with_variant(Integer, "sqlite")

# The log: the only source of truth. Rows are never updated or deleted (triggers refuse it).
events = Table(
    "events", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("type", String(64), nullable=False),
    Column("stored", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),  # RFC 8785 canonical JSON: the hash covers these bytes
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    # Signed checkpoints and published keys, read by the audit endpoints, found among millions of
    # events through partial indexes that hold only them (so appends of statements pay nothing).
    Index("ix_events_checkpoints", "seq", sqlite_where=text("type = 'checkpoint.signed'"),
          postgresql_where=text("type = 'checkpoint.signed'")),
    Index("ix_events_keys", "seq", sqlite_where=text("type = 'key.published'"),
          postgresql_where=text("type = 'key.published'")),
)

# Statement read model: one row per stored statement; the body is the event's payload.
statements = Table(
    "statements", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),  # = events.seq
    Column("id", String(36), nullable=False, unique=True),
    Column("stored_ms", BigInteger, nullable=False),  # stored, ms since the epoch (since/until)
    Column("verb_id", Text, nullable=False),
    Column("registration", String(36)),
    Column("voided", Boolean, nullable=False, default=False),
    Column("voiding_target", String(36)),  # set on voiding statements: the id they void
    Column("authority", Text),  # IFI of the stored authority: what statements/read/mine matches
    Index("ix_statements_stored_ms", "stored_ms"),
    Index("ix_statements_verb", "verb_id", "seq"),
    Index("ix_statements_registration", "registration", "seq"),
    Index("ix_statements_voiding_target", "voiding_target"),
    Index("ix_statements_authority", "authority", "seq"),
)

# Agents a statement names: `direct` for actor and Agent/Group object (the `agent` filter),
# the rest (authority, instructor, team, group members, sub-statement) for related_agents.
statement_agents = Table(
    "statement_agents", metadata,
    Column("seq", SeqType, nullable=False),
    Column("ifi", Text, nullable=False),
    Column("direct", Boolean, nullable=False),
    Index("ix_statement_agents_ifi", "ifi", "seq"),
    Index("ix_statement_agents_seq", "seq"),
)

# Activities a statement names: `direct` for the object, the rest for related_activities.
statement_activities = Table(
    "statement_activities", metadata,
    Column("seq", SeqType, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("direct", Boolean, nullable=False),
    Index("ix_statement_activities_activity", "activity_id", "seq"),
    Index("ix_statement_activities_seq", "seq"),
)

# Every statement id a statement targets through StatementRefs, transitively: a statement
# meets a filter when a statement it targets does (xAPI 1.0.3, Data 2.4.4 / Communication 2.1.3).
statement_targets = Table(
    "statement_targets", metadata,
    Column("seq", SeqType, nullable=False),
    Column("target_id", String(36), nullable=False),
    Index("ix_statement_targets_target", "target_id", "seq"),
    Index("ix_statement_targets_seq", "seq"),
)

# Attachment bytes, stored once per SHA-256; statements name them by sha2 in the log.
attachments = Table(
    "attachments", metadata,
    Column("sha2", String(64), primary_key=True),
    Column("content_type", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# API credentials (HTTP Basic). Only a slow hash of the secret is kept.
credentials = Table(
    "credentials", metadata,
    Column("key", String(255), primary_key=True),
    Column("secret_hash", Text, nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated
    Column("authority", Text, nullable=False),  # JSON Agent used as statement authority
    Column("created", DateTime(timezone=True), nullable=False),
    Column("revoked", DateTime(timezone=True)),
    # An LMS of an instansi or a national one: `auto`-verified learning forms count from it.
    Column("trusted_source", Boolean, nullable=False, default=False, server_default="0"),
)

# Document read model (State, Activity Profile, Agent Profile): one row per current document.
# Its content is in the payload of the event at `seq`. `key` and `scope` are SHA-256 digests of
# the document's identity (lrs/xapi/documents.py), so arbitrarily long ids fit an index.
documents = Table(
    "documents", metadata,
    Column("key", String(64), primary_key=True),
    Column("scope", String(64), nullable=False),  # resource + activity + agent: what a list covers
    Column("registration", String(36)),  # State only
    Column("doc_id", Text, nullable=False),  # stateId or profileId
    Column("seq", SeqType, nullable=False),  # the event holding the current content
    Column("content_type", Text, nullable=False),
    Column("etag", String(40), nullable=False),  # SHA-1 hex of the content (xAPI Communication 3.1)
    Column("updated_ms", BigInteger, nullable=False),  # the event's stored time, ms (for `since`)
    Index("ix_documents_scope", "scope", "updated_ms"),
)

# Canonical Activity definitions, merged from the definitions statements carry (Activities resource).
activities = Table(
    "activities", metadata,
    Column("id", Text, primary_key=True),
    Column("definition", Text, nullable=False),  # JSON object
    Column("seq", SeqType, nullable=False),  # the statement event that changed it last
)

# Names statements gave each agent identifier (Agents resource: the Person object's `name`).
agent_names = Table(
    "agent_names", metadata,
    Column("ifi", Text, primary_key=True),  # lrs.xapi.statement.ifi()
    Column("name", Text, primary_key=True),
    Column("seq", SeqType, nullable=False),  # the statement event that first gave the name
)

# Projections (projections/): how far each has folded the log. Only projections/runner.py moves it.
projection_checkpoints = Table(
    "projection_checkpoints", metadata,
    Column("name", String(64), primary_key=True),
    Column("seq", SeqType, nullable=False),
)

# Published policy versions (national and instansi overlays); the document is the event's JSON.
policy_versions = Table(
    "policy_versions", metadata,
    Column("policy_id", String(255), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("instansi", String(255)),  # None: national
    Column("effective_from", String(10), nullable=False),  # ISO date
    Column("seq", SeqType, nullable=False),
    Column("document", Text, nullable=False),
)

# Who is who, and when: one row per pegawai per effective date (a later row wins from its date).
roster_entries = Table(
    "roster_entries", metadata,
    Column("nip", String(32), primary_key=True),
    Column("effective_from", String(10), primary_key=True),  # ISO date
    Column("nama", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("jabatan", Text, nullable=False),
    Column("unit_kerja", Text, nullable=False),
    Column("instansi", String(255), nullable=False),
    Column("atasan_nip", String(32)),
    Column("mbox", Text),
    Column("seq", SeqType, nullable=False),
    # struktural, fungsional, pelaksana...: the kind of position reports group by (brief 7.1).
    Column("jenis_jabatan", String(64)),
    Index("ix_roster_entries_mbox", "mbox"),
    Index("ix_roster_entries_atasan", "atasan_nip"),
    Index("ix_roster_entries_instansi", "instansi", "unit_kerja"),
)

# Credentials marked as trusted sources, as the log recorded them (so replays agree).
trusted_sources = Table(
    "trusted_sources", metadata,
    Column("key", String(255), primary_key=True),
    Column("seq", SeqType, nullable=False),
)

# JP claims: the facts of each statement that claims learning ("what happened"); the JP it
# earns ("what counts") is computed from these facts and the policy (projections/rules/jp.py).
jp_claims = Table(
    "jp_claims", metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("seq", SeqType, nullable=False),
    Column("home_page", Text),
    Column("account", Text),
    Column("mbox", Text),
    Column("verb_id", Text, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("registration", String(36)),
    Column("form_code", String(64), nullable=False),
    Column("jp_declared", String(32)),  # decimal text, as the statement gave it
    Column("minutes", String(32)),  # decimal text, from result.duration
    Column("activity_date", String(10), nullable=False),  # Asia/Jakarta date (policy timezone)
    Column("activity_time", String(40), nullable=False),  # the statement's timestamp
    Column("authority_key", String(255)),
    Column("competency_codes", Text),  # JSON list the activity names, or NULL
    Index("ix_jp_claims_account", "account"),
    Index("ix_jp_claims_mbox", "mbox"),
)

# Statements voided, whether or not they were claims (a void may arrive before its target).
jp_voids = Table(
    "jp_voids", metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("seq", SeqType, nullable=False),
)

# Decisions on claims (approve, reject, validate: statements whose object is a StatementRef to the
# claim). Whether a decision has effect is judged when a report is read (projections/rules/recognition.py).
decisions = Table(
    "decisions", metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("seq", SeqType, nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),  # approved | rejected | validated
    Column("authority_key", String(255)),
    Column("home_page", Text),
    Column("account", Text),
    Column("mbox", Text),
    Column("jp", String(32)),  # decimal text: the JP the decision recognises, when it names one
    Column("reason", Text),
    Column("decided_at", String(40), nullable=False),  # the statement's timestamp (else stored)
    Index("ix_decisions_target", "target_id"),
)

# Credentials bound to a person or a role (lrs credentials create --nip/--role): who a decision
# posted with that credential is from.
credential_bindings = Table(
    "credential_bindings", metadata,
    Column("key", String(255), primary_key=True),
    Column("nip", String(32)),
    Column("role", String(32)),  # None (a personal credential) | verifier | unit_pengelola | assessor
    Column("instansi", String(255)),
    Column("unit_kerja", Text),
    Column("seq", SeqType, nullable=False),
)

# Competency assessments: the facts; the latest per pegawai and competency, among those the
# posting credential may make (projections/rules/competency.py), is the assessed level.
assessments = Table(
    "assessments", metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("seq", SeqType, nullable=False),
    Column("home_page", Text),
    Column("account", Text),
    Column("mbox", Text),
    Column("competency", String(64), nullable=False),
    Column("level", Integer, nullable=False),
    Column("assessor", Text),  # the context.instructor Agent, JSON
    Column("assessed_at", String(40), nullable=False),
    Column("authority_key", String(255)),  # the credential that posted it
    Index("ix_assessments_account", "account"),
    Index("ix_assessments_mbox", "mbox"),
)

# Development plans: one row per planned activity statement.
plans = Table(
    "plans", metadata,
    Column("statement_id", String(36), primary_key=True),
    Column("seq", SeqType, nullable=False),
    Column("home_page", Text),
    Column("account", Text),
    Column("mbox", Text),
    Column("plan_year", Integer, nullable=False),
    Column("activity_id", Text, nullable=False),
    Column("title", Text),
    Column("form_code", String(64)),
    Column("jp", String(32)),
    Column("competency_codes", Text),
    Index("ix_plans_account", "account"),
    Index("ix_plans_mbox", "mbox"),
)

# Competency standards of positions (standar kompetensi jabatan), effective-dated.
competency_standards = Table(
    "competency_standards", metadata,
    Column("instansi", String(255), primary_key=True),  # "" for every instansi
    Column("jabatan", String(255), primary_key=True),
    Column("kompetensi", String(64), primary_key=True),
    Column("effective_from", String(10), primary_key=True),
    Column("jenis", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("seq", SeqType, nullable=False),
)

# Stored figures (projections/figures.py): each pegawai's JP for a year as projections/rules/jp.py
# total() computed it. Derived from the read models above, never folded from the log directly.
jp_figures = Table(
    "jp_figures", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    # The roster on the period's last day; bytewise order on PostgreSQL too (COLLATE "C"), as on
    # SQLite and in Python, so a sorted page merges with figures computed on read.
    Column("nama", Text().with_variant(Text(collation="C"), "postgresql")),
    Column("status", String(32)),
    Column("unit_kerja", Text),
    Column("instansi", String(255)),
    Column("jp_counted", String(32), nullable=False),  # decimal text
    Column("jp_pending", String(32), nullable=False),
    Column("jp_by_form", Text, nullable=False),  # JSON object: form code -> decimal text
    Column("target_jp", String(32)),
    Column("target_met", Boolean),
    Column("policy_versions", Text, nullable=False),  # JSON list
    Column("warnings", Integer, nullable=False),
    Column("suspected_duplicates", Integer, nullable=False),
    Column("total", Text, nullable=False),  # the whole JpTotal as JSON (lrs/store/figure_rows.py)
    Column("current_as_of", SeqType, nullable=False),  # the checkpoint it was computed at
    # The decimal texts above as numbers, for the pegawai lists' filters and sorts (0012).
    Column("jp_counted_num", Numeric, nullable=False),
    Column("jp_pending_num", Numeric, nullable=False),
    Column("target_jp_num", Numeric),
    Index("ix_jp_figures_instansi", "instansi", "year", "unit_kerja"),
    # Keyset pages of an instansi's pegawai by JP, nama or nip (ties by nip), either direction.
    Index("ix_jp_figures_jp", "instansi", "year", "jp_counted_num", "nip"),
    Index("ix_jp_figures_nama", "instansi", "year", "nama", "nip"),
    Index("ix_jp_figures_nip", "instansi", "year", "nip"),
)
# Figures whose inputs changed and that are not recomputed yet; a key is in the queue at most once.
figure_work = Table(
    "figure_work", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("reason", String(64), nullable=False),  # the change that queued it (claim, roster, policy...)
    Column("seq", SeqType, nullable=False),  # the checkpoint of the batch that queued it
    Index("ix_figure_work_order", "seq", "nip", "year"),  # next_work reads the queue in this order
)

# Stored roll-ups (projections/rollups.py): per year, the nation's, each instansi's and each unit
# kerja's summed tallies (projections/rules/tallies.py), kept by adding each changed pegawai-year's
# (new - old) parts. A year is rolled up once opened (its first stored figure with a claim): from
# then on every pegawai the roster names by its end has a part.
rollup_parts = Table(
    "rollup_parts", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("parts", Text, nullable=False),  # JSON list of [kind, instansi, unit_kerja, {counter: decimal text}]
)
rollups = Table(
    "rollups", metadata,
    Column("year", Integer, primary_key=True),
    Column("scope", Text, primary_key=True),  # JSON [kind, instansi, unit_kerja]: one text key
    Column("kind", String(16), nullable=False),  # nation, instansi, unit
    Column("instansi", String(255), nullable=False),  # "" for the nation
    Column("unit_kerja", Text, nullable=False),  # "" unless a unit
    Column("pegawai", Integer, nullable=False),
    Column("jp_counted", String(32), nullable=False),  # decimal text
    Column("tally", Text, nullable=False),  # JSON {counter: decimal text}
    Column("current_as_of", SeqType, nullable=False),  # the refresh batch that last changed it
    Index("ix_rollups_kind", "year", "kind", "instansi", "unit_kerja"),
)
rollup_years = Table(
    "rollup_years", metadata,
    Column("year", Integer, primary_key=True),
    Column("opened_at", SeqType, nullable=False),
    Column("current_as_of", SeqType, nullable=False),  # the last refresh batch that changed the year
)
# Stored per-claim and per-competency figures (projections/claim_figures.py), computed in the same
# refresh as jp_figures for the same (nip, year) keys. A claim an mbox shared by two pegawai gives
# to each of them has a row under each.
# The claims that wait for a decision (claim_figures), as the partial index says it; the
# dashboard's query says it with the same constants (lrs/store/dashboard_rows.py waiting_by_atasan),
# not bound parameters, since a planner matches a partial index only so.
WAITING_STATES = ("submitted", "supervisor_approved")
WAITING_SQL = f"recognition IN ({', '.join(repr(s) for s in WAITING_STATES)}) AND status = 'pending'"
claim_figures = Table(
    "claim_figures", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("statement_id", String(36), primary_key=True),
    Column("position", Integer, nullable=False),  # the line's place in the year (activity date, seq; voided last)
    Column("form_code", String(64), nullable=False),
    Column("activity_date", String(10), nullable=False),
    Column("status", String(16), nullable=False),  # the line's: counted, pending, rejected, voided...
    # submitted | supervisor_approved | validated | rejected | voided | auto | None (not judged)
    Column("recognition", String(32)),
    Column("jp", String(32)),  # decimal text: the JP claimed or recognised
    Column("jp_counted", String(32), nullable=False),  # within the form's annual cap
    Column("form_jp_counted", String(32), nullable=False),  # the form's JP counted in the year (cap used)
    Column("decided_by", String(36)),  # the decision statement that settled the state
    Column("decider", String(32)),  # its decider's nip
    Column("decided_at", String(40)),
    Column("line", Text, nullable=False),  # the whole Line as JSON (lrs/store/claim_figure_rows.py)
    Column("current_as_of", SeqType, nullable=False),
    # For the dashboard's count of claims waiting per atasan (0019), of the roster row in force on
    # the activity date (as the line's unit kerja): the instansi credited and the atasan deciding;
    # and the claim statement's seq (the oldest waiting is the lowest).
    Column("instansi", String(255)),
    Column("atasan_nip", String(32)),
    Column("seq", SeqType),
    Index("ix_claim_figures_statement", "statement_id"),
    Index("ix_claim_figures_waiting", "recognition", "nip"),
    Index("ix_claim_figures_waiting_instansi", "year", "instansi", postgresql_where=text(WAITING_SQL),
          sqlite_where=text(WAITING_SQL)),
)
# A pegawai's competency profile for a year (projections/rules/competency.py profile), whole.
competency_profiles = Table(
    "competency_profiles", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("profile", Text, nullable=False),  # the CompetencyProfile as JSON
    Column("current_as_of", SeqType, nullable=False),
)
# Its rows, one per competency, with where the pegawai is on the period's last day: the unit x
# competency gap counts are one GROUP BY.
competency_figures = Table(
    "competency_figures", metadata,
    Column("nip", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("kompetensi", String(64), primary_key=True),
    Column("jenis", String(32), nullable=False),
    Column("instansi", String(255)),
    Column("unit_kerja", Text),
    Column("required_level", Integer),
    Column("assessed_level", Integer),
    Column("gap", Integer),
    Column("jp_learning", String(32), nullable=False),  # decimal text
    Column("current_as_of", SeqType, nullable=False),
    Index("ix_competency_figures_unit", "instansi", "year", "unit_kerja"),
)

# Snapshots of the projection read models at a seq (projections/snapshots.py): derived from the log
# alone, so deleting them changes no answer; an as-of replay starts from the nearest one. A
# snapshot is its header here and its rows in snapshot_parts, written in one transaction.
snapshots = Table(
    "snapshots", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("shape", String(16), nullable=False),  # which tables and columns the rows follow
    Column("taken", DateTime(timezone=True), nullable=False),
    Column("rows", BigInteger, nullable=False),
    Column("bytes", BigInteger, nullable=False),
)
snapshot_parts = Table(
    "snapshot_parts", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("name", String(64), primary_key=True),  # the projection
    Column("part", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),  # zlib of canonical JSON: rows as lists, key order
)
