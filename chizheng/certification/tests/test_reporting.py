"""R10: every certificate is reported to the national and Henan query systems (export files, receipts, status)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from chizheng.core.errors import DomainError, NotFound
from chizheng.core.excel import write_rows
from chizheng.core.models import AuditEvent
from chizheng.core.testing import World
from chizheng.institutions.tests.factories import file_institution
from chizheng.people.models import Person

from .. import reporting, services
from ..models import Certificate
from ..report_imports import import_receipt
from ..report_models import ReportBatch, ReportItem
from . import factories as f

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------------------


def _other_school_certs(world: World, n: int) -> list[Certificate]:
    """Issued certificates of 温县职业中专 (another county), by its own institution."""
    inst = file_institution(world.user("other_school"), world.user("hrss"), code="0002", number="备案-0002")
    persons = Person.objects.bulk_create(
        Person(
            id_number=f._id(5000 + i),
            name=f"温县学员{i}",
            sex="F",
            birth_date=dt.date(2005, 1, 1),
            school=world.other_school,
            county=world.other_county,
        )
        for i in range(n)
    )
    f.publicise(world, inst, persons, actor=world.user("other_school"))
    return services.certificate_issue_due(actor=world.user("other_school"), institution=inst, on_date=f.ISSUE_ON)


def _own(world: World, n: int, start: int = 1) -> list[Certificate]:
    return f.issued(world, f.institution(world) if start == 1 else _inst(world), f.people(world, n, start=start))


def _inst(world: World) -> Any:
    from chizheng.institutions.models import EvaluationInstitution

    return EvaluationInstitution.objects.get(code="0001")


def _receipt(tmp_path: Path, rows: list[dict[str, Any]], name: str = "回执.xlsx") -> Path:
    headers = ["证书编号", "上报结果", "回执编号", "失败原因", "批次号", "操作类型", "回执日期"]
    path = tmp_path / name
    write_rows(str(path), headers, ([row.get(h, "") for h in headers] for row in rows))
    return path


def _ok(cert: Certificate, receipt: str = "", **extra: Any) -> dict[str, Any]:
    return {"证书编号": cert.number, "上报结果": "成功", "回执编号": receipt or f"R-{cert.pk}", **extra}


def _fail(cert: Certificate, reason: str = "身份证号与姓名不符", **extra: Any) -> dict[str, Any]:
    return {"证书编号": cert.number, "上报结果": "失败", "失败原因": reason, **extra}


def _sheet(batch: ReportBatch) -> list[list[Any]]:
    with batch.file.open("rb") as fh:
        book = openpyxl.load_workbook(io.BytesIO(fh.read()))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _status(cert: Certificate, system: str = "national") -> str:
    return str(getattr(Certificate.objects.get(pk=cert.pk), f"{system}_report_status"))


def _export(world: World, system: str = "national", who: str = "school", **kw: Any) -> ReportBatch:
    return reporting.report_batch_create(actor=world.user(who), system=system, **kw)


# --- export ----------------------------------------------------------------------------------------


def test_r10_only_issued_certificates_are_exported_and_marked_exported(world) -> None:
    inst = f.institution(world)
    issued = f.issued(world, inst, f.people(world, 3))
    publicised = f.publicise(world, inst, f.people(world, 2, start=50), level=5)
    never_reported = issued[2]
    services.certificate_revoke(
        actor=world.user("school"), certificate=never_reported, reason="舞弊", on_date=f.ISSUE_ON
    )

    batch = _export(world)

    assert batch.count == 2
    assert batch.revocations == 0
    items = list(ReportItem.objects.filter(batch=batch).order_by("row"))
    assert {i.certificate_id for i in items} == {issued[0].pk, issued[1].pk}
    assert [i.row for i in items] == [1, 2]
    assert all(i.operation == "add" and i.result == "pending" for i in items)
    assert _status(issued[0]) == "exported"
    assert _status(issued[1]) == "exported"
    assert _status(never_reported) == "pending"  # revoked before it was ever reported: nothing to tell
    assert all(_status(c) == "pending" for c in publicised)  # not numbered yet
    assert _status(issued[0], "henan") == "pending"  # the other system is untouched
    rows = _sheet(batch)
    assert rows[0] == reporting.SYSTEMS["national"].headers
    assert len(rows) == 3


def test_r10_the_national_and_henan_layouts_differ_and_carry_the_printed_fields(world) -> None:
    (cert,) = f.issued(world, f.institution(world), f.people(world, 1))
    national = dict(zip(*_sheet(_export(world, "national")), strict=True))
    henan = dict(zip(*_sheet(_export(world, "henan")), strict=True))
    assert reporting.SYSTEMS["national"].headers != reporting.SYSTEMS["henan"].headers
    assert national["证件号码"] == cert.holder_id_number == henan["身份证件号码"]  # the systems need it in full
    assert national["证件类型"] == "居民身份证"
    assert national["性别"] == "男"
    assert national["证书编号"] == cert.number == henan["证书编号"]
    assert national["职业编码"] == cert.occupation.code
    assert national["工种"] == "--"
    assert national["等级"] == "四级/中级工"
    assert henan["技能等级"] == "四级"
    assert henan["等级代码"] == 4
    assert national["发证日期"] == "2023-06-15"
    assert henan["发证日期"] == "20230615"
    assert national["评价机构代码"] == "0001" == henan["发证机构代码"]
    assert national["站点代码"] == "410802"
    assert national["取证途径"] == "考试考核"
    assert national["操作类型"] == "新增" == henan["操作类型"]


def test_r10_nothing_due_is_a_clear_error_and_no_empty_batch(world) -> None:
    f.institution(world)
    with pytest.raises(DomainError) as err:
        _export(world)
    assert err.value.code == "nothing_to_report"
    assert "全国系统" in err.value.message
    assert ReportBatch.objects.count() == 0


def test_r10_a_pending_certificate_is_in_one_batch_only_and_the_batch_downloads_again(world, client) -> None:
    certs = f.issued(world, f.institution(world), f.people(world, 2))
    batch = _export(world)
    with pytest.raises(DomainError):  # both await the receipt of the first batch
        _export(world)
    client.force_login(world.user("school"))
    again = client.get(reverse("certification:report_batch_download", args=[batch.pk]))
    assert again.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(again.streaming_content)))
    assert [r[10] for r in book.active.iter_rows(min_row=2, values_only=True)] == [c.number for c in certs]
    assert ReportBatch.objects.count() == 1
    assert AuditEvent.objects.filter(action="export", object_type="certification.ReportBatch").count() == 2


def test_r10_the_db_allows_one_row_awaiting_a_receipt_per_certificate_and_system(world) -> None:
    (cert,) = f.issued(world, f.institution(world), f.people(world, 1))
    batch = _export(world)
    other = ReportBatch.objects.create(system="national", count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportItem.objects.create(batch=other, certificate=cert, system="national", operation="add", row=1)
    ReportItem.objects.create(batch=other, certificate=cert, system="henan", operation="add", row=1)
    assert ReportItem.objects.filter(certificate=cert, result="pending").count() == 2
    assert batch.items.count() == 1


def test_r10_a_large_backlog_goes_out_in_batches_of_the_system_maximum(world, monkeypatch) -> None:
    f.issued(world, f.institution(world), f.people(world, 5))
    small = dataclasses.replace(reporting.SYSTEMS["national"], max_rows=3)
    monkeypatch.setitem(reporting.SYSTEMS, "national", small)
    first, second = _export(world), _export(world)
    assert (first.count, second.count) == (3, 2)
    with pytest.raises(DomainError):
        _export(world)


# --- receipts --------------------------------------------------------------------------------------


def test_r10_a_receipt_marks_successes_reported_and_failures_rejected_with_the_reason(world, tmp_path) -> None:
    a, b, c = f.issued(world, f.institution(world), f.people(world, 3))
    batch = _export(world)
    today = timezone.localdate()
    result = import_receipt(
        actor=world.user("school"),
        system="national",
        path=_receipt(tmp_path, [_ok(a, "QG-2026-1", 批次号=batch.code, 回执日期=f"{today:%Y-%m-%d}"), _fail(b)]),
    )
    assert result.ok, result.errors
    a.refresh_from_db()
    assert (a.national_report_status, a.national_reported_on, a.national_receipt) == ("accepted", today, "QG-2026-1")
    assert _status(b) == "rejected"
    assert Certificate.objects.get(pk=b.pk).national_receipt == "身份证号与姓名不符"  # the reason, shown with 被退回
    assert _status(c) == "exported"  # not in this receipt: still waiting
    batch.refresh_from_db()
    assert (batch.status, batch.accepted, batch.rejected, batch.pending) == ("partial", 1, 1, 1)
    item = ReportItem.objects.get(certificate=b)
    assert (item.result, item.reason) == ("rejected", "身份证号与姓名不符")
    assert AuditEvent.objects.filter(action="import", object_type="core.ImportJob").count() == 1
    assert AuditEvent.objects.filter(action="update", object_type="certification.Certificate").count() >= 2

    assert import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(c)])).ok
    batch.refresh_from_db()
    assert batch.status == "done"


def test_r10_reported_certificates_are_not_exported_again_failed_ones_are(world, tmp_path) -> None:
    a, b = f.issued(world, f.institution(world), f.people(world, 2))
    _export(world)
    import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a), _fail(b)]))
    again = _export(world)
    assert [i.certificate_id for i in again.items.all()] == [b.pk]
    assert _status(b) == "exported"
    assert import_receipt(
        actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(b)], "二次回执.xlsx")
    ).ok
    assert _status(b) == "accepted"
    with pytest.raises(DomainError):
        _export(world)
    # the history keeps both rows of b
    assert list(ReportItem.objects.filter(certificate=b).order_by("pk").values_list("result", flat=True)) == [
        "rejected",
        "accepted",
    ]


def test_r10_the_receipt_date_defaults_to_today_and_must_not_precede_the_export(world, tmp_path) -> None:
    a, _b = f.issued(world, f.institution(world), f.people(world, 2))
    _export(world)
    bad = import_receipt(
        actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a, 回执日期="2020-01-01")])
    )
    assert [(e.row, e.column) for e in bad.errors] == [(2, "回执日期")]
    assert "早于导出日期" in bad.errors[0].message
    assert import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a)])).ok
    assert Certificate.objects.get(pk=a.pk).national_reported_on == timezone.localdate()


def test_r10_receipt_rows_are_validated_and_nothing_is_written_on_any_error(world, tmp_path) -> None:
    a, b, c, d, e, g, h = f.issued(world, f.institution(world), f.people(world, 7))
    national = _export(world)
    never = f.issued(world, _inst(world), f.people(world, 1, start=90), level=5)[0]  # issued after the export
    henan = reporting.report_batch_create(actor=world.user("school"), system="henan")
    rows = [
        _ok(a),  # 2 fine
        {"证书编号": "Y000141999999231000999", "上报结果": "成功", "回执编号": "X"},  # 3 unknown number
        _ok(never, 批次号=""),  # 4 pending in Henan only: a receipt for the wrong system
        _ok(a),  # 5 duplicate of row 2
        {"证书编号": b.number, "上报结果": "成功"},  # 6 success without a receipt number
        {"证书编号": c.number, "上报结果": "失败"},  # 7 failure without a reason
        {"证书编号": d.number, "上报结果": "待定", "回执编号": "X"},  # 8 not 成功/失败
        _ok(e, 批次号=henan.code),  # 9 a Henan batch number in a national receipt
        _ok(g, 操作类型="撤销"),  # 10 not the operation exported
        _ok(h, 回执日期="2099-01-01"),  # 11 in the future
    ]
    result = import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, rows))
    got = {(err.row, err.column): err.message for err in result.errors}
    assert set(got) == {
        (3, "证书编号"),
        (4, "证书编号"),
        (5, "证书编号"),
        (6, "回执编号"),
        (7, "失败原因"),
        (8, "上报结果"),
        (9, "批次号"),
        (10, "操作类型"),
        (11, "回执日期"),
    }
    assert "管理范围内没有证书编号" in got[(3, "证书编号")]
    assert "河南系统" in got[(4, "证书编号")]
    assert "回执与系统不符" in got[(4, "证书编号")]
    assert "与第 2 行重复" in got[(5, "证书编号")]
    assert "不是全国系统的批次" in got[(9, "批次号")]
    # all or nothing: even the good row 2 was not written
    assert _status(a) == "exported"
    assert ReportItem.objects.filter(result="pending").count() == national.count + henan.count
    assert result.job is not None
    assert result.job.status == "failed"
    assert result.job.error_file


def test_r10_a_receipt_for_a_certificate_not_exported_or_already_reported_is_a_row_error(world, tmp_path) -> None:
    a, _b = f.issued(world, f.institution(world), f.people(world, 2))
    result = import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a)]))
    assert "请先导出" in result.errors[0].message
    _export(world)
    assert import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a)])).ok
    again = import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a)]))
    assert "已于" in again.errors[0].message
    assert "上报全国系统成功" in again.errors[0].message


# --- revocations -----------------------------------------------------------------------------------


def test_r10_a_reported_certificate_later_revoked_goes_out_as_a_revocation_row(world, tmp_path) -> None:
    a, b = f.issued(world, f.institution(world), f.people(world, 2))
    _export(world)
    import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a), _ok(b)]))
    services.certificate_revoke(
        actor=world.user("school"), certificate=a, reason="考核舞弊", on_date=dt.date(2024, 1, 5)
    )
    new_b = services.certificate_reissue(actor=world.user("school"), certificate=b, reason="证书遗失补办")

    batch = _export(world)
    items = {i.certificate_id: i for i in batch.items.all()}
    assert (batch.count, batch.revocations) == (3, 2)
    assert items[a.pk].operation == items[b.pk].operation == "revoke"
    assert items[new_b.pk].operation == "add"
    table = [dict(zip(_sheet(batch)[0], row, strict=True)) for row in _sheet(batch)[1:]]
    by_number = {row["证书编号"]: row for row in table}
    assert by_number[a.number]["操作类型"] == "撤销"
    assert by_number[a.number]["撤销原因"] == "考核舞弊"
    assert by_number[a.number]["撤销日期"] == "2024-01-05"
    assert by_number[b.number]["撤销原因"] == f"换发，新证书编号 {new_b.number}"
    assert _status(a) == "accepted"  # the system still holds it until the revocation is answered

    receipt = [_ok(a, 操作类型="撤销"), _fail(b, "原证书不存在"), _ok(new_b)]
    assert import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, receipt)).ok
    assert ReportItem.objects.get(batch=batch, certificate=a).result == "accepted"
    # a failed revocation goes out again; a reported one does not
    retry = _export(world)
    assert [(i.certificate_id, i.operation) for i in retry.items.all()] == [(b.pk, "revoke")]
    # the Henan system never held them: nothing to revoke there, only the new certificate to add
    henan = _export(world, "henan")
    assert {(i.certificate_id, i.operation) for i in henan.items.all()} == {(new_b.pk, "add")}


# --- scope and the two systems ---------------------------------------------------------------------


def test_r10_a_school_exports_only_its_certificates_county_its_county_city_everything(world, tmp_path) -> None:
    own = f.issued(world, f.institution(world), f.people(world, 2))
    theirs = _other_school_certs(world, 3)

    school_batch = _export(world, "national", "school")
    assert school_batch.count == 2
    assert school_batch.school == world.school
    county_batch = _export(world, "henan", "county")
    assert county_batch.count == 2
    assert county_batch.county == world.county
    assert county_batch.school is None
    city_batch = _export(world, "henan", "city")
    assert {i.certificate_id for i in city_batch.items.all()} == {c.pk for c in theirs}
    assert city_batch.school is None
    assert city_batch.county is None

    # receipts only for certificates in scope
    result = import_receipt(actor=world.user("other_school"), system="national", path=_receipt(tmp_path, [_ok(own[0])]))
    assert "管理范围内没有证书编号" in result.errors[0].message
    # batches are seen within scope; out of scope is 404
    with pytest.raises(NotFound):
        reporting.get_batch_for(world.user("other_school"), school_batch.pk)
    assert reporting.get_batch_for(world.user("county"), school_batch.pk) == school_batch
    with pytest.raises(NotFound):
        reporting.get_batch_for(world.user("county"), city_batch.pk)
    # a county admin may narrow to one of its schools, not to another county's
    with pytest.raises(NotFound):
        _export(world, "national", "county", school=world.other_school)
    with pytest.raises(DomainError):  # its own sibling school has nothing due
        _export(world, "national", "county", school=world.sibling_school)


def test_r10_only_roles_that_report_may_export(world) -> None:
    f.issued(world, f.institution(world), f.people(world, 1))
    for who in ("hrss", "learner", "examiner"):
        with pytest.raises(DomainError) as err:
            _export(world, "national", who)
        assert err.value.status == 403
    assert ReportBatch.objects.count() == 0


def test_r10_the_two_systems_are_independent(world, tmp_path) -> None:
    a, b = f.issued(world, f.institution(world), f.people(world, 2))
    _export(world, "national")
    import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a), _fail(b)]))
    assert (_status(a, "henan"), _status(b, "henan")) == ("pending", "pending")
    henan = _export(world, "henan")
    assert henan.count == 2
    result = import_receipt(actor=world.user("school"), system="henan", path=_receipt(tmp_path, [_ok(b)]))
    assert result.ok
    assert (_status(b), _status(b, "henan")) == ("rejected", "accepted")
    unreported = reporting.unreported_for(world.user("school"))
    assert set(unreported.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert list(reporting.unreported_for(world.user("school"), "national")) == [Certificate.objects.get(pk=b.pk)]
    assert list(reporting.unreported_for(world.user("school"), "henan")) == [Certificate.objects.get(pk=a.pk)]


def test_r10_due_counts_per_system(world, tmp_path) -> None:
    a, b, _c = f.issued(world, f.institution(world), f.people(world, 3))
    _export(world)
    import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(a), _fail(b)]))
    services.certificate_revoke(actor=world.user("school"), certificate=a, reason="舞弊", on_date=f.ISSUE_ON)
    counts = reporting.due_counts(world.user("school"))
    assert counts["national"] == {"new": 0, "failed": 1, "awaiting": 1, "revocations": 1}
    assert counts["henan"] == {"new": 2, "failed": 0, "awaiting": 0, "revocations": 0}
    assert reporting.due_counts(world.user("other_school"))["national"] == dict.fromkeys(counts["national"], 0)


# --- pages and API ---------------------------------------------------------------------------------


def test_r10_pages_export_a_batch_and_list_the_unreported_with_their_age(world, client, tmp_path) -> None:
    certs = f.issued(world, f.institution(world), f.people(world, 2))
    client.force_login(world.user("school"))
    page = client.get(reverse("certification:report_batch_list"))
    assert page.status_code == 200
    assert "待导出（新发）" in page.content.decode()
    response = client.post(reverse("certification:report_batch_create"), {"system": "national"})
    batch = ReportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:report_batch_detail", args=[batch.pk])
    detail = client.get(response["Location"]).content.decode()
    assert batch.code in detail
    assert certs[0].number in detail
    assert "待回执" in detail
    empty = client.post(reverse("certification:report_batch_create"), {"system": "national"})
    assert empty.status_code == 200
    assert "没有需要上报到全国系统的证书" in empty.content.decode()

    unreported = client.get(reverse("certification:report_unreported")).content.decode()
    age = (timezone.localdate() - f.ISSUE_ON).days
    assert certs[0].number in unreported
    assert f"<td>{age}</td>" in unreported
    assert "已导出待回执" in unreported
    export = client.get(reverse("certification:report_unreported") + "?system=henan&export=xlsx")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="未上报证书").exists()
    cert_page = client.get(reverse("certification:certificate_detail", args=[certs[0].pk])).content.decode()
    assert 'id="report-national" data-status="exported"' in cert_page
    assert batch.code in cert_page
    filtered = client.get(reverse("certification:certificate_list") + "?national=exported").content.decode()
    assert certs[0].number in filtered
    assert (
        certs[0].number
        not in client.get(reverse("certification:certificate_list") + "?national=accepted").content.decode()
    )


def test_r10_the_unreported_list_filters_by_system_school_and_county(world, client, tmp_path) -> None:
    (own,) = f.issued(world, f.institution(world), f.people(world, 1))
    (theirs,) = _other_school_certs(world, 1)
    _export(world, "national")
    import_receipt(actor=world.user("school"), system="national", path=_receipt(tmp_path, [_ok(own)]))
    client.force_login(world.user("city"))
    url = reverse("certification:report_unreported")

    def numbers(query: str) -> set[str]:
        text = client.get(url + query).content.decode()
        return {c.number for c in (own, theirs) if c.number and c.number in text}

    assert numbers("") == {own.number, theirs.number}
    assert numbers("?system=national") == {theirs.number}
    assert numbers("?system=henan") == {own.number, theirs.number}
    assert numbers(f"?school={world.school.pk}") == {own.number}
    assert numbers(f"?county={world.other_county.pk}") == {theirs.number}
    assert numbers("?national=pending") == {theirs.number}
    client.force_login(world.user("county"))
    assert numbers("") == {own.number}


def test_r10_the_unreported_list_runs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries) -> None:
    f.issued(world, f.institution(world), f.people(world, 30))
    client.force_login(world.user("school"))
    with django_assert_max_num_queries(7):  # 30 rows: no query per row
        assert client.get(reverse("certification:report_unreported")).status_code == 200


def test_r10_batch_pages_run_a_fixed_number_of_queries(world, client, django_assert_max_num_queries) -> None:
    inst = f.institution(world)
    for start in (1, 100, 200):
        f.issued(world, inst, f.people(world, 10, start=start), level=5 if start == 1 else 4 if start == 100 else 3)
        _export(world, "national")
    client.force_login(world.user("county"))
    with django_assert_max_num_queries(13):  # 8 of them count what is due per system
        assert client.get(reverse("certification:report_batch_list")).status_code == 200
    batch = ReportBatch.objects.first()
    assert batch is not None
    with django_assert_max_num_queries(6):  # 10 rows: no query per row
        assert client.get(reverse("certification:report_batch_detail", args=[batch.pk])).status_code == 200


def test_r10_api_batches_export_file_receipt_and_unreported(world, client, tmp_path) -> None:
    a, b = f.issued(world, f.institution(world), f.people(world, 2))
    client.force_login(world.user("school"))
    created = client.post("/api/v1/report-batches", {"system": "national"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["count"] == 2
    assert body["code"].startswith("QG")
    assert body["pending"] == 2
    assert client.get("/api/v1/report-batches").json()["count"] == 1
    assert client.get(f"/api/v1/report-batches/{body['id']}").json()["status"] == "exported"
    file = client.get(f"/api/v1/report-batches/{body['id']}/file")
    assert file.status_code == 200
    assert file["Content-Type"].startswith("application/vnd.openxml")
    nothing = client.post("/api/v1/report-batches", {"system": "national"}, content_type="application/json")
    assert nothing.status_code == 400
    assert nothing.json()["code"] == "nothing_to_report"
    wrong = client.post("/api/v1/report-batches", {"system": "beijing"}, content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "unknown_system"

    path = _receipt(tmp_path, [_ok(a), _fail(b)])
    with path.open("rb") as fh:
        job = client.post("/api/v1/report-receipts/national", {"file": fh})
    assert job.status_code == 201, job.content
    assert job.json()["status"] == "done", job.content
    listed = client.get("/api/v1/unreported-certificates?system=national").json()
    assert [item["number"] for item in listed["items"]] == [b.number]
    assert listed["items"][0]["national_report_status"] == "rejected"
    assert listed["items"][0]["age_days"] == (timezone.localdate() - f.ISSUE_ON).days
    client.force_login(world.user("other_school"))
    assert client.get(f"/api/v1/report-batches/{body['id']}").status_code == 404


# --- demo ------------------------------------------------------------------------------------------


def test_r10_demo_reports_old_months_leaves_the_last_weeks_unreported(world) -> None:
    from chizheng.demo.reporting import build_reporting

    inst = f.institution(world)
    old = f.issued(world, inst, f.people(world, 20))  # issued 2023-06-15
    f.publicise(world, inst, f.people(world, 3, start=40), level=5, on_date=dt.date(2023, 9, 1))
    recent = services.certificate_issue_due(actor=world.user("school"), institution=inst, on_date=dt.date(2023, 9, 20))
    f.publicise(world, inst, f.people(world, 2, start=60), level=3, on_date=dt.date(2023, 7, 20))
    waiting = services.certificate_issue_due(actor=world.user("school"), institution=inst, on_date=dt.date(2023, 8, 1))
    services.certificate_revoke(
        actor=world.user("school"), certificate=old[0], reason="舞弊", on_date=dt.date(2023, 7, 30)
    )

    counts = build_reporting(1, today=dt.date(2023, 10, 5))

    assert counts["report_batches"] == 4  # June and August per system, plus one revocation batch per system
    fresh = Certificate.objects.filter(pk__in=[c.pk for c in recent])
    assert set(fresh.values_list("national_report_status", "henan_report_status")) == {("pending", "pending")}
    pending = Certificate.objects.filter(pk__in=[c.pk for c in waiting])
    assert set(pending.values_list("national_report_status", flat=True)) == {"exported"}
    assert set(pending.values_list("henan_report_status", flat=True)) == {"pending"}  # Henan is slower
    june = Certificate.objects.filter(pk__in=[c.pk for c in old])
    assert set(june.values_list("national_report_status", flat=True)) <= {"accepted", "rejected"}
    assert june.filter(national_report_status="accepted").count() >= 15
    assert all(c.national_receipt for c in june)
    revoke = ReportItem.objects.get(certificate=old[0], system="national", operation="revoke")
    assert revoke.result == "accepted"
    # the demo's state is one the services accept: the next export takes exactly what is due
    batch = reporting.report_batch_create(actor=world.user("school"), system="national")
    due = set(june.filter(national_report_status="rejected").values_list("pk", flat=True)) | {c.pk for c in recent}
    assert {i.certificate_id for i in batch.items.all()} == due


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_r10_two_admins_exporting_at_once_put_each_certificate_in_one_batch(world) -> None:
    from .test_r08_concurrency import run_together

    certs = f.issued(world, f.institution(world), f.people(world, 30))
    results = run_together(
        lambda: reporting.report_batch_create(actor=world.user("school"), system="national"),
        lambda: reporting.report_batch_create(actor=world.user("county"), system="national"),
    )
    batches = [r for r in results if isinstance(r, ReportBatch)]
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(batches) == 1, results
    assert [e.code for e in errors] in (["report_conflict"], ["nothing_to_report"]), results
    assert ReportItem.objects.count() == 30
    assert set(ReportItem.objects.values_list("certificate_id", flat=True)) == {c.pk for c in certs}
    assert set(Certificate.objects.values_list("national_report_status", flat=True)) == {"exported"}
