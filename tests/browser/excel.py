"""Excel round trips as a school does them in the browser: download a template, fill it by header, upload it
and wait for the import job to finish."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl


def fill_template(template: Path, target: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    """Fill the downloaded template the way a school would: by header, under the header row."""
    book = openpyxl.load_workbook(template)
    sheet = book["导入"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(row=r, column=headers[header], value=value)
    book.save(target)
    return target


def download_template(tab, kind: str, tmp_path: Path) -> Path:
    """Click the page's template link for `kind` and keep the file."""
    with tab.page.expect_download() as info:
        tab.page.locator(f'a[href$="/template/{kind}/"]').first.click()
    path = tmp_path / f"{kind}.xlsx"
    info.value.save_as(path)
    return path


def upload_import(tab, kind: str, path: Path) -> None:
    """Upload `path` as an import of `kind` and wait until the job page stops polling."""
    page = tab.page
    tab.go(f"/core/imports/upload/?kind={kind}")
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/core/imports/*/")
    page.wait_for_function("!document.querySelector('#import-job[hx-get]')")
