"""Imports through the API: upload a roster, read the job's status, counts and row errors."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chizheng.core import services
from chizheng.core.choices import ImportStatus
from chizheng.core.models import ImportJob
from chizheng.core.testing import make_id_number
from chizheng.people.models import Student

pytestmark = pytest.mark.django_db

API = "/api/v1"
HEADER = ["姓名", "身份证号", "学号", "专业", "学段", "入学年份", "预计毕业年份", "学籍状态"]


def roster(*rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("名册.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


def student(seq, **over):
    values = {
        "姓名": f"学生{seq}",
        "身份证号": make_id_number(birth="20070101", seq=seq),
        "学号": f"2024{seq:04d}",
        "专业": "数控技术应用",
        "学段": "中职",
        "入学年份": 2024,
        "预计毕业年份": 2027,
        "学籍状态": "在读",
    }
    values.update(over)
    return [values[h] for h in HEADER]


@pytest.fixture
def api(world):
    def _api(persona):
        user = world.user(persona)
        _, raw = services.token_create(actor=user, user=user, name="imports")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return _api


def test_upload_a_roster_and_read_the_job(world, api):
    client = api("school")
    response = client.post(f"{API}/imports/students", {"file": roster(student(1), student(2))})
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["created_count"], job["error_count"], job["errors"]) == ("done", 2, 0, [])
    assert job["percent"] == 100
    assert Student.objects.filter(school=world.school).count() == 3
    assert client.get(f"{API}/imports/{job['id']}").json()["created_count"] == 2
    listing = client.get(f"{API}/imports?kind=students").json()
    assert [j["id"] for j in listing["items"]] == [job["id"]]


def test_row_errors_name_row_and_column_and_nothing_is_written(world, api):
    response = api("school").post(
        f"{API}/imports/students", {"file": roster(student(1), student(2, 身份证号="410802200701010000"))}
    )
    job = response.json()
    assert job["status"] == "failed"
    assert job["error_count"] >= 1
    assert job["has_error_file"] is True
    first = job["errors"][0]
    assert first["row"] == 3
    assert first["column"] == "身份证号"
    assert first["message"]
    assert Student.objects.count() == 1  # only the persona's own record


def test_a_file_refused_as_a_whole_is_a_400_in_the_error_shape(world, api):
    empty = SimpleUploadedFile("empty.xlsx", b"", content_type="application/octet-stream")
    response = api("school").post(f"{API}/imports/students", {"file": empty})
    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"
    response = api("school").post(f"{API}/imports/no-such-kind", {"file": roster(student(1))})
    assert response.status_code == 400
    assert response.json()["code"] == "import_kind"


def test_a_missing_file_is_422(world, api):
    response = api("school").post(f"{API}/imports/students")
    assert response.status_code == 422
    assert response.json()["extra"]["errors"][0]["field"] == "file"


def test_a_large_file_goes_to_the_background_with_202(world, api, settings):
    settings.CHIZHENG_BACKGROUND_IMPORT_ROWS = 1
    response = api("school").post(f"{API}/imports/students", {"file": roster(student(1), student(2))})
    assert response.status_code == 202
    assert response.json()["status"] == ImportStatus.PENDING


def test_imports_are_scoped_and_need_the_permission(world, api):
    job = api("school").post(f"{API}/imports/students", {"file": roster(student(1))}).json()
    assert api("county").get(f"{API}/imports/{job['id']}").status_code == 200
    assert api("other_school").get(f"{API}/imports/{job['id']}").status_code == 404
    assert api("learner").get(f"{API}/imports/{job['id']}").status_code == 403
    # the examiner runs score imports, so import jobs are open to them, but not a roster job: 404
    assert api("examiner").get(f"{API}/imports/{job['id']}").status_code == 404
    assert api("other_school").get(f"{API}/imports").json()["count"] == 0
    assert api("examiner").post(f"{API}/imports/students", {"file": roster(student(2))}).status_code == 403
    assert ImportJob.objects.count() == 1


def test_the_error_workbook_downloads(world, api):
    from python_calamine import CalamineWorkbook

    client = api("school")
    job = client.post(f"{API}/imports/students", {"file": roster(student(1, 学段="幼儿园"))}).json()
    response = client.get(f"{API}/imports/{job['id']}/errors")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    header, first = rows.to_python()[:2]
    assert header[:3] == ["行号", "列", "错误原因"]
    assert (str(first[0]).removesuffix(".0"), first[1]) == ("2", "学段")
    ok = client.post(f"{API}/imports/students", {"file": roster(student(2))}).json()
    assert client.get(f"{API}/imports/{ok['id']}/errors").json()["code"] == "not_found"
