"""Pure rules: transitions, the R2 + R3 gate over plain facts, attachments. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from chizheng.core.errors import DomainError

from ..rules import (
    EventFact,
    InstitutionFacts,
    ScopeFact,
    check_attachment,
    check_may_assess,
    check_scope_level,
    check_transition,
    may_assess,
    review_due_after,
    suspension_windows,
)

D = dt.date
FACTS = InstitutionFacts(
    name="评价中心",
    filed_on=D(2022, 3, 1),
    revoked_on=None,
    suspensions=(),
    scopes=(ScopeFact(7, 3, D(2022, 2, 1), None),),
)


APRIL = D(2022, 4, 1)


def _ask(facts=FACTS, level=4, on=APRIL, standard=(5, 4, 3), spec=()):
    return may_assess(
        facts,
        occupation_id=7,
        occupation_label="6-18-01-01 车工",
        level=level,
        on_date=on,
        standard_levels=standard,
        spec_levels=spec,
    )


def test_r02_transitions_refuse_suspending_a_revoked_institution():
    with pytest.raises(DomainError) as err:
        check_transition("revoked", "suspend")
    assert err.value.code == "invalid_transition"
    assert "已撤销" in err.value.message


def test_r02_transitions_follow_the_filing_life():
    assert check_transition("draft", "submit") == "submitted"
    assert check_transition("submitted", "approve") == "filed"
    assert check_transition("submitted", "return") == "returned"
    assert check_transition("returned", "submit") == "submitted"
    assert check_transition("filed", "suspend") == "suspended"
    assert check_transition("suspended", "restore") == "filed"
    assert check_transition("suspended", "revoke") == "revoked"
    with pytest.raises(DomainError):
        check_transition("filed", "approve")
    with pytest.raises(DomainError):
        check_transition("revoked", "restore")


def test_r02_pure_gate_filing_date_boundary():
    assert not _ask(on=D(2022, 2, 28))
    assert _ask(on=D(2022, 3, 1))


def test_r02_pure_gate_suspension_window_and_revocation():
    suspended = InstitutionFacts(**{**FACTS.__dict__, "suspensions": ((D(2022, 6, 1), D(2022, 6, 30)),)})
    assert _ask(suspended, on=D(2022, 5, 31))
    assert not _ask(suspended, on=D(2022, 6, 1))
    assert not _ask(suspended, on=D(2022, 6, 30))
    assert _ask(suspended, on=D(2022, 7, 1))
    revoked = InstitutionFacts(**{**FACTS.__dict__, "revoked_on": D(2023, 1, 1)})
    assert _ask(revoked, on=D(2022, 12, 31))
    assert not _ask(revoked, on=D(2023, 1, 1))


def test_r02_pure_gate_scope_edge_and_removed_scope():
    assert _ask(level=3)
    assert not _ask(level=2)
    assert _ask(level=5)
    removed = InstitutionFacts(**{**FACTS.__dict__, "scopes": (ScopeFact(7, 3, D(2022, 2, 1), D(2022, 9, 1)),)})
    assert _ask(removed, on=D(2022, 8, 31))
    assert not _ask(removed, on=D(2022, 9, 1))


def test_r03_pure_gate_standard_or_filed_spec():
    assert not _ask(standard=(), spec=())
    assert _ask(standard=(), spec=(5, 4))
    assert not _ask(standard=(5,), spec=())
    with pytest.raises(DomainError) as err:
        check_may_assess(
            FACTS,
            occupation_id=7,
            occupation_label="x",
            level=4,
            on_date=D(2022, 4, 1),
            standard_levels=(),
            spec_levels=(),
        )
    assert err.value.code == "no_standard"


def test_r02_suspension_windows_from_the_history():
    events = [
        EventFact("suspended", D(2022, 6, 1), None),
        EventFact("restored", D(2022, 7, 1), None),
        EventFact("suspended", D(2022, 9, 1), D(2022, 9, 10)),
        EventFact("restored", D(2022, 9, 20), None),
        EventFact("suspended", D(2023, 1, 1), None),
    ]
    assert suspension_windows(events) == (
        (D(2022, 6, 1), D(2022, 6, 30)),
        (D(2022, 9, 1), D(2022, 9, 10)),
        (D(2023, 1, 1), None),
    )


def test_r02_scope_levels_must_be_defined_by_standard_or_spec():
    assert check_scope_level(occupation_label="x", level=3, defined_levels=(5, 4, 3)) == 3
    with pytest.raises(DomainError, match="没有设置 2 级"):
        check_scope_level(occupation_label="x", level=2, defined_levels=(5, 4, 3))
    with pytest.raises(DomainError) as err:
        check_scope_level(occupation_label="x", level=4, defined_levels=())
    assert err.value.code == "occupation_without_standard"


def test_attachments_are_judged_by_their_first_bytes():
    assert check_attachment("备案表.pdf", b"%PDF-1.7\n", 1000) == "application/pdf"
    assert check_attachment("场地.JPG", b"\xff\xd8\xff\xe0", 1000) == "image/jpeg"
    assert check_attachment("a.png", b"\x89PNG\r\n\x1a\n", 1000) == "image/png"
    with pytest.raises(DomainError) as err:
        check_attachment("备案表.pdf", b"MZ\x90\x00", 1000)
    assert err.value.code == "bad_file_type"
    with pytest.raises(DomainError):
        check_attachment("x.pdf", b"%PDF-", 11 * 1024 * 1024)
    with pytest.raises(DomainError):
        check_attachment("x.exe", b"%PDF-", 100)


def test_annual_review_is_due_a_year_later():
    assert review_due_after(D(2022, 3, 1)) == D(2023, 3, 1)
    assert review_due_after(D(2024, 2, 29)) == D(2025, 2, 28)
