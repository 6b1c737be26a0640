"""R8 under concurrency: two issuers at once leave no gaps and no duplicates (PostgreSQL).

Each thread has its own database connection, so the test needs committed data (transaction=True) and
a server database: on SQLite the IMMEDIATE transaction mode serialises writers by design and the
in-process test database cannot be shared by two connections, so there is nothing to race there.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from chizheng.institutions.tests.factories import file_institution

from .. import services
from ..models import Certificate
from ..numbering import parse_henan_skill_number
from . import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported to the test below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def serials() -> list[int]:
    return sorted(
        parse_henan_skill_number(n or "").serial for n in Certificate.objects.values_list("number", flat=True)
    )


def test_r08_two_institutions_of_one_station_issue_at_once_without_gaps(world) -> None:
    a = f.institution(world)
    b = file_institution(
        world.user("sibling_school"), world.user("hrss"), school=world.sibling_school, code="0002", number="备案-0002"
    )
    f.publicise(world, a, f.people(world, 40))
    f.publicise(world, b, f.people(world, 40, start=500), actor=world.user("sibling_school"))
    results = run_together(
        lambda: services.certificate_issue_due(actor=None, institution=a, on_date=f.ISSUE_ON),
        lambda: services.certificate_issue_due(actor=None, institution=b, on_date=f.ISSUE_ON),
    )
    assert [len(r) for r in results] == [40, 40], results
    assert serials() == list(range(1, 81))


def test_r08_two_admins_issuing_the_same_batch_at_once_issue_it_once(world) -> None:
    inst = f.institution(world)
    f.publicise(world, inst, f.people(world, 30))
    results = run_together(
        lambda: services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON),
        lambda: services.certificate_issue_due(actor=None, institution=inst, on_date=f.ISSUE_ON),
    )
    assert sorted(len(r) for r in results) == [0, 30], results
    assert serials() == list(range(1, 31))


def test_r08_two_admins_publicising_the_same_batch_at_once_create_it_once(world) -> None:
    inst = f.institution(world)
    persons = f.people(world, 30)
    results = run_together(
        lambda: f.publicise(world, inst, persons, skip_existing=True),
        lambda: f.publicise(world, inst, persons, skip_existing=True),
    )
    created = [r for r in results if isinstance(r, list)]
    assert sum(len(r) for r in created) == 30, results
    assert Certificate.objects.count() == 30
