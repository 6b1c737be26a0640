"""Henan-scale benchmark data (`chizheng demo --scale province`), streamed in bounded memory.

DESIGN.md plans for ~2,000 schools in Henan's 18 cities and 5 million persons. The org tree
has one city (焦作市, 410800) and county codes 4108xx, so the province is modelled as
county-level units under that one city: Jiaozuo's 11 real units plus synthetic ones
(named after the 18 cities, codes taken from the unused 4108xx numbers) — 80 county-level
units by default, holding `schools` schools. Henan has ~157 county-level units, so each of
ours holds about twice a real county's share: county-scoped pages are measured pessimistically.

Rows are generated chunk by chunk and written with COPY on PostgreSQL (executemany on
SQLite); only counters and the small org tree stay in memory, whatever the size.
ID numbers come from `CountingIds` (injective without remembering what it issued).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from chizheng.core import audit
from chizheng.core.choices import AuditAction, OrgKind, Ownership, Role, SchoolKind, TargetGroup
from chizheng.core.models import User
from chizheng.people.models import Person, SocialLearner, Student, Teacher

from . import names
from .ids import CountingIds, person_name
from .jiaozuo import BATCH, UnitRow, county_username, school_code, school_username, validate_units, write_units

HENAN_CITIES = [
    "郑州",
    "开封",
    "洛阳",
    "平顶山",
    "安阳",
    "鹤壁",
    "新乡",
    "焦作",
    "濮阳",
    "许昌",
    "漯河",
    "三门峡",
    "南阳",
    "商丘",
    "信阳",
    "周口",
    "驻马店",
    "济源",
]
COUNTY_UNITS = 80
_TAKEN = {code for code, _, _ in names.COUNTIES} | {names.CITY_CODE}
SYNTHETIC_CODES = [f"4108{n:02d}" for n in range(1, 100) if f"4108{n:02d}" not in _TAKEN]

# bucket → (first birth date, last birth date, first sequence number, band size); bands are
# disjoint and even-aligned so the sequence's parity is the sex bit.
ID_BUCKETS = {
    "secondary": (dt.date(2004, 9, 1), dt.date(2010, 8, 31), 2, 298),
    "junior_college": (dt.date(2001, 9, 1), dt.date(2007, 8, 31), 300, 300),
    "undergraduate": (dt.date(2001, 9, 1), dt.date(2006, 8, 31), 600, 200),
    "adult": (dt.date(1966, 1, 1), dt.date(2000, 12, 31), 800, 200),
}
_ENTRY_AGE = {"secondary": 15, "junior_college": 18, "undergraduate": 18}
_LENGTH = {"secondary": 3, "junior_college": 3, "undergraduate": 4}
_STAGE_OF_KIND = {
    SchoolKind.SECONDARY: ("secondary",),
    SchoolKind.HIGHER: ("junior_college", "junior_college", "junior_college", "secondary"),
    SchoolKind.UNDERGRADUATE: ("undergraduate", "undergraduate", "undergraduate", "junior_college"),
}
_GROUPS = list(TargetGroup)


@dataclass(frozen=True)
class ProvinceSize:
    persons: int = 1_000_000
    schools: int = 2_000
    counties: int = COUNTY_UNITS
    student_share: float = 0.80
    teacher_share: float = 0.02  # the rest are social learners


def plan_tree(size: ProvinceSize, rng: random.Random) -> tuple[list[UnitRow], list[tuple[str, str, str, float]]]:
    """The org tree rows and the schools as (code, county, kind, weight)."""
    if not 11 <= size.counties <= 11 + len(SYNTHETIC_CODES):
        raise ValueError(f"counties must be between 11 and {11 + len(SYNTHETIC_CODES)}")
    units = [UnitRow(names.CITY_CODE, names.CITY_NAME, OrgKind.CITY, None, "焦作")]
    counties = [(code, name) for code, name, _ in names.COUNTIES]
    for i, code in enumerate(SYNTHETIC_CODES[: size.counties - 11]):
        city = HENAN_CITIES[i % len(HENAN_CITIES)]
        counties.append((code, f"{city}市第{i // len(HENAN_CITIES) + 1}县区（基准）"))
    units += [UnitRow(code, name, OrgKind.COUNTY, names.CITY_CODE) for code, name in counties]
    per_county = -(-size.schools // len(counties))
    if per_county > 99:
        raise ValueError("at most 99 schools per county (two-digit school serials)")
    schools = []
    for n in range(size.schools):
        county_code, county_name = counties[n % len(counties)]
        serial = n // len(counties) + 1
        code = school_code(county_code, serial)
        draw = rng.random()
        kind = SchoolKind.SECONDARY if draw < 0.85 else SchoolKind.HIGHER if draw < 0.97 else SchoolKind.UNDERGRADUATE
        private = rng.random() < 0.25
        label = {"secondary": "职业中等专业学校", "higher": "职业学院", "undergraduate": "应用技术大学"}[kind]
        name = f"{county_name}第{serial}{'民办' if private else ''}{label}"
        units.append(
            UnitRow(
                code,
                name,
                OrgKind.SCHOOL,
                county_code,
                school_kind=kind,
                ownership=Ownership.PRIVATE if private else Ownership.PUBLIC,
                opened_on=dt.date(rng.randint(1950, 2020), 9, 1),
            )
        )
        schools.append((code, county_code, str(kind), rng.lognormvariate(0, 0.7)))
    return units, schools


class TableWriter:
    """Appends rows to one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = str(meta.db_table)
        self.columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
        self.postgres = connection.vendor == "postgresql"
        self.written = 0

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if self.postgres:
            connection.ensure_connection()
            raw: Any = connection.connection
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})"
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, [tuple(_sqlite(v) for v in row) for row in rows])
        self.written += len(rows)


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _next_id(model: type[models.Model]) -> int:
    last = model._default_manager.aggregate(m=models.Max("id"))["m"]
    return (last or 0) + 1


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_province(
    size: ProvinceSize,
    *,
    seed: int,
    chunk: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the province tree, `size.persons` people with their records, and the accounts."""
    rng = random.Random(seed)
    units, schools = plan_tree(size, rng)
    validate_units(units)  # the same org rules as the city demo
    with transaction.atomic():
        by_code = write_units(units)
    school_ids = {code: by_code[code].pk for code, *_ in schools}
    county_ids = {u.code: by_code[u.code].pk for u in units if u.kind == OrgKind.COUNTY}
    cum = list(accumulate(w for *_, w in schools))
    biggest = max(range(len(schools)), key=lambda i: schools[i][3])

    ids = CountingIds(ID_BUCKETS)
    person_w = TableWriter(
        Person,
        [
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "phone",
            "photo",
            "school",
            "county",
            "created_at",
            "updated_at",
        ],
    )
    student_w = TableWriter(
        Student,
        [
            "id",
            "person",
            "school",
            "county",
            "student_number",
            "major",
            "stage",
            "entry_year",
            "expected_graduation_year",
            "outstanding",
            "status",
            "updated_at",
        ],
    )
    teacher_w = TableWriter(Teacher, ["id", "person", "school", "county", "department", "title", "active"])
    learner_w = TableWriter(
        SocialLearner, ["id", "person", "org_unit", "county", "target_group", "employer", "registered_on"]
    )
    next_person, next_student = _next_id(Person), _next_id(Student)
    next_teacher, next_learner = _next_id(Teacher), _next_id(SocialLearner)
    now = dt.datetime.now(dt.timezone.utc)
    learner_person: int | None = None
    students_total = int(size.persons * size.student_share)
    teachers_total = int(size.persons * size.teacher_share)

    for start in range(0, size.persons, chunk):
        people, studs, teachers, learners = [], [], [], []
        for n in range(start, min(start + chunk, size.persons)):
            i = bisect.bisect(cum, rng.random() * cum[-1])
            code, county, kind, _ = schools[min(i, len(schools) - 1)]
            male = rng.random() < 0.52
            pid = next_person + n
            sid, cid = school_ids[code], county_ids[county]
            if n < students_total:
                stage = rng.choice(_STAGE_OF_KIND[SchoolKind(kind)])
                number, birth = ids.make(county, stage, male)
                entry = birth.year + _ENTRY_AGE[stage] + (1 if birth.month >= 9 else 0)
                grad = entry + _LENGTH[stage]
                status = "graduated" if grad <= 2025 else "enrolled"
                studs.append(
                    (
                        next_student,
                        pid,
                        sid,
                        cid,
                        f"{entry}{n:08d}",
                        rng.choice(names.MAJORS[stage]),
                        stage,
                        entry,
                        grad,
                        stage != "undergraduate" and rng.random() < 0.06,
                        status,
                        now,
                    )
                )
                next_student += 1
                if learner_person is None and code == schools[biggest][0] and status == "enrolled":
                    learner_person = pid
                school, cnty = sid, cid
            elif n < students_total + teachers_total:
                number, birth = ids.make(county, "adult", male)
                teachers.append(
                    (next_teacher, pid, sid, cid, rng.choice(names.DEPARTMENTS), rng.choice(names.TITLES), True)
                )
                next_teacher += 1
                school, cnty = sid, cid
            else:
                number, birth = ids.make(county, "adult", male)
                at_school = rng.random() < 0.8
                learners.append(
                    (
                        next_learner,
                        pid,
                        sid if at_school else cid,
                        cid,
                        rng.choice(_GROUPS),
                        rng.choice(names.EMPLOYERS),
                        dt.date(2022, 11, 1) + dt.timedelta(days=rng.randint(0, 1100)),
                    )
                )
                next_learner += 1
                school, cnty = (sid if at_school else None), cid  # type: ignore[assignment]
            people.append(
                (pid, number, person_name(rng, male), "M" if male else "F", birth, "", "", school, cnty, now, now)
            )
        person_w.write(people)
        student_w.write(studs)
        teacher_w.write(teachers)
        learner_w.write(learners)
        if progress:
            progress(start + len(people), size.persons)

    password = make_password(settings.DEMO_PASSWORD)
    big_code, big_county = schools[biggest][0], schools[biggest][1]
    users = [
        User(username="city_admin", role=Role.CITY_ADMIN, org_unit_id=by_code[names.CITY_CODE].pk),
        User(username="county_admin", role=Role.COUNTY_ADMIN, org_unit_id=county_ids[big_county]),
        User(username="school_admin", role=Role.SCHOOL_ADMIN, org_unit_id=school_ids[big_code]),
        User(username="examiner", role=Role.EXAMINER, org_unit_id=school_ids[big_code]),
        User(username="supervisor", role=Role.SUPERVISOR, org_unit_id=school_ids[big_code]),
        User(username="expert", role=Role.EXPERT),
        User(username="hrss_officer", role=Role.HRSS_OFFICER, org_unit_id=by_code[names.CITY_CODE].pk),
    ]
    if learner_person is not None:
        users.append(User(username="learner", role=Role.LEARNER, person_id=learner_person))
    users += [User(username=county_username(c), role=Role.COUNTY_ADMIN, org_unit_id=pk) for c, pk in county_ids.items()]
    users += [User(username=school_username(c), role=Role.SCHOOL_ADMIN, org_unit_id=pk) for c, pk in school_ids.items()]
    for user in users:
        user.password = password
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=BATCH)
    _finish()
    counts = {
        "counties": len(county_ids),
        "schools": len(school_ids),
        "persons": person_w.written,
        "students": student_w.written,
        "teachers": teacher_w.written,
        "learners": learner_w.written,
        "users": len(users),
    }
    audit.record(
        None, AuditAction.IMPORT, by_code[names.CITY_CODE], after=counts, note=f"省级规模基准数据（种子 {seed}）"
    )
    return counts


def _finish() -> None:
    """Reset id sequences past the explicit ids, then refresh planner statistics."""
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Student, Teacher, SocialLearner]):
            cur.execute(sql)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            for model in (Person, Student, Teacher, SocialLearner):
                cur.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:  # VACUUM cannot run inside a transaction (as in tests); ANALYZE can
            cur.execute("ANALYZE")
