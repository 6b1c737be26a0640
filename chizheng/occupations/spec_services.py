"""Writes of evaluation specs (评价规范, R3): draft, invite, review, submit, file, withdraw.

Each service is one transaction with one audit row; rules live in `spec_rules` (pure).
Callers fetch the spec with `get_for(actor, EvaluationSpec, pk=…)` so that out of scope is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction, OrgKind, Role
from chizheng.core.errors import DomainError, NotFound, PermissionDenied
from chizheng.core.models import OrgUnit, User
from chizheng.core.permissions import Perm, has_perm, require

from . import spec_rules
from .choices import SpecStatus, Verdict
from .models import EvaluationSpec, Occupation, SpecInvitation, SpecOpinion

_CONTENT_FIELDS = (
    "occupation_id",
    "title",
    "content",
    "attachment",
    "levels",
    "theory_weight",
    "skill_weight",
    "candidates_per_invigilator",
    "candidates_per_examiner",
)
_STATE_FIELDS = ("status", "submitted_on", "filing_number", "filed_on", "withdrawn_on", "withdraw_reason")


def _lock(spec: EvaluationSpec) -> EvaluationSpec:
    return EvaluationSpec.objects.select_for_update().get(pk=spec.pk)


def approvals_of(spec: EvaluationSpec) -> int:
    """Distinct approving experts of a spec (two accounts of one person count once)."""
    pairs = SpecOpinion.objects.filter(spec=spec).values_list("expert_id", "expert__person_id", "verdict")
    return spec_rules.count_approvals(
        (f"p{person}" if person else f"u{expert}", verdict) for expert, person, verdict in pairs
    )


def _clean_content(
    *,
    occupation: Occupation,
    title: str,
    levels: Any,
    theory_weight: Any,
    skill_weight: Any,
    candidates_per_invigilator: Any,
    candidates_per_examiner: Any,
) -> dict[str, Any]:
    spec_rules.check_occupation_needs_spec(code=occupation.code, has_national_standard=occupation.has_national_standard)
    title = (title or "").strip()
    if not title:
        raise DomainError("title_missing", "请填写评价规范名称。", field="title")
    if len(title) > 200:
        raise DomainError("title_long", "评价规范名称不能超过 200 个字。", field="title")
    theory, skill = spec_rules.check_weights(theory_weight, skill_weight)
    return {
        "occupation": occupation,
        "title": title,
        "levels": spec_rules.check_levels(levels),
        "theory_weight": theory,
        "skill_weight": skill,
        "candidates_per_invigilator": spec_rules.check_ratio(
            candidates_per_invigilator, label="考生与监考人员配比", field="candidates_per_invigilator"
        ),
        "candidates_per_examiner": spec_rules.check_ratio(
            candidates_per_examiner, label="考生与考评人员配比", field="candidates_per_examiner"
        ),
    }


@transaction.atomic
def spec_create(
    *,
    actor: User,
    occupation: Occupation,
    title: str,
    levels: Any,
    theory_weight: Any,
    skill_weight: Any,
    candidates_per_invigilator: Any,
    candidates_per_examiner: Any,
    content: str = "",
    attachment: UploadedFile | None = None,
    school: OrgUnit | None = None,
) -> EvaluationSpec:
    """A school drafts a spec for an occupation WITHOUT a national standard (status 起草中)."""
    require(actor, Perm.DRAFT_SPEC)
    school = school or actor.org_unit
    if school is None or school.kind != OrgKind.SCHOOL:
        raise DomainError("school_missing", "评价规范须由院校起草。", field="school")
    if not OrgUnit.objects.restrict(actor).filter(pk=school.pk).exists():
        raise NotFound()
    values = _clean_content(
        occupation=occupation,
        title=title,
        levels=levels,
        theory_weight=theory_weight,
        skill_weight=skill_weight,
        candidates_per_invigilator=candidates_per_invigilator,
        candidates_per_examiner=candidates_per_examiner,
    )
    if school.county_id is None:
        raise DomainError("school_without_county", f"院校“{school.name}”未挂在县区下。", field="school")
    spec = EvaluationSpec(school=school, county_id=school.county_id, content=content or "", created_by=actor, **values)
    if attachment is not None:
        spec_rules.check_attachment(attachment.name or "", attachment.size or 0)
        spec.attachment.save(attachment.name or "attachment", attachment, save=False)
    spec.save()
    audit.record(actor, AuditAction.CREATE, spec, after=audit.snapshot(spec, _CONTENT_FIELDS))
    return spec


@transaction.atomic
def spec_update(
    *,
    actor: User,
    spec: EvaluationSpec,
    occupation: Occupation,
    title: str,
    levels: Any,
    theory_weight: Any,
    skill_weight: Any,
    candidates_per_invigilator: Any,
    candidates_per_examiner: Any,
    content: str = "",
    attachment: UploadedFile | None = None,
) -> EvaluationSpec:
    """Amend a spec while drafted or under review and before any expert gave an opinion."""
    require(actor, Perm.DRAFT_SPEC)
    spec = _lock(spec)
    spec_rules.check_editable(spec.status, opinions=spec.opinions.count())
    values = _clean_content(
        occupation=occupation,
        title=title,
        levels=levels,
        theory_weight=theory_weight,
        skill_weight=skill_weight,
        candidates_per_invigilator=candidates_per_invigilator,
        candidates_per_examiner=candidates_per_examiner,
    )
    before = audit.snapshot(spec, _CONTENT_FIELDS)
    for name, value in values.items():
        setattr(spec, name, value)
    spec.content = content or ""
    if attachment is not None:
        spec_rules.check_attachment(attachment.name or "", attachment.size or 0)
        spec.attachment.save(attachment.name or "attachment", attachment, save=False)
    spec.updated_at = timezone.now()
    spec.save()
    old, new = audit.diff(before, audit.snapshot(spec, _CONTENT_FIELDS))
    if new:
        audit.record(actor, AuditAction.UPDATE, spec, before=old, after=new)
    return spec


def _schools_of(expert: User) -> set[int | None]:
    """Every school an expert account is tied to: its org unit, its person's school, teacher and student posts."""
    from chizheng.people.models import Student, Teacher

    schools: set[int | None] = {expert.org_unit_id}
    if expert.person_id:
        schools.add(expert.person.school_id if expert.person else None)
        schools.update(Teacher.objects.filter(person_id=expert.person_id).values_list("school_id", flat=True))
        schools.update(Student.objects.filter(person_id=expert.person_id).values_list("school_id", flat=True))
    schools.discard(None)
    return schools


@transaction.atomic
def spec_invite(*, actor: User, spec: EvaluationSpec, expert: User, affiliation: str = "") -> SpecInvitation:
    """The drafting school invites an expert account (not of its own school); a draft goes under review."""
    require(actor, Perm.DRAFT_SPEC)
    spec = _lock(spec)
    spec_rules.check_may_invite(spec.status, expert_role=expert.role, expert_active=expert.is_active)
    spec_rules.check_expert_independent(
        expert_name=str(expert),
        drafting_school_id=spec.school_id,
        expert_school_ids=_schools_of(expert),
        school_name=spec.school.name,
    )
    if SpecInvitation.objects.filter(spec=spec, expert=expert).exists():
        raise DomainError("already_invited", f"已邀请过专家“{expert.username}”。", field="expert")
    try:
        with transaction.atomic():
            invitation = SpecInvitation.objects.create(
                spec=spec, expert=expert, affiliation=(affiliation or "").strip()[:100], invited_by=actor
            )
    except IntegrityError:
        raise DomainError("already_invited", f"已邀请过专家“{expert.username}”。", field="expert") from None
    if spec.status == SpecStatus.DRAFT:
        spec.status = SpecStatus.UNDER_REVIEW
        spec.updated_at = timezone.now()
        spec.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        AuditAction.CREATE,
        invitation,
        after={"spec": spec.pk, "expert": expert.username, "affiliation": invitation.affiliation},
        org_unit_id=spec.school_id,
    )
    return invitation


@transaction.atomic
def spec_opinion_give(
    *, actor: User, spec: EvaluationSpec, verdict: str, comments: str = "", given_on: dt.date | None = None
) -> SpecOpinion:
    """An invited expert records their one opinion: approve, approve with changes, or reject."""
    require(actor, Perm.REVIEW_SPEC)
    spec = _lock(spec)
    if verdict not in Verdict.values:
        raise DomainError("verdict_unknown", f"评审意见“{verdict}”无法识别。", field="verdict")
    comments = (comments or "").strip()
    if verdict != Verdict.APPROVE and not comments:
        raise DomainError("comments_missing", "“修改后同意”或“不同意”时请写明具体意见。", field="comments")
    today = timezone.localdate()
    given_on = given_on or today
    if given_on > today:
        raise DomainError("given_on_future", "评审日期不能晚于今天。", field="given_on")
    spec_rules.check_may_give_opinion(
        spec.status,
        invited=SpecInvitation.objects.filter(spec=spec, expert=actor).exists(),
        already_given=SpecOpinion.objects.filter(spec=spec, expert=actor).exists(),
    )
    try:
        with transaction.atomic():
            opinion = SpecOpinion.objects.create(
                spec=spec, expert=actor, verdict=verdict, comments=comments, given_on=given_on
            )
    except IntegrityError:
        raise DomainError("opinion_exists", "您已提交过对该评价规范的评审意见，每位专家只能提交一次。") from None
    audit.record(
        actor,
        AuditAction.CREATE,
        opinion,
        after={"spec": spec.pk, "verdict": verdict, "comments": comments, "given_on": given_on.isoformat()},
        org_unit_id=spec.school_id,
    )
    return opinion


@transaction.atomic
def spec_submit(*, actor: User, spec: EvaluationSpec, on_date: dt.date | None = None) -> EvaluationSpec:
    """The drafting school submits the spec to the provincial HRSS once ≥ 5 distinct experts approved."""
    require(actor, Perm.DRAFT_SPEC)
    spec = _lock(spec)
    spec_rules.check_may_submit(spec.status, approvals=approvals_of(spec))
    before = audit.snapshot(spec, _STATE_FIELDS)
    spec.status = SpecStatus.SUBMITTED
    spec.submitted_on = on_date or timezone.localdate()
    spec.updated_at = timezone.now()
    spec.save(update_fields=["status", "submitted_on", "updated_at"])
    old, new = audit.diff(before, audit.snapshot(spec, _STATE_FIELDS))
    audit.record(actor, AuditAction.UPDATE, spec, before=old, after=new, note="报送省人社厅")
    return spec


@transaction.atomic
def spec_file(*, actor: User, spec: EvaluationSpec, filing_number: str, filed_on: dt.date) -> EvaluationSpec:
    """The 人社 officer records the provincial filing number and date: the spec becomes active (R3)."""
    require(actor, Perm.FILE_SPEC)
    spec = _lock(spec)
    number = spec_rules.check_filing_number(filing_number)
    spec_rules.check_may_file(
        spec.status,
        approvals=approvals_of(spec),
        submitted_on=spec.submitted_on,
        filed_on=filed_on,
        today=timezone.localdate(),
    )
    taken = EvaluationSpec.objects.filter(filing_number=number).exclude(pk=spec.pk).first()
    if taken is not None:
        raise DomainError("filing_number_taken", f"备案编号“{number}”已用于“{taken.title}”。", field="filing_number")
    before = audit.snapshot(spec, _STATE_FIELDS)
    spec.status = SpecStatus.FILED
    spec.filing_number = number
    spec.filed_on = filed_on
    spec.updated_at = timezone.now()
    try:
        with transaction.atomic():
            spec.save(update_fields=["status", "filing_number", "filed_on", "updated_at"])
    except IntegrityError:
        raise DomainError("filing_number_taken", f"备案编号“{number}”已被使用。", field="filing_number") from None
    old, new = audit.diff(before, audit.snapshot(spec, _STATE_FIELDS))
    audit.record(actor, AuditAction.UPDATE, spec, before=old, after=new, note="省人社厅备案")
    return spec


@transaction.atomic
def spec_withdraw(*, actor: User, spec: EvaluationSpec, reason: str, on_date: dt.date | None = None) -> EvaluationSpec:
    """The drafting school or the 人社 officer withdraws a spec; a filed one stops counting from `on_date`."""
    if not (has_perm(actor, Perm.DRAFT_SPEC) or has_perm(actor, Perm.FILE_SPEC)):
        raise PermissionDenied()
    spec = _lock(spec)
    on_date = on_date or timezone.localdate()
    reason = spec_rules.check_may_withdraw(spec.status, on_date=on_date, filed_on=spec.filed_on, reason=reason)
    if actor.role == Role.HRSS_OFFICER and spec.status != SpecStatus.FILED:
        raise DomainError("spec_not_filed", "人社备案员只能撤销已备案的评价规范；未备案的由起草院校撤回。")
    before = audit.snapshot(spec, _STATE_FIELDS)
    spec.status = SpecStatus.WITHDRAWN
    spec.withdrawn_on = on_date
    spec.withdraw_reason = reason
    spec.updated_at = timezone.now()
    spec.save(update_fields=["status", "withdrawn_on", "withdraw_reason", "updated_at"])
    old, new = audit.diff(before, audit.snapshot(spec, _STATE_FIELDS))
    audit.record(actor, AuditAction.UPDATE, spec, before=old, after=new, note=f"撤回：{reason}")
    return spec
