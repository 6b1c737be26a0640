"""List pages: filters, search, pagination and the audited Excel export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from chizheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _sheet(response):
    body = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(body)).active


def test_export_contains_only_the_scoped_filtered_rows_and_is_audited(world, login):
    client = login(world.user("county"))
    response = client.get(reverse("core:org_list"), {"kind": "school", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(_sheet(response).iter_rows(values_only=True))
    assert rows[0][:2] == ("代码", "名称")
    assert sorted(r[1] for r in rows[1:]) == ["焦作市职业技术学校", "解放区民办职校"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor_name == "county"
    assert event.after == {"rows": 2, "query": "kind=school&export=xlsx", "full_id": False}


def test_search_and_unknown_filter_values(world, login):
    client = login(world.user("city"))
    page = client.get(reverse("core:org_list"), {"q": "温县"})
    assert "温县职业中专" in page.content.decode()
    assert "焦作市职业技术学校" not in page.content.decode()
    # A value that is not one of the filter's choices is ignored rather than failing.
    assert client.get(reverse("core:org_list"), {"kind": "nonsense"}).status_code == 200


def test_pagination_clamps_out_of_range_pages(world, login):
    client = login(world.user("city"))
    response = client.get(reverse("core:org_list"), {"page": "999"})
    assert response.status_code == 200
    assert "第 1 / 1 页" in response.content.decode()


def test_a_large_unfiltered_postgresql_list_shows_an_estimate_and_filtered_lists_exact_counts(world, login):
    from django.db import connection

    from chizheng.core.listing import EstimatingPaginator
    from chizheng.core.models import OrgUnit

    unfiltered = EstimatingPaginator(OrgUnit.objects.all(), 10)
    assert unfiltered.count == 6  # far below the threshold: exact everywhere
    assert not unfiltered.estimated
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # pretend the planner saw a huge table
            cursor.execute("UPDATE pg_class SET reltuples = 5000000 WHERE oid = 'core_orgunit'::regclass")
        big = EstimatingPaginator(OrgUnit.objects.all(), 10)
        assert big.count == 5_000_000
        assert big.estimated
    filtered = EstimatingPaginator(OrgUnit.objects.filter(kind="school"), 10)
    assert filtered.count == 3
    assert not filtered.estimated
