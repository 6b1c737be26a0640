"""Writing spreadsheets: list exports, import templates and error workbooks (xlsxwriter)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of an import template: header, help text, drop-down choices, width."""

    header: str
    required: bool = False
    help: str = ""
    choices: Sequence[str] = field(default_factory=tuple)
    width: int = 16
    text: bool = False  # format the column as text (ID numbers, codes)


def write_rows(
    target: str | IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "Sheet1"
) -> int:
    """Stream rows into an .xlsx (constant memory). Returns the number of data rows."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, min(40, len(header) * 2 + 4)))
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(count, col, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return count


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """An .xlsx download written through a temporary file, so memory stays flat."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_rows(tmp, headers, rows)
    tmp.seek(0)
    return attachment(tmp, filename)


def attachment(stream: IO[bytes], filename: str, content_type: str = XLSX_MIME) -> FileResponse:
    response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def write_template(target: str | IO[bytes], columns: Sequence[TemplateColumn], sheet_name: str = "导入") -> None:
    """An import template: headers, a help row as comments, drop-downs for choice columns."""
    book = xlsxwriter.Workbook(target)
    sheet = book.add_worksheet(sheet_name)
    lists = book.add_worksheet("选项")
    lists.hide()
    head_required = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    head_optional = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.header, head_required if column.required else head_optional)
        sheet.set_column(col, col, column.width, text if column.text else None)
        note = ("必填。" if column.required else "选填。") + column.help
        sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        if column.choices:
            for row, choice in enumerate(column.choices):
                lists.write_string(row, col, choice)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            ref = f"=选项!${letter}$1:${letter}${len(column.choices)}"
            sheet.data_validation(
                1,
                col,
                100000,
                col,
                {
                    "validate": "list",
                    "source": ref,
                    "error_title": column.header,
                    "error_message": "请从下拉列表中选择。",
                },
            )
    sheet.freeze_panes(1, 0)
    book.close()
