"""The demo data: `chizheng demo` (small size) and the province-scale generator."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from chizheng.core.choices import OrgKind, Role, SchoolKind
from chizheng.core.demo_accounts import DEMO_USERNAMES
from chizheng.core.models import AuditEvent, OrgUnit, User
from chizheng.core.scoping import scope_of
from chizheng.demo import names
from chizheng.demo.jiaozuo import DEFAULT_SEED, plan_jiaozuo
from chizheng.demo.province import ProvinceSize, build_province
from chizheng.occupations.models import Occupation, Trade
from chizheng.people.models import Person, SocialLearner, Student, Teacher
from chizheng.people.rules import parse_id_number

COUNTY_CODES = {
    "410802",
    "410803",
    "410804",
    "410811",
    "410821",
    "410822",
    "410823",
    "410825",
    "410882",
    "410883",
    "410871",
}
JIAOZUO_REGIONS = COUNTY_CODES - {"410871"}


@pytest.fixture
def demo(db):
    call_command("demo", size="small", stdout=_Null())


class _Null:
    def write(self, *args: object, **kwargs: object) -> None:
        pass

    def flush(self) -> None:
        pass


def _unit(user: User) -> OrgUnit:
    assert user.org_unit is not None, user.username
    return user.org_unit


def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "units": sorted(OrgUnit.objects.values_list("code", "name", "kind", "school_kind", "ownership", "closed_on")),
        "persons": sorted(Person.objects.values_list("id_number", "name", "school__code", "county__code")),
        "students": sorted(
            Student.objects.values_list("person__id_number", "school__code", "major", "stage", "entry_year", "status")
        ),
        "users": sorted(User.objects.values_list("username", "role", "org_unit__code", "person__id_number")),
        "audit": sorted(AuditEvent.objects.values_list("action", "object_repr")),
    }


def test_same_seed_same_plan_other_seed_other_people():
    first, again = plan_jiaozuo(DEFAULT_SEED, "small"), plan_jiaozuo(DEFAULT_SEED, "small")
    assert first == again
    other = plan_jiaozuo(DEFAULT_SEED + 1, "small")
    assert [(u.code, u.name) for u in other.units] == [(u.code, u.name) for u in first.units]  # fixed tree
    assert {p.id_number for p in other.persons} != {p.id_number for p in first.persons}


_DIGEST = (
    "import hashlib, django; django.setup();"
    "from chizheng.demo.jiaozuo import plan_jiaozuo;"
    "print(hashlib.sha256(repr(plan_jiaozuo({seed}, 'small')).encode()).hexdigest())"
)


def test_plan_does_not_depend_on_the_process():
    """Another interpreter with another hash seed draws the same plan."""
    here = hashlib.sha256(repr(plan_jiaozuo(DEFAULT_SEED, "small")).encode()).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", _DIGEST.format(seed=DEFAULT_SEED)],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == here


def test_database_holds_exactly_the_plan(demo):
    plan = plan_jiaozuo(DEFAULT_SEED, "small")
    assert set(Person.objects.values_list("id_number", flat=True)) == {p.id_number for p in plan.persons}
    assert Student.objects.count() == len(plan.students)
    assert Teacher.objects.count() == len(plan.teachers)
    assert SocialLearner.objects.count() == len(plan.learners)


def test_eleven_county_units_with_their_codes(demo):
    city = OrgUnit.objects.get(kind=OrgKind.CITY)
    assert (city.code, city.name) == ("410800", "焦作市")
    counties = OrgUnit.objects.filter(kind=OrgKind.COUNTY)
    assert {c.code for c in counties} == COUNTY_CODES
    assert all(c.parent_id == city.pk and c.county_id == c.pk for c in counties)
    assert counties.get(code="410871").name == "焦作城乡一体化示范区"


def test_schools_are_plausible(demo):
    schools = OrgUnit.objects.filter(kind=OrgKind.SCHOOL).select_related("parent")
    assert 40 <= schools.count() <= 60
    for school in schools:
        assert school.parent is not None
        assert re.fullmatch(rf"S{school.parent.code}\d\d", school.code), school.code
        assert school.county_id == school.parent_id
        assert school.opened_on is not None
    kinds = {s.school_kind for s in schools}
    assert kinds == {SchoolKind.SECONDARY, SchoolKind.HIGHER, SchoolKind.UNDERGRADUATE}
    assert sum(s.school_kind == SchoolKind.SECONDARY for s in schools) > schools.count() / 2
    assert schools.filter(ownership="private").count() >= 5
    closed = schools.exclude(closed_on=None)
    assert 1 <= closed.count() <= 3
    assert not Student.objects.filter(school__in=closed).exists()


def test_every_id_number_is_valid_and_matches_the_person(demo):
    for number, sex, birth in Person.objects.values_list("id_number", "sex", "birth_date"):
        info = parse_id_number(number)
        assert (info.sex, info.birth_date) == (sex, birth)
        assert info.region in JIAOZUO_REGIONS


def test_students_fit_their_school_and_stage(demo):
    allowed = {
        SchoolKind.SECONDARY: {"secondary"},
        SchoolKind.HIGHER: {"secondary", "junior_college"},
        SchoolKind.UNDERGRADUATE: {"undergraduate", "junior_college"},
    }
    for student in Student.objects.select_related("school", "person"):
        assert student.stage in allowed[SchoolKind(student.school.school_kind)]
        assert student.county_id == student.school.county_id
        assert 2020 <= student.entry_year < student.expected_graduation_year <= 2028
        age = student.entry_year - student.person.birth_date.year
        assert 14 <= age <= 20, (student.stage, age)
    assert Student.objects.filter(outstanding=True).exists()
    assert {"enrolled", "graduated"} <= set(Student.objects.values_list("status", flat=True))
    # A person's current affiliation is one of their records.
    for person in Person.objects.exclude(school=None)[:200]:
        schools = {
            *Student.objects.filter(person=person).values_list("school_id", flat=True),
            *Teacher.objects.filter(person=person).values_list("school_id", flat=True),
            *SocialLearner.objects.filter(person=person).values_list("org_unit_id", flat=True),
        }
        assert person.school_id in schools


def test_learners_cover_the_target_groups(demo):
    groups = set(SocialLearner.objects.values_list("target_group", flat=True))
    assert len(groups) >= 6
    for learner in SocialLearner.objects.select_related("person", "org_unit")[:100]:
        assert learner.county_id == learner.org_unit.county_id
        assert dt.date(1966, 1, 1) <= learner.person.birth_date <= dt.date(2004, 12, 31)


def test_demo_accounts(demo):
    users = {u.username: u for u in User.objects.select_related("org_unit", "person")}
    expected_roles = {
        "city_admin": Role.CITY_ADMIN,
        "county_admin": Role.COUNTY_ADMIN,
        "school_admin": Role.SCHOOL_ADMIN,
        "examiner": Role.EXAMINER,
        "supervisor": Role.SUPERVISOR,
        "expert": Role.EXPERT,
        "hrss_officer": Role.HRSS_OFFICER,
        "learner": Role.LEARNER,
    }
    assert set(DEMO_USERNAMES) == set(expected_roles)
    for name, role in expected_roles.items():
        assert users[name].role == role
        assert users[name].check_password(settings.DEMO_PASSWORD)
    school = _unit(users["school_admin"])
    assert _unit(users["city_admin"]).kind == OrgKind.CITY
    assert _unit(users["county_admin"]).kind == OrgKind.COUNTY
    assert school.kind == OrgKind.SCHOOL
    assert school.county_id == users["county_admin"].org_unit_id
    assert users["examiner"].org_unit == users["supervisor"].org_unit == school
    learner = users["learner"]
    assert Student.objects.filter(person=learner.person, school=school).exists()
    assert scope_of(learner).person_id == learner.person_id
    for code in COUNTY_CODES:
        assert _unit(users[f"county_{code}"]).code == code
    for school_unit in OrgUnit.objects.filter(kind=OrgKind.SCHOOL):
        user = users[f"school_{school_unit.code.lower()}"]
        assert (user.role, user.org_unit_id) == (Role.SCHOOL_ADMIN, school_unit.pk)
    # hashed once; the registry examiners the exam demo staffs sessions with have no usable password
    assert len({u.password for u in users.values() if u.has_usable_password()}) == 1
    assert all(u.username.startswith("kp") for u in users.values() if not u.has_usable_password())


def test_occupation_standards_and_trades(demo):
    with_standard = Occupation.objects.filter(has_national_standard=True)
    assert with_standard.count() == len(names.STANDARDS) >= 40
    assert all(o.standard_number.startswith(o.code) and o.standard_levels for o in with_standard)
    assert Trade.objects.get(name="育婴员").occupation.code == "4-10-01-01"
    assert Occupation.objects.get(code="4-01-06-01").key_field == "e_commerce"


def test_the_load_is_audited(demo):
    event = AuditEvent.objects.get()
    assert (event.action, event.channel, event.object_repr) == ("import", "cli", "焦作市")
    assert event.after is not None
    assert event.after["persons"] == Person.objects.count()


def test_if_empty_changes_nothing_and_plain_rerun_refuses(demo):
    before = _snapshot()
    call_command("demo", size="small", if_empty=True, stdout=_Null())
    assert _snapshot() == before
    with pytest.raises(CommandError):
        call_command("demo", size="small", stdout=_Null())
    assert _snapshot() == before


def test_province_scale_streams_valid_people(db):
    counts = build_province(ProvinceSize(persons=3_000, schools=120, counties=40), seed=7, chunk=500)
    assert counts["persons"] == Person.objects.count() == 3_000
    assert counts["students"] == Student.objects.count() == 2_400
    assert OrgUnit.objects.filter(kind=OrgKind.COUNTY).count() == 40
    assert OrgUnit.objects.filter(kind=OrgKind.SCHOOL).count() == 120
    numbers = list(Person.objects.values_list("id_number", "sex", "birth_date"))
    assert len({n for n, _, _ in numbers}) == len(numbers)
    for number, sex, birth in numbers:
        info = parse_id_number(number)
        assert (info.sex, info.birth_date) == (sex, birth)
    for name in ("city_admin", "county_admin", "school_admin", "learner"):
        assert User.objects.filter(username=name).exists()
    school_admin = User.objects.get(username="school_admin")
    assert _unit(school_admin).county_id == User.objects.get(username="county_admin").org_unit_id
    # the id sequences continue after the explicit ids
    extra = Person.objects.create(id_number="410802200603150016", name="新人", sex="M", birth_date=dt.date(2006, 3, 15))
    assert extra.pk > 3_000
