import pytest
from django.urls import reverse

from chizheng.core.models import AuditEvent
from chizheng.people.models import Person, Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    return Person.objects.get(name="李明")


def test_a_school_admin_edits_name_and_phone_and_the_id_number_stays(world, login, person):
    client = login(world.user("school"))
    response = client.post(reverse("people:person_edit", args=[person.pk]), {"name": "李明明", "phone": "13903910000"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("李明明", "13903910000")
    event = AuditEvent.objects.get(object_type="people.Person", action="update")
    assert event.before == {"name": "李明", "phone": ""}
    assert "id_number" not in (event.after or {})


def test_an_id_number_posted_to_the_edit_form_is_ignored(world, login, person):
    original = person.id_number
    login(world.user("school")).post(
        reverse("people:person_edit", args=[person.pk]), {"name": "李明", "id_number": "110101200001010011"}
    )
    person.refresh_from_db()
    assert person.id_number == original


def test_a_bad_phone_is_a_field_error(world, login, person):
    response = login(world.user("school")).post(
        reverse("people:person_edit", args=[person.pk]), {"name": "李明", "phone": "12345"}
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors


def test_editing_a_person_of_another_school_answers_404(world, login, person):
    client = login(world.user("sibling_school"))
    assert client.get(reverse("people:person_edit", args=[person.pk])).status_code == 404


def test_county_admins_and_learners_cannot_edit_people(world, login, person):
    assert login(world.user("county")).get(reverse("people:person_edit", args=[person.pk])).status_code == 403
    assert login(world.user("learner")).get(reverse("people:person_edit", args=[person.pk])).status_code == 403


def test_a_school_admin_marks_a_student_outstanding_and_graduated(world, login, person):
    student = Student.objects.get(person=person)
    client = login(world.user("school"))
    response = client.post(
        reverse("people:student_edit", args=[student.pk]),
        {"major": "数控技术应用", "outstanding": "on", "status": "graduated"},
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.outstanding
    assert student.status == "graduated"
    event = AuditEvent.objects.get(object_type="people.Student")
    assert event.after == {"outstanding": True, "status": "graduated"}


def test_a_student_record_of_another_school_answers_404(world, login, person):
    student = Student.objects.get(person=person)
    assert login(world.user("other_school")).get(reverse("people:student_edit", args=[student.pk])).status_code == 404


def test_a_learner_sees_my_information_without_edit_or_reveal(world, login):
    html = login(world.user("learner")).get(reverse("people:me")).content.decode()
    assert "我的信息" in html
    assert "显示完整号码" not in html
    assert reverse("people:person_edit", args=[world.user("learner").person_id]) not in html


def test_revealing_the_id_number_is_audited(world, login, person):
    response = login(world.user("county")).post(reverse("people:person_detail", args=[person.pk]), {"reveal": "1"})
    assert person.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="view_full_id", object_id=str(person.pk)).count() == 1
