"""The words for the codes the figures carry (a line's status, a claim's recognition state, a
decision's kind, what a claim of a learning form states), from the message catalog. The reasons
the rules give have their words in lrs/web/reasons.py."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]

STATUS = {
    "counted": _l("Counted"),
    "pending": _l("Pending"),
    "rejected": _l("Rejected"),
    "not_countable": _l("Not counted"),
    "duplicate": _l("Duplicate"),
    "voided": _l("Voided"),
}
RECOGNITION = {
    "auto": _l("Automatic"),
    "submitted": _l("Waiting for the atasan"),
    "supervisor_approved": _l("Approved by the atasan, waiting for validation"),
    "validated": _l("Recognised"),
    "rejected": _l("Rejected"),
    "voided": _l("Voided"),
}
DECISION = {
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "validated": _l("Validated"),
}
AMOUNT = {  # what a claim of a learning form states (lrs/read/policy_terms.py amount_needed)
    "minutes": _l("in minutes"),
    "jp": _l("JP from the certificate"),
    "jp_or_minutes": _l("minutes or JP"),
    "nothing": _l("JP set by the policy or the decision"),
}
COMPETENCY = {  # PermenPANRB 38/2017 (domain brief 6.2); teknis competencies keep their code
    "INT": _l("Integrity"),
    "KS": _l("Cooperation"),
    "KOM": _l("Communication"),
    "OPH": _l("Results orientation"),
    "PP": _l("Public service"),
    "PDOL": _l("Developing self and others"),
    "MP": _l("Managing change"),
    "PK": _l("Decision making"),
    "PB": _l("Nation binding"),
}
JENIS = {
    "teknis": _l("technical"),
    "manajerial": _l("managerial"),
    "sosial_kultural": _l("socio-cultural"),
}
PLAN = {  # a planned activity's state (projections/rules/competency.py PlanItem)
    "done": _l("Done"),
    "in_progress": _l("Under way"),
    "not_started": _l("Not started"),
}
STEP = {
    "supervisor": _l("atasan"),
    "unit_pengelola": _l("unit pengelola"),
}


def word(table: dict[str, Any], code: str | None) -> str:
    """The label of `code`, or the code itself when the catalog has no word for it."""
    if code is None:
        return ""
    found = table.get(code)
    return str(found) if found is not None else code
