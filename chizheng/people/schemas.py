"""Request and response shapes of the person registry API. ID numbers leave masked."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from chizheng.core.choices import TargetGroup
from chizheng.core.schemas import UnitRef

from .choices import Sex, Stage, StudentStatus
from .models import Person


class PersonRef(Schema):
    id: int
    name: str
    id_number_masked: str = Field(description="脱敏身份证号；完整号码用 POST /persons/{id}/reveal-id（记录审计日志）")

    @staticmethod
    def resolve_id_number_masked(obj: Person) -> str:
        return obj.masked_id_number


class PersonOut(PersonRef):
    sex: Sex
    birth_date: dt.date
    school: UnitRef | None
    county: UnitRef | None
    has_photo: bool

    @staticmethod
    def resolve_has_photo(obj: Person) -> bool:
        return bool(obj.photo)


class StudentRecordOut(Schema):
    id: int
    school: UnitRef
    student_number: str
    major: str
    stage: Stage
    entry_year: int
    expected_graduation_year: int
    outstanding: bool
    status: StudentStatus


class TeacherRecordOut(Schema):
    id: int
    school: UnitRef
    department: str
    title: str
    active: bool


class SocialLearnerRecordOut(Schema):
    id: int
    org_unit: UnitRef
    target_group: TargetGroup
    employer: str
    registered_on: dt.date


class PersonDetailOut(PersonOut):
    students: list[StudentRecordOut]
    teachers: list[TeacherRecordOut]
    social_learners: list[SocialLearnerRecordOut]

    @staticmethod
    def resolve_students(obj: Person) -> list[object]:
        return list(obj.student_records.select_related("school"))

    @staticmethod
    def resolve_teachers(obj: Person) -> list[object]:
        return list(obj.teacher_records.select_related("school"))

    @staticmethod
    def resolve_social_learners(obj: Person) -> list[object]:
        return list(obj.learner_records.select_related("org_unit"))


class StudentOut(StudentRecordOut):
    person: PersonRef
    county: UnitRef


class TeacherOut(TeacherRecordOut):
    person: PersonRef
    county: UnitRef


class SocialLearnerOut(SocialLearnerRecordOut):
    person: PersonRef
    county: UnitRef


class RevealedIdOut(Schema):
    id: int
    id_number: str = Field(description="完整身份证号（本次查看已记录审计日志）")


class _PeopleFilter(FilterSchema):
    """`q`: a name or a full ID number (exact, like the list pages); `county` and `school` by ID."""

    person_prefix: ClassVar[str] = "person__"
    school_field: ClassVar[str] = "school"

    county: int | None = Field(None, description="县区 ID")
    school: int | None = Field(None, description="院校 ID")
    q: str | None = Field(None, description="姓名或完整身份证号")

    def filter_school(self, value: int | None) -> Q:
        return Q(**{self.school_field: value}) if value else Q()

    def filter_q(self, value: str | None) -> Q:
        value = (value or "").strip()
        if not value:
            return Q()
        prefix = self.person_prefix
        return Q(**{f"{prefix}name": value}) | Q(**{f"{prefix}id_number": value.upper()})


class PersonFilter(_PeopleFilter):
    person_prefix: ClassVar[str] = ""


class StudentFilter(_PeopleFilter):
    stage: Stage | None = None
    expected_graduation_year: int | None = None
    status: StudentStatus | None = None


class TeacherFilter(_PeopleFilter):
    active: bool | None = None


class SocialLearnerFilter(_PeopleFilter):
    school_field: ClassVar[str] = "org_unit"

    target_group: TargetGroup | None = None
