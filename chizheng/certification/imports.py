"""Import kinds of the certification app (found by `core.imports.kinds()`): the query-system receipts (R10)."""

from . import report_imports  # noqa: F401
