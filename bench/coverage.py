"""Graduation coverage (R9) pages: `python -m bench coverage [--demo | --load N] --db sqlite postgres`.

Requests the coverage table (city by county, county by school, school by major) and the list of graduates
without a certificate (first page, and the county's xlsx export) through Django's test Client as the
city, county and school admins, for one cohort. Reports median / p95 over `--runs` requests after
2 warm-ups, the number of SQL queries of each request and the time of each query of the last run.

Data, per database:
  --demo    a fresh database with the city demo (`chizheng demo`: ~25k students, ~21k certificates
            through the issuance service);
  --load N  a fresh database with N province-scale persons (`chizheng demo --scale province`) plus one
            synthetic issued certificate for 55–94 % of each school's students' persons (a share that
            varies by school), written in one INSERT … SELECT (benchmark data only: numbers are
            placeholders, not the numbering of the issuance service);
  neither   reuse what the last run loaded (its database URL / SQLite directory are printed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from . import common

COHORT = 2025


def child_certificates() -> dict[str, Any]:
    """One issued certificate for a school-dependent share of the students' persons (province data)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from chizheng.certification.models import Certificate
    from chizheng.core.models import OrgUnit
    from chizheng.institutions.models import EvaluationInstitution
    from chizheng.occupations.models import Occupation

    school = OrgUnit.objects.filter(kind="school").order_by("pk").first()
    if school is None or school.county_id is None:
        raise SystemExit("load province data first")
    inst, _ = EvaluationInstitution.objects.get_or_create(  # a re-run after a failed one finds it
        code="9999",
        defaults={
            "school": school,
            "county_id": school.county_id,
            "kind": "college",
            "name": "基准测试评价中心",
            "station_code": "410800",
            "status": "filed",
            "filed_on": dt.date(2022, 1, 1),
            "filing_number": "基准测试备〔2022〕1号",
        },
    )
    occupation = Occupation.objects.order_by("pk").first()
    assert occupation is not None
    now = timezone.now()
    # Explicit columns; every other column gets its model default (so columns added later still fill).
    explicit = {
        "person_id": "p.id",
        "school_id": "p.school_id",
        "county_id": "p.county_id",
        "institution_id": str(inst.pk),
        "occupation_id": str(occupation.pk),
        "level": "4",
        "kind": "'skill_level'",
        "pathway": "'exam'",
        "evidence_type": "'exam_registration'",
        "status": "'issued'",
        "number": "'B' || CAST(p.id AS VARCHAR(20))",
        "holder_name": "p.name",
        "holder_id_number": "p.id_number",
        "holder_sex": "p.sex",
        "holder_birth_date": "p.birth_date",
        "verify_token": "'bench' || CAST(p.id AS VARCHAR(20))",
    }
    given = {
        "issued_on": dt.date(2025, 5, 20),
        "publicity_starts": dt.date(2025, 5, 1),
        "publicity_ends": dt.date(2025, 5, 8),
        "created_at": now,
        "updated_at": now,
    }
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in Certificate._meta.concrete_fields:
        if field.primary_key or not field.column:
            continue
        columns.append(field.column)
        if field.column in explicit:
            values.append(explicit[field.column])
        elif field.column in given:
            values.append("%s")
            params.append(field.get_db_prep_save(given[field.column], connection))
        elif field.has_default() or (not field.null and field.empty_strings_allowed and field.blank):
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            values.append("NULL")
        else:
            raise SystemExit(f"certification_certificate.{field.column}: no value for the benchmark rows")
    # The share certified depends on the school (55–94 %), so the table has gaps to rank.
    sql = (
        f"INSERT INTO certification_certificate ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM people_person p "
        "WHERE p.school_id IS NOT NULL AND p.id IN (SELECT person_id FROM people_student) "
        "AND (p.id * 7919) %% 100 < 55 + (p.school_id %% 40)"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE certification_certificate")
        else:
            cursor.execute("ANALYZE")
    return {"certificates": Certificate.objects.count(), "seconds": round(time.perf_counter() - started, 1)}


def child_measure(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from chizheng.certification.models import Certificate
    from chizheng.core.models import User
    from chizheng.people.models import Student

    city = User.objects.get(username="city_admin")
    county_admin = User.objects.select_related("org_unit").get(username="county_admin")
    school_admin = User.objects.select_related("org_unit").get(username="school_admin")
    county, school = county_admin.org_unit, school_admin.org_unit
    assert county is not None
    assert school is not None
    # the county's biggest school of the cohort, for the county admin's drill-down
    top = (
        Student.objects.filter(county=county, expected_graduation_year=COHORT)
        .values("school")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    drill = top["school"] if top else school.pk
    year = {"year": str(COHORT)}
    overview, unit, gaps = "coverage:overview", "coverage:unit", "coverage:students_without"
    scenarios: list[tuple[str, str, Any, dict[str, str]]] = [
        ("city: by county", reverse(overview), city, year),
        ("city: by county, 中职 only", reverse(overview), city, {**year, "stage": "secondary"}),
        ("county: by school", reverse(overview), county_admin, year),
        ("county: a school by major", reverse(unit, args=[drill]), county_admin, year),
        ("school: by major", reverse(overview), school_admin, year),
        ("county: without certificate, page 1", reverse(gaps), county_admin, year),
        ("school: without certificate, page 2", reverse(gaps), school_admin, {**year, "page": "2"}),
        ("city: without certificate, page 1", reverse(gaps), city, year),
        ("school: export without certificate (xlsx)", reverse(gaps), school_admin, {**year, "export": "xlsx"}),
    ]
    from chizheng.people.models import Person

    out: dict[str, Any] = {
        "persons": Person.objects.count(),
        "cohort": COHORT,
        "students": Student.objects.count(),
        "cohort_students": Student.objects.filter(expected_graduation_year=COHORT).count(),
        "cohort_students_in_county": Student.objects.filter(expected_graduation_year=COHORT, county=county).count(),
        "cohort_students_in_school": Student.objects.filter(expected_graduation_year=COHORT, school=school).count(),
        "certificates": Certificate.objects.count(),
        "scenarios": [],
    }
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    ):
        for label, url, user, params in scenarios:
            client = Client()
            client.force_login(user)
            for _ in range(2):
                response = client.get(url, params)
                assert response.status_code == 200, (label, response.status_code)
                if response.streaming:
                    b"".join(response.streaming_content)  # type: ignore[attr-defined]
            times, counts = [], set()
            queries: list[dict[str, Any]] = []
            n = max(3, runs // 5) if "export" in label else runs
            for _ in range(n):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url, params)
                    if response.streaming:
                        b"".join(response.streaming_content)  # type: ignore[attr-defined]
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                counts.add(len(ctx.captured_queries))
                queries = [
                    {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:200]} for q in ctx.captured_queries
                ]
            times.sort()
            out["scenarios"].append(
                {
                    "scenario": label,
                    "url": url,
                    "params": params,
                    "runs": n,
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
                    "queries": sorted(counts),
                    "slowest_queries": sorted(queries, key=lambda q: -q["ms"])[:3],
                }
            )
    return out


def child(argv: list[str]) -> None:
    import json

    parser = argparse.ArgumentParser(prog="bench.coverage child")
    parser.add_argument("step", choices=["certificates", "measure"])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    common.setup_django()
    result = child_certificates() if args.step == "certificates" else child_measure(args.runs)
    print(json.dumps(result, ensure_ascii=False))


def main(argv: list[str]) -> None:
    import os

    parser = argparse.ArgumentParser(prog="python -m bench coverage", description=__doc__)
    parser.add_argument("--db", nargs="+", choices=["postgres", "sqlite"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres", help=f"database URL (default {common.DEFAULT_POSTGRES}_coverage)")
    parser.add_argument("--sqlite-dir", help="reuse this CHIZHENG_VAR_DIR (sqlite, without --demo/--load)")
    data_group = parser.add_mutually_exclusive_group()
    data_group.add_argument("--demo", action="store_true", help="load the city demo first")
    data_group.add_argument("--load", type=int, default=0, help="load N province-scale persons first")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    for db in args.db:
        data: dict[str, Any] = {"benchmark": "R9 coverage pages: table by county/school/major, gaps list, export"}
        data["database"] = db
        if args.demo or args.load:
            env = common.fresh_database(db, args.postgres, "_coverage")
            started = time.perf_counter()
            command = ["manage.py", "demo"] + (
                ["--scale", "province", "--persons", str(args.load)] if args.load else []
            )
            common.run([sys.executable, *command], env)
            data["load"] = {
                "command": "chizheng " + " ".join(command[1:]),
                "seconds": round(time.perf_counter() - started, 1),
            }
            if args.load:
                data["load"]["synthetic_certificates"] = common.child("coverage", ["certificates"], env)
            print(f"{db}: loaded in {data['load']['seconds']}s → {env.get('DATABASE_URL') or env['CHIZHENG_VAR_DIR']}")
        else:
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            if db == "postgres":
                env["DATABASE_URL"] = common.postgres_url(args.postgres, "" if args.postgres else "_coverage")
            elif args.sqlite_dir:
                env["CHIZHENG_VAR_DIR"] = args.sqlite_dir
        result = common.child("coverage", ["measure", "--runs", str(args.runs)], env)
        data.update(result)
        print(
            f"{db}: {result['cohort_students']:,} students in the {COHORT} cohort "
            f"({result['cohort_students_in_county']:,} in the county, {result['cohort_students_in_school']:,} "
            f"in the school), {result['certificates']:,} certificates"
        )
        for s in result["scenarios"]:
            print(
                f"  {s['scenario']:45} median {s['median_ms']:8.1f} ms",
                f"p95 {s['p95_ms']:8.1f} ms  queries {s['queries']}",
            )
        size = "demo" if result["persons"] < 100_000 else f"province-{result['persons']}"
        print(f"  → {common.save(f'coverage-{size}', db, data)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
