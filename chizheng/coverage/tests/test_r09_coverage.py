"""R9 graduation coverage: who counts, what covers, the share, scope, and the list that matches the counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from chizheng.certification import services as certification
from chizheng.certification.tests import factories as cf
from chizheng.core.errors import DomainError
from chizheng.core.models import OrgUnit
from chizheng.core.testing import World, build_world
from chizheng.institutions.tests.factories import file_institution
from chizheng.people.models import Person, Student

from .. import rules, selectors

YEAR = 2024


# --- rules (no database) -------------------------------------------------------------------------------


def test_r09_share_is_percent_rounded_half_up_to_a_tenth() -> None:
    assert rules.coverage_share(1, 3) == Decimal("33.3")
    assert rules.coverage_share(2, 3) == Decimal("66.7")
    assert rules.coverage_share(1, 8) == Decimal("12.5")  # 12.5 exactly
    assert rules.coverage_share(1, 16) == Decimal("6.3")  # 6.25 → half up
    assert rules.coverage_share(3, 3) == Decimal("100.0")
    assert rules.coverage_share(0, 3) == Decimal("0.0")


def test_r09_share_never_reads_100_while_someone_is_without_nor_0_when_someone_holds_one() -> None:
    assert rules.coverage_share(1999, 2000) == Decimal("99.9")  # 99.95 would round to 100.0
    assert rules.coverage_share(9999, 10000) == Decimal("99.9")
    assert rules.coverage_share(1, 2001) == Decimal("0.1")  # 0.05 would round to 0.0... and 0.0499 too
    assert rules.coverage_share(1, 5000) == Decimal("0.1")


def test_r09_share_of_a_unit_without_graduates_is_none_not_a_division_by_zero() -> None:
    assert rules.coverage_share(0, 0) is None
    with pytest.raises(DomainError):
        rules.coverage_share(3, 2)


def test_r09_counted_statuses_leave_out_students_who_left() -> None:
    assert set(rules.COUNTED_STUDENT_STATUSES) == {"enrolled", "graduated"}
    assert rules.COVERING_CERTIFICATE_STATUSES == ("issued",)


def test_r09_year_parameter_is_checked_with_a_clear_message() -> None:
    assert rules.check_year(None, [2025, 2024], 2024) == 2024
    assert rules.check_year("2025", [2025, 2024], 2024) == 2025
    with pytest.raises(DomainError, match="不是年份"):
        rules.check_year("abc", [2025], 2025)
    with pytest.raises(DomainError, match="没有 2019 届"):
        rules.check_year("2019", [2025], 2025)


def test_r09_default_year_is_this_years_cohort_or_the_latest_before_it() -> None:
    assert rules.default_year([2027, 2026, 2025], 2026) == 2026
    assert rules.default_year([2025, 2023], 2026) == 2025
    assert rules.default_year([2028, 2027], 2026) == 2027
    assert rules.default_year([], 2026) == 2026


# --- the cohort and its coverage (database) ----------------------------------------------------------


def _student(
    world: World, person: Person, *, school: OrgUnit | None = None, status: str = "graduated", **kw: object
) -> Student:
    school = school or world.school
    assert school.county_id is not None
    fields: dict[str, object] = {
        "major": "数控技术应用",
        "stage": "secondary",
        "entry_year": YEAR - 3,
        "expected_graduation_year": YEAR,
        "status": status,
    }
    fields.update(kw)
    return Student.objects.create(person=person, school=school, county_id=school.county_id, **fields)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _cov(world: World, who: str = "city", unit: OrgUnit | None = None, **kw: object) -> selectors.Coverage:
    return selectors.coverage_for(world.user(who), year=YEAR, unit=unit, **kw)  # type: ignore[arg-type]


def _row(coverage: selectors.Coverage, label: str) -> selectors.CoverageRow:
    return next(r for r in coverage.rows if r.label.startswith(label))


def test_r09_an_issued_certificate_covers_and_a_revoked_one_does_not(world: World) -> None:
    inst = cf.institution(world)
    a, b, c = cf.people(world, 3)
    for p in (a, b, c):
        _student(world, p)
    certs = cf.issued(world, inst, [a, b])
    certification.certificate_revoke(actor=None, certificate=certs[1], reason="考核舞弊", on_date=cf.ISSUE_ON)
    school = _row(_cov(world, unit=world.county), world.school.name)
    assert (school.graduates, school.covered, school.without) == (3, 1, 2)
    listed = selectors.students_without_certificate(world.user("city"), year=YEAR)
    assert set(listed.values_list("person", flat=True)) == {b.pk, c.pk}


def test_r09_a_certificate_still_in_publicity_does_not_cover_yet(world: World) -> None:
    inst = cf.institution(world)
    (a,) = cf.people(world, 1)
    _student(world, a)
    cf.publicise(world, inst, [a])
    assert _row(_cov(world, unit=world.county), world.school.name).covered == 0


def test_r09_a_reissued_certificate_counts_once(world: World) -> None:
    inst = cf.institution(world)
    a, b = cf.people(world, 2)
    _student(world, a)
    _student(world, b)
    (cert, _) = cf.issued(world, inst, [a, b])
    new = certification.certificate_reissue(
        actor=None, certificate=cert, reason="遗失补办", on_date=dt.date(2023, 9, 1)
    )
    assert new.status == "issued"
    coverage = _cov(world, unit=world.school)
    assert [(r.graduates, r.covered) for r in coverage.rows] == [(2, 2)]
    assert coverage.total.share == Decimal("100.0")


def test_r09_two_certificates_of_one_graduate_count_once(world: World) -> None:
    inst = cf.institution(world)
    (a,) = cf.people(world, 1)
    _student(world, a)
    cf.issued(world, inst, [a])
    cf.publicise(world, inst, [a], level=3, on_date=dt.date(2023, 6, 2))
    certification.certificate_issue_due(actor=None, institution=inst, on_date=dt.date(2023, 6, 20))
    assert a.certificates.filter(status="issued").count() == 2
    assert [(r.graduates, r.covered) for r in _cov(world, unit=world.school).rows] == [(1, 1)]


def test_r09_a_certificate_from_another_school_or_before_enrolment_covers(world: World) -> None:
    """The person holds it: where and when it was earned does not matter (docs/coverage.md)."""
    other_inst = file_institution(
        world.user("other_school"), world.user("hrss"), code="0009", number="豫焦人社评备〔2022〕9号"
    )
    (a,) = cf.people(world, 1)
    cf.publicise(world, other_inst, [a], actor=None)  # certified in 2023 by 温县's institution
    certification.certificate_issue_due(actor=None, institution=other_inst, on_date=cf.ISSUE_ON)
    _student(world, a, entry_year=2024, expected_graduation_year=2027)  # enrolled here afterwards
    coverage = selectors.coverage_for(world.user("school"), year=2027, unit=world.school)
    assert [(r.graduates, r.covered) for r in coverage.rows] == [(1, 1)]


def test_r09_students_who_left_are_not_graduates_enrolled_and_graduated_are(world: World) -> None:
    a, b, c = cf.people(world, 3)
    _student(world, a, status="graduated")
    _student(world, b, status="enrolled")
    _student(world, c, status="left")
    assert _row(_cov(world, unit=world.county), world.school.name).graduates == 2
    listed = selectors.students_without_certificate(world.user("county"), year=YEAR)
    assert set(listed.values_list("person", flat=True)) == {a.pk, b.pk}


def test_r09_other_cohorts_do_not_count(world: World) -> None:
    a, b = cf.people(world, 2)
    _student(world, a)
    _student(world, b, entry_year=YEAR - 2, expected_graduation_year=YEAR + 1)
    assert _cov(world).total.graduates == 1


def test_r09_a_school_without_graduates_has_a_row_without_a_share(world: World) -> None:
    (a,) = cf.people(world, 1)
    _student(world, a)
    coverage = _cov(world, unit=world.county)
    empty = _row(coverage, world.sibling_school.name)
    assert (empty.graduates, empty.covered, empty.share) == (0, 0, None)
    city = _cov(world)
    assert _row(city, world.other_county.name).share is None
    assert city.total.graduates == 1


def test_r09_each_school_counts_its_own_record_of_a_person_enrolled_in_two(world: World) -> None:
    """Coverage is per student record: both schools graduate the person; one certificate covers both."""
    inst = cf.institution(world)
    a, b = cf.people(world, 2)
    _student(world, a)
    _student(world, a, school=world.sibling_school, stage="junior_college", major="会计")
    _student(world, b, school=world.sibling_school)
    cf.issued(world, inst, [a])
    county = _cov(world, unit=world.county)
    assert (_row(county, world.school.name).graduates, _row(county, world.school.name).covered) == (1, 1)
    assert (_row(county, world.sibling_school.name).graduates, _row(county, world.sibling_school.name).covered) == (
        2,
        1,
    )
    assert (county.total.graduates, county.total.covered) == (3, 2)


def test_r09_stage_filter_and_majors_of_a_school(world: World) -> None:
    inst = cf.institution(world)
    a, b, c = cf.people(world, 3)
    _student(world, a, major="数控技术应用")
    _student(world, b, major="电子商务")
    _student(world, c, major="会计", stage="junior_college")
    cf.issued(world, inst, [b])
    coverage = _cov(world, unit=world.school)
    assert {(r.major, r.stage, r.graduates, r.covered) for r in coverage.rows} == {
        ("数控技术应用", "secondary", 1, 0),
        ("电子商务", "secondary", 1, 1),
        ("会计", "junior_college", 1, 0),
    }
    assert coverage.rows[0].share == Decimal("0.0")  # lowest share first: the gaps on top
    only = _cov(world, unit=world.school, stage="junior_college")
    assert [(r.major, r.graduates) for r in only.rows] == [("会计", 1)]


def test_r09_scope_county_sees_its_schools_school_its_own(world: World) -> None:
    a, b = cf.people(world, 2)
    _student(world, a)
    _student(world, b, school=world.other_school)
    county = _cov(world, "county", unit=world.county)
    assert county.total.graduates == 1
    assert {r.label for r in county.rows} == {world.school.name, world.sibling_school.name}
    city = _cov(world)
    assert city.total.graduates == 2
    other = selectors.coverage_for(world.user("other_school"), year=YEAR, unit=world.other_school)
    assert other.total.graduates == 1
    assert selectors.students_without_certificate(world.user("other_school"), year=YEAR).count() == 1
    with pytest.raises(DomainError):  # 403: roles without Perm.VIEW_PEOPLE see no coverage
        selectors.graduating_students(world.user("examiner"), year=YEAR)


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.user(who))
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("city", 200), ("county", 200), ("school", 200), ("other_school", 404), ("other_county", 404)],
)
def test_r09_drilling_into_a_school_follows_the_scope(world: World, who: str, status: int) -> None:
    (a,) = cf.people(world, 1)
    _student(world, a)
    response = _client(world, who).get(reverse("coverage:unit", args=[world.school.pk]), {"year": YEAR})
    assert response.status_code == status


@pytest.mark.parametrize("who", ["learner", "examiner", "expert", "hrss"])
def test_r09_roles_without_the_people_registry_get_403(world: World, who: str) -> None:
    for name in ("coverage:overview", "coverage:students_without"):
        assert _client(world, who).get(reverse(name), {"year": YEAR}).status_code == 403


def test_r09_a_year_without_records_is_a_clear_error_not_a_500(world: World) -> None:
    (a,) = cf.people(world, 1)
    _student(world, a)
    response = _client(world, "city").get(reverse("coverage:overview"), {"year": "1999"})
    assert response.status_code == 400
    assert "没有 1999 届毕业生的记录" in response.content.decode()


def test_r09_the_list_matches_the_counts_at_every_level(world: World) -> None:
    inst = cf.institution(world)
    persons = cf.people(world, 9)
    majors = ["数控技术应用", "电子商务", "会计"]
    for i, p in enumerate(persons):
        _student(world, p, school=world.school if i < 6 else world.sibling_school, major=majors[i % 3])
    cf.issued(world, inst, persons[::2])
    user = world.user("city")
    city = _cov(world)
    assert city.total.without == selectors.students_without_certificate(user, year=YEAR).count() == 4
    for row in _cov(world, unit=world.county).rows:
        assert row.unit_id is not None
        listed = selectors.students_without_certificate(user, year=YEAR, school=row.unit_id)
        assert row.without == listed.count()
        for major_row in _cov(world, unit=OrgUnit.objects.get(pk=row.unit_id)).rows:
            assert major_row.without == listed.filter(major=major_row.major, stage=major_row.stage).count()
    # and the page's list, through its filters and its export
    client = _client(world, "county")
    page = client.get(reverse("coverage:students_without"), {"year": YEAR, "school": world.school.pk})
    assert "共 3 条" in page.content.decode()
    export = client.get(reverse("coverage:students_without"), {"year": str(YEAR), "export": "xlsx"})
    assert export.status_code == 200
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content))).get_sheet_by_index(0)  # type: ignore[attr-defined]
    data = rows.to_python()
    assert len(data) == 1 + 4
    assert data[0][:2] == ["姓名", "身份证号"]
    assert all("*" in str(r[1]) for r in data[1:])  # masked, as elsewhere


def test_r09_the_list_without_a_year_shows_the_default_cohort(world: World) -> None:
    (a,) = cf.people(world, 1)
    _student(world, a)
    _student(world, cf.people(world, 1, start=2)[0], entry_year=2040, expected_graduation_year=2043)
    response = _client(world, "school").get(reverse("coverage:students_without"))
    assert response.status_code == 200
    # the persona learner's cohort (2025) is the latest not after this year; 2043 is in the future
    assert '<option value="2025" selected>' in response.content.decode()
    assert "共 1 条" in response.content.decode()


def test_r09_the_table_is_a_few_queries_whatever_the_number_of_students(
    world: World, django_assert_max_num_queries: object
) -> None:
    inst = cf.institution(world)
    persons = cf.people(world, 60)
    for i, p in enumerate(persons):
        _student(world, p, school=world.school if i % 2 else world.sibling_school, major=f"专业{i % 7}")
    cf.issued(world, inst, persons[::3])
    client = _client(world, "county")
    for url in (reverse("coverage:overview"), reverse("coverage:unit", args=[world.school.pk])):
        with django_assert_max_num_queries(12):  # type: ignore[operator]
            assert client.get(url, {"year": YEAR}).status_code == 200


def test_r09_home_dashboard_card_for_city_and_county_admins_only(world: World) -> None:
    inst = cf.institution(world)
    a, b = cf.people(world, 2)
    _student(world, a, entry_year=2022, expected_graduation_year=2025)
    _student(world, b, school=world.sibling_school, entry_year=2022, expected_graduation_year=2025)
    cf.issued(world, inst, [a])
    county = _client(world, "county").get(reverse("home")).content.decode()
    assert 'id="r9-coverage"' in county
    # the persona learner's record, a and b: three graduates of 2025 in 解放区, one covered
    assert 'data-stat="coverage_share">33.3%<' in county
    assert 'id="r9-coverage"' in _client(world, "city").get(reverse("home")).content.decode()
    for who in ("school", "learner", "examiner"):
        assert 'id="r9-coverage"' not in _client(world, who).get(reverse("home")).content.decode()


def test_r09_a_1x_certificate_does_not_cover_r11(world: World) -> None:
    """1+X certificates are their own records (pathways.XCertificate), never skill certificates (R11)."""
    from chizheng.pathways.models import XCertificate

    (a,) = cf.people(world, 1)
    _student(world, a)
    XCertificate.objects.create(
        person=a,
        school=world.school,
        county=world.county,
        organisation="某培训评价组织",
        name="Web 前端开发",
        level="senior",
        number="X-0001",
        issued_on=dt.date(2024, 1, 10),
    )
    assert _row(_cov(world, unit=world.county), world.school.name).covered == 0
    assert selectors.students_without_certificate(world.user("school"), year=YEAR).count() == 1
