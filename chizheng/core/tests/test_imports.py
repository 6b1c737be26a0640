"""The import framework: reading files, refusing bad ones, jobs, pages, background runs and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from chizheng.core import imports
from chizheng.core.choices import ImportStatus
from chizheng.core.errors import DomainError, ImportRejected
from chizheng.core.imports import Column, import_start, open_sheet
from chizheng.core.models import ImportJob
from chizheng.core.testing import make_id_number
from chizheng.people.models import Person

COLUMNS = [Column("name", "姓名", required=True), Column("id", "身份证号", required=True), Column("note", "备注")]
ROSTER_HEADER = "姓名,身份证号,专业,学段,入学年份,预计毕业年份"


def roster_csv(count: int, bad: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    lines = [ROSTER_HEADER]
    for i in range(1, count + 1):
        number = make_id_number(birth="20080202", seq=i)
        if i in bad:
            number = number[:17] + ("0" if number[17] != "0" else "1")
        lines.append(f"学生{i},{number},数控技术应用,中职,2024,2027")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


# --- reading files -----------------------------------------------------------------


def test_csv_rows_keep_the_row_numbers_the_spreadsheet_shows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,身份证号\n张三,1\n\n李四,2\n", encoding="utf-8-sig")
    sheet = open_sheet(path, COLUMNS)
    assert sheet.fmt == "csv"
    assert [(n, v) for n, v in sheet.rows()] == [(2, ["张三", "1", ""]), (4, ["李四", "2", ""])]
    assert sheet.pos("note") == 2  # an absent column reads the always-empty last cell
    assert not sheet.has("note")


def test_a_gbk_csv_is_decoded(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,身份证号\n张三,1\n".encode("gbk"))
    assert [v for _, v in open_sheet(path, COLUMNS).rows()] == [["张三", "1", ""]]


def test_xlsx_header_may_start_lower_and_carry_required_marks(tmp_path):
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(2, 0, ["姓名*", "身份证号（必填）", "备注"])
    sheet.write_row(3, 0, ["张三", "x", "y"])
    book.close()
    opened = open_sheet(path, COLUMNS)
    assert opened.header_row == 3
    assert list(opened.rows()) == [(4, ["张三", "x", "y", ""])]


def test_an_ods_file_is_read(tmp_path):
    path = tmp_path / "a.ods"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="导入">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>身份证号</text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>张三</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    sheet = open_sheet(path, COLUMNS)
    assert sheet.fmt == "ods"
    assert [v[:2] for _, v in sheet.rows()] == [["张三", "1"]]


def test_ods_formulas_are_refused(tmp_path):
    path = tmp_path / "f.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", '<table:table-cell table:formula="of:=1+1" office:value="2"/>')
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "formula_cells"


def test_a_cached_converter_raises_the_same_error_for_the_same_value():
    calls: list[str] = []

    def convert(value: str) -> str:
        calls.append(value)
        if value == "bad":
            raise DomainError("bad", "不对")
        return value.upper()

    cached = imports.memo(convert)
    assert cached("a") == "A"
    assert cached("a") == "A"
    for _ in range(3):
        with pytest.raises(DomainError, match="不对"):
            cached("bad")
    assert calls == ["a", "bad"]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,  # an image
        b"%PDF-1.4\x00\x01\x02 binary",  # a PDF
        b"PK\x03\x04 broken zip",  # a damaged zip
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, content):
    path = tmp_path / "a.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "not_a_spreadsheet"


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "not_a_spreadsheet"


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "empty_file"


def test_missing_required_columns_are_named(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,备注\n张三,x\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "missing_columns"
    assert "身份证号" in info.value.message


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path, settings):
    settings.CHIZHENG_MAX_SHEET_BYTES = 1024
    path = tmp_path / "big.csv"
    path.write_bytes(b"\x00" * 2048)  # would be "not a spreadsheet" if it were parsed
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "file_too_large"


def test_formula_cells_are_found_by_reference(tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号"])
    sheet.write_string(1, 0, "张三")
    sheet.write_formula(1, 1, '="4108"&"02"')
    sheet.write_formula(4, 0, "=1+1")
    sheet.data_validation(1, 0, 10, 0, {"validate": "list", "source": ["a", "b"]})  # <formula1>, not a formula cell
    book.close()
    assert imports.find_formulas(path) == ["B2", "A5"]
    with pytest.raises(ImportRejected) as info:
        open_sheet(path, COLUMNS)
    assert info.value.code == "formula_cells"
    assert "B2" in info.value.message


def test_a_template_with_drop_downs_has_no_formula_cells(tmp_path):
    from chizheng.core.excel import write_template

    path = tmp_path / "t.xlsx"
    write_template(str(path), [c.template() for c in COLUMNS] + [Column("x", "学段", choices=("中职",)).template()])
    assert imports.find_formulas(path) == []


# --- cell converters ---------------------------------------------------------------


def test_cell_converters():
    assert imports.cell_text(2022.0) == "2022"
    assert imports.cell_text(dt.datetime(2006, 3, 15)) == "2006-03-15"
    assert imports.cell_int("2024", field="y", label="年") == 2024
    assert imports.cell_int("", field="y", label="年") is None
    assert imports.cell_date("2006/3/15", field="d", label="日") == dt.date(2006, 3, 15)
    assert imports.cell_bool("是", field="b", label="b") is True
    assert imports.cell_bool("否", field="b", label="b") is False
    with pytest.raises(DomainError):
        imports.cell_int("20.5", field="y", label="年")
    with pytest.raises(DomainError):
        imports.cell_date("2006-02-30", field="d", label="日")
    with pytest.raises(DomainError):
        imports.cell_bool("maybe", field="b", label="b")


# --- starting imports from uploads -------------------------------------------------


def test_import_start_runs_a_small_file_now(world):
    upload = SimpleUploadedFile("名册.csv", roster_csv(3))
    job = import_start(actor=world.user("school"), kind="students", uploaded_file=upload)
    assert job.status == ImportStatus.DONE
    assert job.created_count == 3
    assert job.original_name == "名册.csv"


def test_import_start_refuses_a_50_mb_file_by_its_size(world):
    class Big:
        name = "big.xlsx"
        size = 50 * 1024 * 1024

        def seek(self, pos: int) -> None:  # pragma: no cover - never reached
            raise AssertionError("read before the size check")

    with pytest.raises(ImportRejected) as info:
        import_start(actor=world.user("school"), kind="students", uploaded_file=Big())
    assert info.value.code == "file_too_large"
    assert not ImportJob.objects.exists()


def test_an_unexpected_failure_marks_the_job_instead_of_raising(world, monkeypatch):
    from chizheng.people import imports as roster

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(roster, "_write", boom)
    job = import_start(
        actor=world.user("school"), kind="students", uploaded_file=SimpleUploadedFile("a.csv", roster_csv(2))
    )
    assert job.status == ImportStatus.ERROR
    assert "内部错误" in job.message
    assert not Person.objects.filter(name__startswith="学生").exists()


def test_a_large_file_runs_in_the_background_after_commit(world, settings, django_capture_on_commit_callbacks):
    settings.CHIZHENG_BACKGROUND_IMPORT_ROWS = 2
    upload = SimpleUploadedFile("big.csv", roster_csv(5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_start(actor=world.user("school"), kind="students", uploaded_file=upload)
    assert job.status == ImportStatus.PENDING
    assert job.total_rows == 5
    assert Person.objects.filter(name__startswith="学生").count() == 0
    for callback in callbacks:
        callback()  # the ImmediateBackend runs the task
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.processed_rows, job.total_rows) == (5, 5, 5)


def test_a_background_job_with_bad_rows_fails_and_keeps_its_errors(world, settings, django_capture_on_commit_callbacks):
    settings.CHIZHENG_BACKGROUND_IMPORT_ROWS = 2
    upload = SimpleUploadedFile("big.csv", roster_csv(5, bad={4}))
    with django_capture_on_commit_callbacks(execute=True):
        job = import_start(actor=world.user("school"), kind="students", uploaded_file=upload)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error_count == 1
    assert imports.first_errors(job)[0][:2] == ["5", "身份证号"]
    assert Person.objects.filter(name__startswith="学生").count() == 0


# --- pages -------------------------------------------------------------------------


def test_the_upload_page_imports_and_shows_the_job(world, login):
    client = login(world.user("school"))
    assert client.get(reverse("core:import_upload")).status_code == 200
    upload = SimpleUploadedFile("名册.csv", roster_csv(2))
    response = client.post(reverse("core:import_upload"), {"kind": "students", "file": upload}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("core:import_detail", args=[job.pk])
    assert "已导入" in response.content.decode()
    listing = client.get(reverse("core:import_list")).content.decode()
    assert "名册.csv" in listing


def test_the_job_page_lists_errors_and_offers_the_error_workbook(world, login):
    client = login(world.user("school"))
    upload = SimpleUploadedFile("名册.csv", roster_csv(3, bad={2}))
    client.post(reverse("core:import_upload"), {"kind": "students", "file": upload})
    job = ImportJob.objects.get()
    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert "校验位" in page
    assert reverse("core:import_errors", args=[job.pk]) in page
    response = client.get(reverse("core:import_errors", args=[job.pk]))
    assert response.status_code == 200
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[1][:2] == [3, "身份证号"]


def test_a_refused_file_is_shown_on_the_upload_form(world, login):
    client = login(world.user("school"))
    upload = SimpleUploadedFile("photo.xlsx", b"\x89PNG\r\n\x1a\nnot a sheet")
    response = client.post(reverse("core:import_upload"), {"kind": "students", "file": upload}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "电子表格" in job.message
    assert job.message in response.content.decode()


def test_an_empty_upload_is_refused_on_the_form(world, login):
    client = login(world.user("school"))
    upload = SimpleUploadedFile("empty.csv", b"")
    response = client.post(reverse("core:import_upload"), {"kind": "students", "file": upload})
    assert response.status_code == 200
    assert "空" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_progress_partial_polls_only_while_running(world, login):
    client = login(world.user("school"))
    job = ImportJob.objects.create(
        kind="students",
        created_by=world.user("school"),
        org_unit=world.school,
        original_name="x.csv",
        status=ImportStatus.RUNNING,
        total_rows=10000,
        processed_rows=4000,
    )
    partial = client.get(reverse("core:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert "4000 / 10000" in partial
    job.status = ImportStatus.DONE
    job.save()
    partial = client.get(reverse("core:import_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial


def test_jobs_are_scoped(world, login):
    job = ImportJob.objects.create(
        kind="students", created_by=world.user("other_school"), org_unit=world.other_school, original_name="x.csv"
    )
    assert login(world.user("school")).get(reverse("core:import_detail", args=[job.pk])).status_code == 404
    assert login(world.user("county")).get(reverse("core:import_detail", args=[job.pk])).status_code == 404
    assert login(world.user("other_county")).get(reverse("core:import_detail", args=[job.pk])).status_code == 200
    assert login(world.user("city")).get(reverse("core:import_detail", args=[job.pk])).status_code == 200
    assert login(world.user("learner")).get(reverse("core:import_detail", args=[job.pk])).status_code == 403


def test_the_roster_template_has_drop_downs_within_scope(world, login):
    response = login(world.user("county")).get(reverse("core:import_template", args=["students"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["导入"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["姓名", "身份证号"]
    sources = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert len(sources) >= 4  # 性别, 院校代码, 学段, 优秀学生, 学籍状态
    options = [c.value for c in book["选项"][get_letter(headers.index("院校代码"))] if c.value]
    assert options == [
        f"{world.school.code} {world.school.name}",
        f"{world.sibling_school.code} {world.sibling_school.name}",
    ]
    stages = [c.value for c in book["选项"][get_letter(headers.index("学段"))] if c.value]
    assert stages == ["中职", "专科", "本科"]


def get_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def test_the_occupation_template_is_for_city_admins_only(world, login):
    assert login(world.user("school")).get(reverse("core:import_template", args=["occupations"])).status_code == 403
    assert login(world.user("city")).get(reverse("core:import_template", args=["occupations"])).status_code == 200
    assert login(world.user("city")).get(reverse("core:import_template", args=["nothing"])).status_code == 404


def test_import_pages_refuse_roles_without_an_import_permission(world, login):
    client = login(world.user("expert"))  # (examiners import score sheets: exam_scores)
    assert client.get(reverse("core:import_list")).status_code == 403
    assert client.get(reverse("core:import_upload")).status_code == 403


# --- the CLI -----------------------------------------------------------------------


def test_the_cli_imports_a_roster(world, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(roster_csv(4))
    call_command("import", "students", str(path), "--as", "school", "--no-progress")
    assert "新增 4" in capsys.readouterr().out
    assert Person.objects.filter(name__startswith="学生", school=world.school).count() == 4


def test_the_cli_reports_row_errors_and_writes_nothing(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(roster_csv(4, bad={3}))
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import", "students", str(path), "--school", world.school.code, "--no-progress")
    assert not Person.objects.filter(name__startswith="学生").exists()


def test_the_cli_refuses_a_bad_file(world, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(CommandError, match="电子表格"):
        call_command("import", "students", str(path), "--as", "school", "--no-progress")
    with pytest.raises(CommandError, match="不存在"):
        call_command("import", "students", str(Path(tmp_path / "missing.csv")), "--no-progress")
