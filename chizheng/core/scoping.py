"""The one scoping gate: what rows a user may see.

A user sees their own org unit and everything below it, never a sibling; a learner
sees only themselves. Every selector starts from `Model.objects.restrict(user)`;
fetching one object outside the scope answers 404 exactly like a missing one.

A scoped model names the fields that carry its keys:
    scope_county_field  the county-level unit (OrgUnit) the row belongs to
    scope_school_field  the school (OrgUnit) the row belongs to
    scope_person_field  the person the row is about (for learners), optional
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.db import models

from .choices import Role

if TYPE_CHECKING:
    from .models import User

ScopeKind = Literal["all", "county", "school", "self", "none"]

_CITY_WIDE = {Role.CITY_ADMIN, Role.HRSS_OFFICER}
_COUNTY = {Role.COUNTY_ADMIN}
_SCHOOL = {Role.SCHOOL_ADMIN, Role.EXAMINER, Role.SUPERVISOR}


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    unit_id: int | None = None
    person_id: int | None = None

    @property
    def label(self) -> str:
        return {"all": "全市", "county": "本县区", "school": "本校", "self": "本人", "none": "无"}[self.kind]


def scope_of(user: Any) -> Scope:
    """The scope of a (possibly anonymous) user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope("none")
    role = user.role
    if role in _CITY_WIDE:
        return Scope("all")
    if role in _COUNTY and user.org_unit_id:
        return Scope("county", unit_id=user.org_unit_id)
    if role in _SCHOOL and user.org_unit_id:
        return Scope("school", unit_id=user.org_unit_id)
    if role == Role.LEARNER and user.person_id:
        return Scope("self", person_id=user.person_id)
    return Scope("none")


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that knows how to narrow itself to a user's scope."""

    def restrict(self, user: User | Any) -> ScopedQuerySet[_M]:
        return self.within(scope_of(user))

    def within(self, scope: Scope) -> ScopedQuerySet[_M]:
        model = self.model
        if scope.kind == "all":
            return self
        if scope.kind == "county":
            field = getattr(model, "scope_county_field", None)
            return self.filter(**{field: scope.unit_id}) if field else self.none()
        if scope.kind == "school":
            field = getattr(model, "scope_school_field", None)
            return self.filter(**{field: scope.unit_id}) if field else self.none()
        if scope.kind == "self":
            field = getattr(model, "scope_person_field", None)
            return self.filter(**{field: scope.person_id}) if field else self.none()
        return self.none()


def get_for(user: Any, queryset: models.QuerySet[_M] | type[_M], **lookup: Any) -> _M:
    """Fetch one object within the user's scope; NotFound (404) when missing or outside it."""
    from .errors import NotFound

    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    if not isinstance(qs, ScopedQuerySet):
        raise TypeError(f"{qs.model.__name__} is not a scoped model")
    try:
        return qs.restrict(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
