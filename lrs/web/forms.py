"""The web forms (Flask-WTF): their fields, labels and the rules a submission must meet. The
CSRF token of every form is checked for the whole blueprint (lrs/web/blueprint.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]
from flask_wtf import FlaskForm  # type: ignore[import-untyped]
from flask_wtf.file import FileField  # type: ignore[import-untyped]
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField  # type: ignore[import-untyped]
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError  # type: ignore[import-untyped]

from lrs.read.policy_terms import JP, JP_OR_MINUTES, MINUTES, NOTHING
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


class BulkDecisionForm(FlaskForm):  # type: ignore[misc]
    """One decision on several claims of the inbox at once: approve each as claimed, or reject
    each with the one reason given. The claims are the checked boxes (`selected`)."""

    decision = HiddenField(validators=[AnyOf([APPROVE, REJECT], message=_l("Choose approve or reject."))])
    reason = TextAreaField(_l("Reason for the selected claims (required to reject)"),
                           validators=[Length(max=2000, message=_l("At most 2000 characters."))])

    def __init__(self, *args: Any, selected: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selected = selected or []

    def validate_reason(self, field: Any) -> None:
        if self.decision.data == REJECT and not (field.data or "").strip():
            raise ValidationError(_l("A rejection needs a reason: tell the pegawai why."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if not self.selected:
            self.form_errors.append(_l("Tick the claims to decide first."))
            return False
        return valid


MAX_MINUTES = 100_000
MEGABYTE = 1024 * 1024  # the MB the evidence limit is shown in
EVIDENCE_TYPES = {  # what an evidence file may be, and how its bytes begin
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


class ClaimForm(FlaskForm):  # type: ignore[misc]
    """A pegawai's own claim of nonformal learning: the form, the day, minutes or JP as the
    form's JP rule needs (`amounts`: code -> policy_terms MINUTES, JP, JP_OR_MINUTES, NOTHING),
    title, description and one evidence file."""

    form_code = SelectField(_l("Learning form"), validators=[InputRequired(_l("Choose the learning form."))],
                            validate_choice=False)
    # Text, not wtforms' DateField: its message for a date it cannot read is not in our catalogs.
    activity_date = StringField(_l("Date of the activity"),
                                validators=[InputRequired(_l("Enter the date of the activity."))])
    minutes = StringField(_l("Minutes"))
    jp = StringField(_l("JP"))
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title.")),
                                                 Length(max=200, message=_l("At most 200 characters."))])
    description = TextAreaField(_l("Description"), validators=[
        Length(max=2000, message=_l("At most 2000 characters."))])
    evidence = FileField(_l("Evidence (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, amounts: dict[str, str], today: date, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.amounts = amounts
        self.today = today
        self.max_bytes = max_bytes
        self.evidence_bytes = b""
        self.evidence_type = ""

    def validate_form_code(self, field: Any) -> None:
        if field.data not in self.amounts:
            raise ValidationError(_l("Choose one of the learning forms listed."))

    def validate_activity_date(self, field: Any) -> None:
        try:
            day = date.fromisoformat((field.data or "").strip())
        except ValueError as exc:
            raise ValidationError(_l("Enter the date as year-month-day, such as %(example)s.",
                                     example=self.today.isoformat())) from exc
        if day > self.today:
            raise ValidationError(_l("The date may not be in the future."))

    def day(self) -> date:
        """The activity date of a validated form."""
        return date.fromisoformat(self.activity_date.data.strip())

    def _amount(self) -> str:
        return self.amounts.get(self.form_code.data or "", "")

    def validate_minutes(self, field: Any) -> None:
        text = (field.data or "").strip()
        amount = self._amount()
        if not text:
            if amount == MINUTES:
                raise ValidationError(_l("Enter the minutes of learning for this form."))
            if amount == JP_OR_MINUTES and not (self.jp.data or "").strip():
                raise ValidationError(_l("Enter the minutes or the JP."))
            return
        if amount in (JP, NOTHING):
            raise ValidationError(_l("This learning form does not count minutes: leave it empty."))
        if not text.isdigit() or not 0 < int(text) <= MAX_MINUTES:
            raise ValidationError(_l("Minutes must be a whole number from 1 to %(most)s.", most=MAX_MINUTES))

    def validate_jp(self, field: Any) -> None:
        text = (field.data or "").strip().replace(",", ".")
        amount = self._amount()
        if not text:
            if amount == JP:
                raise ValidationError(_l("Enter the JP stated on the certificate."))
            return
        if amount in (MINUTES, NOTHING):
            raise ValidationError(_l("This learning form does not take a JP: leave it empty."))
        if amount == JP_OR_MINUTES and (self.minutes.data or "").strip():
            raise ValidationError(_l("Enter the minutes or the JP, not both."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_l("JP must be a number, such as 2 or 1.5.")) from exc
        if not value.is_finite() or value <= 0 or value > MAX_JP:
            raise ValidationError(_l("JP must be more than 0 and at most %(most)s.", most=jp_text(MAX_JP)))

    def validate_evidence(self, field: Any) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError(_l("Attach the evidence: a certificate, a letter or a photo."))
        content = upload.read(self.max_bytes + 1)
        if len(content) > self.max_bytes:
            raise ValidationError(_l("The file is larger than %(most)s MB.",
                                     most=jp_text(Decimal(self.max_bytes) / MEGABYTE)))
        declared = (upload.mimetype or "").lower()
        starts = EVIDENCE_TYPES.get(declared)
        if starts is None or not content.startswith(starts):
            raise ValidationError(_l("The evidence must be a PDF, JPEG or PNG file."))
        self.evidence_bytes, self.evidence_type = content, declared

    def minutes_value(self) -> int | None:
        text = (self.minutes.data or "").strip()
        return int(text) if text else None

    def jp_value(self) -> Decimal | None:
        text = (self.jp.data or "").strip().replace(",", ".")
        return Decimal(text) if text else None
