"""A scoped list page on province-scale data: `python -m bench listpage [--load N] [--runs 30]`.

Requests the persons list (`people:person_list`) and the students list through Django's
test Client, logged in as the county admin and the school admin that `chizheng demo --scale
province` creates (the biggest school and its county), with a filter, a search, on page 2
and page 40 (and, outside the target, as the city admin). Reports median / p95
over `--runs` requests after 3 warm-ups, the number of SQL queries of each request
(CaptureQueriesContext; it must not vary) and the time of each query of the last run.

`--load N` first recreates the database and loads N province-scale persons.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from . import common


def child_measure(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from chizheng.core.models import User
    from chizheng.people.models import Person

    city_admin = User.objects.get(username="city_admin")
    county_admin = User.objects.select_related("org_unit").get(username="county_admin")
    school_admin = User.objects.select_related("org_unit").get(username="school_admin")
    county, school = county_admin.org_unit, school_admin.org_unit
    if county is None or school is None:
        raise SystemExit("county_admin / school_admin have no org unit; load with `chizheng demo --scale province`")
    # The county's second-biggest school, so the filter narrows the county's rows.
    other = (
        Person.objects.filter(county=county)
        .exclude(school=school)
        .exclude(school=None)
        .values("school")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    top_name = Person.objects.filter(school=school).values("name").annotate(n=Count("id")).order_by("-n").first()
    common_name = top_name["name"] if top_name else "王伟"
    school_filter = str(other["school"]) if other else ""
    persons, students = "people:person_list", "people:student_list"
    scenarios = [
        ("county admin, page 2", persons, county_admin, {"page": "2"}),
        ("county admin, school filter, page 2", persons, county_admin, {"school": school_filter, "page": "2"}),
        ("school admin, page 2", persons, school_admin, {"page": "2"}),
        ("school admin, name search", persons, school_admin, {"q": common_name}),
        ("school admin, page 40", persons, school_admin, {"page": "40"}),
        (
            "students: county admin, school filter, page 2",
            students,
            county_admin,
            {"school": school_filter, "page": "2"},
        ),
        ("students: school admin, page 2", students, school_admin, {"page": "2"}),
        # Not in the target (which is about county and school admins): the whole province.
        ("city admin, county filter, page 2", persons, city_admin, {"county": str(county.pk), "page": "2"}),
        ("city admin, page 2 (informational)", persons, city_admin, {"page": "2"}),
    ]
    out: dict[str, Any] = {
        "persons_total": Person.objects.count(),
        "persons_in_county": Person.objects.filter(county=county).count(),
        "persons_in_school": Person.objects.filter(school=school).count(),
        "scenarios": [],
    }
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    ):
        for label, url_name, user, params in scenarios:
            url = reverse(url_name)
            client = Client()
            client.force_login(user)
            for _ in range(3):
                assert client.get(url, params).status_code == 200
            times, counts = [], set()
            queries: list[dict[str, Any]] = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                counts.add(len(ctx.captured_queries))
                queries = [
                    {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:240]} for q in ctx.captured_queries
                ]
            times.sort()
            out["scenarios"].append(
                {
                    "scenario": label,
                    "url": url,
                    "params": params,
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
                    "min_ms": round(times[0], 1),
                    "max_ms": round(times[-1], 1),
                    "queries": sorted(counts),
                    "last_run_queries": queries,
                }
            )
    return out


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.listpage child")
    parser.add_argument("step", choices=["measure"])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    common.setup_django()
    print(json.dumps(child_measure(args.runs), ensure_ascii=False))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench listpage", description=__doc__)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres", help=f"database URL (default {common.DEFAULT_POSTGRES})")
    parser.add_argument("--sqlite-dir", help="CHIZHENG_VAR_DIR holding the SQLite database (sqlite only)")
    parser.add_argument("--load", type=int, default=0, help="recreate the database and load N persons first")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    data: dict[str, Any] = {
        "benchmark": "scoped list pages (persons, students): filters, search, page 2 and 40",
        "database": args.db,
    }
    if args.load:
        env = common.fresh_database(args.db, args.postgres, "")
        if args.sqlite_dir:
            raise SystemExit("--load makes its own SQLite directory; drop --sqlite-dir")
        started = time.perf_counter()
        common.run([sys.executable, "manage.py", "demo", "--scale", "province", "--persons", str(args.load)], env)
        data["load"] = {
            "persons": args.load,
            "seconds": round(time.perf_counter() - started, 1),
            "command": f"chizheng demo --scale province --persons {args.load}",
            "peak_rss_mb": round(common.peak_rss_mb(children=True), 1),  # largest child so far: the loader
        }
        print(f"loaded {args.load:,} persons in {data['load']['seconds']}s")
        if args.db == "sqlite":
            print(f"  SQLite database in {env['CHIZHENG_VAR_DIR']}")
    else:
        env = {k: v for k, v in __import__("os").environ.items() if k != "DATABASE_URL"}
        if args.db == "postgres":
            env["DATABASE_URL"] = common.postgres_url(args.postgres)
        elif args.sqlite_dir:
            env["CHIZHENG_VAR_DIR"] = args.sqlite_dir
    result = common.child("listpage", ["measure", "--runs", str(args.runs)], env)
    data.update(result)
    previous = common.RESULTS / f"listpage-{args.db}.json"
    if "load" not in data and previous.exists():  # keep the record of how the reused data was loaded
        load = json.loads(previous.read_text()).get("load")
        if load and load.get("persons") == result["persons_total"]:
            data["load"] = load
    for s in result["scenarios"]:
        print(f"{s['scenario']:40} median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  queries {s['queries']}")
    print(f"  → {common.save('listpage', args.db, data)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
