"""The JSON API: token and session auth, the error shape, pagination, filters, masking, scoping."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chizheng.core import services
from chizheng.core.models import AccessToken, AuditEvent
from chizheng.core.testing import make_id_number
from chizheng.people.models import Person, SocialLearner, Student, Teacher

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user, **kwargs):
    _, raw = services.token_create(actor=user, user=user, name="test", **kwargs)
    return raw


@pytest.fixture
def api(world):
    """api("school") → a client authenticating with a fresh token of that persona."""

    def _api(persona):
        return Client(headers={"Authorization": f"Bearer {bearer(world.user(persona))}"})

    return _api


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code
    assert body["message"]
    assert isinstance(body["extra"], dict)
    return body


def add_students(world, count, school=None, start=10, **fields):
    school = school or world.school
    people = []
    for i in range(count):
        person = Person.objects.create(
            id_number=make_id_number(region=school.county.code, seq=start + i),
            name=f"学生{start + i}",
            sex="M",
            birth_date=dt.date(2006, 3, 15),
            school=school,
            county=school.county,
        )
        Student.objects.create(
            person=person,
            school=school,
            county=school.county,
            major="数控技术应用",
            stage=fields.get("stage", "secondary"),
            entry_year=fields.get("entry_year", 2023),
            expected_graduation_year=fields.get("expected_graduation_year", 2026),
            status=fields.get("status", "enrolled"),
        )
        people.append(person)
    return people


# --- authentication ------------------------------------------------------------------------------


def test_a_token_authenticates(world, api):
    body = api("school").get(f"{API}/me").json()
    assert body["username"] == "school"
    assert body["scope"] == "school"
    assert "view_people" in body["permissions"]
    assert body["org_unit"]["id"] == world.school.pk


def test_no_credentials_is_401_in_the_error_shape(world, client):
    assert_error(client.get(f"{API}/persons"), 401, "unauthorized")


def test_a_revoked_token_is_401(world):
    user = world.user("school")
    token, raw = services.token_create(actor=user, user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"{API}/me").status_code == 200
    services.token_revoke(actor=user, token=token)
    assert_error(client.get(f"{API}/me"), 401, "invalid_token")


def test_an_expired_token_is_401(world):
    user = world.user("school")
    token, raw = services.token_create(actor=user, user=user, name="t", expires_days=1)
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me"), 401, "invalid_token")


def test_a_deactivated_users_token_is_401(world):
    user = world.user("school")
    raw = bearer(user)
    user.is_active = False
    user.save()
    assert_error(Client(headers={"Authorization": f"Bearer {raw}"}).get(f"{API}/me"), 401, "invalid_token")


def test_an_unknown_token_is_401_even_with_a_session(world, login):
    client = login(world.user("city"))
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer czp_not-a-real-token"})
    assert_error(response, 401, "invalid_token")


def test_the_session_authenticates_and_writes_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("school"))
    assert client.get(f"{API}/me").json()["username"] == "school"
    person = world.user("learner").person
    assert_error(client.post(f"{API}/persons/{person.pk}/reveal-id"), 403, "csrf_failed")
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{API}/persons/{person.pk}/reveal-id", headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_a_token_client_needs_no_csrf(world):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {bearer(world.user('school'))}"})
    person = world.user("learner").person
    assert client.post(f"{API}/persons/{person.pk}/reveal-id").status_code == 200


# --- the error shape -----------------------------------------------------------------------------


def test_missing_object_is_404(world, api):
    assert_error(api("city").get(f"{API}/persons/999999"), 404, "not_found")
    assert_error(api("city").get(f"{API}/occupations/9-99-99-99"), 404, "not_found")


def test_unknown_path_and_wrong_method(world, api):
    client = api("city")
    body = assert_error(client.get(f"{API}/no-such-thing"), 404, "not_found")
    assert body["extra"]["path"] == f"{API}/no-such-thing"
    body = assert_error(client.put(f"{API}/me"), 405, "method_not_allowed")
    assert body["extra"]["allowed"] == ["GET"]


def test_invalid_parameters_are_422_naming_the_field(world, api):
    client = api("city")
    body = assert_error(client.get(f"{API}/persons?limit=0"), 422, "validation_error")
    assert [e["field"] for e in body["extra"]["errors"]] == ["limit"]
    body = assert_error(client.get(f"{API}/students?stage=kindergarten"), 422, "validation_error")
    assert body["extra"]["errors"][0]["field"] == "stage"
    assert body["extra"]["errors"][0]["location"] == "query"
    response = client.post(f"{API}/tokens", {"name": "x", "expires_days": 0}, content_type="application/json")
    body = assert_error(response, 422, "validation_error")
    assert body["extra"]["errors"][0]["field"] == "expires_days"


def test_malformed_json_is_400(world, api):
    response = api("city").post(f"{API}/tokens", "{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_role_without_the_permission_is_403(world, api):
    assert_error(api("school").get(f"{API}/audit-events"), 403, "permission_denied")
    assert_error(api("learner").get(f"{API}/persons"), 403, "permission_denied")


def test_an_unexpected_error_is_a_500_in_the_error_shape_without_traceback(world, api, monkeypatch, caplog):
    from chizheng.people import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "get_person_for", boom)
    response = api("city").get(f"{API}/persons/1")
    body = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert body["extra"]["request_id"]
    assert "secret internals" in caplog.text  # logged for the operator


# --- pagination and filters ----------------------------------------------------------------------


def test_lists_paginate_with_a_total_count(world, api):
    add_students(world, 7)
    client = api("school")
    page = client.get(f"{API}/persons?limit=3&offset=0").json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (8, 3, 0, 3)
    last = client.get(f"{API}/persons?limit=3&offset=6").json()
    assert len(last["items"]) == 2
    seen = {p["id"] for p in page["items"]} | {p["id"] for p in last["items"]}
    assert len(seen) == 5
    assert client.get(f"{API}/persons?limit=501").status_code == 422


def add_all_roles(world, count, start):
    """`count` persons of the own school, each a student, a teacher and a social learner."""
    for person in add_students(world, count, start=start):
        Teacher.objects.create(person=person, school=world.school, county=world.county)
        SocialLearner.objects.create(
            person=person, org_unit=world.school, county=world.county, target_group="rural_migrant"
        )


@pytest.mark.parametrize("endpoint", ["persons", "students", "teachers", "social-learners", "audit-events"])
def test_list_queries_do_not_grow_with_rows(world, api, endpoint):
    client = api("city")
    add_all_roles(world, 2, start=10)
    client.get(f"{API}/me")  # the token's first use also records last_used_at
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/{endpoint}").status_code == 200
    add_all_roles(world, 10, start=40)
    for _ in range(10):
        client.post(f"{API}/persons/{world.user('learner').person_id}/reveal-id")  # audit events
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/{endpoint}").json()["count"] >= 10
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_person_filters(world, api):
    add_students(world, 2)
    add_students(world, 1, school=world.sibling_school, start=30)
    client = api("county")
    assert client.get(f"{API}/persons").json()["count"] == 4
    assert client.get(f"{API}/persons?school={world.sibling_school.pk}").json()["count"] == 1
    assert client.get(f"{API}/persons?county={world.county.pk}").json()["count"] == 4
    assert [p["name"] for p in client.get(f"{API}/persons?q=李明").json()["items"]] == ["李明"]
    full_id = world.user("learner").person.id_number
    assert [p["name"] for p in client.get(f"{API}/persons?q={full_id}").json()["items"]] == ["李明"]
    assert client.get(f"{API}/persons?q={full_id[:10]}").json()["count"] == 0  # full numbers only


def test_student_filters(world, api):
    add_students(world, 2, stage="junior_college", entry_year=2024, expected_graduation_year=2027)
    add_students(world, 1, start=20, status="graduated")
    client = api("school")
    assert client.get(f"{API}/students").json()["count"] == 4
    assert client.get(f"{API}/students?stage=junior_college").json()["count"] == 2
    assert client.get(f"{API}/students?expected_graduation_year=2027").json()["count"] == 2
    assert client.get(f"{API}/students?status=graduated").json()["count"] == 1
    assert client.get(f"{API}/students?school={world.school.pk}&stage=secondary").json()["count"] == 2


def test_teacher_and_social_learner_filters(world, api):
    person = world.user("learner").person
    Teacher.objects.create(person=person, school=world.school, county=world.county, department="机电系")
    SocialLearner.objects.create(
        person=person, org_unit=world.school, county=world.county, target_group="rural_migrant"
    )
    client = api("county")
    teachers = client.get(f"{API}/teachers").json()
    assert teachers["items"][0]["department"] == "机电系"
    assert client.get(f"{API}/social-learners?target_group=rural_migrant").json()["count"] == 1
    assert client.get(f"{API}/social-learners?target_group=job_transfer").json()["count"] == 0
    assert client.get(f"{API}/social-learners?school={world.school.pk}").json()["count"] == 1
    assert api("other_school").get(f"{API}/teachers").json()["count"] == 0


def test_org_unit_filters_and_detail(world, api):
    client = api("city")
    assert client.get(f"{API}/org-units").json()["count"] == 6
    assert client.get(f"{API}/org-units?kind=school").json()["count"] == 3
    assert client.get(f"{API}/org-units?kind=school&county={world.county.pk}").json()["count"] == 2
    assert client.get(f"{API}/org-units?ownership=private").json()["items"][0]["name"] == "解放区民办职校"
    assert client.get(f"{API}/org-units?q=温县").json()["count"] == 2
    detail = client.get(f"{API}/org-units/{world.county.pk}").json()
    assert {c["name"] for c in detail["children"]} == {"焦作市职业技术学校", "解放区民办职校"}
    assert api("county").get(f"{API}/org-units").json()["count"] == 3


def test_occupation_filters_detail_and_tree(world, api):
    from chizheng.occupations.models import Occupation, Trade

    client = api("expert")
    everything = client.get(f"{API}/occupations?limit=1").json()["count"]
    assert everything == Occupation.objects.count() > 1600
    majors = client.get(f"{API}/occupations?major=6&limit=500").json()
    assert majors["count"] == Occupation.objects.filter(major_code="6").count()
    assert {o["major_code"] for o in majors["items"]} == {"6"}
    assert (
        client.get(f"{API}/occupations?group=6-18").json()["count"]
        == Occupation.objects.filter(code__startswith="6-18-").count()
    )
    lathe = Occupation.objects.get(code="6-18-01-01")
    Trade.objects.create(occupation=lathe, name="数控车工")
    assert [o["code"] for o in client.get(f"{API}/occupations?q=数控车工").json()["items"]] == ["6-18-01-01"]
    Occupation.objects.filter(pk=lathe.pk).update(
        has_national_standard=True, standard_number="6-18-01-01", standard_levels=[5, 4, 3], key_field="big_data"
    )
    assert client.get(f"{API}/occupations?has_national_standard=true").json()["count"] == 1
    assert client.get(f"{API}/occupations?key_field=big_data").json()["items"][0]["code"] == "6-18-01-01"
    detail = client.get(f"{API}/occupations/6-18-01-01").json()
    assert [t["name"] for t in detail["trades"]] == ["数控车工"]
    assert [g["level"] for g in detail["groups"]] == ["major", "middle", "minor"]
    assert detail["standard_levels"] == [5, 4, 3]
    tree = client.get(f"{API}/occupation-groups").json()
    assert sum(node["occupation_count"] for node in tree) == everything
    assert client.get(f"{API}/occupations?major=9").status_code == 422


def test_audit_events_for_city_admins_with_filters(world, api):
    person = world.user("learner").person
    api("school").post(f"{API}/persons/{person.pk}/reveal-id")
    client = api("city")
    events = client.get(f"{API}/audit-events?action=view_full_id").json()
    assert events["count"] == 1
    assert events["items"][0]["actor_name"] == "school"
    assert client.get(f"{API}/audit-events?actor=school&object_type=people.Person").json()["count"] == 1
    assert client.get(f"{API}/audit-events?actor=county&action=view_full_id").json()["count"] == 0
    assert_error(api("county").get(f"{API}/audit-events"), 403, "permission_denied")


# --- masking, reveal and scoping -----------------------------------------------------------------


def test_id_numbers_are_masked_everywhere_but_reveal(world, api):
    person = world.user("learner").person
    client = api("city")
    for url in (f"{API}/persons", f"{API}/persons/{person.pk}", f"{API}/students", f"{API}/persons?q=李明"):
        text = client.get(url).content.decode()
        assert person.id_number not in text, url
        assert person.masked_id_number in text, url


def test_reveal_returns_the_full_number_and_is_audited(world, api):
    person = world.user("learner").person
    response = api("county").post(f"{API}/persons/{person.pk}/reveal-id", REMOTE_ADDR="10.0.0.7")
    assert response.json() == {"id": person.pk, "id_number": person.id_number}
    event = AuditEvent.objects.get(action="view_full_id")
    assert (event.actor_name, event.object_id, event.channel, event.ip) == ("county", str(person.pk), "api", "10.0.0.7")


def test_reveal_needs_the_permission_and_the_scope(world, api):
    person = world.user("learner").person
    assert_error(api("learner").post(f"{API}/persons/{person.pk}/reveal-id"), 403, "permission_denied")
    assert_error(api("other_school").post(f"{API}/persons/{person.pk}/reveal-id"), 404, "not_found")
    assert not AuditEvent.objects.filter(action="view_full_id").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("school", 200), ("county", 200), ("city", 200), ("learner", 200), ("other_school", 404), ("other_county", 404)],
)
def test_person_detail_is_scoped(world, api, persona, status):
    person = world.user("learner").person
    response = api(persona).get(f"{API}/persons/{person.pk}")
    assert response.status_code == status
    if status == 404:
        assert_error(response, 404, "not_found")


def test_a_learner_sees_only_themselves(world, api):
    other = add_students(world, 1)[0]
    client = api("learner")
    assert client.get(f"{API}/persons/{world.user('learner').person_id}").json()["name"] == "李明"
    assert_error(client.get(f"{API}/persons/{other.pk}"), 404, "not_found")


def test_lists_are_scoped(world, api):
    add_students(world, 2, school=world.other_school, start=50)
    assert api("other_school").get(f"{API}/persons").json()["count"] == 2
    assert api("school").get(f"{API}/persons").json()["count"] == 1
    assert api("sibling_school").get(f"{API}/students").json()["count"] == 0
    assert api("city").get(f"{API}/persons").json()["count"] == 3
    assert_error(api("other_school").get(f"{API}/org-units/{world.school.pk}"), 404, "not_found")


# --- tokens through the API ----------------------------------------------------------------------


def test_tokens_create_list_and_revoke(world, api):
    client = api("school")
    response = client.post(f"{API}/tokens", {"name": "报表脚本", "expires_days": 30}, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    raw = created["raw_token"]
    assert raw.startswith("czp_")
    assert raw.startswith(created["token"]["prefix"])
    listing = client.get(f"{API}/tokens").json()
    assert listing["count"] == 2
    assert raw not in json.dumps(listing)
    new_client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert new_client.get(f"{API}/me").json()["username"] == "school"
    revoked = client.delete(f"{API}/tokens/{created['token']['id']}").json()
    assert revoked["is_active"] is False
    assert_error(new_client.get(f"{API}/me"), 401, "invalid_token")
    assert AuditEvent.objects.filter(action="token", actor_name="school").count() == 3  # 2 created, 1 revoked


def test_nobody_revokes_someone_elses_token(world, api):
    other = world.user("county")
    token, _ = services.token_create(actor=other, user=other, name="county")
    assert_error(api("school").delete(f"{API}/tokens/{token.pk}"), 404, "not_found")
    token.refresh_from_db()
    assert token.revoked_at is None


# --- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_document_lists_every_endpoint(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    expected = {
        "/me": {"get"},
        "/org-units": {"get"},
        "/org-units/{unit_id}": {"get"},
        "/persons": {"get"},
        "/persons/{person_id}": {"get"},
        "/persons/{person_id}/reveal-id": {"post"},
        "/students": {"get"},
        "/teachers": {"get"},
        "/social-learners": {"get"},
        "/occupations": {"get"},
        "/occupations/{code}": {"get"},
        "/occupation-groups": {"get"},
        "/audit-events": {"get"},
        "/tokens": {"get", "post"},
        "/tokens/{token_id}": {"delete"},
        "/imports": {"get"},
        "/imports/{job_id}": {"get"},
        "/imports/{job_id}/errors": {"get"},
        "/imports/{kind}": {"post"},
    }
    paths = {p.removeprefix(API): set(ops) for p, ops in schema["paths"].items()}
    for path, methods in expected.items():
        assert methods <= paths.get(path, set()), path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    upload = schema["paths"][f"{API}/imports/{{kind}}"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    persons = schema["paths"][f"{API}/persons"]["get"]
    assert {p["name"] for p in persons["parameters"]} >= {"limit", "offset", "county", "school", "q"}


def test_docs_page_uses_no_cdn(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()
