"""Photo ZIP import: `<ID number>.jpg`, ≤ 40 KB JPEG, registered persons within scope, all or nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from chizheng.core.choices import AuditAction, ImportStatus
from chizheng.core.errors import ImportRejected
from chizheng.core.models import AuditEvent
from chizheng.core.testing import make_id_number
from chizheng.people.models import Person
from chizheng.people.photos import MAX_PHOTO_BYTES, import_photos


def jpeg(color: str = "red", size: tuple[int, int] = (60, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "PNG")
    return out.getvalue()


def big_jpeg() -> bytes:
    import random

    rng = random.Random(1)
    image = Image.frombytes("RGB", (200, 200), bytes(rng.randrange(256) for _ in range(200 * 200 * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    data = out.getvalue()
    assert len(data) > MAX_PHOTO_BYTES
    return data


def make_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def people(world):
    """Two more students of `school`, and one of `other_school`."""
    import datetime as dt

    made = {}
    for key, seq, unit in (("a", 11, world.school), ("b", 12, world.school), ("far", 13, world.other_school)):
        number = make_id_number(birth="20070505", seq=seq)
        made[key] = Person.objects.create(
            id_number=number, name=key, sex="M", birth_date=dt.date(2007, 5, 5), school=unit, county=unit.county
        )
    return made


def test_photos_are_attached_to_persons(world, people, tmp_path):
    path = make_zip(
        tmp_path / "p.zip", {f"{people['a'].id_number}.jpg": jpeg(), f"照片/{people['b'].id_number}.JPG": jpeg("green")}
    )
    result = import_photos(actor=world.user("school"), path=path)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    people["a"].refresh_from_db()
    with people["a"].photo.open("rb") as fh:
        assert fh.read() == jpeg()
    assert result.job is not None
    assert result.job.status == ImportStatus.DONE
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_reimporting_the_same_zip_changes_nothing_and_a_new_photo_is_an_audited_update(world, people, tmp_path):
    first = make_zip(tmp_path / "p.zip", {f"{people['a'].id_number}.jpg": jpeg()})
    import_photos(actor=world.user("school"), path=first)
    again = import_photos(actor=world.user("school"), path=first)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    old_name = Person.objects.get(pk=people["a"].pk).photo.name
    second = make_zip(tmp_path / "q.zip", {f"{people['a'].id_number}.jpg": jpeg("yellow")})
    result = import_photos(actor=world.user("school"), path=second)
    assert result.updated == 1
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="people.Person")
    assert event.before == {"photo": old_name}
    assert event.after is not None
    assert event.after["photo"] != old_name


def test_every_bad_entry_is_reported_and_nothing_is_stored(world, people, tmp_path):
    unknown = make_id_number(birth="19990101", seq=7)
    bad_check = people["b"].id_number[:17] + ("0" if people["b"].id_number[17] != "0" else "1")
    files = {
        f"{people['a'].id_number}.jpg": jpeg(),  # fine on its own
        "张三.jpg": jpeg(),  # name is not an ID number
        f"{bad_check}.jpg": jpeg(),  # wrong check digit
        f"{people['b'].id_number}.jpg": big_jpeg(),  # > 40 KB
        f"{unknown}.jpg": jpeg(),  # not in the registry
        f"{people['far'].id_number}.jpg": jpeg(),  # outside the school's scope
        f"{make_id_number(birth='20070505', seq=21)}.jpg": png(),  # a PNG named .jpg
        f"{make_id_number(birth='20070505', seq=22)}.png": png(),  # not .jpg
    }
    result = import_photos(actor=world.user("school"), path=make_zip(tmp_path / "p.zip", files))
    reasons = {e.row: (e.column, e.message) for e in result.errors}
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8}
    assert reasons[2][0] == "文件名"
    assert "校验位" in reasons[3][1]
    assert "40 KB" in reasons[4][1]
    assert "人员库中没有" in reasons[5][1]
    assert "管理范围" in reasons[6][1]
    assert "JPG" in reasons[7][1]
    assert reasons[8][0] == "文件名"
    assert not Person.objects.exclude(photo="").exists()
    assert not default_storage.exists("photos")


def test_the_same_person_twice_in_a_zip_is_refused(world, people, tmp_path):
    files = {f"{people['a'].id_number}.jpg": jpeg(), f"dup/{people['a'].id_number}.jpg": jpeg("green")}
    result = import_photos(actor=world.user("school"), path=make_zip(tmp_path / "p.zip", files))
    assert [(e.row, "第 1 个" in e.message) for e in result.errors] == [(2, True)]


def test_a_file_that_is_not_a_zip_is_refused(world, tmp_path):
    path = tmp_path / "p.zip"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ImportRejected) as info:
        import_photos(actor=world.user("school"), path=path)
    assert info.value.code == "not_a_zip"


def test_an_empty_zip_is_refused(world, tmp_path):
    with pytest.raises(ImportRejected) as info:
        import_photos(actor=world.user("school"), path=make_zip(tmp_path / "p.zip", {}))
    assert info.value.code == "empty_file"


def test_the_upload_page_takes_a_photo_zip(world, people, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    data = make_zip(tmp_path / "p.zip", {f"{people['a'].id_number}.jpg": jpeg()}).read_bytes()
    client = login(world.user("school"))
    response = client.post(
        reverse("core:import_upload"), {"kind": "photos", "file": SimpleUploadedFile("p.zip", data)}, follow=True
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=people["a"].pk).photo
