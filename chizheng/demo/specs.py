"""Demo evaluation specs (R3): expert accounts and two specs of the demo school — one filed with the
provincial HRSS, one still under expert review (the persona `expert` invited and yet to answer)."""

from __future__ import annotations

import datetime as dt
import random

from chizheng.core.choices import Role
from chizheng.core.models import User
from chizheng.occupations import spec_rules
from chizheng.occupations.choices import SpecStatus, Verdict
from chizheng.occupations.models import EvaluationSpec, Occupation, SpecInvitation, SpecOpinion

from .ids import person_name

EXPERTS = 7  # `expert` (a demo login already) plus expert_2 … expert_7
AFFILIATIONS = [
    "河南理工大学计算机学院",
    "焦作大学信息工程学院",
    "河南省职业技能鉴定指导中心",
    "焦作市数字经济产业协会",
    "河南工业职业技术学院",
    "中原工学院",
    "焦作市人力资源和社会保障局",
]
# New digital occupations of the 2022 classification (tag S) a vocational school plausibly teaches;
# the first two without a national skill standard are used.
CANDIDATES = ["4-04-04-05", "4-04-05-04", "4-04-04-06", "4-04-05-02", "4-04-05-05", "4-04-05-01"]


def _experts(rng: random.Random) -> list[User]:
    first = User.objects.get(username="expert", role=Role.EXPERT)
    experts = [first]
    for i in range(2, EXPERTS + 1):
        user, _ = User.objects.get_or_create(
            username=f"expert_{i}",
            defaults={
                "role": Role.EXPERT,
                "display_name": person_name(rng, rng.random() < 0.6),
                "password": first.password,
            },
        )
        experts.append(user)
    return experts


def _spec(school_admin: User, occupation: Occupation, **fields: object) -> EvaluationSpec:
    """A spec of the demo school, its content checked by the same pure rules the services use."""
    spec_rules.check_occupation_needs_spec(code=occupation.code, has_national_standard=occupation.has_national_standard)
    levels = spec_rules.check_levels(fields.pop("levels"))  # type: ignore[arg-type]
    theory, skill = spec_rules.check_weights(fields.pop("theory_weight"), fields.pop("skill_weight"))
    school = school_admin.org_unit
    assert school is not None
    assert school.county_id is not None
    return EvaluationSpec.objects.create(
        school=school,
        county_id=school.county_id,
        occupation=occupation,
        levels=levels,
        theory_weight=theory,
        skill_weight=skill,
        created_by=school_admin,
        **fields,
    )


def _review(
    spec: EvaluationSpec, school_admin: User, reviews: list[tuple[User, str, str | None, dt.date | None]]
) -> None:
    """Invite each expert (with an affiliation) and record the verdicts given (None: not yet)."""
    for expert, affiliation, verdict, given_on in reviews:
        SpecInvitation.objects.create(spec=spec, expert=expert, affiliation=affiliation, invited_by=school_admin)
        if verdict is not None and given_on is not None:
            comments = {
                Verdict.APPROVE: "",
                Verdict.APPROVE_WITH_CHANGES: "建议将三级操作技能考核时间由 120 分钟延长至 150 分钟。",
                Verdict.REJECT: "三级技能要求与四级区分度不足，建议补充复杂场景方案设计内容。",
            }[Verdict(verdict)]
            SpecOpinion.objects.create(spec=spec, expert=expert, verdict=verdict, comments=comments, given_on=given_on)


def build(seed: int) -> dict[str, int]:
    """Expert accounts and two specs of the demo school (one filed, one under review); counts.

    Like the rest of the demo load, rows are written directly (the load itself is one audit event);
    the workflow's rules are checked on the way so the demo never shows what the services refuse."""
    rng = random.Random(seed + 3)
    school_admin = User.objects.select_related("org_unit").get(username="school_admin")
    experts = _experts(rng)
    occupations = list(Occupation.objects.filter(code__in=CANDIDATES, has_national_standard=False))
    occupations.sort(key=lambda o: CANDIDATES.index(o.code))
    if len(occupations) < 2:
        raise RuntimeError("demo specs need two digital occupations without a national standard")
    filed_occ, review_occ = occupations[:2]

    filed = _spec(
        school_admin,
        filed_occ,
        title=f"{filed_occ.name}职业技能等级评价规范",
        levels=[5, 4, 3],
        theory_weight="30",
        skill_weight="70",
        candidates_per_invigilator=15,
        candidates_per_examiner=5,
        content=(
            f"一、适用范围：本规范适用于{filed_occ.name}（{filed_occ.code}）五级、四级、三级的职业技能等级认定。\n"
            "二、评价方式：理论知识考试采用闭卷机考，操作技能考核采用现场实际操作与方案答辩相结合。\n"
            "三、考评人员：考评员与考生配比 1:5；监考人员与考生配比 1:15。"
        ),
    )
    verdicts = [Verdict.APPROVE] * 4 + [Verdict.APPROVE_WITH_CHANGES, Verdict.REJECT]
    _review(
        filed,
        school_admin,
        [
            (expert, AFFILIATIONS[i], verdict, dt.date(2022, 8, 10 + i))
            for i, (expert, verdict) in enumerate(zip(experts[1:], verdicts, strict=True))
        ],
    )
    submitted_on, filed_on = dt.date(2022, 8, 25), dt.date(2022, 9, 15)
    approvals = spec_rules.count_approvals((o.expert_id, o.verdict) for o in filed.opinions.all())
    spec_rules.check_may_submit(SpecStatus.UNDER_REVIEW, approvals=approvals)
    spec_rules.check_may_file(
        SpecStatus.SUBMITTED, approvals=approvals, submitted_on=submitted_on, filed_on=filed_on, today=filed_on
    )
    filed.status = SpecStatus.FILED
    filed.submitted_on, filed.filed_on = submitted_on, filed_on
    filed.filing_number = spec_rules.check_filing_number("豫人社评规〔2022〕12号")
    filed.save()

    reviewing = _spec(
        school_admin,
        review_occ,
        title=f"{review_occ.name}职业技能等级评价规范（征求意见稿）",
        levels=[5, 4],
        theory_weight="40",
        skill_weight="60",
        candidates_per_invigilator=20,
        candidates_per_examiner=6,
        content=f"适用于{review_occ.name}（{review_occ.code}）五级、四级。理论知识 40%，操作技能 60%。",
        status=SpecStatus.UNDER_REVIEW,
    )
    given = [Verdict.APPROVE, Verdict.APPROVE, Verdict.APPROVE_WITH_CHANGES, None, None]
    _review(
        reviewing,
        school_admin,
        [
            (expert, AFFILIATIONS[(i + 3) % len(AFFILIATIONS)], verdict, dt.date(2022, 11, 3 + i) if verdict else None)
            for i, (expert, verdict) in enumerate(zip(experts[1:5] + experts[:1], given, strict=True))
        ],
    )
    return {"experts": len(experts), "specs": EvaluationSpec.objects.count()}
