"""One error hierarchy for the whole platform.

Rules and services raise `DomainError`; the web layer shows its message, the API
returns it as {"code", "message", "extra"}. Import validation collects `RowError`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """A request the policy or the data does not allow; `code` is machine-readable."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        extra = dict(self.extra)
        if self.field:
            extra["field"] = self.field
        return {"code": self.code, "message": self.message, "extra": extra}


class NotFound(DomainError):
    """Missing, or outside the actor's scope: the two are indistinguishable on purpose."""

    status = 404

    def __init__(self, message: str = "未找到该对象，或不在您的管理范围内。") -> None:
        super().__init__("not_found", message)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "您的角色无权执行此操作。") -> None:
        super().__init__("permission_denied", message)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an uploaded sheet. `row` is the spreadsheet row number."""

    row: int
    column: str
    message: str
    value: str = ""


class ImportRejected(DomainError):
    """The whole file is refused: either the file itself, or one or more of its rows."""

    def __init__(self, message: str, errors: list[RowError] | None = None, code: str = "import_rejected"):
        super().__init__(code, message, errors=len(errors or []))
        self.errors: list[RowError] = list(errors or [])
