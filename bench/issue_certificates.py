"""Certificate issuance, one batch: `python -m bench issue_certificates --n 10000 --db sqlite postgres`.

Per database: a fresh, migrated database with one county, one school, a filed institution whose scope
covers the occupation, and N persons. A child process then calls the one issuance service as the
pathways do: `certificate_publicise` (gate, R8 check against existing certificates, N inserts) and
`certificate_issue_due` (row locks, gap-free numbering, holder data frozen, N updates), each in its
own transaction, and reports the wall time of each and the combined rate. A second publicise of the
same batch with skip_existing=True (a re-run) is timed too: it must create nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from typing import Any

from . import common

PUBLICISE_ON = dt.date(2023, 6, 1)
ISSUE_ON = dt.date(2023, 6, 9)


def child_run(n: int) -> dict[str, Any]:
    from chizheng.certification import services
    from chizheng.certification.models import Certificate, NumberSequence
    from chizheng.core.audit import audit_context
    from chizheng.core.choices import OrgKind
    from chizheng.core.models import OrgUnit
    from chizheng.institutions.models import EvaluationInstitution, InstitutionScope
    from chizheng.occupations.models import Occupation
    from chizheng.people.models import Person
    from chizheng.people.rules import check_digit

    city = OrgUnit.objects.create(kind=OrgKind.CITY, code="410800", name="焦作市")
    county = OrgUnit.objects.create(kind=OrgKind.COUNTY, code="410802", name="解放区", parent=city)
    county.county = county
    county.save(update_fields=["county"])
    school = OrgUnit.objects.create(
        kind=OrgKind.SCHOOL,
        code="S41080201",
        name="焦作市职业技术学校",
        parent=county,
        school_kind="secondary",
        ownership="public",
    )
    school.county = county
    school.save(update_fields=["county"])
    occupation = Occupation.objects.get(code="6-18-01-01")
    Occupation.objects.filter(pk=occupation.pk).update(
        has_national_standard=True, standard_number="6-18-01-01", standard_levels=[5, 4, 3]
    )
    occupation.refresh_from_db()
    inst = EvaluationInstitution.objects.create(
        school=school,
        county=county,
        kind="college",
        name="焦作市职业技术学校职业技能等级评价中心",
        code="1001",
        station_code="410802",
        status="filed",
        filing_number="焦人社评备〔2022〕001号",
        filed_on=dt.date(2022, 3, 1),
        review_due_on=dt.date(2030, 3, 1),
        contact="王老师",
        phone="0391-1234567",
    )
    InstitutionScope.objects.create(
        institution=inst, occupation=occupation, highest_level=3, added_on=dt.date(2022, 2, 1)
    )

    def id_number(i: int) -> str:
        birth = dt.date(2000, 1, 1) + dt.timedelta(days=i // 1000)
        first17 = f"410802{birth:%Y%m%d}{i % 1000:03d}"
        return first17 + check_digit(first17)

    persons = Person.objects.bulk_create(
        (
            Person(
                id_number=id_number(i),
                name=f"学员{i}",
                sex="M",
                birth_date=dt.date(2005, 1, 1),
                school=school,
                county=county,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    items = [
        services.IssueItem(
            person_id=p.pk,
            evidence={"session": "BENCH", "theory": 80, "skill": 75},
            evidence_type="exam_registration",
            evidence_id=f"BENCH-{p.pk}",
        )
        for p in persons
    ]
    with audit_context(channel="cli"):
        t0 = time.perf_counter()
        created = services.certificate_publicise(
            actor=None,
            institution=inst,
            occupation=occupation,
            level=4,
            kind="skill_level",
            pathway="exam",
            items=items,
            on_date=PUBLICISE_ON,
        )
        t1 = time.perf_counter()
        issued = services.certificate_issue_due(actor=None, institution=inst, on_date=ISSUE_ON)
        t2 = time.perf_counter()
        rerun = services.certificate_publicise(
            actor=None,
            institution=inst,
            occupation=occupation,
            level=4,
            kind="skill_level",
            pathway="exam",
            items=items,
            on_date=PUBLICISE_ON,
            skip_existing=True,
        )
        t3 = time.perf_counter()
    assert len(created) == n
    assert len(issued) == n
    assert rerun == []
    assert NumberSequence.objects.get().last_serial == n
    assert Certificate.objects.exclude(number=None).count() == n
    total = t2 - t0
    return {
        "certificates": n,
        "publicise_seconds": round(t1 - t0, 3),
        "issue_seconds": round(t2 - t1, 3),
        "total_seconds": round(total, 3),
        "certificates_per_s": round(n / total),
        "rerun_seconds": round(t3 - t2, 3),
        "peak_rss_mb": round(common.peak_rss_mb(), 1),
    }


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.issue_certificates child")
    parser.add_argument("step", choices=["run"])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args(argv)
    common.setup_django()
    print(json.dumps(child_run(args.n)))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench issue_certificates", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres", help=f"benchmark database URL (default {common.DEFAULT_POSTGRES})")
    args = parser.parse_args(argv)
    for db in args.db:
        env = common.fresh_database(db, args.postgres, "_certs")
        result = common.child("issue_certificates", ["run", "--n", str(args.n)], env)
        data = {
            "benchmark": "issue certificates in one batch (publicise + number, through the service, fresh database)",
            "database": db,
            **result,
        }
        print(
            f"{db:8} {result['certificates']:,} certificates: publicise {result['publicise_seconds']}s,"
            f" issue {result['issue_seconds']}s → {result['certificates_per_s']:,}/s;"
            f" re-run {result['rerun_seconds']}s (nothing created)"
        )
        print(f"  → {common.save('issue-certificates', db, data)}")
        shutil.rmtree(env["CHIZHENG_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        main(sys.argv[1:])
