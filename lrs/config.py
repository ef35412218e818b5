"""DefaultConfig: every setting and its default; the only place that names LRS_* variables."""
from __future__ import annotations

import os


class DefaultConfig:
    """Flask config defaults. `create_app()` overlays LRS_* environment variables (prefix dropped)."""

    DATABASE_URL = "sqlite:///jejak.db"
    # A PostgreSQL streaming replica of DATABASE_URL that reads (GET and HEAD: statements,
    # documents, /api/v1 reports, the web pages) go to; writes, sign-in and the projector stay on
    # the primary. "": everything on DATABASE_URL. lrs/api/routing.py says how a client reads
    # its own writes.
    READ_DATABASE_URL = ""
    # Milliseconds a read that must see a write (X-Jejak-Read-After, or the web session's last
    # write) waits for the replica to replay it before it reads the primary instead.
    READ_REPLICA_WAIT_MS = 500
    # Largest request body accepted, in bytes; bigger bodies get 413.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Seconds `lrs serve` waits for a request to arrive in full (from its first byte), and for
    # each read of a body too long to buffer; then 408 and the connection is closed (lrs/worker.py).
    REQUEST_SECONDS = 30
    # Most statements one GET /statements page returns (a client's `limit` is capped to it).
    STATEMENT_PAGE_LIMIT = 500
    # Most statements one PUT/POST may carry; more get 413. A batch is appended in one
    # transaction holding the log's write lock, which every other writer waits for: 50,000
    # statements held it 17-26 s (0.35-0.5 ms each), so 1,000 holds it about half a second.
    # LMSs send batches of 10-100; 16 MiB of body alone would let some 30,000 through.
    STATEMENT_BATCH_LIMIT = 1000
    # Seconds a verified secret stays in the in-process cache, sparing the slow hash.
    AUTH_CACHE_SECONDS = 300
    # Failed authentications (unknown key, wrong secret, revoked credential) allowed per key and
    # per client address within AUTH_FAILURE_WINDOW_SECONDS. Past it, requests from that address
    # get 429 with Retry-After and nothing is checked; requests for that key are checked only
    # against secrets verified in the last AUTH_CACHE_SECONDS (so its owner keeps working while
    # someone guesses). Ten a minute is far above a person mistyping and far below what a
    # guesser needs; counted in each server process (workers multiply it). 0 turns it off.
    AUTH_FAILURE_LIMIT = 10
    AUTH_FAILURE_WINDOW_SECONDS = 60
    # How many reverse proxies in front of the server add X-Forwarded-For: the client address
    # (for the limit above) is then taken from that header, not from the proxy's connection.
    # 0: clients connect directly, and X-Forwarded-For is ignored (anyone can send it).
    TRUSTED_PROXIES = 0
    # X-Experience-API-Version of a response to a request that names no version this LRS speaks
    # (About without the header, a refused request): "1.0.3" or "2.0.0". A request naming 1.0.x
    # or 2.0.x is always answered in its own version.
    XAPI_DEFAULT_VERSION = "1.0.3"
    # Replays of the read models as of past seqs (`as_of` in /api/v1) a server process keeps in
    # memory for the next request at or after the same seq.
    AS_OF_REPLAYS_KEPT = 4
    # Snapshot the read models each time the projections pass a multiple of this many events (0:
    # never), keeping at most SNAPSHOTS_KEPT, spread over the log: an as-of replay starts from the
    # nearest one at or before its seq instead of the first event. A snapshot is a pass over every
    # read model table (seconds at millions of rows); they are derived data, deleting them is safe.
    SNAPSHOT_EVERY = 100_000
    SNAPSHOTS_KEPT = 8
    # After a statement POST/PUT, fold the projections in a thread of the server process
    # (requests return at once; appends arriving meanwhile are folded together) rather than in
    # the request. Reports then lag the log by one catch-up.
    PROJECT_IN_BACKGROUND = True
    # Seconds that thread waits after an append for more before it folds them all at once: one
    # catch-up per several appends costs a fraction of one per append (projections/projector.py).
    PROJECT_GATHER_SECONDS = 1.0
    # Least level of the server's log records (JSON lines on stderr): DEBUG, INFO (one access
    # record per request), WARNING, ERROR or CRITICAL.
    LOG_LEVEL = "INFO"
    # /ready answers 503 while a projection is more than this many events behind the log (its
    # reports would be stale): a server catching up after a restart or a bulk load is not ready.
    READY_MAX_LAG = 10_000
    # An Ed25519 private key (PEM, `lrs keys create`) the server signs checkpoints of the log
    # with; "" signs nothing. The key stays in this file: only its public half enters the log.
    SIGNING_KEY_FILE = ""
    # Seconds between signed checkpoints of the chain head, when the head moved since the last
    # one (0: never; `lrs checkpoint` still signs on demand).
    CHECKPOINT_SECONDS = 3600

    # The web pages (/app/). Signs the session cookie and the CSRF tokens. Unset: `lrs serve` makes
    # one at each start (create_app one per process) and logs a warning: sessions end on restart.
    SECRET_KEY: str | None = None
    # Minutes a web session lasts from the login, however busy; then the person logs in again.
    SESSION_MINUTES = 480
    # Send the session cookie over HTTPS only: set true behind TLS (LRS_SESSION_COOKIE_SECURE=true).
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "jejak_session"
    # Failed web logins: after this many within LOGIN_WINDOW_MINUTES for one username (or one
    # client address, higher, as an office shares one), further attempts from it are refused
    # until the oldest failure leaves the window. Counted in each server process.
    LOGIN_FAILURES_PER_USERNAME = 5
    LOGIN_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_MINUTES = 15
    # Largest evidence file (PDF, JPEG or PNG) a claim sent from /app/claims/new may carry, in
    # bytes; a larger one is refused next to the field. It must stay below MAX_CONTENT_LENGTH,
    # which refuses the whole request (413) before the form can say so.
    EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


def secret_key_from_env() -> str | None:
    """LRS_SECRET_KEY, or None when it is unset or empty."""
    return os.environ.get("LRS_SECRET_KEY") or None


def log_level_from_env() -> str:
    """LRS_LOG_LEVEL as `lrs serve` checks it before starting workers."""
    return os.environ.get("LRS_LOG_LEVEL") or DefaultConfig.LOG_LEVEL


def database_url_from_env() -> str:
    """The database URL the CLI uses when no --database-url flag is given."""
    return os.environ.get("LRS_DATABASE_URL") or DefaultConfig.DATABASE_URL


def signing_key_file_from_env() -> str | None:
    """The signing key file `lrs checkpoint` uses when no --key-file flag is given."""
    return os.environ.get("LRS_SIGNING_KEY_FILE") or None


def snapshot_settings_from_env() -> tuple[int, int]:
    """(LRS_SNAPSHOT_EVERY, LRS_SNAPSHOTS_KEPT) as the CLI uses them when no flag is given."""
    every = os.environ.get("LRS_SNAPSHOT_EVERY") or DefaultConfig.SNAPSHOT_EVERY
    kept = os.environ.get("LRS_SNAPSHOTS_KEPT") or DefaultConfig.SNAPSHOTS_KEPT
    return int(every), int(kept)
