"""The atasan's inbox, /app/inbox: the claims waiting for the signed-in person's decision
(lrs/read/recognitions.py pending_for), oldest first. A decision is Jejak's xAPI Profile decision
statement, stored through lrs/write/statements.py under the signed-in credential's authority,
so it is judged exactly as the same statement sent over xAPI; the page then says whether it had
effect, and why not."""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Callable, Mapping

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _  # type: ignore[import-untyped]
from flask_babel import ngettext

from lrs.read import claim_evidence, policy_terms, recognitions
from lrs.read.access_web import Viewer
from lrs.read.policy_terms import DecisionTerms
from lrs.read.recognitions import Claimed
from lrs.read.team import team_of
from lrs.read.values import to_json
from lrs.web.blueprint import bp
from lrs.web import charts, reasons
from lrs.web.forms import APPROVE, REJECT, BulkDecisionForm, DecisionForm
from lrs.api.context import engine, replays
from lrs.web.session import signed_in, viewer
from lrs.write.statements import record_statements
from projections.projector import Projector

DISPLAY = {APPROVE: {"id-ID": "menyetujui", "en-US": "approved"},
           "reject": {"id-ID": "menolak", "en-US": "rejected"}}


def _waiting(who: Viewer) -> list[Claimed]:
    """What waits for this person's decision; nothing for a credential bound to no person."""
    if who.nip is None:
        return []
    return recognitions.pending_for(engine(), who.nip, replays=replays())


def _render(claims: list[Claimed], forms: Mapping[str, DecisionForm], status: int = 200, *,
            bulk: BulkDecisionForm | None = None) -> ResponseReturnValue:
    year = policy_terms.current_year(engine())
    names: dict[str, str] = {}
    for instansi in sorted({c.line.instansi or "" for c in claims}):
        names.update(policy_terms.form_names(engine(), year, instansi or None))
    details = claim_evidence.details_of(engine(), [c.line.statement_id for c in claims])
    who = viewer()
    team = team_of(engine(), who.nip, year, replays=replays()) if who.nip is not None else []
    return render_template("inbox.html", claims=claims, forms=forms, names=names, details=details, bulk=bulk,
                           selected=set(bulk.selected if bulk else []), team=team, year=year,
                           share=charts.share), status


@bp.get("/inbox")
@signed_in
def inbox() -> ResponseReturnValue:
    return _render(_waiting(viewer()), {})


def decision_statement(nip: str, claim_id: str, approve: bool, reason: str, jp: Decimal | None,
                       terms: DecisionTerms) -> dict[str, Any]:
    """The profile's approval (with `jp` when fewer than claimed) or rejection of claim `claim_id`
    by the person `nip`."""
    extensions: dict[str, Any] = {}
    if reason := reason.strip():
        extensions[terms.reason_extension] = reason
    if approve and jp is not None:
        extensions[terms.jp_approved_extension] = to_json(jp)
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": terms.home_page, "name": nip}},
        "verb": {"id": terms.approval_verb if approve else terms.rejection_verb,
                 "display": DISPLAY[APPROVE if approve else REJECT]},
        "object": {"objectType": "StatementRef", "id": claim_id},
    }
    if extensions:
        statement["result"] = {"extensions": extensions}
    return statement


def project() -> bool | Callable[[], None]:
    """Fold the decision before the next page reads: in the request, or by the server's
    projector thread, waited for (the inbox then no longer lists the claim)."""
    projector: Projector | None = current_app.extensions["lrs.projector"]
    if projector is None:
        return True

    def fold_and_wait() -> None:
        projector.notify()
        projector.wait()
    return fold_and_wait


def _no_effect(claim: Claimed, decision_id: str) -> str | None:
    """Why the stored decision has no effect, as the rules judged it; None when it has."""
    year = policy_terms.period_of(engine(), claim.line.activity_date)
    lines = recognitions.claims_of(engine(), claim.nip, year, replays=replays())
    rulings = [r for line in lines if line.statement_id == claim.line.statement_id for r in line.decisions]
    ruling = next((r for r in rulings if r.statement_id == decision_id), None)
    return None if ruling is None or ruling.effective else reasons.say(ruling.why, ruling.reason or "")


def _report(claim: Claimed, decision_id: str, approve: bool) -> None:
    """Say whether the stored decision had effect, as the rules judged it."""
    who = claim.nama or claim.nip
    if (why := _no_effect(claim, decision_id)) is not None:
        flash(_("Your decision is stored but has no effect: %(reason)s", reason=why), "warning")
    elif approve:
        flash(_("Approved: the claim of %(who)s of %(day)s.", who=who, day=claim.line.activity_date), "success")
    else:
        flash(_("Rejected: the claim of %(who)s of %(day)s.", who=who, day=claim.line.activity_date), "success")


@bp.post("/inbox")
@signed_in
def decide() -> ResponseReturnValue:
    who = viewer()
    claims = _waiting(who)
    claim_id = request.form.get("statement_id", "")
    claim = next((c for c in claims if c.line.statement_id == claim_id), None)
    if claim is None or who.nip is None:
        flash(_("That claim no longer waits for your decision."), "warning")
        return redirect(url_for("web.inbox"), 303)
    terms = policy_terms.decision_terms(engine(), claim.line.activity_date, claim.line.instansi)
    form = DecisionForm(claimed_jp=claim.line.jp if terms.approved_jp_limit == "claimed" else None)
    if not form.validate():
        return _render(claims, {claim_id: form}, 400)
    who.credential.require("statements/write")  # as the xAPI Statement resource requires
    approve = form.decision.data == APPROVE
    statement = decision_statement(who.nip, claim_id, approve, form.reason.data or "", form.approved_jp(), terms)
    record_statements(engine(), [statement], authority=who.credential.authority, project=project())
    _report(claim, statement["id"], approve)
    return redirect(url_for("web.inbox"), 303)


@bp.post("/inbox/several")
@signed_in
def decide_several() -> ResponseReturnValue:
    """One decision on every ticked claim: each is its own decision statement, all stored in one
    batch (all or none), each judged by the rules as if sent alone."""
    who = viewer()
    claims = _waiting(who)
    selected = list(dict.fromkeys(request.form.getlist("selected")))
    bulk = BulkDecisionForm(selected=selected)
    if not bulk.validate():
        return _render(claims, {}, 400, bulk=bulk)
    chosen = [c for c in claims if c.line.statement_id in set(selected)]
    if not chosen or who.nip is None:
        flash(_("Those claims no longer wait for your decision."), "warning")
        return redirect(url_for("web.inbox"), 303)
    who.credential.require("statements/write")
    approve = bulk.decision.data == APPROVE
    statements = [decision_statement(who.nip, c.line.statement_id, approve, bulk.reason.data or "", None,
                                     policy_terms.decision_terms(engine(), c.line.activity_date, c.line.instansi))
                  for c in chosen]
    record_statements(engine(), statements, authority=who.credential.authority, project=project())
    without_effect = [(c, why) for c, s in zip(chosen, statements) if (why := _no_effect(c, s["id"])) is not None]
    done = len(chosen) - len(without_effect)
    if done:
        flash(ngettext("Approved: %(num)s claim.", "Approved: %(num)s claims.", done) if approve
              else ngettext("Rejected: %(num)s claim.", "Rejected: %(num)s claims.", done), "success")
    for claim, why in without_effect:
        flash(_("Your decision on the claim of %(who)s of %(day)s is stored but has no effect: %(reason)s",
                who=claim.nama or claim.nip, day=claim.line.activity_date, reason=why), "warning")
    return redirect(url_for("web.inbox"), 303)
