"""Person list exports: masked by default; full ID numbers only for roles that may see them, audited."""

import io

import openpyxl
import pytest
from django.urls import reverse

from chizheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _ids(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    column = rows[0].index("身份证号")
    return [r[column] for r in rows[1:]]


@pytest.mark.parametrize("name", ["people:person_list", "people:student_list"])
def test_exports_mask_id_numbers_unless_full_is_asked_for_and_allowed(world, login, name):
    person = world.user("learner").person
    client = login(world.user("school"))
    assert _ids(client.get(reverse(name), {"export": "xlsx"})) == [person.masked_id_number]
    assert _ids(client.get(reverse(name), {"export": "xlsx", "full": "1"})) == [person.id_number]
    events = list(AuditEvent.objects.filter(action="export").order_by("id").values_list("after", "note"))
    assert [(e[0] or {}).get("full_id") for e in events] == [False, True]
    assert events[1][1] == "含完整身份证号"


def test_the_full_export_link_is_offered_only_to_roles_that_may_see_full_numbers(world, login, settings):
    from chizheng.core import permissions
    from chizheng.core.choices import Role
    from chizheng.core.permissions import Perm

    page = login(world.user("school")).get(reverse("people:person_list")).content.decode()
    assert "导出（含完整身份证号）" in page
    # A role without VIEW_FULL_ID asking for full=1 still gets masked numbers.
    reduced = permissions.ROLE_PERMS[Role.SCHOOL_ADMIN] - {Perm.VIEW_FULL_ID}
    original = permissions.ROLE_PERMS[Role.SCHOOL_ADMIN]
    permissions.ROLE_PERMS[Role.SCHOOL_ADMIN] = reduced
    try:
        client = login(world.user("school"))
        assert "导出（含完整身份证号）" not in client.get(reverse("people:person_list")).content.decode()
        person = world.user("learner").person
        assert _ids(client.get(reverse("people:person_list"), {"export": "xlsx", "full": "1"})) == [
            person.masked_id_number
        ]
    finally:
        permissions.ROLE_PERMS[Role.SCHOOL_ADMIN] = original
