"""List pages: filters, search, pagination and Excel export from one description.

A view builds a `ListPage` from a scoped queryset and renders `core/list.html`; the
same description answers `?export=xlsx` with every filtered row (streamed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from . import audit
from .choices import AuditAction
from .excel import xlsx_response

# Above this many rows an unfiltered PostgreSQL list shows the planner's estimate: an exact
# COUNT(*) over millions of rows costs more than the rest of the page together.
ESTIMATE_ABOVE = 200_000


class EstimatingPaginator(Paginator):
    """Exact counts, except for an unfiltered PostgreSQL table too large to count quickly."""

    estimated = False

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where and not qs.query.distinct:
            conn = connections[qs.db]
            if conn.vendor == "postgresql":
                with conn.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [qs.model._meta.db_table]
                    )
                    row = cursor.fetchone()
                if row and row[0] and row[0] > ESTIMATE_ABOVE:
                    self.estimated = True
                    return int(row[0])
        return super().count


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Filter:
    """A drop-down filter: query parameter `name` → `lookup` = chosen value."""

    name: str
    label: str
    lookup: str
    choices: Sequence[tuple[Any, Any]]


@dataclass
class ListPage:
    title: str
    queryset: QuerySet[Any]
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    search_fields: Sequence[str] = ()
    search_placeholder: str = "搜索"
    per_page: int = 50
    export_name: str | None = None
    breadcrumbs: Sequence[tuple[str, str]] = ()
    actions: Sequence[tuple[str, str]] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # Columns that replace masked ones when a user allowed to (Perm.VIEW_FULL_ID) asks for `full=1`.
    full_columns: dict[str, Column] = field(default_factory=dict)
    allow_full: bool = False

    def filtered(self, request: HttpRequest) -> QuerySet[Any]:
        qs = self.queryset
        for flt in self.filters:
            value = request.GET.get(flt.name, "")
            if value and value in {str(v) for v, _ in flt.choices}:
                qs = qs.filter(**{flt.lookup: value})
        term = request.GET.get("q", "").strip()
        if term and self.search_fields:
            query = Q()
            for name in self.search_fields:
                query |= Q(**{name: term})
            qs = qs.filter(query)
        return qs

    def rows(self, objects: Any) -> Iterator[list[tuple[Any, str | None]]]:
        for obj in objects:
            yield [(col.value(obj), col.link(obj) if col.link else None) for col in self.columns]

    def export(self, request: HttpRequest) -> HttpResponseBase:
        """Every filtered row as .xlsx; each export is audit-logged (full ID numbers flagged)."""
        full = self.allow_full and request.GET.get("full") == "1"
        columns = [self.full_columns.get(col.label, col) if full else col for col in self.columns]
        qs = self.filtered(request)
        total = qs.count()
        headers = [col.label for col in columns]
        data = ([_plain(col.value(obj)) for col in columns] for obj in qs.iterator(chunk_size=2000))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        params = request.GET.urlencode()
        audit.record(
            request.user,
            AuditAction.EXPORT,
            object_type=self.export_name or self.title,
            object_id="",
            object_repr=f"{self.title}（{total} 行）",
            after={"rows": total, "query": params, "full_id": full},
            note=("含完整身份证号" if full else "身份证号已脱敏") if self.full_columns else "",
        )
        return xlsx_response(f"{self.export_name or self.title}-{stamp}.xlsx", headers, data)

    def render(self, request: HttpRequest, template: str = "core/list.html") -> HttpResponseBase:
        if self.export_name and request.GET.get("export") == "xlsx":
            return self.export(request)
        paginator = EstimatingPaginator(self.filtered(request), self.per_page)
        page: Page[Any] = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            "list": self,
            "page": page,
            "rows": list(self.rows(page.object_list)),
            "query_string": params.urlencode(),
            "selected": {flt.name: request.GET.get(flt.name, "") for flt in self.filters},
            "q": request.GET.get("q", ""),
            **self.extra,
        }
        return render(request, template, context)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
