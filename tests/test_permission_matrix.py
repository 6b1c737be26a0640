"""ONE table: every page and every API endpoint × every persona → the expected HTTP status.

Columns (personas from chizheng.core.testing.build_world):

    anon    not logged in
    learner a student of the own school (sees only themselves)
    other   school admin of 温县职业中专, a school in ANOTHER county
    school  school admin of the own school 焦作市职业技术学校
    county  county admin of 解放区, the own school's county
    city    city admin
    exam    examiner at the own school (role without data permissions)
    expert  evaluation expert (no org unit)
    hrss    人社 officer (city-wide, read-only org and catalog)

Cells: an HTTP status, or `L` for a 302 to the login page. Object URLs use objects of the
own school (the learner's Person and Student record, the school OrgUnit, a staff account of
the school), so `other` must get 404 where `county` and `city` get 200. Out of scope is 404
even when the role could act on an object in scope (person_edit for `other`); a role that may
not act at all is 403. A person's detail follows the scope alone (the examiner sees the own
school's people, 人社 everyone's, both masked), while the lists need Perm.VIEW_PEOPLE.

`test_every_url_is_in_the_matrix` fails when a URL pattern (or an API operation in the
OpenAPI document) has no row here: whoever adds a page adds its row.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PERSONAS = ("anonymous", "learner", "other_school", "school", "county", "city", "examiner", "expert", "hrss")


@dataclass(frozen=True)
class Objects:
    """The own school's objects the object URLs point at."""

    school: int
    person: int
    student: int
    staff: int  # a supervisor account of the own school
    token: int  # a token of the persona `school`
    occupation: str
    group: str
    trade: int
    job: int  # an ImportJob of the own school, with an error workbook
    kind: str = "students"
    spec: int = 0  # an EvaluationSpec of the own school, submitted, the persona `expert` invited
    # evaluation institutions (R2): a filed institution of the own school and its rows
    institution: int = 0
    inst_scope: int = 0
    attachment: int = 0
    examiner: int = 0
    subsidy: int = 0
    level: int = 4
    # certificates (R8): an issued certificate of the learner persona, and its QR token
    certificate: int = 0
    cert_token: str = ""
    # query systems (R10): a national export batch of the own school holding that certificate
    report_batch: int = 0
    system: str = "national"
    # exam pathway (R4): a planned session of the own school's institution, the learner registered
    session: int = 0
    registration: int = 0
    sess_staff: int = 0
    objection: int = 0
    # objections during publicity (公示异议): a publicised certificate of the own school, an open objection to it
    cert_publicised: int = 0
    cert_objection: int = 0
    # pathways (R5–R7): a previewed R5 batch of the own school's institution (the learner qualifies), a mapping
    recognition_batch: int = 0
    x_mapping: int = 0
    # process assessment (R6): a course-certificate mapping of the own school
    course_mapping: int = 0
    # competition (R7): a rank-based competition of the own school and one entry (rank 1) no batch has used
    competition: int = 0
    competition_entry: int = 0


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable[[Objects], str]
    expect: str
    data: dict[str, Any] | None = None


def page(name: str, *attrs: str) -> Callable[[Objects], str]:
    return lambda o: reverse(name, args=[getattr(o, a) for a in attrs])


# cells:                                         anon learner other school county city exam expert hrss
PAGES: dict[str, Row] = {
    "home": Row("GET", page("home"), "L 200 200 200 200 200 200 200 200"),
    # liveness for monitors: public, no data (`?db=1` adds a database ping, tests in core/tests/test_health.py)
    "healthz": Row("GET", page("healthz"), "200 200 200 200 200 200 200 200 200"),
    # org tree
    "core:org_list": Row("GET", page("core:org_list"), "L 403 200 200 200 200 403 403 200"),
    "core:org_tree": Row("GET", page("core:org_tree"), "L 403 200 200 200 200 403 403 200"),
    "core:org_create": Row("GET", page("core:org_create"), "L 403 403 403 403 200 403 403 403"),
    "core:org_detail": Row("GET", page("core:org_detail", "school"), "L 403 404 200 200 200 403 403 200"),
    "core:org_edit": Row("GET", page("core:org_edit", "school"), "L 403 403 403 403 200 403 403 403"),
    # users
    "core:user_list": Row("GET", page("core:user_list"), "L 403 200 200 200 200 403 403 403"),
    "core:user_create": Row("GET", page("core:user_create"), "L 403 200 200 200 200 403 403 403"),
    "core:user_edit": Row("GET", page("core:user_edit", "staff"), "L 403 404 200 200 200 403 403 403"),
    "core:user_set_active": Row(
        "POST", page("core:user_set_active", "staff"), "L 403 404 302 302 302 403 403 403", {"active": "0"}
    ),
    "core:user_password": Row("GET", page("core:user_password", "staff"), "L 403 404 200 200 200 403 403 403"),
    # audit, tokens, imports
    "core:audit_list": Row("GET", page("core:audit_list"), "L 403 403 403 403 200 403 403 403"),
    "core:token_list": Row("GET", page("core:token_list"), "L 200 200 200 200 200 200 200 200"),
    "core:token_revoke": Row("POST", page("core:token_revoke", "token"), "L 404 404 302 404 404 404 404 404"),
    # the examiner imports score sheets (exam_scores) and sees only jobs of kinds it may run: 404 on a roster job
    "core:import_list": Row("GET", page("core:import_list"), "L 403 200 200 200 200 200 403 403"),
    "core:import_upload": Row("GET", page("core:import_upload"), "L 403 200 200 200 200 200 403 403"),
    "core:import_template": Row("GET", page("core:import_template", "kind"), "L 403 200 200 200 200 403 403 403"),
    "core:import_detail": Row("GET", page("core:import_detail", "job"), "L 403 404 200 200 200 404 403 403"),
    "core:import_progress": Row("GET", page("core:import_progress", "job"), "L 403 404 200 200 200 404 403 403"),
    "core:import_errors": Row("GET", page("core:import_errors", "job"), "L 403 404 200 200 200 404 403 403"),
    # person registry
    "people:person_list": Row("GET", page("people:person_list"), "L 403 200 200 200 200 403 403 403"),
    "people:student_list": Row("GET", page("people:student_list"), "L 403 200 200 200 200 403 403 403"),
    "people:teacher_list": Row("GET", page("people:teacher_list"), "L 403 200 200 200 200 403 403 403"),
    "people:learner_list": Row("GET", page("people:learner_list"), "L 403 200 200 200 200 403 403 403"),
    "people:me": Row("GET", page("people:me"), "L 200 404 404 404 404 404 404 404"),
    "people:person_detail": Row("GET", page("people:person_detail", "person"), "L 200 404 200 200 200 403 403 403"),
    "people:photo": Row("GET", page("people:photo", "person"), "L 200 404 200 200 200 403 403 403"),
    "people:person_edit": Row("GET", page("people:person_edit", "person"), "L 403 404 200 403 403 403 403 403"),
    "people:student_edit": Row("GET", page("people:student_edit", "student"), "L 403 404 200 403 403 403 403 403"),
    # occupation catalog (not scoped: one national catalog)
    "occupations:occupation_list": Row("GET", page("occupations:occupation_list"), "L 403 200 200 200 200 200 200 200"),
    "occupations:browse": Row("GET", page("occupations:browse"), "L 403 200 200 200 200 200 200 200"),
    "occupations:browse_group": Row(
        "GET", page("occupations:browse_group", "group"), "L 403 200 200 200 200 200 200 200"
    ),
    "occupations:occupation_detail": Row(
        "GET", page("occupations:occupation_detail", "occupation"), "L 403 200 200 200 200 200 200 200"
    ),
    "occupations:occupation_edit": Row(
        "GET", page("occupations:occupation_edit", "occupation"), "L 403 403 403 403 200 403 403 403"
    ),
    "occupations:trade_add": Row(
        "POST", page("occupations:trade_add", "occupation"), "L 403 403 403 403 302 403 403 403", {"name": "新工种"}
    ),
    "occupations:trade_delete": Row(
        "POST", page("occupations:trade_delete", "occupation", "trade"), "L 403 403 403 403 302 403 403 403"
    ),
    # evaluation specs (R3): experts see only invited specs, 人社 only submitted ones
    "occupations:spec_list": Row("GET", page("occupations:spec_list"), "L 403 200 200 200 200 403 200 200"),
    "occupations:spec_create": Row("GET", page("occupations:spec_create"), "L 403 200 200 403 403 403 403 403"),
    "occupations:spec_detail": Row("GET", page("occupations:spec_detail", "spec"), "L 403 404 200 200 200 403 200 200"),
    "occupations:spec_attachment": Row(
        "GET", page("occupations:spec_attachment", "spec"), "L 403 404 200 200 200 403 200 200"
    ),
    "occupations:spec_edit": Row("GET", page("occupations:spec_edit", "spec"), "L 403 404 200 403 403 403 403 403"),
    "occupations:spec_invite": Row("GET", page("occupations:spec_invite", "spec"), "L 403 404 200 403 403 403 403 403"),
    "occupations:spec_opinion": Row(
        "GET", page("occupations:spec_opinion", "spec"), "L 403 403 403 403 403 403 200 403"
    ),
    "occupations:spec_submit": Row(
        "POST", page("occupations:spec_submit", "spec"), "L 403 404 302 403 403 403 403 403"
    ),
    "occupations:spec_file": Row("GET", page("occupations:spec_file", "spec"), "L 403 403 403 403 403 403 403 200"),
    "occupations:spec_withdraw": Row(
        "GET", page("occupations:spec_withdraw", "spec"), "L 403 404 200 403 403 403 403 200"
    ),
    # evaluation institutions (R2): schools file, 人社 approves and manages, the catalog is public
    "catalog": Row("GET", page("catalog"), "200 200 200 200 200 200 200 200 200"),
    "institutions:institution_list": Row(
        "GET", page("institutions:institution_list"), "L 403 200 200 200 200 403 403 200"
    ),
    "institutions:institution_create": Row(
        "GET", page("institutions:institution_create"), "L 403 200 200 403 403 403 403 403"
    ),
    "institutions:review_queue": Row("GET", page("institutions:review_queue"), "L 403 403 403 403 403 403 403 200"),
    "institutions:subsidy_list": Row("GET", page("institutions:subsidy_list"), "L 403 200 200 200 200 403 403 200"),
    "institutions:subsidy_add": Row("GET", page("institutions:subsidy_add"), "L 403 403 403 403 403 403 403 200"),
    "institutions:subsidy_remove": Row(
        "POST", page("institutions:subsidy_remove", "subsidy"), "L 403 403 403 403 403 403 403 302"
    ),
    "institutions:examiner_list": Row("GET", page("institutions:examiner_list"), "L 403 200 200 200 200 403 403 200"),
    "institutions:examiner_create": Row(
        "GET", page("institutions:examiner_create"), "L 403 200 200 403 403 403 403 403"
    ),
    "institutions:examiner_remove": Row(
        "POST", page("institutions:examiner_remove", "examiner"), "L 403 404 302 403 403 403 403 403"
    ),
    "institutions:institution_detail": Row(
        "GET", page("institutions:institution_detail", "institution"), "L 403 404 200 200 200 403 403 200"
    ),
    "institutions:institution_edit": Row(
        "GET", page("institutions:institution_edit", "institution"), "L 403 404 200 403 403 403 403 403"
    ),
    "institutions:institution_submit": Row(
        "POST", page("institutions:institution_submit", "institution"), "L 403 404 302 403 403 403 403 403"
    ),
    "institutions:scope_add": Row(
        "GET", page("institutions:scope_add", "institution"), "L 403 404 200 403 403 403 403 200"
    ),
    "institutions:scope_remove": Row(
        "GET", page("institutions:scope_remove", "institution", "inst_scope"), "L 403 404 200 403 403 403 403 200"
    ),
    "institutions:attachment_add": Row(
        "GET", page("institutions:attachment_add", "institution"), "L 403 404 200 403 403 403 403 403"
    ),
    "institutions:attachment_download": Row(
        "GET",
        page("institutions:attachment_download", "institution", "attachment"),
        "L 403 404 200 200 200 403 403 200",
    ),
    **{
        f"institutions:{name}": Row(
            "GET", page(f"institutions:{name}", "institution"), "L 403 403 403 403 403 403 403 200"
        )
        for name in (
            "institution_approve",
            "institution_return",
            "institution_annual_review",
            "institution_suspend",
            "institution_restore",
            "institution_revoke",
        )
    },
    # graduation coverage (R9): education admins within scope; drilling into a school follows the scope
    "coverage:overview": Row("GET", page("coverage:overview"), "L 403 200 200 200 200 403 403 403"),
    "coverage:unit": Row("GET", page("coverage:unit", "school"), "L 403 404 200 200 200 403 403 403"),
    "coverage:students_without": Row("GET", page("coverage:students_without"), "L 403 200 200 200 200 403 403 403"),
    # certificates (R8): verification is public; the learner sees their own; 人社 may revoke, the school reissues
    "verify": Row("GET", page("verify"), "200 200 200 200 200 200 200 200 200"),
    "verify_token": Row("GET", page("verify_token", "cert_token"), "200 200 200 200 200 200 200 200 200"),
    "certification:certificate_list": Row(
        "GET", page("certification:certificate_list"), "L 403 200 200 200 200 403 403 200"
    ),
    "certification:my_certificates": Row(
        "GET", page("certification:my_certificates"), "L 200 403 403 403 403 403 403 403"
    ),
    "certification:certificate_detail": Row(
        "GET", page("certification:certificate_detail", "certificate"), "L 200 404 200 200 200 403 403 200"
    ),
    "certification:certificate_revoke": Row(
        "POST",
        page("certification:certificate_revoke", "certificate"),
        "L 403 404 302 403 403 403 403 302",
        {"reason": "矩阵"},
    ),
    # objections during publicity: everyone who follows certificates sees them; the issuing school records and
    # resolves (Perm.ISSUE_CERTIFICATES, as the services check)
    "certification:objection_list": Row(
        "GET", page("certification:objection_list"), "L 403 200 200 200 200 403 403 200"
    ),
    "certification:objection_raise": Row(
        "GET", page("certification:objection_raise", "cert_publicised"), "L 403 404 200 403 403 403 403 403"
    ),
    "certification:objection_resolve": Row(
        "GET", page("certification:objection_resolve", "cert_objection"), "L 403 404 200 403 403 403 403 403"
    ),
    "certification:certificate_reissue": Row(
        "POST",
        page("certification:certificate_reissue", "certificate"),
        "L 403 404 302 403 403 403 403 403",
        {"reason": "矩阵"},
    ),
    # printed certificates (PDF): one follows the detail page's scope; the ZIP of the filtered list needs the
    # list (Perm.VIEW_CERTIFICATES) — a school with no printable certificate in scope gets a clear 400
    "certification:certificate_pdf": Row(
        "GET", page("certification:certificate_pdf", "certificate"), "L 200 404 200 200 200 403 403 200"
    ),
    "certification:certificate_zip": Row(
        "GET", page("certification:certificate_zip"), "L 403 400 200 200 200 403 403 200"
    ),
    # query systems (R10): school, county and city report (export, receipts); 人社 follows; files hold full IDs
    "certification:report_batch_list": Row(
        "GET", page("certification:report_batch_list"), "L 403 200 200 200 200 403 403 200"
    ),
    "certification:report_batch_create": Row(
        "GET", page("certification:report_batch_create"), "L 403 200 200 200 200 403 403 403"
    ),
    "certification:report_unreported": Row(
        "GET", page("certification:report_unreported"), "L 403 200 200 200 200 403 403 200"
    ),
    "certification:report_batch_detail": Row(
        "GET", page("certification:report_batch_detail", "report_batch"), "L 403 404 200 200 200 403 403 200"
    ),
    "certification:report_batch_download": Row(
        "GET", page("certification:report_batch_download", "report_batch"), "L 403 404 200 200 200 403 403 403"
    ),
    # exam pathway (R4): schools plan and run sessions; assigned examiners enter scores
    "assessments:session_list": Row("GET", page("assessments:session_list"), "L 403 200 200 200 200 200 403 200"),
    "assessments:session_create": Row("GET", page("assessments:session_create"), "L 403 200 200 403 403 403 403 403"),
    "assessments:session_detail": Row(
        "GET", page("assessments:session_detail", "session"), "L 403 404 200 200 200 200 403 200"
    ),
    "assessments:score_enter": Row(
        "GET", page("assessments:score_enter", "session", "registration"), "L 403 403 403 403 403 200 403 403"
    ),
    # the Excel score sheet: only examiners assigned to the session (the examiner persona is not)
    "assessments:score_template": Row(
        "GET", page("assessments:score_template", "session"), "L 403 403 403 403 403 403 403 403"
    ),
    "assessments:score_upload": Row(
        "GET", page("assessments:score_upload", "session"), "L 403 403 403 403 403 403 403 403"
    ),
    # staffing ratios: of a national standard (who maintains the catalog), of a spec (its drafting school)
    "assessments:staffing_standard": Row(
        "GET", page("assessments:staffing_standard", "occupation"), "L 403 403 403 403 200 403 403 403"
    ),
    "assessments:staffing_spec": Row(
        "GET", page("assessments:staffing_spec", "spec"), "L 403 404 200 403 403 403 403 403"
    ),
    **{
        f"assessments:{name}": Row("GET", page(f"assessments:{name}", *attrs), "L 403 404 200 403 403 403 403 403")
        for name, attrs in (
            ("registration_add", ("session",)),
            ("staff_add", ("session",)),
            ("session_publicise", ("session",)),
            ("session_issue", ("session",)),
            ("score_correct", ("session", "registration")),
            ("objection_add", ("session", "registration")),
            ("objection_resolve", ("session", "objection")),
        )
    },
    **{
        f"assessments:{name}": Row("POST", page(f"assessments:{name}", *attrs), "L 403 404 302 403 403 403 403 403")
        for name, attrs in (
            ("session_start", ("session",)),
            ("session_confirm", ("session",)),
            ("staff_remove", ("session", "sess_staff")),
            ("registration_remove", ("session", "registration")),
        )
    },
    # pathways (R5–R7): everyone following certificates sees batches, 1+X records and the mapping; schools run
    # batches (Perm.ISSUE_CERTIFICATES), the city maintains the 1+X → occupation mapping (Perm.MANAGE_OCCUPATIONS)
    "pathways:batch_list": Row("GET", page("pathways:batch_list"), "L 403 200 200 200 200 403 403 200"),
    "pathways:batch_create": Row(
        "GET", lambda o: reverse("pathways:batch_create", args=["direct"]), "L 403 200 200 403 403 403 403 403"
    ),
    "pathways:batch_detail": Row(
        "GET", page("pathways:batch_detail", "recognition_batch"), "L 403 404 200 200 200 403 403 200"
    ),
    "pathways:batch_preview": Row(
        "POST", page("pathways:batch_preview", "recognition_batch"), "L 403 404 302 403 403 403 403 403"
    ),
    "pathways:batch_confirm": Row(
        "GET", page("pathways:batch_confirm", "recognition_batch"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:batch_issue": Row(
        "GET", page("pathways:batch_issue", "recognition_batch"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:x_list": Row("GET", page("pathways:x_list"), "L 403 200 200 200 200 403 403 200"),
    "pathways:mapping_list": Row("GET", page("pathways:mapping_list"), "L 403 200 200 200 200 403 403 200"),
    "pathways:mapping_create": Row("GET", page("pathways:mapping_create"), "L 403 403 403 403 200 403 403 403"),
    "pathways:mapping_edit": Row(
        "GET", page("pathways:mapping_edit", "x_mapping"), "L 403 403 403 403 200 403 403 403"
    ),
    # R6: everyone following certificates reads mappings and course results in scope; school admins maintain them
    "pathways:course_mapping_list": Row(
        "GET", page("pathways:course_mapping_list"), "L 403 200 200 200 200 403 403 200"
    ),
    "pathways:course_mapping_create": Row(
        "GET", page("pathways:course_mapping_create"), "L 403 200 200 403 403 403 403 403"
    ),
    "pathways:course_mapping_detail": Row(
        "GET", page("pathways:course_mapping_detail", "course_mapping"), "L 403 404 200 200 200 403 403 200"
    ),
    "pathways:course_mapping_edit": Row(
        "GET", page("pathways:course_mapping_edit", "course_mapping"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:course_mapping_toggle": Row(
        "POST", page("pathways:course_mapping_toggle", "course_mapping"), "L 403 404 302 403 403 403 403 403"
    ),
    "pathways:course_result_list": Row("GET", page("pathways:course_result_list"), "L 403 200 200 200 200 403 403 200"),
    # R7: everyone following certificates reads competitions in scope; school admins keep them, enter people, results
    "pathways:competition_list": Row("GET", page("pathways:competition_list"), "L 403 200 200 200 200 403 403 200"),
    "pathways:competition_create": Row("GET", page("pathways:competition_create"), "L 403 200 200 403 403 403 403 403"),
    "pathways:competition_detail": Row(
        "GET", page("pathways:competition_detail", "competition"), "L 403 404 200 200 200 403 403 200"
    ),
    "pathways:competition_edit": Row(
        "GET", page("pathways:competition_edit", "competition"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:competition_delete": Row(
        "POST", page("pathways:competition_delete", "competition"), "L 403 404 302 403 403 403 403 403"
    ),
    "pathways:competition_entry_create": Row(
        "GET", page("pathways:competition_entry_create", "competition"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:competition_results_sheet": Row(
        "GET", page("pathways:competition_results_sheet", "competition"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:competition_entry_result": Row(
        "GET", page("pathways:competition_entry_result", "competition_entry"), "L 403 404 200 403 403 403 403 403"
    ),
    "pathways:competition_entry_delete": Row(
        "POST", page("pathways:competition_entry_delete", "competition_entry"), "L 403 404 302 403 403 403 403 403"
    ),
    # the API's own pages: the OpenAPI document and its docs describe the API, no data
    "api:api-root": Row("GET", page("api:api-root"), "200 200 200 200 200 200 200 200 200"),
    "api:openapi-json": Row("GET", page("api:openapi-json"), "200 200 200 200 200 200 200 200 200"),
    "api:openapi-view": Row("GET", page("api:openapi-view"), "200 200 200 200 200 200 200 200 200"),
}

# API operations, keyed like the OpenAPI document: "METHOD path". Path parameters come from Objects.
# cells:                                        anon learner other school county city exam expert hrss
API: dict[str, str] = {
    "GET /api/v1/me": "401 200 200 200 200 200 200 200 200",
    "GET /api/v1/org-units": "401 403 200 200 200 200 403 403 200",
    "GET /api/v1/org-units/{unit_id}": "401 403 404 200 200 200 403 403 200",
    "GET /api/v1/persons": "401 403 200 200 200 200 403 403 403",
    "GET /api/v1/persons/{person_id}": "401 200 404 200 200 200 403 403 403",
    "POST /api/v1/persons/{person_id}/reveal-id": "401 403 404 200 200 200 403 403 403",
    "GET /api/v1/students": "401 403 200 200 200 200 403 403 403",
    "GET /api/v1/teachers": "401 403 200 200 200 200 403 403 403",
    "GET /api/v1/social-learners": "401 403 200 200 200 200 403 403 403",
    "GET /api/v1/occupations": "401 403 200 200 200 200 200 200 200",
    "GET /api/v1/occupations/{code}": "401 403 200 200 200 200 200 200 200",
    "GET /api/v1/occupation-groups": "401 403 200 200 200 200 200 200 200",
    "GET /api/v1/audit-events": "401 403 403 403 403 200 403 403 403",
    "GET /api/v1/tokens": "401 200 200 200 200 200 200 200 200",
    "POST /api/v1/tokens": "401 201 201 201 201 201 201 201 201",
    "DELETE /api/v1/tokens/{token_id}": "401 404 404 200 404 404 404 404 404",
    "GET /api/v1/imports": "401 403 200 200 200 200 200 403 403",
    "GET /api/v1/imports/{job_id}": "401 403 404 200 200 200 404 403 403",
    "GET /api/v1/imports/{job_id}/errors": "401 403 404 200 200 200 404 403 403",
    "POST /api/v1/imports/{kind}": "401 403 201 201 201 201 403 403 403",
    # evaluation specs (R3); the spec is already submitted, so the school's writes answer 400 (wrong status)
    "GET /api/v1/specs": "401 403 200 200 200 200 403 200 200",
    "GET /api/v1/specs/export": "401 403 200 200 200 200 403 200 200",
    "POST /api/v1/specs": "401 403 201 201 403 403 403 403 403",
    "GET /api/v1/specs/{spec_id}": "401 403 404 200 200 200 403 200 200",
    "PUT /api/v1/specs/{spec_id}": "401 403 404 400 403 403 403 403 403",
    "GET /api/v1/experts": "401 403 200 200 403 403 403 403 403",
    "POST /api/v1/specs/{spec_id}/invitations": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/specs/{spec_id}/opinions": "401 403 403 403 403 403 403 400 403",
    "POST /api/v1/specs/{spec_id}/submit": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/specs/{spec_id}/filing": "401 403 403 403 403 403 403 403 200",
    "POST /api/v1/specs/{spec_id}/withdraw": "401 403 404 200 403 403 403 403 400",
    # evaluation institutions (R2); the institution is filed, so approve/return/restore/submit answer 400 (status)
    "GET /api/v1/catalog": "200 200 200 200 200 200 200 200 200",
    "GET /api/v1/institutions": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/institutions": "401 403 201 201 403 403 403 403 403",
    "GET /api/v1/institutions/{institution_id}": "401 403 404 200 200 200 403 403 200",
    "POST /api/v1/institutions/{institution_id}/scopes": "401 403 404 403 403 403 403 403 201",
    "POST /api/v1/institutions/{institution_id}/submit": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/institutions/{institution_id}/approve": "401 403 403 403 403 403 403 403 400",
    "POST /api/v1/institutions/{institution_id}/return": "401 403 403 403 403 403 403 403 400",
    "POST /api/v1/institutions/{institution_id}/suspend": "401 403 403 403 403 403 403 403 200",
    "POST /api/v1/institutions/{institution_id}/restore": "401 403 403 403 403 403 403 403 400",
    "POST /api/v1/institutions/{institution_id}/revoke": "401 403 403 403 403 403 403 403 200",
    "POST /api/v1/institutions/{institution_id}/annual-review": "401 403 403 403 403 403 403 403 200",
    "POST /api/v1/institutions/{institution_id}/subsidy-list": "401 403 403 403 403 403 403 403 201",
    "GET /api/v1/institutions/{institution_id}/may-assess/{code}/{level}": "401 403 404 200 200 200 403 403 200",
    "GET /api/v1/examiners": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/institutions/{institution_id}/examiners": "401 403 404 201 403 403 403 403 403",
    "GET /api/v1/subsidy-list": "401 403 200 200 200 200 403 403 200",
    # certificates (R8): verification needs no login
    "GET /api/v1/verify": "200 200 200 200 200 200 200 200 200",
    "GET /api/v1/certificates": "401 403 200 200 200 200 403 403 200",
    # query systems (R10): the learner's certificate is in the national batch already, so a Henan export finds it
    # (201) for school, county and city; the other school has nothing due (400)
    "GET /api/v1/report-batches": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/report-batches": "401 403 400 201 201 201 403 403 403",
    "GET /api/v1/report-batches/{batch_id}": "401 403 404 200 200 200 403 403 200",
    "GET /api/v1/report-batches/{batch_id}/file": "401 403 404 200 200 200 403 403 403",
    "POST /api/v1/report-receipts/{system}": "401 403 201 201 201 201 403 403 403",
    "GET /api/v1/unreported-certificates": "401 403 200 200 200 200 403 403 200",
    # exam pathway (R4): the learner persona is registered already, so the school's registration answers 400
    # (already_registered); the examiner persona is not assigned to the session, so score entry answers 400
    "GET /api/v1/assessment-sessions": "401 403 200 200 200 200 200 403 200",
    "POST /api/v1/assessment-sessions": "401 403 404 201 403 403 403 403 403",
    "GET /api/v1/assessment-sessions/{session_id}": "401 403 404 200 200 200 200 403 200",
    "POST /api/v1/assessment-sessions/{session_id}/registrations": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/assessment-registrations/{registration_id}/score": "401 403 403 403 403 403 400 403 403",
    "GET /api/v1/assessment-sessions/{session_id}/score-entries": "401 403 404 200 200 200 200 403 200",
    "GET /api/v1/assessment-sessions/{session_id}/score-sheet": "401 403 403 403 403 403 403 403 403",
    # the matrix session is planned: its school's start fails the staffing check, confirm/publicise/issue the
    # state machine (400); other schools 404, roles without PLAN_ASSESSMENT 403
    "POST /api/v1/assessment-sessions/{session_id}/start": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/assessment-sessions/{session_id}/confirm": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/assessment-sessions/{session_id}/publicise": "401 403 404 400 403 403 403 403 403",
    "POST /api/v1/assessment-sessions/{session_id}/issue": "401 403 404 400 403 403 403 403 403",
    # pathways (R5–R7): the other school has no institution (404 on create); the matrix batch is previewed, so
    # preview and confirm succeed for its school and issue is refused by the state machine (400)
    "GET /api/v1/recognition-batches": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/recognition-batches": "401 403 404 201 403 403 403 403 403",
    "GET /api/v1/recognition-batches/{recognition_batch_id}": "401 403 404 200 200 200 403 403 200",
    "POST /api/v1/recognition-batches/{recognition_batch_id}/preview": "401 403 404 200 403 403 403 403 403",
    "POST /api/v1/recognition-batches/{recognition_batch_id}/confirm": "401 403 404 200 403 403 403 403 403",
    "POST /api/v1/recognition-batches/{recognition_batch_id}/issue": "401 403 404 400 403 403 403 403 403",
    "GET /api/v1/x-certificates": "401 403 200 200 200 200 403 403 200",
    "GET /api/v1/x-mappings": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/x-mappings": "401 403 403 403 403 201 403 403 403",
    "PUT /api/v1/x-mappings/{x_mapping_id}": "401 403 403 403 403 200 403 403 403",
    "DELETE /api/v1/x-mappings/{x_mapping_id}": "401 403 403 403 403 204 403 403 403",
    # R6: course mappings of the own school (DELETE deactivates), course results
    "GET /api/v1/course-mappings": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/course-mappings": "401 403 201 201 403 403 403 403 403",
    "GET /api/v1/course-mappings/{course_mapping_id}": "401 403 404 200 200 200 403 403 200",
    "PUT /api/v1/course-mappings/{course_mapping_id}": "401 403 404 200 403 403 403 403 403",
    "DELETE /api/v1/course-mappings/{course_mapping_id}": "401 403 404 204 403 403 403 403 403",
    "GET /api/v1/course-results": "401 403 200 200 200 200 403 403 200",
    # R7: competitions of the own school with their rules, entries (the learner persona enters), one result
    "GET /api/v1/competitions": "401 403 200 200 200 200 403 403 200",
    "POST /api/v1/competitions": "401 403 201 201 403 403 403 403 403",
    "GET /api/v1/competitions/{competition_id}": "401 403 404 200 200 200 403 403 200",
    "PUT /api/v1/competitions/{competition_id}": "401 403 404 200 403 403 403 403 403",
    "DELETE /api/v1/competitions/{competition_id}": "401 403 404 204 403 403 403 403 403",
    "GET /api/v1/competitions/{competition_id}/entries": "401 403 404 200 200 200 403 403 200",
    "POST /api/v1/competitions/{competition_id}/entries": "401 403 404 201 403 403 403 403 403",
    "PUT /api/v1/competition-entries/{competition_entry_id}/result": "401 403 404 200 403 403 403 403 403",
    "DELETE /api/v1/competition-entries/{competition_entry_id}": "401 403 404 204 403 403 403 403 403",
}

_SPEC_BODY = {
    "occupation_code": "4-04-05-01",
    "title": "矩阵规范",
    "levels": [5, 4],
    "theory_weight": "30",
    "skill_weight": "70",
    "candidates_per_invigilator": 15,
    "candidates_per_examiner": 5,
}
_COMPETITION_BODY = {
    "name": "矩阵新竞赛",
    "occupation_code": "6-18-01-01",
    "held_on": "2024-05-10",
    "audience": "students",
    "basis": "rank",
    "bands": [{"low": 1, "high": 3, "level": 3}],
}
# JSON bodies of API writes (valid, so that the cell shows the permission and scope, not a 422).
API_DATA: dict[str, dict[str, Any]] = {
    "POST /api/v1/specs": _SPEC_BODY,
    "PUT /api/v1/specs/{spec_id}": _SPEC_BODY,
    "POST /api/v1/specs/{spec_id}/invitations": {"expert_id": 0},
    "POST /api/v1/specs/{spec_id}/opinions": {"verdict": "approve"},
    "POST /api/v1/specs/{spec_id}/filing": {"filing_number": "矩阵-1", "filed_on": "2023-01-01"},
    "POST /api/v1/specs/{spec_id}/withdraw": {"reason": "矩阵"},
    "POST /api/v1/institutions": {
        "kind": "college",
        "name": "矩阵评价中心",
        "code": "0999",
        "contact": "王",
        "phone": "0391",
    },
    "POST /api/v1/institutions/{institution_id}/scopes": {"occupation_code": "6-18-01-01", "highest_level": 5},
    "POST /api/v1/institutions/{institution_id}/approve": {"filing_number": "矩阵-2", "filed_on": "2023-01-01"},
    "POST /api/v1/institutions/{institution_id}/return": {"reason": "矩阵"},
    "POST /api/v1/institutions/{institution_id}/suspend": {"from_date": "2023-01-01", "reason": "矩阵"},
    "POST /api/v1/institutions/{institution_id}/restore": {"on_date": "2023-01-01"},
    "POST /api/v1/institutions/{institution_id}/revoke": {"on_date": "2023-01-01", "reason": "矩阵"},
    "POST /api/v1/institutions/{institution_id}/annual-review": {"on_date": "2023-03-01"},
    "POST /api/v1/institutions/{institution_id}/subsidy-list": {"year": 2031},
    "POST /api/v1/report-batches": {"system": "henan"},
    "POST /api/v1/assessment-sessions": {
        "occupation_code": "6-18-01-01",
        "level": 4,
        "held_on": "2023-06-01",
    },
    "POST /api/v1/assessment-sessions/{session_id}/registrations": {"id_number": "410802200603150139"},
    "POST /api/v1/assessment-registrations/{registration_id}/score": {"theory": "80", "skill": "80"},
    "POST /api/v1/assessment-sessions/{session_id}/publicise": {"on_date": "2023-06-05"},
    "POST /api/v1/assessment-sessions/{session_id}/issue": {"on_date": "2023-06-20"},
    "POST /api/v1/recognition-batches": {"pathway": "direct", "title": "矩阵批次"},
    "POST /api/v1/recognition-batches/{recognition_batch_id}/preview": {"on_date": "2024-06-01"},
    "POST /api/v1/recognition-batches/{recognition_batch_id}/confirm": {"on_date": "2024-06-03"},
    "POST /api/v1/recognition-batches/{recognition_batch_id}/issue": {"on_date": "2024-06-20"},
    "POST /api/v1/x-mappings": {"certificate_name": "矩阵新证书", "occupation_code": "6-18-01-01"},
    "PUT /api/v1/x-mappings/{x_mapping_id}": {"certificate_name": "矩阵 1+X 证书", "occupation_code": "6-18-01-02"},
    "POST /api/v1/course-mappings": {
        "name": "矩阵新方案",
        "occupation_code": "6-18-01-01",
        "courses": [{"code": "M101", "name": "矩阵课程"}],
    },
    "PUT /api/v1/course-mappings/{course_mapping_id}": {
        "name": "矩阵课证融通方案",
        "occupation_code": "6-18-01-01",
        "courses": [{"code": "JD101", "name": "机械制图"}],
    },
    "POST /api/v1/competitions": _COMPETITION_BODY,
    "PUT /api/v1/competitions/{competition_id}": {**_COMPETITION_BODY, "name": "矩阵竞赛"},
    "POST /api/v1/competitions/{competition_id}/entries": {"id_number": "410802200603150139"},  # the learner
    "PUT /api/v1/competition-entries/{competition_entry_id}/result": {"rank": 2},
    "POST /api/v1/institutions/{institution_id}/examiners": {
        "id_number": "410802200603150139",  # make_id_number(): the learner persona, a Person of the own school
        "role": "invigilator",
        "qualification_number": "JK-1",
        "valid_from": "2023-01-01",
        "valid_until": "2025-12-31",
    },
}

# URL patterns deliberately outside the matrix, each with its reason.
EXCLUDED = {
    "login": "the login page is public by design; login, lockout and expiry are tested in core",
    "logout": "logs out whoever asks (POST); there is nothing to protect",
    "api:unknown-path": "catch-all answering a JSON 404 for unknown API paths (tests/test_api.py)",
}
EXCLUDED_PREFIXES = {
    settings.STATIC_URL.lstrip("/"): "static files: public assets",
    settings.MEDIA_URL.lstrip("/"): "media is never served directly; photos go through people:photo",
}
API_NAMESPACE = "api"


def _params(o: Objects) -> dict[str, Any]:
    return {
        "unit_id": o.school,
        "person_id": o.person,
        "token_id": o.token,
        "code": o.occupation,
        "job_id": o.job,
        "kind": o.kind,
        "spec_id": o.spec,
        "institution_id": o.institution,
        "session_id": o.session,
        "registration_id": o.registration,
        "batch_id": o.report_batch,
        "system": o.system,
        "level": o.level,
        "recognition_batch_id": o.recognition_batch,
        "x_mapping_id": o.x_mapping,
        "course_mapping_id": o.course_mapping,
        "competition_id": o.competition,
        "competition_entry_id": o.competition_entry,
    }


def _api_url(template: str) -> Callable[[Objects], str]:
    return lambda o: template.format(**_params(o))


def _rows() -> Iterator[tuple[str, Row]]:
    yield from PAGES.items()
    for key, expect in API.items():
        method, template = key.split(" ", 1)
        data = {"name": "matrix"} if key == "POST /api/v1/tokens" else API_DATA.get(key)
        yield key, Row(method, _api_url(template), expect, data)


@pytest.fixture
def objects(world):
    from chizheng.assessments.tests.factories import matrix_objects as exam_matrix_objects
    from chizheng.certification.tests.factories import matrix_objects as certificate_objects
    from chizheng.core import services
    from chizheng.core.choices import ImportStatus
    from chizheng.core.errors import RowError
    from chizheng.core.imports import job_finish
    from chizheng.core.models import ImportJob
    from chizheng.institutions.tests.factories import matrix_objects
    from chizheng.occupations.models import Occupation, Trade
    from chizheng.people.models import Student

    learner = world.user("learner")
    learner.person.photo.save("photo.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg \xff\xd9"))
    school_admin = world.user("school")
    token, _ = services.token_create(actor=school_admin, user=school_admin, name="matrix")
    occupation = Occupation.objects.get(code="6-18-01-01")
    trade = Trade.objects.create(occupation=occupation, name="数控车工")
    job = ImportJob.objects.create(
        kind="students", created_by=school_admin, org_unit=world.school, original_name="名册.csv", file="x.csv"
    )
    job_finish(job, status=ImportStatus.FAILED, message="校验未通过", errors=[RowError(3, "身份证号", "校验码错误")])
    institution_objects = {key: int(value) for key, value in matrix_objects(world).items()}
    certificate, cert_token = certificate_objects(world, institution_objects["institution"])
    from chizheng.certification.reporting import report_batch_create

    report_batch = report_batch_create(actor=world.user("school"), system="national").pk
    exam_objects = exam_matrix_objects(world, institution_objects["institution"])
    from chizheng.pathways.tests.factories import matrix_objects as pathway_matrix_objects

    pathway_objects = pathway_matrix_objects(world, institution_objects["institution"])
    from chizheng.pathways.tests.r06_factories import matrix_objects as process_matrix_objects

    pathway_objects.update(process_matrix_objects(world))
    from chizheng.pathways.tests.r07_factories import matrix_objects as competition_matrix_objects

    pathway_objects.update(competition_matrix_objects(world))
    return Objects(
        school=world.school.pk,
        person=learner.person_id,
        student=Student.objects.get(person=learner.person).pk,
        staff=world.user("supervisor").pk,
        token=token.pk,
        occupation=occupation.code,
        group="6-18",
        trade=trade.pk,
        job=job.pk,
        spec=_matrix_spec(world),
        **institution_objects,  # type: ignore[arg-type]
        certificate=certificate,
        cert_token=cert_token,
        **_matrix_objection(world, institution_objects["institution"]),  # type: ignore[arg-type]
        report_batch=report_batch,
        **exam_objects,  # type: ignore[arg-type]
        **pathway_objects,  # type: ignore[arg-type]
    )


def _matrix_objection(world: Any, institution_id: int) -> dict[str, int]:
    """A publicised certificate of a new person of the own school, with an open objection."""
    from chizheng.certification import services as certification
    from chizheng.certification.tests import factories as certificates
    from chizheng.institutions.models import EvaluationInstitution

    inst = EvaluationInstitution.objects.get(pk=institution_id)
    (cert,) = certificates.publicise(world, inst, certificates.people(world, 1, start=900))
    objection = certification.objection_raise(
        actor=world.user("school"), certificate=cert, text="矩阵异议", on_date=cert.publicity_starts
    )
    return {"cert_publicised": cert.pk, "cert_objection": objection.pk}


def _matrix_spec(world: Any) -> int:
    """A submitted spec of the own school with five approvals; the persona `expert` is invited."""
    import datetime as dt

    from chizheng.core.choices import Role
    from chizheng.core.models import User
    from chizheng.occupations.choices import SpecStatus
    from chizheng.occupations.models import EvaluationSpec, Occupation, SpecInvitation, SpecOpinion

    spec = EvaluationSpec.objects.create(
        school=world.school,
        county=world.county,
        occupation=Occupation.objects.get(code="4-04-05-05"),
        title="人工智能训练师评价规范",
        levels=[5, 4, 3],
        theory_weight=30,
        skill_weight=70,
        candidates_per_invigilator=15,
        candidates_per_examiner=5,
        status=SpecStatus.SUBMITTED,
        submitted_on=dt.date(2022, 12, 1),
    )
    spec.attachment.save("规范.pdf", ContentFile(b"%PDF-1.4 not really a pdf"))
    SpecInvitation.objects.create(spec=spec, expert=world.user("expert"))
    for i in range(5):
        reviewer = User.objects.create(username=f"matrix_expert_{i}", role=Role.EXPERT)
        SpecInvitation.objects.create(spec=spec, expert=reviewer)
        SpecOpinion.objects.create(spec=spec, expert=reviewer, verdict="approve", given_on=dt.date(2022, 11, 1))
    return spec.pk


def _roster() -> SimpleUploadedFile:
    """A one-row student roster (the uploader's own school)."""
    from chizheng.core.testing import make_id_number

    number = make_id_number(birth="20070101", seq=77)
    text = f"姓名,身份证号,专业,学段,入学年份,预计毕业年份\n新生,{number},数控技术应用,中职,2024,2027\n"
    return SimpleUploadedFile("名册.csv", text.encode(), content_type="text/csv")


def _status(world: Any, persona: str, row: Row, url: str) -> str:
    """One cell, in a savepoint rolled back afterwards so that no cell changes another."""
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(world.user(persona))
        if row.method in ("GET", "DELETE"):
            response = getattr(client, row.method.lower())(url)
        elif url.startswith(("/api/v1/imports/", "/api/v1/report-receipts/")):
            response = client.post(url, {"file": _roster()})
        elif url.startswith("/api/"):
            send = getattr(client, row.method.lower())
            response = send(url, json.dumps(row.data or {}), content_type="application/json")
        else:
            response = client.post(url, row.data or {})
        transaction.set_rollback(True)
    login = resolve_url(settings.LOGIN_URL)
    if response.status_code == 302 and response["Location"].startswith(login):
        return "L"
    return str(response.status_code)


ROWS = dict(_rows())


@pytest.mark.parametrize("key", list(ROWS))
def test_matrix(world, objects, key):
    row = ROWS[key]
    url = row.url(objects)
    actual = " ".join(_status(world, persona, row, url) for persona in PERSONAS)
    assert actual == row.expect, f"{key} {url}\n  expected {row.expect}\n  actual   {actual}\n  ({' '.join(PERSONAS)})"


# --- completeness ---------------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None, str]]:
    """(route, qualified name, namespace) of every URL pattern, resolvers followed."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else None
            yield prefix + str(pattern.pattern), name, namespace


def _openapi_operations(client: Client) -> set[str]:
    schema = client.get(reverse("api:openapi-json")).json()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def missing_from_matrix(urlconf: str | None, operations: set[str]) -> list[str]:
    """URL patterns of `urlconf` with no row in the matrix, no exclusion and no OpenAPI operation."""
    operation_paths = {key.split(" ", 1)[1] for key in operations}
    missing = []
    for route, name, namespace in _walk(get_resolver(urlconf).url_patterns):
        if any(route.startswith(prefix) for prefix in EXCLUDED_PREFIXES if prefix):
            continue
        if name in PAGES or name in EXCLUDED:
            continue
        if namespace == API_NAMESPACE:
            # an API operation: covered through the OpenAPI document, which must list it
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            if path in operation_paths:
                continue
        missing.append(f"{route} ({name or 'unnamed'})")
    return missing


def test_every_url_is_in_the_matrix(client):
    operations = _openapi_operations(client)
    missing = missing_from_matrix(None, operations)
    assert not missing, "URL patterns missing from the permission matrix:\n" + "\n".join(missing)
    assert sorted(operations - set(API)) == [], "API operations missing from the permission matrix"


def test_a_new_page_without_a_row_is_caught(client):
    operations = _openapi_operations(client)
    missing = missing_from_matrix("tests.urls_with_an_extra_page", operations)
    extra = ["core/extra/ (core_extra:unlisted)", "unnamed/ (unnamed)"]
    assert missing == [*missing_from_matrix(None, operations), *extra]


def test_the_matrix_has_no_stale_rows(client):
    names = {name for _, name, _ in _walk(get_resolver().url_patterns)}
    assert sorted(set(PAGES) - names) == []
    assert sorted(set(EXCLUDED) - names) == []
    assert sorted(set(API) - _openapi_operations(client)) == []


def test_every_row_has_a_cell_per_persona():
    for key, row in ROWS.items():
        assert len(row.expect.split()) == len(PERSONAS), key
