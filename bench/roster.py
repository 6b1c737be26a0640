"""Student roster import, end to end: `python -m bench roster --rows 100000 --db sqlite postgres`.

1. Generate N valid roster rows (the template's columns) for the demo Jiaozuo's schools
   and write them as .xlsx (what users upload) plus a typed CSV for the COPY baseline.
2. Per database: a fresh database (PostgreSQL: DROP/CREATE `<bench db>_roster`; SQLite:
   a new file), migrated, with the demo org tree and one city admin.
3. A child process runs `chizheng.people.imports.import_students` on the .xlsx (parse,
   validate every row, write) and reports wall time and its peak RSS (getrusage high-water).
4. On PostgreSQL a second child COPYs the same rows (same columns, typed) into a bare table
   without indexes, timed the same way; the import's rows/s is compared with it. For
   context a third child (another fresh database) COPYs them from Python into the real
   people_person and people_student tables (all indexes, constraints, FK checks at commit).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import common

SEED = 20221101
HEADERS = [
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "院校代码",
    "学号",
    "专业",
    "学段",
    "入学年份",
    "预计毕业年份",
    "优秀学生",
    "学籍状态",
    "手机号",
]
_STAGE_LABEL = {"secondary": "中职", "junior_college": "专科", "undergraduate": "本科"}
_STATUS_LABEL = {"enrolled": "在读", "graduated": "已毕业", "left": "离校"}
BARE_TABLE = """CREATE TABLE bench_bare_roster (
    name varchar(50), id_number varchar(18), sex varchar(1), birth_date date, school_code varchar(20),
    student_number varchar(30), major varchar(60), stage varchar(20), entry_year smallint,
    expected_graduation_year smallint, outstanding boolean, status varchar(10), phone varchar(20))"""


def roster_rows(n: int, seed: int = SEED) -> Iterator[tuple[Any, ...]]:
    """N distinct, valid roster rows: (values as typed by users, the same values typed for COPY)."""
    from chizheng.demo import names
    from chizheng.demo.ids import CountingIds, person_name
    from chizheng.demo.jiaozuo import school_code
    from chizheng.demo.province import _ENTRY_AGE, _LENGTH, _STAGE_OF_KIND, ID_BUCKETS

    rng = random.Random(seed)
    schools = []
    serials: dict[str, int] = {}
    for spec in names.SCHOOLS:
        serials[spec.county] = serials.get(spec.county, 0) + 1
        if spec.closed is None:
            schools.append((school_code(spec.county, serials[spec.county]), spec))
    weights = [spec.weight for _, spec in schools]
    ids = CountingIds(ID_BUCKETS)
    for n_row in range(n):
        code, spec = rng.choices(schools, weights=weights)[0]
        stage = rng.choice(_STAGE_OF_KIND[spec.kind])  # type: ignore[index]
        male = rng.random() < 0.52
        region = rng.choice(names.BIRTH_REGIONS[spec.county])
        number, birth = ids.make(region, stage, male)
        entry = birth.year + _ENTRY_AGE[stage] + (1 if birth.month >= 9 else 0)
        grad = entry + _LENGTH[stage]
        status = "graduated" if grad <= 2025 else "enrolled"
        outstanding = stage != "undergraduate" and rng.random() < 0.06
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        name = person_name(rng, male)
        major = rng.choice(names.MAJORS[stage])
        student_number = f"{entry}{n_row:07d}"
        yield (
            (
                name,
                number,
                "男" if male else "女",
                birth.isoformat(),
                code,
                student_number,
                major,
                _STAGE_LABEL[stage],
                entry,
                grad,
                "是" if outstanding else "否",
                _STATUS_LABEL[status],
                phone,
            ),
            (
                name,
                number,
                "M" if male else "F",
                birth.isoformat(),
                code,
                student_number,
                major,
                stage,
                entry,
                grad,
                "t" if outstanding else "f",
                status,
                phone,
            ),
        )


def write_files(rows: int, folder: Path) -> tuple[Path, Path]:
    """The .xlsx to import and the typed CSV for COPY, streamed (constant memory)."""
    import xlsxwriter

    xlsx, typed = folder / f"roster-{rows}.xlsx", folder / f"roster-{rows}-typed.csv"
    book = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
    sheet = book.add_worksheet("学生名册")
    sheet.write_row(0, 0, HEADERS)
    with typed.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        for i, (shown, raw) in enumerate(roster_rows(rows), start=1):
            for col, value in enumerate(shown):
                if isinstance(value, int):
                    sheet.write_number(i, col, value)
                else:
                    sheet.write_string(i, col, value)
            out.writerow(raw)
    book.close()
    return xlsx, typed


# --- child steps -------------------------------------------------------------------------


def child_setup() -> dict[str, Any]:
    """The demo org tree (no people) and one city admin."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from chizheng.core.choices import Role
    from chizheng.core.models import User
    from chizheng.demo.jiaozuo import plan_jiaozuo, write_units

    with transaction.atomic():
        units = write_units(plan_jiaozuo(SEED, "small").units)
        User.objects.create(
            username="bench_city", role=Role.CITY_ADMIN, org_unit=units["410800"], password=make_password(None)
        )
    return {"units": len(units)}


def child_import(path: Path, expected: int) -> dict[str, Any]:
    from django.db import connection

    from chizheng.core.models import User
    from chizheng.people.imports import import_students
    from chizheng.people.models import Person, Student

    actor = User.objects.get(username="bench_city")
    connection.ensure_connection()
    gc.collect()
    rss_before = common.peak_rss_mb()
    marks: list[float] = []  # the import reports progress while reading; its last call ends that phase
    started = time.perf_counter()
    result = import_students(actor=actor, path=path, progress=lambda done, total: marks.append(time.perf_counter()))
    seconds = time.perf_counter() - started
    validated = (marks[-1] - started) if marks else 0.0
    if result.errors:
        raise SystemExit(f"import reported {len(result.errors)} errors, first: {result.errors[0]}")
    persons, students = Person.objects.count(), Student.objects.count()
    if result.created != expected or persons != expected or students != expected:
        raise SystemExit(
            f"expected {expected} new rows; created {result.created}, {persons} persons, {students} students"
        )
    return {
        "seconds": round(seconds, 2),
        "rows_per_s": round(expected / seconds),
        "created": result.created,
        "phases_s": {"read_and_validate": round(validated, 2), "compare_and_write": round(seconds - validated, 2)},
        "peak_rss_mb": round(common.peak_rss_mb(), 1),
        "rss_before_import_mb": round(rss_before, 1),
    }


def child_copy(path: Path, expected: int) -> dict[str, Any]:
    from django.db import connection

    connection.ensure_connection()
    raw: Any = connection.connection
    with raw.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_bare_roster")
        cur.execute(BARE_TABLE)
    started = time.perf_counter()
    with raw.cursor() as cur, cur.copy("COPY bench_bare_roster FROM STDIN (FORMAT csv)") as copy, path.open("rb") as fh:
        while block := fh.read(1 << 16):
            copy.write(block)
    seconds = time.perf_counter() - started
    with raw.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_bare_roster")
        count = cur.fetchone()[0]
    if count != expected:
        raise SystemExit(f"COPY loaded {count} rows, expected {expected}")
    return {"seconds": round(seconds, 3), "rows_per_s": round(expected / seconds)}


def child_copy_real(path: Path, expected: int) -> dict[str, Any]:
    """COPY the same rows into the real people_person and people_student tables (all indexes,
    constraints and deferred FK checks), from Python: what any writer must pay at least."""
    import datetime as dt

    from django.db import connection, transaction

    from chizheng.core.models import OrgUnit

    units = {code: (pk, county) for code, pk, county in OrgUnit.objects.values_list("code", "pk", "county_id")}
    now = dt.datetime.now(dt.timezone.utc)
    connection.ensure_connection()
    raw: Any = connection.connection
    started = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cur:
        with (
            cur.copy(
                "COPY people_person (id, id_number, name, sex, birth_date, phone, photo, school_id, county_id,"
                " created_at, updated_at) FROM STDIN"
            ) as copy,
            path.open(newline="", encoding="utf-8") as fh,
        ):
            for i, r in enumerate(csv.reader(fh), start=1):
                school, county = units[r[4]]
                copy.write_row((i, r[1], r[0], r[2], r[3], r[12], "", school, county, now, now))
        with (
            cur.copy(
                "COPY people_student (id, person_id, school_id, county_id, student_number, major, stage,"
                " entry_year, expected_graduation_year, outstanding, status, updated_at) FROM STDIN"
            ) as copy,
            path.open(newline="", encoding="utf-8") as fh,
        ):
            for i, r in enumerate(csv.reader(fh), start=1):
                school, county = units[r[4]]
                copy.write_row((i, i, school, county, r[5], r[6], r[7], r[8], r[9], r[10], r[11], now))
    seconds = time.perf_counter() - started  # includes the commit (deferred FK checks)
    with raw.cursor() as cur:
        cur.execute("SELECT count(*) FROM people_student")
        count = cur.fetchone()[0]
    if count != expected:
        raise SystemExit(f"COPY loaded {count} students, expected {expected}")
    return {"seconds": round(seconds, 3), "rows_per_s": round(expected / seconds)}


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.roster child")
    parser.add_argument("step", choices=["setup", "import", "copy", "copy_real"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args(argv)
    common.setup_django()
    if args.step == "setup":
        out = child_setup()
    elif args.step == "import":
        out = child_import(args.file, args.rows)
    elif args.step == "copy":
        out = child_copy(args.file, args.rows)
    else:
        out = child_copy_real(args.file, args.rows)
    print(json.dumps(out))


# --- orchestration ---------------------------------------------------------------------


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench roster", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres", help=f"benchmark database URL (default {common.DEFAULT_POSTGRES})")
    args = parser.parse_args(argv)
    common.setup_django()  # for the name lists; no database is touched here
    folder = Path(tempfile.mkdtemp(prefix="chizheng-roster-"))
    started = time.perf_counter()
    xlsx, typed = write_files(args.rows, folder)
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f}s:"
        f" {xlsx} ({xlsx.stat().st_size / 1e6:.1f} MB)"
    )
    for db in args.db:
        env = common.fresh_database(db, args.postgres, "_roster")
        common.child("roster", ["setup"], env)
        result = common.child("roster", ["import", "--file", str(xlsx), "--rows", str(args.rows)], env)
        data: dict[str, Any] = {
            "benchmark": "roster import (xlsx, parse + validate + write, fresh database)",
            "database": db,
            "rows": args.rows,
            "file_mb": round(xlsx.stat().st_size / 1e6, 2),
            "memory_measure": "peak RSS of the child process (getrusage ru_maxrss), Django loaded",
            "import": result,
        }
        line = f"{db:8} import {result['rows_per_s']:>7,} rows/s ({result['seconds']}s)"
        line += f", peak RSS {result['peak_rss_mb']} MB"
        if db == "postgres":
            copy = common.child("roster", ["copy", "--file", str(typed), "--rows", str(args.rows)], env)
            data["bare_copy"] = copy
            data["ratio_to_copy"] = round(result["rows_per_s"] / copy["rows_per_s"], 3)
            line += f"; bare COPY {copy['rows_per_s']:,} rows/s → ratio {data['ratio_to_copy']}"
            env2 = common.fresh_database(db, args.postgres, "_roster_copy")
            common.child("roster", ["setup"], env2)
            real = common.child("roster", ["copy_real", "--file", str(typed), "--rows", str(args.rows)], env2)
            data["copy_into_real_tables"] = real
            shutil.rmtree(env2["CHIZHENG_VAR_DIR"], ignore_errors=True)
            data["ratio_to_copy_into_real_tables"] = round(result["rows_per_s"] / real["rows_per_s"], 3)
            line += f"; COPY into the real tables {real['rows_per_s']:,} rows/s"
        print(line)
        print(f"  → {common.save('roster', db, data)}")
        shutil.rmtree(env["CHIZHENG_VAR_DIR"], ignore_errors=True)  # the SQLite file and uploaded copies
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
