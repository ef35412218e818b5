"""The web forms (Flask-WTF): their fields, labels and the rules a submission must meet. The
CSRF token of every form is checked for the whole blueprint (lrs/web/blueprint.py)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]
from flask_wtf import FlaskForm  # type: ignore[import-untyped]
from wtforms import HiddenField, PasswordField, StringField, TextAreaField  # type: ignore[import-untyped]
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError  # type: ignore[import-untyped]

from lrs.web.templating import jp as jp_text

APPROVE, REJECT = "approve", "reject"
MAX_JP = Decimal(1000)


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Username (credential key)"),
                           validators=[InputRequired(_l("Enter your username.")), Length(max=255)])
    password = PasswordField(_l("Password (secret)"), validators=[InputRequired(_l("Enter your password."))])


class DecisionForm(FlaskForm):  # type: ignore[misc]
    """An atasan's decision on one claim of the inbox: approve (optionally with fewer JP) or
    reject with a reason."""

    statement_id = HiddenField(validators=[InputRequired(), Length(max=64)])
    decision = HiddenField(validators=[AnyOf([APPROVE, REJECT], message=_l("Choose approve or reject."))])
    reason = TextAreaField(_l("Reason (required to reject)"),
                           validators=[Length(max=2000, message=_l("At most 2000 characters."))])
    jp = StringField(_l("Approved JP (optional, at most the JP claimed)"))

    def __init__(self, *args: Any, claimed_jp: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claimed_jp = claimed_jp

    def validate_reason(self, field: Any) -> None:
        if self.decision.data == REJECT and not (field.data or "").strip():
            raise ValidationError(_l("A rejection needs a reason: tell the pegawai why."))

    def validate_jp(self, field: Any) -> None:
        text = (field.data or "").strip().replace(",", ".")
        if not text:
            field.data = ""
            return
        if self.decision.data == REJECT:
            raise ValidationError(_l("JP is set only when approving."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_l("JP must be a number, such as 2 or 1.5.")) from exc
        if not value.is_finite() or value <= 0 or value > MAX_JP:
            raise ValidationError(_l("JP must be more than 0 and at most %(most)s.", most=jp_text(MAX_JP)))
        if self.claimed_jp is not None and value > self.claimed_jp:
            raise ValidationError(_l("JP may not be more than the %(claimed)s JP claimed.",
                                     claimed=jp_text(self.claimed_jp)))

    def approved_jp(self) -> Decimal | None:
        text = (self.jp.data or "").strip().replace(",", ".")
        return Decimal(text) if text else None
