"""Photo ZIP import: `<18-digit ID number>.jpg` files (≤ 40 KB JPEG) attached to registered persons.

All or nothing: every entry is checked (name, size, JPEG bytes, person registered
and within the uploader's scope, no ID twice) before any photo is stored; a photo
identical to the one a person already has counts as unchanged. Replacing a photo
writes a per-person audit event; first photos are covered by the import's one
IMPORT event (see chizheng.core.imports).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from chizheng.core.errors import DomainError, ImportRejected
from chizheng.core.imports import (
    Column,
    ImportKind,
    ImportResult,
    Progress,
    RowErrors,
    audit_import,
    audit_updates,
    register,
    run_import,
)
from chizheng.core.models import ImportJob
from chizheng.core.permissions import Perm

from . import rules
from .models import Person

KIND = "photos"
MAX_PHOTO_BYTES = 40 * 1024
_NAME = re.compile(r"^(.+)\.jpe?g$", re.IGNORECASE)
_COLUMNS = [Column("file", "文件名"), Column("id_number", "身份证号"), Column("photo", "照片")]


def import_photos(
    *, actor: Any, path: Path, progress: Progress | None = None, job: ImportJob | None = None
) -> ImportResult:
    """Attach the photos of a ZIP to persons. Row (entry) errors are returned and nothing is stored."""
    return run_import(kind=KIND, actor=actor, path=Path(path), job=job, progress=progress)


def check_photo(data: bytes) -> None:
    """A JPEG (magic bytes, and Pillow agrees) of at most 40 KB."""
    if len(data) > MAX_PHOTO_BYTES:
        raise DomainError(
            "photo_too_large", f"照片 {len(data) / 1024:.1f} KB，超过 40 KB 上限，请压缩后重新打包。", field="photo"
        )
    if not data.startswith(b"\xff\xd8\xff"):
        raise DomainError("photo_not_jpeg", "不是 JPG 图片（文件内容不是 JPEG 格式）。", field="photo")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise DomainError("photo_not_jpeg", "JPG 图片已损坏，无法读取。", field="photo") from None
    if fmt != "JPEG":
        raise DomainError("photo_not_jpeg", "不是 JPG 图片。", field="photo")


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [
                info
                for info in zf.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not Path(info.filename).name.startswith(".")
            ]
    except (zipfile.BadZipFile, OSError):
        raise ImportRejected("文件不是 ZIP 压缩包，请把照片打包成 .zip 后上传。", code="not_a_zip") from None
    if not infos:
        raise ImportRejected("压缩包里没有照片。", code="empty_file")
    return infos


def _run(*, actor: Any, path: Path, job: ImportJob | None, progress: Progress) -> ImportResult:
    infos = _entries(path)
    errors = RowErrors(_COLUMNS)
    total = len(infos)
    valid: dict[str, tuple[int, str, bytes]] = {}  # id number → (entry number, file name, bytes)
    seen: dict[str, int] = {}
    with zipfile.ZipFile(path) as zf:
        for number, info in enumerate(infos, start=1):
            name = Path(info.filename).name
            if number % 200 == 0:
                progress(number, total)
            match = _NAME.match(name)
            if not match:
                errors.add(number, "file", "文件名应为“18 位身份证号.jpg”，如 410802200603150011.jpg。", name)
                continue
            try:
                info_id = rules.parse_id_number(match.group(1))
            except DomainError as err:
                errors.add(number, "file", f"文件名中的{err.message}", name)
                continue
            first = seen.get(info_id.number)
            if first is not None:
                errors.add(number, "file", f"与第 {first} 个文件是同一人的照片。", name)
                continue
            seen[info_id.number] = number
            if info.file_size > MAX_PHOTO_BYTES:
                errors.add(number, "photo", f"照片 {info.file_size / 1024:.1f} KB，超过 40 KB 上限。", name)
                continue
            with zf.open(info) as fh:
                data = fh.read(MAX_PHOTO_BYTES + 1)  # never trust the declared size
            try:
                check_photo(data)
            except DomainError as err:
                errors.add(number, "photo", err.message, name)
                continue
            valid[info_id.number] = (number, name, data)
    progress(total, total)
    numbers = list(valid)
    in_scope = {
        p.id_number: p
        for start in range(0, len(numbers), 5000)
        for p in Person.objects.restrict(actor).filter(id_number__in=numbers[start : start + 5000])
    }
    registered = set(
        Person.objects.filter(id_number__in=[n for n in numbers if n not in in_scope]).values_list(
            "id_number", flat=True
        )
    )
    for id_number, (number, name, _) in valid.items():
        if id_number not in in_scope:
            reason = (
                "该人员不在您的管理范围内。" if id_number in registered else "人员库中没有此身份证号，请先导入名册。"
            )
            errors.add(number, "id_number", reason, name)
    result = ImportResult(total=total, job=job)
    if errors:
        result.errors = errors.errors
        return result
    _store(actor, job, valid, in_scope, result)
    return result


def _store(
    actor: Any,
    job: ImportJob | None,
    valid: dict[str, tuple[int, str, bytes]],
    persons: dict[str, Person],
    result: ImportResult,
) -> None:
    """Save the new photos and point the persons at them, in one transaction; undo the files on failure."""
    saved: list[str] = []
    updates: list[tuple[str, Any, str, int | None, dict[str, Any], dict[str, Any]]] = []
    changed: list[Person] = []
    now = timezone.now()
    try:
        with transaction.atomic():
            for id_number, (_number, _name, data) in valid.items():
                person = persons[id_number]
                old = person.photo.name or ""
                if old and _same_file(old, data):
                    result.unchanged += 1
                    continue
                stored = default_storage.save(f"photos/{id_number}.jpg", ContentFile(data))
                saved.append(stored)
                person.photo.name = stored
                person.updated_at = now
                changed.append(person)
                if old:
                    result.updated += 1
                    updates.append(
                        ("people.Person", person.pk, person.name, person.school_id, {"photo": old}, {"photo": stored})
                    )
                else:
                    result.created += 1
            Person.objects.bulk_update(changed, ["photo", "updated_at"], batch_size=500)
            audit_updates(actor, updates)
            if result.created or result.updated:
                audit_import(actor, job, result, "导入照片")
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def _same_file(name: str, data: bytes) -> bool:
    try:
        with default_storage.open(name, "rb") as fh:
            return hashlib.sha256(fh.read()).digest() == hashlib.sha256(data).digest()
    except OSError:
        return False


register(
    ImportKind(
        key=KIND,
        label="人员照片（ZIP）",
        perm=Perm.IMPORT_PEOPLE,
        run=_run,
        is_zip=True,
        accept=".zip",
    )
)
