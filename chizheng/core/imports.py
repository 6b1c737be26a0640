"""The Excel import framework: read a sheet, validate every row, write all or nothing.

An import kind (student roster, occupation list, photo ZIP) lives in its app's
`imports.py` and registers an `ImportKind` here. The framework gives it:

- `open_sheet(path, columns)`: size limit before parsing, format sniffed from the
  bytes (.xlsx/.xls/.ods through python-calamine, .csv through the csv module in
  UTF-8 or GBK), formula cells refused with their cell reference, the header mapped
  to column keys, and rows streamed as `(row number as the spreadsheet shows it,
  values)`;
- cell converters that raise `DomainError`, turned into `RowError`s that name the
  row, the column header, the reason and the value;
- `run_import(...)`: the ImportJob lifecycle (running → done / failed), progress
  written to the job row, and the error workbook.

Row errors are returned, never raised: a kind validates every row first, and when
any row is wrong it writes nothing. A problem with the file as a whole (not a
spreadsheet, empty, too big, missing columns, formulas) raises `ImportRejected`.

Auditing choice: a row that *updates* an existing record gets its own audit event
with only the changed fields before/after (so the history of that record is
complete); rows that *create* records are covered by one `AuditAction.IMPORT` event
on the ImportJob carrying the counts, the file name and its SHA-256, and the job
keeps the uploaded file, so the created rows can always be traced to the exact
file. One event per created row would double the write volume of a 100k-row
import for no extra information.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from . import audit
from .choices import AuditAction, ImportStatus
from .errors import DomainError, ImportRejected, RowError
from .excel import TemplateColumn, write_rows
from .models import AuditEvent, ImportJob
from .permissions import Perm, require

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# How often (in rows) the job row's progress is written.
PROGRESS_EVERY = 2000
# How many errors the job page lists; the workbook has them all.
ERRORS_SHOWN = 50


@dataclass
class ImportResult:
    """What an import did: counts, the row errors (nothing written if any) and its job."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    job: ImportJob | None = None
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    """One column of an import sheet: key used by the code, the Chinese header, and help for the template."""

    key: str
    header: str
    required: bool = False
    help: str = ""
    choices: Sequence[str] = ()
    text: bool = False
    width: int = 16
    aliases: Sequence[str] = ()

    def template(self, choices: Sequence[str] | None = None) -> TemplateColumn:
        return TemplateColumn(
            header=self.header,
            required=self.required,
            help=self.help,
            choices=tuple(choices if choices is not None else self.choices),
            width=self.width,
            text=self.text,
        )


@dataclass(frozen=True)
class ImportKind:
    """A registered kind of import: who may run it, its template and its runner."""

    key: str
    label: str
    perm: Perm
    run: Callable[..., ImportResult]
    template: Callable[[Any], Sequence[TemplateColumn]] | None = None
    is_zip: bool = False
    accept: str = ".xlsx,.xls,.ods,.csv"

    @property
    def has_template(self) -> bool:
        # Templates test `has_template`: Django would *call* `template` and get an error.
        return self.template is not None


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.key] = kind
    return kind


_discovered = False


def kinds() -> dict[str, ImportKind]:
    """All import kinds (each app's `imports` module registers its own)."""
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("imports")
        _discovered = True
    return _KINDS


def get_kind(key: str) -> ImportKind:
    try:
        return kinds()[key]
    except KeyError:
        raise DomainError("import_kind", f"未知的导入类型“{key}”。") from None


# ---------------------------------------------------------------------------
# Reading sheets

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA = (b"<f>", b"<f ", b":f>", b":f ")  # <f> with or without a namespace prefix
_ODS_FORMULA = (b"table:formula=",)
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_A_SHEET = "文件不是可识别的电子表格，请上传 .xlsx、.xls、.ods 或 .csv 文件（可先下载模板）。"


def check_size(size: int, limit: int | None = None) -> None:
    """Refuse a file by its size, before anything parses it."""
    limit = limit or settings.CHIZHENG_MAX_SHEET_BYTES
    if size > limit:
        raise ImportRejected(
            f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 {limit / 1024 / 1024:.0f} MB，请拆分后分批导入。",
            code="file_too_large",
        )


def sniff_format(path: Path) -> str:
    """'xlsx', 'ods', 'xls' or 'csv' from the file's first bytes (the extension may lie)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            raise ImportRejected(_NOT_A_SHEET, code="not_a_spreadsheet") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names:
            return "ods"
        raise ImportRejected(_NOT_A_SHEET, code="not_a_spreadsheet")
    if head.startswith(_OLE_MAGIC):
        return "xls"
    return "csv"


def _first_sheet_member(zf: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet (the one imports read)."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        first = book.find("m:sheets/m:sheet", ns)
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        rid = first.get(f"{{{ns['r']}}}id") if first is not None else None
        for rel in rels.findall("p:Relationship", ns):
            if rel.get("Id") == rid:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    except (KeyError, ElementTree.ParseError):
        pass
    return "xl/worksheets/sheet1.xml"


def find_formulas(path: Path, limit: int = 5) -> list[str]:
    """Cell references of formula cells in an .xlsx's first sheet (or .ods), at most `limit`.

    A cheap byte search over the sheet XML first; only when it hits is the XML parsed
    to name the cells.
    """
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "content.xml" in names and "xl/workbook.xml" not in names:
            with zf.open("content.xml") as fh:
                return ["（ODS 公式单元格）"] if _scan(fh, _ODS_FORMULA) else []
        member = _first_sheet_member(zf)
        if member not in names:
            return []
        with zf.open(member) as fh:
            if not _scan(fh, _FORMULA):
                return []
        refs: list[str] = []
        with zf.open(member) as fh:
            for _event, elem in ElementTree.iterparse(fh):
                if elem.tag.endswith("}c") or elem.tag == "c":
                    if any(child.tag.endswith("}f") or child.tag == "f" for child in elem):
                        refs.append(elem.get("r", "?"))
                        if len(refs) >= limit:
                            break
                    elem.clear()
        return refs


def _scan(fh: IO[bytes], needles: Sequence[bytes]) -> bool:
    """Whether any needle occurs in the stream (plain byte search, chunk borders covered)."""
    tail = b""
    while chunk := fh.read(1 << 20):
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = chunk[-16:]
    return False


def _header_key(text: Any) -> str:
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", str(text or ""))


@dataclass
class Sheet:
    """An opened sheet: its columns mapped to keys, its data rows streamed."""

    path: Path
    fmt: str
    header_row: int
    headers: list[str]
    index: dict[str, int]
    total: int
    _rows: Iterator[tuple[int, list[Any]]]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(spreadsheet row number, cell values) of each non-empty data row.

        Every row has exactly one cell per header plus a final "" that `pos()` of an
        absent column points at, so callers index without bounds checks.
        """
        width = len(self.headers)
        for number, values in self._rows:
            if any(values) or any(v is not None and v != "" for v in values):
                row = values[:width]
                row.extend([""] * (width + 1 - len(row)))
                yield number, row

    def pos(self, key: str) -> int:
        """The index of a column in `rows()` values (the always-empty last cell when absent)."""
        return self.index.get(key, len(self.headers))

    def getter(self, key: str) -> Callable[[list[Any]], Any]:
        """An accessor for one column of `rows()` values ('' when the column is absent)."""
        pos = self.pos(key)
        return lambda values: values[pos]

    def has(self, key: str) -> bool:
        return key in self.index


def open_sheet(path: Path, columns: Sequence[Column]) -> Sheet:
    """Open a spreadsheet, check it as a file and map its header row to `columns`."""
    path = Path(path)
    check_size(path.stat().st_size)
    fmt = sniff_format(path)
    if fmt in ("xlsx", "ods"):
        try:
            formulas = find_formulas(path)
        except (zipfile.BadZipFile, ElementTree.ParseError):
            raise ImportRejected(_NOT_A_SHEET, code="not_a_spreadsheet") from None
        if formulas:
            raise ImportRejected(
                f"表格含有公式（单元格 {'、'.join(formulas)}），请把公式复制后“选择性粘贴为数值”再上传。",
                code="formula_cells",
            )
    if fmt == "csv":
        rows, total = _csv_rows(path)
    else:
        rows, total = _calamine_rows(path)
    header_row, header = _find_header(rows, columns)
    index: dict[str, int] = {}
    positions = {_header_key(h): i for i, h in enumerate(header) if _header_key(h)}
    for column in columns:
        for name in (column.header, *column.aliases):
            if _header_key(name) in positions:
                index[column.key] = positions[_header_key(name)]
                break
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        raise ImportRejected(
            f"表头缺少必填列：{'、'.join(missing)}。请使用下载的模板，表头须在第一行。",
            code="missing_columns",
        )
    sheet = Sheet(path, fmt, header_row, [str(h) for h in header], index, max(0, total - header_row), rows)
    return sheet


def _find_header(rows: Iterator[tuple[int, list[Any]]], columns: Sequence[Column]) -> tuple[int, list[Any]]:
    """The first non-empty row is the header."""
    for number, values in rows:
        if any(str(v).strip() for v in values if v is not None):
            return number, values
    raise ImportRejected("文件是空的：没有表头，也没有数据行。", code="empty_file")


def _calamine_rows(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            raise ImportRejected("文件中没有工作表。", code="empty_file")
        sheet = book.get_sheet_by_index(0)
        end = getattr(sheet, "end", None)
        total = end[0] + 1 if end else sheet.height  # rows from the sheet's first row to its last
        rows = sheet.iter_rows()
    except ImportRejected:
        raise
    except Exception:  # calamine raises its own error types for every kind of damage
        raise ImportRejected(_NOT_A_SHEET, code="not_a_spreadsheet") from None
    return ((i, list(values)) for i, values in enumerate(rows, start=1)), int(total)


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the bytes decode as such, else GBK (Chinese Excel's CSV)."""
    for encoding in ("utf-8-sig", "gbk"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    if _BINARY.search(chunk):  # control bytes never occur inside UTF-8 or GBK text
                        raise ImportRejected(_NOT_A_SHEET, code="not_a_spreadsheet")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise ImportRejected(_NOT_A_SHEET + "（CSV 须为 UTF-8 或 GBK 编码）", code="not_a_spreadsheet")


def _csv_rows(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    encoding = _csv_encoding(path)
    with path.open("rb") as fh:
        total = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    with path.open("rb") as fh:
        if fh.seek(0, io.SEEK_END):
            fh.seek(-1, io.SEEK_END)
            total += fh.read(1) != b"\n"

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh)
            try:
                for values in reader:
                    yield reader.line_num, values
            except csv.Error as err:
                raise ImportRejected(f"CSV 第 {reader.line_num} 行无法解析：{err}", code="not_a_spreadsheet") from None

    return rows(), total


def estimate_rows(path: Path) -> int:
    """Data rows of a sheet, cheaply (for deciding whether to run in the background)."""
    path = Path(path)
    try:
        fmt = sniff_format(path)
    except ImportRejected:
        return 0
    if fmt == "csv":
        with path.open("rb") as fh:
            return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)
    if fmt == "xlsx":
        try:
            with zipfile.ZipFile(path) as zf, zf.open(_first_sheet_member(zf)) as fh:
                head = fh.read(4096)
            match = re.search(rb'<dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"', head)
            if match:
                return max(0, int(match.group(2) or match.group(1)) - 1)
        except (KeyError, zipfile.BadZipFile):
            return 0
    try:
        _rows, total = _calamine_rows(path)
    except ImportRejected:
        return 0
    return max(0, total - 1)


# ---------------------------------------------------------------------------
# Cell converters: plain values in, a value or a DomainError out.


def cell_text(value: Any) -> str:
    """A cell as trimmed text; integral floats lose their '.0' (Excel stores 2022 as 2022.0)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_int(value: Any, *, field: str, label: str) -> int | None:
    if isinstance(value, bool):
        raise DomainError("not_an_integer", f"{label}应为整数。", field=field)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise DomainError("not_an_integer", f"{label}“{value}”应为整数。", field=field)
        return int(value)
    text = cell_text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        raise DomainError("not_an_integer", f"{label}“{text}”应为整数。", field=field)
    return int(text)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def cell_date(value: Any, *, field: str, label: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise DomainError("date_format", f"{label}“{cell_text(value)}”不是日期，请写成 2006-03-15。", field=field)
    text = cell_text(value)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError("date_format", f"{label}“{text}”不是有效日期，请写成 2006-03-15。", field=field)


_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "×", "✗"}


def cell_bool(value: Any, *, field: str, label: str) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise DomainError("yes_no", f"{label}应填“是”或“否”，而不是“{cell_text(value)}”。", field=field)


def choice_map(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Labels (and values) of a TextChoices → value, for `cell_choice`."""
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[str(label)] = str(value)
        mapping[str(value)] = str(value)
    return mapping


def cell_choice(value: Any, mapping: dict[str, str], *, field: str, label: str) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        return mapping[text]
    except KeyError:
        allowed = "、".join(k for k in mapping if not re.fullmatch(r"[a-z_]+", k))
        raise DomainError("choice", f"{label}“{text}”不在可选范围内（{allowed}）。", field=field) from None


def memo(convert: Callable[[Any], Any], size: int = 10000) -> Callable[[Any], Any]:
    """Cache a cell converter by raw value (columns like 学段 or 入学年份 repeat a handful of values).

    A DomainError is cached too and raised again for the same value.
    """
    cache: dict[Any, Any] = {}

    def convert_cached(value: Any) -> Any:
        key = (value.__class__, value)  # 1, 1.0 and True are equal keys otherwise
        try:
            hit = cache[key]
        except KeyError:
            try:
                hit = convert(value)
            except DomainError as err:
                hit = err
            if len(cache) < size:
                cache[key] = hit
        except TypeError:  # unhashable: convert directly
            return convert(value)
        if isinstance(hit, DomainError):
            raise hit.with_traceback(None)  # re-raised many times: keep its traceback from growing
        return hit

    return convert_cached


class RowErrors:
    """Collects row errors; maps a DomainError's field to the column header."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.errors: list[RowError] = []
        self._headers = {c.key: c.header for c in columns}

    def __len__(self) -> int:
        return len(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add(self, row: int, key: str, message: str, value: Any = "") -> None:
        self.errors.append(RowError(row, self._headers.get(key, key), message, _shown(value)))

    def domain(self, row: int, err: DomainError, default_key: str, value: Any = "") -> None:
        key = err.field if err.field in self._headers else default_key
        self.add(row, key, err.message, value)


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.6g}" if abs(value) >= 1e15 else str(int(value))
    return cell_text(value)[:200]


def sorted_errors(errors: Iterable[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row, e.column))


# ---------------------------------------------------------------------------
# Jobs


def validated(count: int, job: ImportJob | None, errors: RowErrors, progress: Progress) -> ImportResult:
    """The end of a kind's validation pass: refuses a file without data rows, reports the pass as done and
    returns the result carrying every row error; the kind writes only when `result.ok`."""
    if count == 0:
        raise ImportRejected("文件中没有数据行（只有表头或为空）。", code="empty_file")
    progress(count, count)
    return ImportResult(total=count, job=job, errors=errors.errors)


def file_sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        digest.update(chunk)
    fh.seek(0)
    return digest.hexdigest()


def job_create(*, actor: Any, kind: str, fh: IO[bytes], name: str) -> ImportJob:
    """A pending ImportJob that keeps the uploaded file and its SHA-256."""
    sha = file_sha256(fh)
    job = ImportJob(
        kind=kind,
        created_by=actor,
        org_unit_id=getattr(actor, "org_unit_id", None),
        original_name=Path(name).name[:255],
        sha256=sha,
    )
    job.file.save(Path(name).name or "upload", File(fh), save=False)
    job.save()
    return job


def job_progress(job: ImportJob, done: int, total: int) -> None:
    """Write progress to the job row in its own short statement (visible to other connections)."""
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total)
    job.processed_rows, job.total_rows = done, total


def progress_writer(job: ImportJob | None, progress: Progress | None, every: int = PROGRESS_EVERY) -> Progress:
    """A progress callback that also writes the job row every `every` rows.

    Kinds report progress while they validate, before they open their write
    transaction, so each update commits on its own and the job page sees it (on
    SQLite the write transaction holds the database lock; it comes last and is short).
    """
    last = [-every]

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if job is not None and (done - last[0] >= every or done >= total):
            last[0] = done
            job_progress(job, done, total)

    return report


def write_error_workbook(job: ImportJob, errors: Sequence[RowError]) -> None:
    """Save the errors as an .xlsx on the job (row, column, reason, value)."""
    with tempfile.TemporaryFile() as tmp:
        write_rows(
            tmp,
            ["行号", "列", "错误原因", "填写的值"],
            ([e.row, e.column, e.message, e.value] for e in sorted_errors(errors)),
            sheet_name="错误清单",
        )
        tmp.seek(0)
        stem = Path(job.original_name).stem or "import"
        job.error_file.save(f"{stem}-错误清单.xlsx", File(tmp), save=False)


def run_import(
    *,
    kind: str,
    actor: Any,
    path: Path | None = None,
    job: ImportJob | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> ImportResult:
    """Run an import of `kind` on a file (creating its job) or on an existing job.

    Returns the result (row errors included, in which case nothing was written);
    raises ImportRejected when the file as a whole is refused (the job is marked failed).
    """
    spec = get_kind(kind)
    require(actor, spec.perm)
    if job is None:
        if path is None:
            raise ValueError("run_import needs a path or a job")
        check_size(Path(path).stat().st_size, settings.CHIZHENG_MAX_ZIP_BYTES if spec.is_zip else None)
        with Path(path).open("rb") as fh:
            job = job_create(actor=actor, kind=kind, fh=fh, name=Path(path).name)
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        with _local_copy(job, path) as local:
            result = spec.run(actor=actor, path=local, job=job, progress=progress_writer(job, progress), **options)
    except ImportRejected as err:
        job_finish(job, status=ImportStatus.FAILED, message=err.message, errors=err.errors)
        raise
    except DomainError as err:
        job_finish(job, status=ImportStatus.FAILED, message=err.message)
        raise ImportRejected(err.message, code=err.code) from err
    except Exception:
        job_finish(job, status=ImportStatus.ERROR, message="导入时发生内部错误，请联系管理员（未写入任何数据）。")
        raise
    result.job = job
    if result.errors:
        job_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"校验发现 {len(result.errors)} 处错误，未导入任何数据。请下载错误清单，改正后重新上传。",
            errors=result.errors,
            total=result.total,
        )
    else:
        job_finish(job, status=ImportStatus.DONE, result=result)
    return result


class _local_copy:
    """The job's file as a local path (the storage may be remote)."""

    def __init__(self, job: ImportJob, path: Path | None) -> None:
        self.job, self.path = job, path
        self._tmp: Any = None

    def __enter__(self) -> Path:
        try:
            return Path(self.job.file.path)
        except NotImplementedError:
            pass
        if self.path is not None:
            return Path(self.path)
        suffix = Path(self.job.file.name or "").suffix
        self._tmp = tempfile.NamedTemporaryFile(suffix=suffix)
        with self.job.file.open("rb") as src:
            shutil.copyfileobj(src, self._tmp)
        self._tmp.flush()
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.close()


def job_finish(
    job: ImportJob,
    *,
    status: str,
    message: str = "",
    errors: Sequence[RowError] = (),
    result: ImportResult | None = None,
    total: int | None = None,
) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.message = message[:500]
    job.error_count = len(errors)
    if result is not None:
        job.created_count, job.updated_count, job.unchanged_count = result.created, result.updated, result.unchanged
        job.total_rows = job.processed_rows = result.total
    elif total is not None:
        job.total_rows = total
    if errors:
        write_error_workbook(job, errors)
    job.save()


def first_errors(job: ImportJob, limit: int = ERRORS_SHOWN) -> list[list[Any]]:
    """The first rows of a job's error workbook, for the job page."""
    if not job.error_file:
        return []
    import python_calamine

    with job.error_file.open("rb") as fh:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    rows = book.get_sheet_by_index(0).to_python(nrows=limit + 1)
    return [[cell_text(v) for v in row] for row in rows[1:]]


# ---------------------------------------------------------------------------
# Audit helpers for bulk writes


def audit_updates(
    actor: Any, events: Iterable[tuple[str, Any, str, int | None, dict[str, Any], dict[str, Any]]]
) -> int:
    """Bulk-write per-row UPDATE audit events: (object_type, object_id, repr, org_unit_id, before, after)."""
    ctx = audit.current_context()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    batch: list[AuditEvent] = []
    count = 0
    now = timezone.now()
    for object_type, object_id, text, org_unit_id, before, after in events:
        batch.append(
            AuditEvent(
                at=now,
                actor=actor if is_user else None,
                actor_name=actor.username if is_user else "",
                ip=ctx.ip,
                channel=ctx.channel,
                request_id=ctx.request_id,
                action=AuditAction.UPDATE,
                object_type=object_type,
                object_id=str(object_id),
                object_repr=text[:200],
                org_unit_id=org_unit_id,
                before=before,
                after=after,
                note="批量导入",
            )
        )
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
        count += len(batch)
    return count


def audit_import(actor: Any, job: ImportJob | None, result: ImportResult, label: str) -> None:
    """The one IMPORT event of an import: counts, file name and SHA-256 (covers the created rows)."""
    summary = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "file": job.original_name if job else "",
        "sha256": job.sha256 if job else "",
        "job": job.pk if job else None,
    }
    audit.record(
        actor,
        AuditAction.IMPORT,
        job,
        object_type="core.ImportJob",
        object_id=job.pk if job else "",
        object_repr=f"{label}：{job.original_name if job else ''}",
        after=summary,
        note=f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}",
        org_unit_id=job.org_unit_id if job else getattr(actor, "org_unit_id", None),
    )


# ---------------------------------------------------------------------------
# Starting an import from an upload (the web page and the API call this)


def import_start(*, actor: Any, kind: str, uploaded_file: Any) -> ImportJob:
    """Accept an uploaded file: keep it on a new ImportJob, then run it now or in the background.

    Small files are imported in the request; files with more than
    settings.CHIZHENG_BACKGROUND_IMPORT_ROWS rows are queued for the worker
    (`core.tasks.run_import_job`) once this transaction commits. A file refused as a
    whole (too big, not a spreadsheet, ...) raises ImportRejected; when it is refused
    after the job exists, the job is kept, marked failed, with the reason.
    """
    spec = get_kind(kind)
    require(actor, spec.perm)
    name = Path(getattr(uploaded_file, "name", "") or "upload").name
    size = getattr(uploaded_file, "size", None)
    limit = settings.CHIZHENG_MAX_ZIP_BYTES if spec.is_zip else settings.CHIZHENG_MAX_SHEET_BYTES
    if size is not None:
        check_size(int(size), limit)
    if not size:
        raise ImportRejected("上传的文件是空的。", code="empty_file")
    uploaded_file.seek(0)
    job = job_create(actor=actor, kind=kind, fh=uploaded_file, name=name)
    rows = count_entries(Path(job.file.path)) if spec.is_zip else estimate_rows(Path(job.file.path))
    job.total_rows = rows
    job.save(update_fields=["total_rows"])
    if rows > settings.CHIZHENG_BACKGROUND_IMPORT_ROWS:
        from .tasks import run_import_job

        job.message = "文件较大，已转入后台处理。"
        job.save(update_fields=["message"])
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
        return job
    try:
        run_import(kind=kind, actor=actor, job=job)
    except ImportRejected:
        pass  # the job is marked failed and carries the message
    except Exception:  # the job is marked as an internal error; the uploader sees its page, not a 500
        logger.exception("import job %s failed", job.pk)
    job.refresh_from_db()
    return job


def count_entries(path: Path) -> int:
    """Files in a ZIP (0 when it is not one)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(1 for info in zf.infolist() if not info.is_dir())
    except (zipfile.BadZipFile, OSError):
        return 0
