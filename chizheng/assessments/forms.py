"""Forms of the exam pathway pages; services do the checking."""

from __future__ import annotations

from typing import Any

from django import forms

from chizheng.core.forms import style
from chizheng.institutions.choices import InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution, Examiner
from chizheng.occupations.choices import SkillLevel
from chizheng.occupations.models import Occupation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SessionForm(forms.Form):
    institution = forms.ModelChoiceField(EvaluationInstitution.objects.none(), label="评价机构")
    occupation = forms.CharField(label="职业编码", max_length=20, help_text="如 6-18-01-01")
    level = forms.TypedChoiceField(label="等级", choices=SkillLevel.choices, coerce=int)
    held_on = forms.DateField(label="考核日期", widget=DateInput())
    title = forms.CharField(label="场次名称", max_length=100, required=False)
    rooms = forms.IntegerField(label="考场数", min_value=1, initial=1)
    theory_weight = forms.IntegerField(label="理论权重（%）", min_value=0, max_value=100, initial=30)
    skill_weight = forms.IntegerField(label="技能权重（%）", min_value=0, max_value=100, initial=70)
    theory_pass_mark = forms.DecimalField(label="理论合格线", initial=60, max_digits=4, decimal_places=1)
    skill_pass_mark = forms.DecimalField(label="技能合格线", initial=60, max_digits=4, decimal_places=1)
    publicity_days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=7)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = EvaluationInstitution.objects.restrict(actor).filter(  # type: ignore[attr-defined]
            status__in=[InstitutionStatus.FILED, InstitutionStatus.SUSPENDED]
        )
        style(self)

    def clean_occupation(self) -> Occupation:
        code = self.cleaned_data["occupation"].strip()
        occupation = Occupation.objects.filter(code=code).first()
        if occupation is None:
            raise forms.ValidationError(f"职业编码“{code}”不存在。")
        return occupation


class RegisterForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class StaffForm(forms.Form):
    examiner = forms.ModelChoiceField(Examiner.objects.none(), label="考评人员")

    def __init__(self, *args: Any, on_date: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["examiner"].queryset = (  # type: ignore[attr-defined]
            Examiner.objects.filter(valid_from__lte=on_date, valid_until__gte=on_date)
            .select_related("person", "institution", "occupation")
            .order_by("institution__code", "role", "person__name")
        )
        self.fields["examiner"].label_from_instance = (  # type: ignore[attr-defined]
            lambda e: (
                f"{e.person.name}（{e.get_role_display()}，{e.institution.name}"
                + (f"，{e.occupation.name} 最高{e.highest_level}级" if e.occupation_id else "")
                + "）"
            )
        )
        style(self)


class ScoreForm(forms.Form):
    theory = forms.CharField(label="理论成绩", max_length=10)
    skill = forms.CharField(label="技能成绩", max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class CorrectionForm(ScoreForm):
    reason = forms.CharField(label="更正原因", max_length=300)


class PubliciseForm(forms.Form):
    on_date = forms.DateField(label="公示开始日期", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class IssueForm(forms.Form):
    today = forms.DateField(label="发证日期", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ObjectionForm(forms.Form):
    text = forms.CharField(label="异议内容", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果", choices=[("0", "不成立"), ("1", "成立")], coerce=lambda v: v == "1"
    )
    resolution = forms.CharField(label="处理意见", max_length=500)
    theory = forms.CharField(label="更正后理论成绩（成立时填写）", max_length=10, required=False)
    skill = forms.CharField(label="更正后技能成绩（成立时填写）", max_length=10, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ScoreUploadForm(forms.Form):
    file = forms.FileField(
        label="成绩表", help_text="下载本场次的成绩录入模板，填写理论成绩、技能成绩后上传（.xlsx/.xls/.ods/.csv）"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


_ODD_CHOICES = [("", "按默认（须为单数）"), ("1", "须为单数"), ("0", "不要求单数")]


def _odd(value: str) -> bool | None:
    return None if value == "" else value == "1"


class StaffingPolicyForm(forms.Form):
    """The staffing ratios of a national standard or an evaluation spec; empty = DESIGN.md's default."""

    candidates_per_invigilator = forms.IntegerField(
        label="每名监考员对应考生数", required=False, help_text="默认 15：理论考试监考员 ≥ 考生数 ÷ 15（向上取整）"
    )
    invigilators_per_room = forms.IntegerField(label="每考场最少监考员", required=False, help_text="默认 2")
    candidates_per_examiner = forms.IntegerField(
        label="每名考评员对应考生数", required=False, help_text="默认 5：技能考评员 ≥ 考生数 ÷ 5（向上取整）"
    )
    min_examiners = forms.IntegerField(
        label="最少考评员", required=False, help_text="默认 3；双人录入成绩至少需要 2 名考评员"
    )
    examiners_odd = forms.TypedChoiceField(
        label="考评员人数须为单数", choices=_ODD_CHOICES, coerce=_odd, empty_value=None, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    @staticmethod
    def initial_from(obj: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(obj, name)
            for name in (
                "candidates_per_invigilator",
                "invigilators_per_room",
                "candidates_per_examiner",
                "min_examiners",
            )
        }
        odd = getattr(obj, "examiners_odd", None)
        values["examiners_odd"] = "" if odd is None else ("1" if odd else "0")
        return values
