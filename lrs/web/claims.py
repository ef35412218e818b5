"""A pegawai's own claims, /app/claims/: submit a claim of nonformal learning with its evidence,
void one's own claim while it waits for a decision, and open a claim's evidence. A claim and a
void are xAPI statements stored through lrs/write/statements.py under the signed-in credential,
so every rule of xAPI judges them (schema, Jejak's profile, attachments); the evidence travels
as an xAPI attachment, stored once per sha2 like every attachment."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _  # type: ignore[import-untyped]

from lrs.read import claim_evidence, policy_terms, recognitions
from lrs.read.policy_terms import ClaimTerms
from lrs.read.values import to_json
from lrs.web.blueprint import bp
from lrs.web.errors import PageProblem
from lrs.web.forms import MEGABYTE, ClaimForm
from lrs.web.inbox import project
from lrs.api.context import engine, replays
from lrs.web.session import signed_in, viewer
from lrs.xapi.multipart import Part
from lrs.write.statements import record_statements

ATTENDED = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"id-ID": "mengikuti", "en-US": "attended"}}
VOIDED = {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"id-ID": "membatalkan", "en-US": "voided"}}
EVIDENCE_USAGE = "https://jejak.example/xapi/attachments/evidence"
ACTIVITY_HOUR = time(9)  # a claim names a day; its timestamp is that day at 09:00 in the policy's timezone
SHOWN_INLINE = {"application/pdf", "image/jpeg", "image/png"}


def _own_nip() -> str:
    nip = viewer().nip
    if nip is None:
        raise PageProblem(403, _("This page is for a personal credential, one bound to a NIP."))
    return nip


def claim_statement(nip: str, form: ClaimForm, terms: ClaimTerms, sha2: str) -> dict[str, Any]:
    """The pegawai's claim as xAPI: attended an Activity of this server, of a learning form, with
    its minutes (result.duration) or declared JP (the jp extension), and its evidence attached."""
    extensions: dict[str, Any] = {terms.form_extension: form.form_code.data}
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": terms.home_page, "name": nip}},
        "verb": ATTENDED,
        "object": {"objectType": "Activity", "id": f"{request.host_url}app/activities/{uuid.uuid4()}",
                   "definition": {"name": {"id-ID": form.title.data.strip()}}},
        "context": {"extensions": extensions},
        "timestamp": datetime.combine(form.day(), ACTIVITY_HOUR, ZoneInfo(terms.timezone)).isoformat(),
        "attachments": [{"usageType": EVIDENCE_USAGE, "display": {"id-ID": "Bukti", "en-US": "Evidence"},
                         "contentType": form.evidence_type, "length": len(form.evidence_bytes), "sha2": sha2}],
    }
    if description := (form.description.data or "").strip():
        statement["object"]["definition"]["description"] = {"id-ID": description}
    if (minutes := form.minutes_value()) is not None:
        statement["result"] = {"duration": f"PT{minutes}M", "completion": True}
    if (jp := form.jp_value()) is not None:
        extensions[terms.jp_extension] = to_json(jp)
    return statement


@bp.route("/claims/new", methods=["GET", "POST"])
@signed_in
def new_claim() -> ResponseReturnValue:
    nip = _own_nip()
    today = policy_terms.today(engine())
    terms = policy_terms.claim_terms(engine(), nip, today)
    form = ClaimForm(amounts={f.code: f.amount for f in terms.forms}, today=today,
                     max_bytes=current_app.config["EVIDENCE_MAX_BYTES"])
    form.form_code.choices = [("", "")] + [(f.code, f.name) for f in terms.forms]
    if request.method == "GET":
        return _render(form, terms)
    if form.validate():
        terms = policy_terms.claim_terms(engine(), nip, form.day())
        if terms.form(form.form_code.data) is None:
            form.form_code.errors.append(_("This learning form cannot be claimed for that date."))
        else:
            viewer().credential.require("statements/write")  # as the xAPI Statement resource requires
            sha2 = hashlib.sha256(form.evidence_bytes).hexdigest()
            statement = claim_statement(nip, form, terms, sha2)
            record_statements(engine(), [statement], authority=viewer().credential.authority,
                              attachments=[Part(sha2, form.evidence_type, form.evidence_bytes)], project=project())
            flash(_("Your claim is sent: it waits for your atasan's decision."), "success")
            return redirect(url_for("web.me", year=policy_terms.period_of(engine(), form.day())), 303)
    return _render(form, terms, 400)


def _render(form: ClaimForm, terms: ClaimTerms, status: int = 200) -> ResponseReturnValue:
    max_mb = Decimal(current_app.config["EVIDENCE_MAX_BYTES"]) / MEGABYTE
    return render_template("claim.html", form=form, terms=terms, max_mb=max_mb), status


@bp.post("/claims/<statement_id>/void")
@signed_in
def void_claim(statement_id: str) -> ResponseReturnValue:
    """Void the signed-in person's own claim while it waits for a decision."""
    nip = _own_nip()
    claim = claim_evidence.get_claim(engine(), statement_id)
    lines = recognitions.claims_of(engine(), nip, claim.year, replays=replays()) if claim.nip == nip else []
    line = next((line for line in lines if line.statement_id == statement_id.lower()), None)
    if line is None or claim.authority != viewer().credential.authority:
        raise PageProblem(403, _("Only your own claims, sent with your credential, can be voided here."))
    if line.status != "pending":
        flash(_("That claim no longer waits for a decision, so it cannot be voided."), "warning")
        return redirect(url_for("web.me", year=claim.year), 303)
    viewer().credential.require("statements/write")
    statement = {"id": str(uuid.uuid4()),
                 "actor": {"objectType": "Agent", "account": claim.statement["actor"]["account"]},
                 "verb": VOIDED, "object": {"objectType": "StatementRef", "id": line.statement_id}}
    record_statements(engine(), [statement], authority=viewer().credential.authority, project=project())
    flash(_("Your claim of %(day)s is voided.", day=line.activity_date), "success")
    return redirect(url_for("web.me", year=claim.year), 303)


@bp.get("/claims/<statement_id>/evidence/<sha2>")
@signed_in
def evidence(statement_id: str, sha2: str) -> ResponseReturnValue:
    """A claim's evidence, for those who may see the pegawai's pages. Served as a download unless
    it is a PDF or an image, and never run as a page of this site (a sandboxing CSP)."""
    content_type, content = claim_evidence.get_evidence(engine(), viewer(), statement_id, sha2)
    reply = Response(content, mimetype=content_type if content_type in SHOWN_INLINE else "application/octet-stream")
    disposition = "inline" if content_type in SHOWN_INLINE else "attachment"
    reply.headers["Content-Disposition"] = f'{disposition}; filename="bukti-{sha2[:12]}"'
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    reply.headers["Cache-Control"] = "private, no-store"
    return reply
