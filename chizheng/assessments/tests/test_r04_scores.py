"""R4 scores: double entry (two assigned examiners agree → accepted; disagreement listed and blocking
confirmation; re-entry resolves) and the Excel score sheet (prefilled per session; every row checked;
all or nothing; errors naming row, column and reason)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import python_calamine

from chizheng.core.errors import DomainError, ImportRejected, PermissionDenied
from chizheng.core.excel import write_rows
from chizheng.core.models import AuditEvent

from .. import rules, selectors, services
from ..choices import SessionStatus
from ..imports import import_scores, write_score_template
from ..models import Score, ScoreEntry, SessionStaff
from . import factories as f

pytestmark = pytest.mark.django_db

HEADERS = ["场次编号", "准考证号", "姓名", "身份证号", "理论成绩", "技能成绩"]


@pytest.fixture
def started(world):
    inst = f.institution(world)
    session = f.planned_session(world, inst)
    for p in f.students(world, 3):
        services.registration_add(actor=world.user("school"), session=session, person=p)
    staff = f.external_staff(world, examiners=3)
    for e in staff.examiners + staff.invigilators + staff.supervisors:
        services.staff_assign(actor=world.user("school"), session=session, examiner=e)
    services.session_start(actor=world.user("school"), session=session)
    session.refresh_from_db()
    regs = list(session.registrations.select_related("person").order_by("id"))
    examiners = [staff.users[e.pk] for e in staff.examiners]
    return session, regs, examiners


def _sheet(tmp_path, rows, name="成绩.xlsx"):
    path = tmp_path / name
    write_rows(str(path), HEADERS, rows)
    return path


def _rows(session, regs, marks):
    return [
        [session.pk, r.ticket, r.person.name, r.person.masked_id_number, t, s]
        for r, (t, s) in zip(regs, marks, strict=False)
    ]


MARKS = [(80, 75), ("59.5", 90), (60, 60)]


# --- double entry ---------------------------------------------------------------------------------


def test_r04_scores_agreement_of_two_examiners_accepts_the_score(world, started):
    _session, regs, (first, second, _third) = started
    entered = services.score_enter(actor=first, registration=regs[0], theory="80", skill="75")
    assert (entered.state, entered.score) == (rules.PENDING, None)
    entered = services.score_enter(actor=second, registration=regs[0], theory="80.0", skill="75")
    assert entered.state == rules.AGREED
    score = Score.objects.get(registration=regs[0])
    assert (score.theory, score.skill, score.passed) == (Decimal("80"), Decimal("75"), True)
    assert (score.entered_by, score.checked_by) == (first, second)
    assert "双人录入一致，成绩生效：考生1" in AuditEvent.objects.values_list("note", flat=True)


def test_r04_scores_a_single_examiner_entering_twice_is_not_double_entry(world, started):
    _session, regs, (first, _second, _third) = started
    services.score_enter(actor=first, registration=regs[0], theory="80", skill="75")
    services.score_enter(actor=first, registration=regs[0], theory="80", skill="75")
    assert ScoreEntry.objects.filter(registration=regs[0]).count() == 1
    assert not Score.objects.exists()


def test_r04_scores_disagreement_blocks_confirmation_until_re_entered(world, started):
    session, regs, (first, second, _third) = started
    for examiner in (first, second):
        for reg, (t, s) in zip(regs, MARKS, strict=True):
            services.score_enter(actor=examiner, registration=reg, theory=t, skill=s)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCORED
    # the second examiner re-enters candidate 2 differently: the accepted score is withdrawn
    entered = services.score_enter(actor=second, registration=regs[1], theory="69.5", skill="90")
    assert entered.state == rules.DISAGREED
    assert not Score.objects.filter(registration=regs[1]).exists()
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    listed = selectors.disagreements(session)
    assert [row["registration"].pk for row in listed] == [regs[1].pk]
    assert sorted(e["theory"] for e in listed[0]["entries"]) == [Decimal("59.5"), Decimal("69.5")]
    with pytest.raises(DomainError) as exc:
        services.session_confirm(actor=world.user("school"), session=session)
    assert exc.value.code == "scores_incomplete"
    assert "1 名考生的两次录入不一致" in exc.value.message
    # resolved: the first examiner checks the sheet and agrees with 69.5
    services.score_enter(actor=first, registration=regs[1], theory="69.5", skill="90")
    assert not selectors.disagreements(session)
    services.session_confirm(actor=world.user("school"), session=session)
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    assert Score.objects.get(registration=regs[1]).theory == Decimal("69.5")


def test_r04_scores_missing_second_entry_blocks_confirmation(world, started):
    session, regs, (first, second, _third) = started
    for reg, (t, s) in zip(regs, MARKS, strict=True):
        services.score_enter(actor=first, registration=reg, theory=t, skill=s)
    for reg, (t, s) in zip(regs[:2], MARKS[:2], strict=True):
        services.score_enter(actor=second, registration=reg, theory=t, skill=s)
    with pytest.raises(DomainError) as exc:
        services.session_confirm(actor=world.user("school"), session=session)
    assert exc.value.code == "scores_incomplete"
    assert "1 名考生尚未完成两名考评员的双人录入" in exc.value.message


def test_r04_scores_third_examiner_who_disagrees_reopens_the_candidate(world, started):
    _session, regs, (first, second, third) = started
    services.score_enter(actor=first, registration=regs[0], theory="70", skill="70")
    services.score_enter(actor=second, registration=regs[0], theory="70", skill="70")
    assert Score.objects.filter(registration=regs[0]).exists()
    entered = services.score_enter(actor=third, registration=regs[0], theory="70", skill="71")
    assert entered.state == rules.DISAGREED
    assert not Score.objects.filter(registration=regs[0]).exists()


def test_r04_scores_refused_for_a_non_assigned_examiner_and_outside_scoring(world, started):
    session, regs, (first, _second, _third) = started
    with pytest.raises(DomainError) as exc:
        services.score_enter(actor=world.user("examiner"), registration=regs[0], theory="70", skill="70")
    assert exc.value.code == "not_assigned"
    planned = f.planned_session(world, session.institution)
    reg = services.registration_add(
        actor=world.user("school"), session=planned, person=f.students(world, 1, start=40)[0]
    )
    SessionStaff.objects.create(
        session=planned, examiner=session.staff.filter(role="examiner").first().examiner, role="examiner"
    )
    with pytest.raises(DomainError) as exc:
        services.score_enter(actor=first, registration=reg, theory="70", skill="70")
    assert exc.value.code == "not_in_progress"
    assert not ScoreEntry.objects.exists()


def test_r04_entry_state_rule():
    a, b = (Decimal("70"), Decimal("80")), (Decimal("70"), Decimal("81"))
    assert rules.entry_state([]) == rules.PENDING
    assert rules.entry_state([a]) == rules.PENDING
    assert rules.entry_state([a, a]) == rules.AGREED
    assert rules.entry_state([a, b]) == rules.DISAGREED
    assert rules.entry_state([a, a, b]) == rules.DISAGREED


# --- the Excel score sheet ------------------------------------------------------------------------


def test_r04_scores_template_is_prefilled_with_the_sessions_candidates(world, started, tmp_path):
    session, regs, _ = started
    path = tmp_path / "t.xlsx"
    with path.open("wb") as fh:
        assert write_score_template(fh, session) == 3
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADERS
    assert [row[1] for row in rows[1:]] == [r.ticket for r in regs]
    assert [row[2] for row in rows[1:]] == [r.person.name for r in regs]
    assert rows[1][3] == regs[0].person.masked_id_number != regs[0].person.id_number  # masked, not the full number
    assert all(row[4] == "" and row[5] == "" for row in rows[1:])


def test_r04_scores_sheet_entries_agree_with_another_examiners_page_entries(world, started, tmp_path):
    session, regs, (first, second, _third) = started
    for reg, (t, s) in zip(regs, MARKS, strict=True):
        services.score_enter(actor=first, registration=reg, theory=t, skill=s)
    result = import_scores(actor=second, path=_sheet(tmp_path, _rows(session, regs, MARKS)))
    assert not result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCORED
    assert Score.objects.filter(registration__session=session, passed=True).count() == 2
    # the same sheet again changes nothing
    again = import_scores(actor=second, path=_sheet(tmp_path, _rows(session, regs, MARKS), "again.xlsx"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_r04_scores_sheet_full_id_number_and_blank_rows(world, started, tmp_path):
    session, regs, (first, _second, _third) = started
    rows = _rows(session, regs, MARKS)
    rows[0][3] = regs[0].person.id_number  # the full number is accepted too
    rows[2][4] = rows[2][5] = ""  # not scored yet: left alone
    result = import_scores(actor=first, path=_sheet(tmp_path, rows))
    assert not result.errors
    assert (result.created, result.unchanged) == (2, 1)
    assert not ScoreEntry.objects.filter(registration=regs[2]).exists()


def _errors(result):
    return {(e.row, e.column): e.message for e in result.errors}


def test_r04_scores_sheet_names_every_bad_row_and_writes_nothing(world, started, tmp_path):
    session, regs, (first, _second, _third) = started
    rows = [
        [session.pk, regs[0].ticket, regs[0].person.name, "", 80, 75],  # row 2: fine
        [session.pk, regs[1].ticket, regs[1].person.name, "", 100.5, 90],  # row 3: out of range
        [session.pk, regs[2].ticket, regs[2].person.name, "", "100.05", 60],  # row 4: two decimals (and > 100)
        [session.pk, regs[2].ticket, regs[2].person.name, "", 60, "六十"],  # row 5: duplicate candidate
        [session.pk, "0000999999", "某人", "", 60, 60],  # row 6: not registered here
        [session.pk, regs[1].ticket, "张冠李戴", "", 60, 60],  # row 7: name does not match
        [session.pk, regs[1].ticket, regs[1].person.name, "410802********0000", 60, 60],  # row 8: wrong ID
    ]
    result = import_scores(actor=first, path=_sheet(tmp_path, rows))
    errors = _errors(result)
    assert "超出 0–100 分" in errors[(3, "理论成绩")]
    assert (4, "理论成绩") in errors
    assert "重复" in errors[(5, "准考证号")]
    assert "第 4 行" in errors[(5, "准考证号")]
    assert "没有准考证号为“0000999999”" in errors[(6, "准考证号")]
    assert "姓名不符" in errors[(7, "姓名")]
    assert (8, "身份证号") in errors
    assert 2 not in {row for row, _ in errors}
    assert not ScoreEntry.objects.exists()  # all or nothing: row 2 was fine but is not written
    assert result.job is not None
    assert result.job.error_file


@pytest.mark.parametrize(
    ("theory", "skill", "column", "reason"),
    [
        ("100.05", 60, "理论成绩", "超出 0–100 分"),
        ("99.05", 60, "理论成绩", "最多保留一位小数"),
        (60, "-1", "技能成绩", "超出 0–100 分"),
        ("八十", 60, "理论成绩", "不是数字"),
        (60, "", "技能成绩", "未填写"),
        (60.25, 60, "理论成绩", "最多保留一位小数"),
    ],
)
def test_r04_scores_sheet_score_values(world, started, tmp_path, theory, skill, column, reason):
    session, regs, (first, _second, _third) = started
    rows = [[session.pk, regs[0].ticket, "", "", theory, skill]]
    errors = _errors(import_scores(actor=first, path=_sheet(tmp_path, rows)))
    assert reason in errors[(2, column)]
    assert not ScoreEntry.objects.exists()


def test_r04_scores_sheet_refused_for_a_non_assigned_examiner(world, started, tmp_path):
    session, regs, _ = started
    result = import_scores(actor=world.user("examiner"), path=_sheet(tmp_path, _rows(session, regs, MARKS)))
    errors = _errors(result)
    assert all("只有本场次安排的考评员" in errors[(row, "场次编号")] for row in (2, 3, 4))
    assert not ScoreEntry.objects.exists()


def test_r04_scores_sheet_refused_in_the_wrong_session_state(world, started, tmp_path):
    session, regs, (first, second, _third) = started
    for examiner in (first, second):
        for reg, (t, s) in zip(regs, MARKS, strict=True):
            services.score_enter(actor=examiner, registration=reg, theory=t, skill=s)
    services.session_confirm(actor=world.user("school"), session=session)
    result = import_scores(actor=first, path=_sheet(tmp_path, _rows(session, regs, [(99, 99)] * 3)))
    assert "只有考核中的场次可以录入成绩" in _errors(result)[(2, "场次编号")]
    assert Score.objects.filter(theory=99).count() == 0


def test_r04_scores_sheet_without_any_score_is_refused_as_a_whole(world, started, tmp_path):
    session, regs, (first, _second, _third) = started
    with pytest.raises(ImportRejected):
        import_scores(actor=first, path=_sheet(tmp_path, _rows(session, regs, [("", "")] * 3)))


def test_r04_scores_sheet_only_for_examiners_and_known_sessions(world, started, tmp_path):
    session, regs, (first, _second, _third) = started
    with pytest.raises(PermissionDenied):  # a school admin does not enter scores
        import_scores(actor=world.user("school"), path=_sheet(tmp_path, _rows(session, regs, MARKS)))
    rows = _rows(session, regs, MARKS)
    rows[1][0] = 99999
    errors = _errors(import_scores(actor=first, path=_sheet(tmp_path, rows, "b.xlsx")))
    assert list(errors) == [(3, "场次编号")]
    assert "没有编号为 99999 的考核场次" in errors[(3, "场次编号")]
    assert not ScoreEntry.objects.exists()


def test_r04_scores_confirmed_then_only_corrections(world, started):
    session, regs, (first, second, _third) = started
    for examiner in (first, second):
        for reg, (t, s) in zip(regs, MARKS, strict=True):
            services.score_enter(actor=examiner, registration=reg, theory=t, skill=s)
    services.session_confirm(actor=world.user("school"), session=session)
    with pytest.raises(DomainError) as exc:
        services.score_enter(actor=first, registration=regs[0], theory="1", skill="1")
    assert exc.value.code == "not_in_progress"
