"""The only writers of evaluation institutions: each entry point is one transaction with an audit row
and an InstitutionEvent (the institution's own dated history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction, OrgKind
from chizheng.core.errors import DomainError, NotFound
from chizheng.core.models import OrgUnit, User
from chizheng.core.permissions import Perm, require
from chizheng.occupations.models import Occupation
from chizheng.people.models import Person

from . import rules, selectors
from .choices import EventKind, InstitutionStatus
from .models import (
    EvaluationInstitution,
    Examiner,
    InstitutionAttachment,
    InstitutionEvent,
    InstitutionScope,
    SubsidyListEntry,
)

_FIELDS = ["kind", "name", "code", "contact", "phone", "email", "sites"]
_SNAPSHOT = [*_FIELDS, "status", "filing_number", "filed_on", "review_due_on", "revoked_on", "returned_reason"]


def _in_scope(actor: User, institution: EvaluationInstitution) -> None:
    if not EvaluationInstitution.objects.restrict(actor).filter(pk=institution.pk).exists():
        raise NotFound()


def _lock(actor: User, institution: EvaluationInstitution, perm: Perm) -> tuple[EvaluationInstitution, dict[str, Any]]:
    """The common start of a change: permission, scope, the row locked, its state before."""
    require(actor, perm)
    _in_scope(actor, institution)
    locked = EvaluationInstitution.objects.select_for_update().get(pk=institution.pk)
    return locked, audit.snapshot(locked, _SNAPSHOT)


def _event(
    institution: EvaluationInstitution,
    actor: User,
    kind: str,
    on_date: dt.date | None = None,
    *,
    reason: str = "",
    until: dt.date | None = None,
    filing_number: str = "",
    **detail: Any,
) -> InstitutionEvent:
    return InstitutionEvent.objects.create(
        institution=institution,
        kind=kind,
        on_date=on_date or timezone.localdate(),
        until_date=until,
        reason=reason[:300],
        filing_number=filing_number,
        detail=detail,
        actor=actor if actor.is_authenticated else None,
    )


def _save(institution: EvaluationInstitution, before: dict[str, Any], actor: User, note: str) -> None:
    institution.updated_at = timezone.now()
    institution.save()
    b, a = audit.diff(before, audit.snapshot(institution, _SNAPSHOT))
    audit.record(actor, AuditAction.UPDATE, institution, before=b, after=a, note=note)


def _check_code_free(code: str, exclude_pk: int | None = None) -> str:
    code = rules.check_institution_code(code)
    clash = EvaluationInstitution.objects.filter(code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("duplicate_code", f"机构代码 {code} 已被其他机构使用。", field="code")
    return code


def _check_fields(data: dict[str, Any]) -> None:
    for name, label in (("name", "机构名称"), ("contact", "联系人"), ("phone", "联系电话")):
        if not str(data.get(name) or "").strip():
            raise DomainError("required", f"请填写{label}。", field=name)


@transaction.atomic
def institution_file(
    *,
    actor: User,
    school: OrgUnit,
    kind: str,
    name: str,
    code: str,
    contact: str,
    phone: str,
    email: str = "",
    sites: str = "",
) -> EvaluationInstitution:
    """A school admin starts the filing of an institution (draft) for their own school, private schools too."""
    require(actor, Perm.FILE_INSTITUTION)
    in_scope = OrgUnit.objects.restrict(actor).filter(pk=school.pk).exists()
    if school.kind != OrgKind.SCHOOL or school.county_id is None or not in_scope:
        raise NotFound("该院校不在您的管理范围内，不能为其备案。")
    data = {"name": name, "contact": contact, "phone": phone}
    _check_fields(data)
    institution = EvaluationInstitution.objects.create(
        school=school,
        county_id=school.county_id,
        kind=kind,
        name=name.strip(),
        code=_check_code_free(code),
        contact=contact.strip(),
        phone=phone.strip(),
        email=email.strip(),
        sites=sites.strip(),
    )
    _event(institution, actor, EventKind.CREATED)
    audit.record(actor, AuditAction.CREATE, institution, after=audit.snapshot(institution, _SNAPSHOT))
    return institution


@transaction.atomic
def institution_update(*, actor: User, institution: EvaluationInstitution, **fields: Any) -> EvaluationInstitution:
    """The school amends a draft or returned filing."""
    institution, before = _lock(actor, institution, Perm.FILE_INSTITUTION)
    rules.check_transition(institution.status, "amend")
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items() if k in _FIELDS}
    _check_fields({**{k: getattr(institution, k) for k in _FIELDS}, **data})
    if "code" in data:
        data["code"] = _check_code_free(data["code"], institution.pk)
    for key, value in data.items():
        setattr(institution, key, value)
    _save(institution, before, actor, "修改备案信息")
    _event(institution, actor, EventKind.AMENDED, fields=sorted(data))
    return institution


@transaction.atomic
def institution_submit(*, actor: User, institution: EvaluationInstitution) -> EvaluationInstitution:
    """Submit (or resubmit after a return) the filing to the HRSS; it needs at least one scope row."""
    institution, before = _lock(actor, institution, Perm.FILE_INSTITUTION)
    resubmit = institution.status == InstitutionStatus.RETURNED
    institution.status = rules.check_transition(institution.status, "submit")
    if not institution.scopes.filter(removed_on__isnull=True).exists():
        raise DomainError("empty_scope", "请先添加评价范围（职业及最高等级）再提交备案。", field="scope")
    _save(institution, before, actor, "重新提交备案" if resubmit else "提交备案")
    _event(institution, actor, EventKind.RESUBMITTED if resubmit else EventKind.SUBMITTED)
    return institution


@transaction.atomic
def institution_approve(
    *, actor: User, institution: EvaluationInstitution, filing_number: str, filed_on: dt.date
) -> EvaluationInstitution:
    """The HRSS officer files the institution: a filing number (unique) and date; the annual review is due a year on."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    institution.status = rules.check_transition(institution.status, "approve")
    number = rules.check_filing_number(filing_number)
    if EvaluationInstitution.objects.filter(filing_number=number).exclude(pk=institution.pk).exists():
        raise DomainError("duplicate_filing_number", f"备案编号 {number} 已被其他机构使用。", field="filing_number")
    institution.filing_number = number
    institution.filed_on = filed_on
    institution.review_due_on = rules.review_due_after(filed_on)
    institution.returned_reason = ""
    try:
        with transaction.atomic():
            _save(institution, before, actor, f"备案通过，编号 {number}")
    except IntegrityError:
        raise DomainError(
            "duplicate_filing_number", f"备案编号 {number} 已被其他机构使用。", field="filing_number"
        ) from None
    _event(institution, actor, EventKind.APPROVED, filed_on, filing_number=number)
    return institution


@transaction.atomic
def institution_return(*, actor: User, institution: EvaluationInstitution, reason: str) -> EvaluationInstitution:
    """The HRSS officer returns a submitted filing to the school with a reason."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    institution.status = rules.check_transition(institution.status, "return")
    institution.returned_reason = rules.check_reason(reason)
    _save(institution, before, actor, f"退回：{institution.returned_reason}")
    _event(institution, actor, EventKind.RETURNED, reason=institution.returned_reason)
    return institution


@transaction.atomic
def institution_annual_review(
    *, actor: User, institution: EvaluationInstitution, reviewed_on: dt.date, note: str = ""
) -> EvaluationInstitution:
    """Record a passed annual review; the next one is due a year later."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    rules.check_transition(institution.status, "annual_review")
    institution.review_due_on = rules.review_due_after(reviewed_on)
    _save(institution, before, actor, f"年度审核 {reviewed_on:%Y-%m-%d}")
    _event(
        institution, actor, EventKind.ANNUAL_REVIEW, reviewed_on, reason=note, next_due=str(institution.review_due_on)
    )
    return institution


def _may_change_scope(actor: User, institution: EvaluationInstitution) -> None:
    """Before filing the school edits its own scope; once filed, scope changes are the HRSS's dated decisions."""
    rules.check_transition(institution.status, "scope")
    if institution.is_filed:
        require(actor, Perm.REVIEW_INSTITUTION)
    else:
        require(actor, Perm.FILE_INSTITUTION)


@transaction.atomic
def institution_scope_add(
    *,
    actor: User,
    institution: EvaluationInstitution,
    occupation: Occupation | str,
    highest_level: int,
    added_on: dt.date | None = None,
) -> InstitutionScope:
    """Add an occupation up to a highest level (dated). Refuses unknown occupations and levels its standard or
    filed spec does not define; replaces an open row of the same occupation (a level change)."""
    _in_scope(actor, institution)
    institution = EvaluationInstitution.objects.select_for_update().get(pk=institution.pk)
    _may_change_scope(actor, institution)
    day = added_on or timezone.localdate()
    if isinstance(occupation, str):
        found = Occupation.objects.filter(code=occupation.strip()).first()
        if found is None:
            raise DomainError("unknown_occupation", f"没有编码为“{occupation}”的职业。", field="occupation")
        occupation = found
    level = rules.check_scope_level(
        occupation_label=f"{occupation.code} {occupation.name}",
        level=int(highest_level),
        defined_levels=selectors.defined_levels(occupation, day),
    )
    current = institution.scopes.filter(occupation=occupation, removed_on__isnull=True).first()
    if current is not None:
        if current.highest_level == level:
            raise DomainError(
                "duplicate_scope", f"评价范围已含职业“{occupation.name}”（最高 {level} 级）。", field="occupation"
            )
        if day < current.added_on:
            raise DomainError("bad_date", "变更日期不能早于原范围的增加日期。", field="added_on")
        current.removed_on = day
        current.save(update_fields=["removed_on"])
    scope = InstitutionScope.objects.create(
        institution=institution, occupation=occupation, highest_level=level, added_on=day
    )
    _event(institution, actor, EventKind.SCOPE_ADDED, day, occupation=occupation.code, level=level)
    audit.record(
        actor,
        AuditAction.CREATE,
        scope,
        after={"occupation": occupation.code, "highest_level": level, "added_on": str(day)},
        org_unit_id=institution.school_id,
        note=f"{institution.name} 增加评价范围",
    )
    return scope


@transaction.atomic
def institution_scope_remove(
    *,
    actor: User,
    institution: EvaluationInstitution,
    scope: InstitutionScope,
    removed_on: dt.date | None = None,
    reason: str = "",
) -> InstitutionScope:
    """End a scope row on a date (the row stays, so the gate still answers for earlier days)."""
    _in_scope(actor, institution)
    institution = EvaluationInstitution.objects.select_for_update().get(pk=institution.pk)
    _may_change_scope(actor, institution)
    scope = InstitutionScope.objects.select_for_update().get(pk=scope.pk, institution=institution)
    if scope.removed_on is not None:
        raise DomainError("already_removed", "该评价范围已取消。")
    day = removed_on or timezone.localdate()
    if day < scope.added_on:
        raise DomainError("bad_date", "取消日期不能早于增加日期。", field="removed_on")
    if not institution.is_filed:
        # never filed: nothing was ever assessed under it, so the row simply goes
        audit.record(
            actor,
            AuditAction.DELETE,
            scope,
            before={"occupation": scope.occupation_id},
            org_unit_id=institution.school_id,
        )
        _event(institution, actor, EventKind.SCOPE_REMOVED, day, occupation=scope.occupation.code, reason=reason)
        scope.delete()
        return scope
    scope.removed_on = day
    scope.save(update_fields=["removed_on"])
    _event(institution, actor, EventKind.SCOPE_REMOVED, day, reason=reason, occupation=scope.occupation.code)
    audit.record(
        actor,
        AuditAction.UPDATE,
        scope,
        before={"removed_on": None},
        after={"removed_on": str(day)},
        org_unit_id=institution.school_id,
        note=reason,
    )
    return scope


@transaction.atomic
def institution_suspend(
    *,
    actor: User,
    institution: EvaluationInstitution,
    from_date: dt.date,
    until: dt.date | None = None,
    reason: str,
) -> EvaluationInstitution:
    """Suspend a filed institution from a date (until a date, or until restored), with a reason."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    institution.status = rules.check_transition(institution.status, "suspend")
    why = rules.check_reason(reason)
    if until is not None and until < from_date:
        raise DomainError("bad_date", "暂停截止日期不能早于开始日期。", field="until")
    if institution.filed_on and from_date < institution.filed_on:
        raise DomainError("bad_date", "暂停日期不能早于备案日期。", field="from_date")
    _save(institution, before, actor, f"暂停：{why}")
    _event(institution, actor, EventKind.SUSPENDED, from_date, until=until, reason=why)
    return institution


@transaction.atomic
def institution_restore(
    *, actor: User, institution: EvaluationInstitution, on_date: dt.date, reason: str = ""
) -> EvaluationInstitution:
    """Restore a suspended institution; it may assess again from `on_date`."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    institution.status = rules.check_transition(institution.status, "restore")
    last = institution.events.filter(kind=EventKind.SUSPENDED).order_by("-on_date", "-id").first()
    if last is not None and on_date < last.on_date:
        raise DomainError("bad_date", f"恢复日期不能早于暂停日期 {last.on_date:%Y-%m-%d}。", field="on_date")
    _save(institution, before, actor, "恢复")
    _event(institution, actor, EventKind.RESTORED, on_date, reason=reason)
    return institution


@transaction.atomic
def institution_revoke(
    *, actor: User, institution: EvaluationInstitution, on_date: dt.date, reason: str
) -> EvaluationInstitution:
    """Revoke the filing from a date, with a reason. Final: a revoked institution is never restored or suspended."""
    institution, before = _lock(actor, institution, Perm.REVIEW_INSTITUTION)
    institution.status = rules.check_transition(institution.status, "revoke")
    why = rules.check_reason(reason)
    if institution.filed_on and on_date < institution.filed_on:
        raise DomainError("bad_date", "撤销日期不能早于备案日期。", field="on_date")
    institution.revoked_on = on_date
    _save(institution, before, actor, f"撤销：{why}")
    _event(institution, actor, EventKind.REVOKED, on_date, reason=why)
    return institution


@transaction.atomic
def attachment_add(
    *, actor: User, institution: EvaluationInstitution, uploaded_file: UploadedFile, title: str = ""
) -> InstitutionAttachment:
    """Attach a PDF, JPG or PNG (≤ 10 MB, judged by its first bytes) to the filing."""
    require(actor, Perm.FILE_INSTITUTION)
    _in_scope(actor, institution)
    name = uploaded_file.name or "附件"
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    content_type = rules.check_attachment(name, head, uploaded_file.size or 0)
    attachment = InstitutionAttachment(
        institution=institution,
        title=(title or name).strip()[:100],
        content_type=content_type,
        size=uploaded_file.size or 0,
        uploaded_by=actor,
    )
    suffix = name.rsplit(".", 1)[-1].lower()
    attachment.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}.{suffix}", uploaded_file, save=False)
    attachment.save()
    _event(institution, actor, EventKind.ATTACHMENT, title=attachment.title)
    audit.record(actor, AuditAction.CREATE, attachment, org_unit_id=institution.school_id, note=institution.name)
    return attachment


@transaction.atomic
def subsidy_list_add(*, actor: User, year: int, institution: EvaluationInstitution, note: str = "") -> SubsidyListEntry:
    """Put a filed institution on a year's evaluation subsidy list (once per year)."""
    require(actor, Perm.REVIEW_INSTITUTION)
    _in_scope(actor, institution)
    rules.check_transition(institution.status, "subsidy_list")
    if not 2020 <= int(year) <= 2100:
        raise DomainError("bad_year", f"年度 {year} 不合理。", field="year")
    if SubsidyListEntry.objects.filter(year=year, institution=institution).exists():
        raise DomainError("duplicate_entry", f"{institution.name} 已在 {year} 年补贴名单中。", field="institution")
    entry = SubsidyListEntry.objects.create(
        year=year, institution=institution, school_id=institution.school_id, county_id=institution.county_id, note=note
    )
    _event(institution, actor, EventKind.SUBSIDY_LISTED, year=year)
    audit.record(actor, AuditAction.CREATE, entry, after={"year": year, "institution": institution.pk})
    return entry


@transaction.atomic
def subsidy_list_remove(*, actor: User, entry: SubsidyListEntry, reason: str = "") -> None:
    """Take an institution off a year's subsidy list."""
    require(actor, Perm.REVIEW_INSTITUTION)
    _event(entry.institution, actor, EventKind.SUBSIDY_UNLISTED, reason=reason, year=entry.year)
    audit.record(
        actor, AuditAction.DELETE, entry, before={"year": entry.year, "institution": entry.institution_id}, note=reason
    )
    entry.delete()


@transaction.atomic
def examiner_add(
    *,
    actor: User,
    institution: EvaluationInstitution,
    person: Person,
    role: str,
    occupation: Occupation | None,
    highest_level: int | None,
    qualification_number: str,
    valid_from: dt.date,
    valid_until: dt.date,
    relatives: Iterable[Person] = (),
) -> Examiner:
    """Register a qualified examiner, invigilator or supervisor of the institution."""
    require(actor, Perm.MANAGE_EXAMINERS)
    _in_scope(actor, institution)
    rules.check_examiner_fields(
        role=role,
        occupation_id=occupation.pk if occupation else None,
        highest_level=highest_level,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if not qualification_number.strip():
        raise DomainError("required", "请填写资格证书编号。", field="qualification_number")
    if Examiner.objects.filter(institution=institution, person=person, role=role, occupation=occupation).exists():
        raise DomainError("duplicate_examiner", f"{person.name} 已登记为该机构的同一身份。", field="person")
    examiner = Examiner.objects.create(
        institution=institution,
        school_id=institution.school_id,
        county_id=institution.county_id,
        person=person,
        role=role,
        occupation=occupation,
        highest_level=highest_level,
        qualification_number=qualification_number.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    examiner.relatives.set(list(relatives))
    audit.record(actor, AuditAction.CREATE, examiner, after=audit.snapshot(examiner))
    return examiner


@transaction.atomic
def examiner_remove(*, actor: User, examiner: Examiner) -> None:
    """Remove an examiner from the registry (before any session uses them; later modules PROTECT that)."""
    require(actor, Perm.MANAGE_EXAMINERS)
    if not Examiner.objects.restrict(actor).filter(pk=examiner.pk).exists():
        raise NotFound()
    audit.record(actor, AuditAction.DELETE, examiner, before=audit.snapshot(examiner))
    try:
        with transaction.atomic():
            examiner.delete()
    except ProtectedError:
        raise DomainError(
            "examiner_in_use", f"{examiner} 已被考核批次使用，考核记录须保留，不能删除。", field="examiner"
        ) from None
