"""A pegawai's claims of a year, each in its lifecycle state: the lines of the year's JP total
(projections/rules/jp.py, which judged them) and then the year's voided claims (state `voided`: a
correction, never a deletion), with the decisions on them listed without effect."""
from __future__ import annotations

from typing import Mapping, Sequence

from projections.rules.facts import Claim, Decision
from projections.rules.jp import ZERO, JpTotal, Line
from projections.rules.policy import PolicySet
from projections.rules.reasons import english, why
from projections.rules.recognition import Ruling

VOIDED = (why("claim.voided_later"),)  # a voided claim's line
VOIDED_CLAIM = why("claim.voided")  # a decision on it


def voided_line(claim: Claim, decisions: Sequence[Decision]) -> Line:
    return Line(claim.statement_id, claim.seq, claim.form_code, claim.activity_date, None, None, None, ZERO,
                "voided", english(VOIDED), (), "voided",
                tuple(Ruling(d.statement_id, d.seq, d.kind, d.decided_at, None, None, False, str(VOIDED_CLAIM),
                             d.jp, (VOIDED_CLAIM,)) for d in decisions), why=VOIDED)


def year_lines(total: JpTotal, claims: Sequence[Claim], decisions: Mapping[str, Sequence[Decision]],
               policies: PolicySet) -> tuple[Line, ...]:
    """Every claim of the total's pegawai-year: its lines in activity-date order, then the voided
    claims of the year in log order."""
    voided = [voided_line(c, decisions.get(c.statement_id, ())) for c in sorted(claims, key=lambda c: c.seq)
              if c.voided and policies.period_of(c.activity_date) == total.year]
    return (*total.lines, *voided)
