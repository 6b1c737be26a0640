"""What each role may do. Scope (which rows) is core.scoping; this is which actions."""

from __future__ import annotations

from enum import Enum
from typing import Any

from .choices import Role
from .errors import PermissionDenied


class Perm(str, Enum):
    VIEW_ORG = "view_org"
    MANAGE_ORG = "manage_org"
    MANAGE_USERS = "manage_users"
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"
    VIEW_FULL_ID = "view_full_id"
    IMPORT_PEOPLE = "import_people"
    VIEW_OCCUPATIONS = "view_occupations"
    MANAGE_OCCUPATIONS = "manage_occupations"
    VIEW_AUDIT = "view_audit"
    # evaluation specs (评价规范, R3)
    VIEW_SPECS = "view_specs"
    DRAFT_SPEC = "draft_spec"
    REVIEW_SPEC = "review_spec"
    FILE_SPEC = "file_spec"
    # evaluation institutions (评价机构, R2) and their examiners
    VIEW_INSTITUTIONS = "view_institutions"
    FILE_INSTITUTION = "file_institution"
    REVIEW_INSTITUTION = "review_institution"
    MANAGE_EXAMINERS = "manage_examiners"
    # certificates (R8): view within scope, issue (publicise + number), revoke and reissue
    VIEW_CERTIFICATES = "view_certificates"
    ISSUE_CERTIFICATES = "issue_certificates"
    REVOKE_CERTIFICATE = "revoke_certificate"
    # query systems (R10): export report files and import their receipts
    REPORT_CERTIFICATES = "report_certificates"
    # exam pathway (考试考核, R4): sessions, registrations, staff, scores
    VIEW_ASSESSMENTS = "view_assessments"
    PLAN_ASSESSMENT = "plan_assessment"
    ENTER_SCORES = "enter_scores"


_ADMIN_COMMON = {Perm.VIEW_ORG, Perm.VIEW_PEOPLE, Perm.VIEW_FULL_ID, Perm.VIEW_OCCUPATIONS}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.CITY_ADMIN: frozenset(
        _ADMIN_COMMON
        | {Perm.MANAGE_ORG, Perm.MANAGE_USERS, Perm.MANAGE_OCCUPATIONS, Perm.VIEW_AUDIT, Perm.IMPORT_PEOPLE}
    ),
    # County and city admins import rosters on behalf of schools (院校代码 decides the school, within scope).
    Role.COUNTY_ADMIN: frozenset(_ADMIN_COMMON | {Perm.MANAGE_USERS, Perm.IMPORT_PEOPLE}),
    Role.SCHOOL_ADMIN: frozenset(_ADMIN_COMMON | {Perm.MANAGE_PEOPLE, Perm.IMPORT_PEOPLE, Perm.MANAGE_USERS}),
    Role.EXAMINER: frozenset({Perm.VIEW_OCCUPATIONS}),
    Role.SUPERVISOR: frozenset({Perm.VIEW_OCCUPATIONS}),
    Role.EXPERT: frozenset({Perm.VIEW_OCCUPATIONS}),
    Role.HRSS_OFFICER: frozenset({Perm.VIEW_ORG, Perm.VIEW_OCCUPATIONS}),
    Role.LEARNER: frozenset(),
}


# Evaluation specs (R3): schools draft and invite, experts review, the 人社 officer files; education
# admins above the school follow their schools' specs. Which rows: EvaluationSpec.objects.restrict.
_SPEC_PERMS: dict[str, set[Perm]] = {
    Role.CITY_ADMIN: {Perm.VIEW_SPECS},
    Role.COUNTY_ADMIN: {Perm.VIEW_SPECS},
    Role.SCHOOL_ADMIN: {Perm.VIEW_SPECS, Perm.DRAFT_SPEC},
    Role.EXPERT: {Perm.VIEW_SPECS, Perm.REVIEW_SPEC},
    Role.HRSS_OFFICER: {Perm.VIEW_SPECS, Perm.FILE_SPEC},
}
ROLE_PERMS = {role: frozenset(perms | _SPEC_PERMS.get(role, set())) for role, perms in ROLE_PERMS.items()}

# Evaluation institutions (R2): schools file and keep their examiner registry, the 人社 officer
# approves filings and manages them (annual review, scope, suspension, revocation, subsidy list).
_INSTITUTION_PERMS: dict[str, set[Perm]] = {
    Role.CITY_ADMIN: {Perm.VIEW_INSTITUTIONS},
    Role.COUNTY_ADMIN: {Perm.VIEW_INSTITUTIONS},
    Role.SCHOOL_ADMIN: {Perm.VIEW_INSTITUTIONS, Perm.FILE_INSTITUTION, Perm.MANAGE_EXAMINERS},
    Role.HRSS_OFFICER: {Perm.VIEW_INSTITUTIONS, Perm.REVIEW_INSTITUTION},
}
ROLE_PERMS = {role: frozenset(perms | _INSTITUTION_PERMS.get(role, set())) for role, perms in ROLE_PERMS.items()}

# Certificates (R8): "谁评价、谁发证、谁负责" — the school runs its institution's issuance; education
# admins above it and the 人社 officer follow the certificates; the officer may revoke.
# Which rows: Certificate.objects.restrict.
_CERTIFICATE_PERMS: dict[str, set[Perm]] = {
    Role.CITY_ADMIN: {Perm.VIEW_CERTIFICATES},
    Role.COUNTY_ADMIN: {Perm.VIEW_CERTIFICATES},
    Role.SCHOOL_ADMIN: {Perm.VIEW_CERTIFICATES, Perm.ISSUE_CERTIFICATES, Perm.REVOKE_CERTIFICATE},
    Role.HRSS_OFFICER: {Perm.VIEW_CERTIFICATES, Perm.REVOKE_CERTIFICATE},
}
ROLE_PERMS = {role: frozenset(perms | _CERTIFICATE_PERMS.get(role, set())) for role, perms in ROLE_PERMS.items()}

# Exam pathway (R4): the school plans its institution's sessions, registers candidates, assigns staff,
# confirms and publicises results; assigned examiners enter scores (which sessions: SessionStaff).
_ASSESSMENT_PERMS: dict[str, set[Perm]] = {
    Role.CITY_ADMIN: {Perm.VIEW_ASSESSMENTS},
    Role.COUNTY_ADMIN: {Perm.VIEW_ASSESSMENTS},
    Role.SCHOOL_ADMIN: {Perm.VIEW_ASSESSMENTS, Perm.PLAN_ASSESSMENT},
    Role.EXAMINER: {Perm.VIEW_ASSESSMENTS, Perm.ENTER_SCORES},
    Role.SUPERVISOR: {Perm.VIEW_ASSESSMENTS},
    Role.HRSS_OFFICER: {Perm.VIEW_ASSESSMENTS},
}
ROLE_PERMS = {role: frozenset(perms | _ASSESSMENT_PERMS.get(role, set())) for role, perms in ROLE_PERMS.items()}

# Query systems (R10): the school reports its certificates; county and city admins may report within their
# scope (the city everything). Following the batches and the 未上报 list only needs VIEW_CERTIFICATES.
_REPORTING_PERMS: dict[str, set[Perm]] = {
    Role.CITY_ADMIN: {Perm.REPORT_CERTIFICATES},
    Role.COUNTY_ADMIN: {Perm.REPORT_CERTIFICATES},
    Role.SCHOOL_ADMIN: {Perm.REPORT_CERTIFICATES},
}
ROLE_PERMS = {role: frozenset(perms | _REPORTING_PERMS.get(role, set())) for role, perms in ROLE_PERMS.items()}


def has_perm(user: Any, perm: Perm) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in ROLE_PERMS.get(user.role, frozenset())


def require(user: Any, perm: Perm) -> None:
    """Raise PermissionDenied (403) unless the user's role grants `perm`."""
    if not has_perm(user, perm):
        raise PermissionDenied()
