"""Test personas: a small Jiaozuo and one user per role, shared by every app's tests.

The tree: 焦作市 → 解放区 (two schools: 焦作市职业技术学校, 解放区民办职校) and
温县 (温县职业中专). Personas: city, county (解放区), school (焦作市职业技术学校),
other_school (温县职业中专, a sibling county's school), learner (a student of `school`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import OrgKind, Ownership, Role, SchoolKind
from .models import OrgUnit, User

PASSWORD = "persona-password-1"


def make_id_number(region: str = "410802", birth: str = "20060315", seq: int = 1, male: bool = True) -> str:
    """A valid 18-digit ID number with the right check digit."""
    from chizheng.people.rules import check_digit

    order = f"{seq:02d}{(1 if male else 2) + 2 * (seq % 4)}"
    first17 = f"{region}{birth}{order}"
    return first17 + check_digit(first17)


@dataclass
class World:
    city: OrgUnit
    county: OrgUnit
    other_county: OrgUnit
    school: OrgUnit
    sibling_school: OrgUnit
    other_school: OrgUnit
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


def build_world() -> World:
    city = OrgUnit.objects.create(kind=OrgKind.CITY, code="410800", name="焦作市")
    county = OrgUnit.objects.create(kind=OrgKind.COUNTY, code="410802", name="解放区", parent=city)
    other = OrgUnit.objects.create(kind=OrgKind.COUNTY, code="410825", name="温县", parent=city)
    for unit in (county, other):
        unit.county = unit
        unit.save(update_fields=["county"])

    def school(code: str, name: str, parent: OrgUnit, ownership: str = Ownership.PUBLIC) -> OrgUnit:
        return OrgUnit.objects.create(
            kind=OrgKind.SCHOOL,
            code=code,
            name=name,
            parent=parent,
            county=parent,
            school_kind=SchoolKind.SECONDARY,
            ownership=ownership,
            opened_on=dt.date(1985, 9, 1),
        )

    s1 = school("S41080201", "焦作市职业技术学校", county)
    s2 = school("S41080202", "解放区民办职校", county, Ownership.PRIVATE)
    s3 = school("S41082501", "温县职业中专", other)

    from chizheng.people.models import Person, Student

    id_number = make_id_number()
    person = Person.objects.create(
        id_number=id_number, name="李明", sex="M", birth_date=dt.date(2006, 3, 15), school=s1, county=county
    )
    Student.objects.create(
        person=person,
        school=s1,
        county=county,
        major="数控技术应用",
        stage="secondary",
        entry_year=2022,
        expected_graduation_year=2025,
    )

    def user(username: str, role: str, unit: OrgUnit | None, **extra: object) -> User:
        u = User(username=username, role=role, org_unit=unit, **extra)
        u.set_password(PASSWORD)
        u.save()
        return u

    users = {
        "city": user("city", Role.CITY_ADMIN, city),
        "county": user("county", Role.COUNTY_ADMIN, county),
        "other_county": user("other_county", Role.COUNTY_ADMIN, other),
        "school": user("school", Role.SCHOOL_ADMIN, s1),
        "sibling_school": user("sibling_school", Role.SCHOOL_ADMIN, s2),
        "other_school": user("other_school", Role.SCHOOL_ADMIN, s3),
        "examiner": user("examiner", Role.EXAMINER, s1),
        "supervisor": user("supervisor", Role.SUPERVISOR, s1),
        "expert": user("expert", Role.EXPERT, None),
        "hrss": user("hrss", Role.HRSS_OFFICER, city),
        "learner": user("learner", Role.LEARNER, None, person=person),
    }
    return World(city, county, other, s1, s2, s3, users)
