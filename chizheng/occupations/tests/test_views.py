import pytest
from django.urls import reverse

from chizheng.core.models import AuditEvent
from chizheng.occupations.models import Occupation, Trade

pytestmark = pytest.mark.django_db

CODE = "6-18-01-01"


def test_browsing_walks_major_middle_minor_to_occupations(world, login):
    client = login(world.user("examiner"))
    root = client.get(reverse("occupations:browse"))
    assert root.status_code == 200
    majors = [group.code for group, _ in root.context["children"]]
    assert majors == [str(n) for n in range(1, 9)]
    assert sum(count for _, count in root.context["children"]) == Occupation.objects.count()
    occupation = Occupation.objects.select_related("group__parent__parent").get(code=CODE)
    minor = occupation.group
    middle = minor.parent
    assert middle is not None
    major = middle.parent
    assert major is not None
    at_major = client.get(reverse("occupations:browse_group", args=[major.code]))
    assert middle.code in [g.code for g, _ in at_major.context["children"]]
    at_middle = client.get(reverse("occupations:browse_group", args=[middle.code]))
    assert minor.code in [g.code for g, _ in at_middle.context["children"]]
    at_minor = client.get(reverse("occupations:browse_group", args=[minor.code]))
    assert CODE in [o.code for o in at_minor.context["occupations"]]
    assert occupation.name in at_minor.content.decode()


def test_an_unknown_group_answers_404(world, login):
    assert login(world.user("city")).get(reverse("occupations:browse_group", args=["9-99"])).status_code == 404


def test_browsing_is_refused_to_a_learner(world, login):
    assert login(world.user("learner")).get(reverse("occupations:browse")).status_code == 403


def test_the_list_searches_by_code_prefix_and_by_name(world, login):
    client = login(world.user("county"))
    by_code = client.get(reverse("occupations:occupation_list"), {"q": "6-18-01"})
    codes = {row[0][0] for row in by_code.context["rows"]}
    assert CODE in codes
    assert all(code.startswith("6-18-01") for code in codes)
    name = Occupation.objects.get(code=CODE).name
    by_name = client.get(reverse("occupations:occupation_list"), {"q": name})
    assert CODE in {row[0][0] for row in by_name.context["rows"]}


def test_the_city_sets_a_national_standard_with_levels_and_a_key_field(world, login):
    client = login(world.user("city"))
    response = client.post(
        reverse("occupations:occupation_edit", args=[CODE]),
        {"has_national_standard": "on", "standard_number": "6-18-01-01", "levels": "5-3", "key_field": "logistics"},
    )
    assert response.status_code == 302
    occupation = Occupation.objects.get(code=CODE)
    assert occupation.standard_levels == [5, 4, 3]
    assert occupation.key_field == "logistics"
    event = AuditEvent.objects.get(object_type="occupations.Occupation", action="update")
    assert event.after is not None
    assert event.after["standard_levels"] == [5, 4, 3]


def test_a_standard_without_a_number_is_a_field_error_and_nothing_changes(world, login):
    response = login(world.user("city")).post(
        reverse("occupations:occupation_edit", args=[CODE]),
        {"has_national_standard": "on", "standard_number": "", "levels": "5", "key_field": "other"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["standard_number"] == ["有国家职业技能标准时须填写标准编号。"]
    assert not Occupation.objects.get(code=CODE).has_national_standard


def test_unreadable_levels_are_a_field_error(world, login):
    response = login(world.user("city")).post(
        reverse("occupations:occupation_edit", args=[CODE]),
        {"has_national_standard": "on", "standard_number": "X", "levels": "七级", "key_field": "other"},
    )
    assert "levels" in response.context["form"].errors


def test_only_the_city_edits_the_catalog(world, login):
    client = login(world.user("county"))
    assert client.get(reverse("occupations:occupation_edit", args=[CODE])).status_code == 403
    assert client.post(reverse("occupations:trade_add", args=[CODE]), {"name": "叉车司机"}).status_code == 403
    assert not Trade.objects.exists()


def test_the_city_adds_and_removes_a_trade_with_audit_rows(world, login):
    client = login(world.user("city"))
    client.post(reverse("occupations:trade_add", args=[CODE]), {"name": "叉车司机", "code": "01"})
    trade = Trade.objects.get(occupation__code=CODE)
    assert trade.name == "叉车司机"
    again = client.post(reverse("occupations:trade_add", args=[CODE]), {"name": "叉车司机"}, follow=True)
    assert "已有工种“叉车司机”" in again.content.decode()
    assert Trade.objects.count() == 1
    client.post(reverse("occupations:trade_delete", args=[CODE, trade.pk]))
    assert not Trade.objects.exists()
    actions = sorted(AuditEvent.objects.filter(object_type="occupations.Trade").values_list("action", flat=True))
    assert actions == ["create", "delete"]


def test_deleting_a_trade_of_another_occupation_answers_404(world, login):
    other = Occupation.objects.exclude(code=CODE).first()
    assert other is not None
    trade = Trade.objects.create(occupation=other, name="x")
    response = login(world.user("city")).post(reverse("occupations:trade_delete", args=[CODE, trade.pk]))
    assert response.status_code == 404
    assert Trade.objects.filter(pk=trade.pk).exists()
