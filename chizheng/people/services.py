"""Writes and sensitive reads of the person registry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chizheng.core import audit
from chizheng.core.choices import AuditAction
from chizheng.core.permissions import Perm, require

from .models import Person


@transaction.atomic
def person_reveal_id(*, actor: Any, person: Person) -> str:
    """The full ID number, for roles that need it; every reveal is audit-logged."""
    require(actor, Perm.VIEW_FULL_ID)
    audit.record(actor, AuditAction.VIEW_FULL_ID, person, note="查看完整身份证号")
    return person.id_number
