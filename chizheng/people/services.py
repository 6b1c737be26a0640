"""Writes and sensitive reads of the person registry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.errors import DomainError
from chizheng.core.permissions import Perm, require
from chizheng.core.scoping import get_for

from .choices import StudentStatus
from .models import Person, Student


@transaction.atomic
def person_reveal_id(*, actor: Any, person: Person) -> str:
    """The full ID number, for roles that need it; every reveal is audit-logged."""
    require(actor, Perm.VIEW_FULL_ID)
    audit.record(actor, AuditAction.VIEW_FULL_ID, person, note="查看完整身份证号")
    return person.id_number


_PERSON_FIELDS = ("name", "phone")
_STUDENT_FIELDS = ("major", "outstanding", "status")


def _check_phone(phone: str) -> str:
    import re

    phone = (phone or "").strip()
    if phone and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", phone):
        raise DomainError("phone_format", f"电话“{phone}”格式不对，应为 11 位手机号或带区号的固定电话。", field="phone")
    return phone


@transaction.atomic
def person_update(*, actor: Any, person: Person, name: str, phone: str = "") -> Person:
    """Correct a person's name or phone. The ID number never changes (it is the person's identity)."""
    require(actor, Perm.MANAGE_PEOPLE)
    person = get_for(actor, Person.objects.select_for_update(), pk=person.pk)
    name = (name or "").strip()
    if not name:
        raise DomainError("person_name_missing", "请填写姓名。", field="name")
    if len(name) > 50:
        raise DomainError("person_name_long", "姓名不能超过 50 个字。", field="name")
    before = audit.snapshot(person, _PERSON_FIELDS)
    person.name, person.phone = name, _check_phone(phone)
    person.updated_at = timezone.now()
    old, new = audit.diff(before, audit.snapshot(person, _PERSON_FIELDS))
    if new:
        person.save(update_fields=[*_PERSON_FIELDS, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, person, before=old, after=new)
    return person


@transaction.atomic
def student_update(*, actor: Any, student: Student, major: str, outstanding: bool, status: str) -> Student:
    """Edit a student record: major, the R4 "outstanding" flag and enrolment status."""
    require(actor, Perm.MANAGE_PEOPLE)
    student = get_for(actor, Student.objects.select_for_update(), pk=student.pk)
    major = (major or "").strip()
    if not major:
        raise DomainError("student_major_missing", "请填写专业。", field="major")
    if status not in StudentStatus.values:
        raise DomainError("student_status_unknown", f"学籍状态“{status}”无效。", field="status")
    before = audit.snapshot(student, _STUDENT_FIELDS)
    student.major, student.outstanding, student.status = major[:60], bool(outstanding), status
    old, new = audit.diff(before, audit.snapshot(student, _STUDENT_FIELDS))
    if new:
        student.updated_at = timezone.now()
        student.save(update_fields=[*_STUDENT_FIELDS, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, student, before=old, after=new)
    return student
