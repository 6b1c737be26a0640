"""The demo Jiaozuo: a deterministic plan (pure Python) and a fast writer.

What it builds (default `--size full`; `small` keeps every unit and account, fewer people):
- 焦作市 (410800) and its 11 county-level units: the ten GB/T 2260 codes and 焦作城乡一体化
  示范区 as 410871 (see `names.DEMONSTRATION_ZONE_CODE`);
- 45 schools (`names.SCHOOLS`): mostly 中职, 高职 with 五年制 中专部 students, two 本科, public and
  民办, two closed; codes S + county code + two-digit serial (S41080201);
- ~25k student records (stage by school kind, entry 2020–2025, graduation ≤ 2028, 6 % outstanding,
  some 中职 graduates enrolled again at a 高职), 400 teachers, 3,000 social learners across the
  target groups; names from Faker's zh_CN lists, valid ID numbers of Jiaozuo regions with birth
  dates that fit the stage;
- accounts (password settings.DEMO_PASSWORD, hashed once): the eight of
  `core.demo_accounts.DEMO_USERNAMES` (county_admin = 解放区, school_admin = 焦作市职业技术学校,
  learner = an enrolled student there), `county_<code>` per county and `school_<code lower-case>`
  per school (e.g. school_s41080201);
- national standard numbers (demo values) and key fields for 42 occupations, and 14 trades.

`plan_jiaozuo(seed, size)` draws everything from one seeded `random.Random` and returns
plain tuples keyed by codes and list positions (no database ids), so the same seed always
gives the same plan; `write_plan(plan)` bulk-inserts it in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from chizheng.core import audit
from chizheng.core.choices import AuditAction, OrgKind, Ownership, Role, SchoolKind, TargetGroup
from chizheng.core.models import OrgUnit, User
from chizheng.core.rules import check_org_placement, check_school_fields
from chizheng.occupations.models import Occupation, Trade
from chizheng.occupations.rules import check_occupation_code, check_standard
from chizheng.people.models import Person, SocialLearner, Student, Teacher
from chizheng.people.rules import check_student_years

from . import names
from .ids import RandomIds, person_name

DEFAULT_SEED = 20221101  # the policy's date; any int works
BATCH = 2000


@dataclass(frozen=True)
class DemoSize:
    students: int
    teachers: int
    learners: int


SIZES = {
    "full": DemoSize(students=25_000, teachers=400, learners=3_000),
    "small": DemoSize(students=400, teachers=60, learners=80),
}


class UnitRow(NamedTuple):
    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    school_kind: str = ""
    ownership: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    address: str = ""
    contact: str = ""
    phone: str = ""


class PersonRow(NamedTuple):
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    phone: str
    school: str | None  # current affiliation (school code)
    county: str | None  # county code


class StudentRow(NamedTuple):
    person: int  # index into Plan.persons
    school: str
    student_number: str
    major: str
    stage: str
    entry_year: int
    graduation_year: int
    outstanding: bool
    status: str


class TeacherRow(NamedTuple):
    person: int
    school: str
    department: str
    title: str
    active: bool


class LearnerRow(NamedTuple):
    person: int
    org_unit: str
    target_group: str
    employer: str
    registered_on: dt.date


class UserRow(NamedTuple):
    username: str
    role: str
    org_unit: str | None
    person: int | None
    display_name: str


@dataclass
class Plan:
    seed: int
    units: list[UnitRow] = field(default_factory=list)
    persons: list[PersonRow] = field(default_factory=list)
    students: list[StudentRow] = field(default_factory=list)
    teachers: list[TeacherRow] = field(default_factory=list)
    learners: list[LearnerRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)


# Stage of a student by school kind, with weights: 高职 schools run a 五年制 中专部.
_STAGES = {
    SchoolKind.SECONDARY: [("secondary", 1.0)],
    SchoolKind.HIGHER: [("junior_college", 0.85), ("secondary", 0.15)],
    SchoolKind.UNDERGRADUATE: [("undergraduate", 0.8), ("junior_college", 0.2)],
}
_LENGTH = {"secondary": 3, "junior_college": 3, "undergraduate": 4}
_ENTRY_AGE = {"secondary": 15, "junior_college": 18, "undergraduate": 18}
_ENTRY_YEARS = {"secondary": (2020, 2025), "junior_college": (2020, 2025), "undergraduate": (2020, 2024)}
STATUS_YEAR = 2025  # students expected to graduate by this year are shown as graduated
_TARGET_WEIGHTS = {
    TargetGroup.RURAL_MIGRANT: 30,
    TargetGroup.OUT_OF_POVERTY: 10,
    TargetGroup.RETURNING_ENTREPRENEUR: 6,
    TargetGroup.RURAL_LEADER: 4,
    TargetGroup.URBAN_UNEMPLOYED: 14,
    TargetGroup.JOB_TRANSFER: 12,
    TargetGroup.HIGH_QUALITY_FARMER: 14,
    TargetGroup.OTHER: 10,
}
_ROADS = ["人民路", "解放路", "塔南路", "丰收路", "建设路", "民主路", "太行路", "山阳路", "焦作路", "和平街"]

DEMO_COUNTY = "410802"  # county_admin's county
DEMO_SCHOOL = "S41080201"  # school_admin's school (焦作市职业技术学校)


def school_code(county: str, serial: int) -> str:
    """S + county code + two-digit serial, e.g. S41082301."""
    return f"S{county}{serial:02d}"


def county_username(code: str) -> str:
    return f"county_{code}"


def school_username(code: str) -> str:
    return f"school_{code.lower()}"


def _mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "151", "158", "182", "187", "135", "176"]) + f"{rng.randrange(10**8):08d}"


def plan_jiaozuo(seed: int = DEFAULT_SEED, size: str = "full") -> Plan:
    """Everything the demo writes, drawn from `seed` alone."""
    dims = SIZES[size]
    rng = random.Random(seed)
    ids = RandomIds(rng)
    plan = Plan(seed=seed)

    plan.units.append(UnitRow(names.CITY_CODE, names.CITY_NAME, OrgKind.CITY, None, "焦作", phone="0391-3568000"))
    county_names = {}
    for code, name, short in names.COUNTIES:
        county_names[code] = name
        plan.units.append(
            UnitRow(code, name, OrgKind.COUNTY, names.CITY_CODE, short, phone=f"0391-{rng.randrange(10**7):07d}")
        )
    serials: Counter[str] = Counter()
    schools: list[tuple[str, names.SchoolSpec]] = []
    for spec in names.SCHOOLS:
        serials[spec.county] += 1
        code = school_code(spec.county, serials[spec.county])
        schools.append((code, spec))
        plan.units.append(
            UnitRow(
                code,
                spec.name,
                OrgKind.SCHOOL,
                spec.county,
                school_kind=spec.kind,
                ownership=Ownership.PRIVATE if spec.private else Ownership.PUBLIC,
                opened_on=dt.date(spec.opened, 9, 1),
                closed_on=dt.date(spec.closed, 7, 31) if spec.closed else None,
                address=f"{names.CITY_NAME}{county_names[spec.county]}{rng.choice(_ROADS)}{rng.randint(1, 3000)}号",
                contact=person_name(rng, rng.random() < 0.5),
                phone=f"0391-{rng.randrange(10**7):07d}",
            )
        )
    open_schools = [(code, spec) for code, spec in schools if spec.closed is None]
    school_by_code = dict(schools)
    county_of = {code: spec.county for code, spec in schools}

    def new_person(region_county: str, start: dt.date, end: dt.date, school: str | None, county: str | None) -> int:
        male = rng.random() < 0.52
        region = rng.choice(names.BIRTH_REGIONS[region_county])
        if rng.random() < 0.1:  # born elsewhere in the city
            region = rng.choice(names.ALL_BIRTH_REGIONS)
        number, birth = ids.make(region, start, end, male)
        plan.persons.append(
            PersonRow(number, person_name(rng, male), "M" if male else "F", birth, _mobile(rng), school, county)
        )
        return len(plan.persons) - 1

    # Students, spread over open schools by weight.
    codes = [code for code, _ in open_schools]
    weights = [spec.weight for _, spec in open_schools]
    numbers: Counter[str] = Counter()
    higher_schools = [code for code, spec in open_schools if spec.kind == SchoolKind.HIGHER]
    for code in rng.choices(codes, weights=weights, k=dims.students):
        spec = school_by_code[code]
        stages, stage_weights = zip(*_STAGES[SchoolKind(spec.kind)], strict=True)
        stage = rng.choices(stages, weights=stage_weights)[0]
        first, last = _ENTRY_YEARS[stage]
        entry = rng.randint(first, last)
        grad = entry + _LENGTH[stage]
        age = _ENTRY_AGE[stage] + rng.choice([0, 0, 0, 0, 1, -1 if stage == "secondary" else 1])
        born_from, born_to = dt.date(entry - age - 1, 9, 1), dt.date(entry - age, 8, 31)
        idx = new_person(spec.county, born_from, born_to, code, spec.county)
        if grad <= STATUS_YEAR:
            status = "graduated" if rng.random() < 0.96 else "left"
        else:
            status = "enrolled" if rng.random() < 0.98 else "left"
        numbers[code] += 1
        plan.students.append(
            StudentRow(
                idx,
                code,
                f"{entry}{code[-4:]}{numbers[code]:04d}",
                rng.choice(names.MAJORS[stage]),
                stage,
                entry,
                grad,
                stage != "undergraduate" and rng.random() < 0.06,
                status,
            )
        )
        # Some 中职 graduates went on to a 高职 (one person, two student records).
        if stage == "secondary" and status == "graduated" and grad <= 2024 and rng.random() < 0.05:
            up = rng.choice(higher_schools)
            up_spec = school_by_code[up]
            numbers[up] += 1
            plan.students.append(
                StudentRow(
                    idx,
                    up,
                    f"{grad}{up[-4:]}{numbers[up]:04d}",
                    rng.choice(names.MAJORS["junior_college"]),
                    "junior_college",
                    grad,
                    grad + 3,
                    False,
                    "enrolled" if grad + 3 > STATUS_YEAR else "graduated",
                )
            )
            old = plan.persons[idx]
            plan.persons[idx] = old._replace(school=up, county=up_spec.county)

    # Teachers, a few per open school, more at bigger schools.
    for code in rng.choices(codes, weights=weights, k=dims.teachers):
        spec = school_by_code[code]
        idx = new_person(spec.county, dt.date(1965, 1, 1), dt.date(1998, 12, 31), code, spec.county)
        title_pool = names.TITLES if spec.kind != SchoolKind.SECONDARY else names.TITLES[:6]
        plan.teachers.append(
            TeacherRow(idx, code, rng.choice(names.DEPARTMENTS), rng.choice(title_pool), rng.random() < 0.97)
        )

    # Social learners, registered by schools (mostly) or directly by counties.
    groups = list(_TARGET_WEIGHTS)
    group_weights = list(_TARGET_WEIGHTS.values())
    county_codes = [code for code, _, _ in names.COUNTIES]
    for _ in range(dims.learners):
        if rng.random() < 0.8:
            unit = rng.choices(codes, weights=weights)[0]
            county, school = county_of[unit], unit
        else:
            unit = county = rng.choice(county_codes)
            school = None
        idx = new_person(county, dt.date(1966, 1, 1), dt.date(2004, 12, 31), school, county)
        registered = dt.date(2022, 11, 1) + dt.timedelta(days=rng.randint(0, 1100))
        plan.learners.append(
            LearnerRow(
                idx, unit, rng.choices(groups, weights=group_weights)[0], rng.choice(names.EMPLOYERS), registered
            )
        )

    # Accounts: one per role per level, then one per county and per school.
    learner_idx = next(
        s.person
        for s in plan.students
        if s.school == DEMO_SCHOOL and s.status == "enrolled" and plan.persons[s.person].school == DEMO_SCHOOL
    )
    plan.users += [
        UserRow("city_admin", Role.CITY_ADMIN, names.CITY_CODE, None, "市教育局管理员"),
        UserRow("county_admin", Role.COUNTY_ADMIN, DEMO_COUNTY, None, "解放区教育局管理员"),
        UserRow("school_admin", Role.SCHOOL_ADMIN, DEMO_SCHOOL, None, "焦作市职业技术学校管理员"),
        UserRow("examiner", Role.EXAMINER, DEMO_SCHOOL, None, person_name(rng, True)),
        UserRow("supervisor", Role.SUPERVISOR, DEMO_SCHOOL, None, person_name(rng, False)),
        UserRow("expert", Role.EXPERT, None, None, person_name(rng, True)),
        UserRow("hrss_officer", Role.HRSS_OFFICER, names.CITY_CODE, None, "市人社局备案员"),
        UserRow("learner", Role.LEARNER, None, learner_idx, plan.persons[learner_idx].name),
    ]
    for code, name, _ in names.COUNTIES:
        plan.users.append(UserRow(county_username(code), Role.COUNTY_ADMIN, code, None, f"{name}管理员"))
    for code, spec in schools:
        plan.users.append(UserRow(school_username(code), Role.SCHOOL_ADMIN, code, None, f"{spec.name}管理员"))
    return plan


def validate_units(units: list[UnitRow]) -> None:
    """The org rules of core.rules for every planned unit."""
    kinds = {u.code: u.kind for u in units}
    for unit in units:
        check_org_placement(kind=unit.kind, parent_kind=kinds.get(unit.parent or ""), code=unit.code)
        if unit.kind == OrgKind.SCHOOL:
            check_school_fields(
                school_kind=unit.school_kind,
                ownership=unit.ownership,
                opened_on=unit.opened_on,
                closed_on=unit.closed_on,
            )


def write_units(units: list[UnitRow]) -> dict[str, OrgUnit]:
    """Create the city, counties and schools in tree order; code → OrgUnit."""
    by_code: dict[str, OrgUnit] = {}
    for kind in (OrgKind.CITY, OrgKind.COUNTY, OrgKind.SCHOOL):
        rows = [u for u in units if u.kind == kind]
        objs = []
        for u in rows:
            parent = by_code[u.parent] if u.parent else None
            county = parent if kind == OrgKind.SCHOOL else None
            objs.append(OrgUnit(**{**u._asdict(), "parent": parent, "county": county}))
        created = OrgUnit.objects.bulk_create(objs, batch_size=BATCH)
        for obj in created:
            by_code[obj.code] = obj
        if kind == OrgKind.COUNTY:
            for obj in created:
                obj.county = obj
            OrgUnit.objects.bulk_update(created, ["county"])
    return by_code


@transaction.atomic
def write_plan(plan: Plan, password_hash: str | None = None) -> dict[str, int]:
    """Insert the plan (bulk, in batches) plus occupation standards and trades; counts."""
    validate_units(plan.units)
    for s in plan.students:
        check_student_years(stage=s.stage, entry_year=s.entry_year, graduation_year=s.graduation_year)
    units = write_units(plan.units)

    def uid(code: str | None) -> int | None:
        return units[code].pk if code else None

    def pk(code: str) -> int:
        return units[code].pk

    def county_pk(code: str) -> int:
        county_id = units[code].county_id
        assert county_id is not None, code
        return county_id

    now = dt.datetime.now(dt.timezone.utc)
    persons = Person.objects.bulk_create(
        [
            Person(
                id_number=p.id_number,
                name=p.name,
                sex=p.sex,
                birth_date=p.birth_date,
                phone=p.phone,
                school_id=uid(p.school),
                county_id=uid(p.county),
                created_at=now,
                updated_at=now,
            )
            for p in plan.persons
        ],
        batch_size=BATCH,
    )
    pid = [p.pk for p in persons]
    Student.objects.bulk_create(
        [
            Student(
                person_id=pid[s.person],
                school_id=pk(s.school),
                county_id=county_pk(s.school),
                student_number=s.student_number,
                major=s.major,
                stage=s.stage,
                entry_year=s.entry_year,
                expected_graduation_year=s.graduation_year,
                outstanding=s.outstanding,
                status=s.status,
                updated_at=now,
            )
            for s in plan.students
        ],
        batch_size=BATCH,
    )
    Teacher.objects.bulk_create(
        [
            Teacher(
                person_id=pid[t.person],
                school_id=pk(t.school),
                county_id=county_pk(t.school),
                department=t.department,
                title=t.title,
                active=t.active,
            )
            for t in plan.teachers
        ],
        batch_size=BATCH,
    )
    SocialLearner.objects.bulk_create(
        [
            SocialLearner(
                person_id=pid[sl.person],
                org_unit_id=pk(sl.org_unit),
                county_id=county_pk(sl.org_unit),
                target_group=sl.target_group,
                employer=sl.employer,
                registered_on=sl.registered_on,
            )
            for sl in plan.learners
        ],
        batch_size=BATCH,
    )
    occupations = write_occupation_demo()
    password = password_hash or make_password(settings.DEMO_PASSWORD)  # hashed once for every demo user
    User.objects.bulk_create(
        [
            User(
                username=u.username,
                role=u.role,
                org_unit_id=uid(u.org_unit),
                person_id=pid[u.person] if u.person is not None else None,
                display_name=u.display_name,
                password=password,
            )
            for u in plan.users
        ],
        batch_size=BATCH,
    )
    counts = {
        "counties": sum(1 for u in plan.units if u.kind == OrgKind.COUNTY),
        "schools": sum(1 for u in plan.units if u.kind == OrgKind.SCHOOL),
        "persons": len(plan.persons),
        "students": len(plan.students),
        "teachers": len(plan.teachers),
        "learners": len(plan.learners),
        "users": len(plan.users),
        **occupations,
    }
    audit.record(None, AuditAction.IMPORT, units[names.CITY_CODE], after=counts, note=f"演示数据（种子 {plan.seed}）")
    return counts


def write_occupation_demo() -> dict[str, int]:
    """National standard info and key fields for common occupations; a few trades."""
    found = {o.code: o for o in Occupation.objects.filter(code__in=names.STANDARDS)}
    missing = sorted(set(names.STANDARDS) - set(found))
    if missing:
        raise RuntimeError(f"demo occupations missing from the catalog: {', '.join(missing)}")
    for code, (number, levels, key_field) in names.STANDARDS.items():
        check_occupation_code(code)
        check_standard(has_standard=True, number=number, levels=levels)
        occ = found[code]
        occ.has_national_standard = True
        occ.standard_number = number
        occ.standard_levels = levels
        occ.key_field = key_field
    Occupation.objects.bulk_update(
        found.values(), ["has_national_standard", "standard_number", "standard_levels", "key_field"]
    )
    trade_occ = {o.code: o for o in Occupation.objects.filter(code__in={t[0] for t in names.TRADES})}
    trades = Trade.objects.bulk_create(
        [Trade(occupation=trade_occ[occ], name=name, code=code) for occ, name, code in names.TRADES],
        ignore_conflicts=True,
    )
    return {"standards": len(found), "trades": len(trades)}


def demo_exists() -> bool:
    return OrgUnit.objects.filter(code=names.CITY_CODE).exists()
