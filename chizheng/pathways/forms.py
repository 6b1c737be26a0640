"""Forms of the pathway pages; services do the checking."""

from __future__ import annotations

from typing import Any

from django import forms

from chizheng.certification.choices import Pathway
from chizheng.core.errors import DomainError
from chizheng.core.forms import style
from chizheng.institutions.choices import InstitutionStatus
from chizheng.institutions.models import EvaluationInstitution
from chizheng.occupations.choices import SkillLevel
from chizheng.occupations.models import Occupation
from chizheng.occupations.selectors import occupation_by_code, trade_by_name

from .models import Competition, CourseCertMapping


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _occupation(code: str, *, required: bool) -> Occupation | None:
    if not (code or "").strip() and not required:
        return None
    try:
        return occupation_by_code(code)
    except DomainError as err:
        raise forms.ValidationError(err.message) from err


class OccupationTradeForm(forms.Form):
    """A form naming an occupation by its code and, optionally, one of its trades (工种) by name; both resolved
    to catalog objects, a missing one named on its field."""

    occupation = forms.CharField(label="职业编码", max_length=20, help_text="如 6-18-01-01")
    trade = forms.CharField(label="工种", max_length=100, required=False, help_text="可不填")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean_occupation(self) -> Occupation | None:
        return _occupation(self.cleaned_data.get("occupation", ""), required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        occupation, name = data.get("occupation"), data.get("trade") or ""
        data["trade"] = None
        if occupation is not None:
            try:
                data["trade"] = trade_by_name(occupation, name)
            except DomainError as err:
                self.add_error("trade", err.message)
        return data


class BatchForm(forms.Form):
    """A new recognition batch. The source field depends on the pathway: R5 may narrow to an occupation and
    level, R6 names a course-certificate mapping, R7 a competition (both of the actor's school)."""

    institution = forms.ModelChoiceField(EvaluationInstitution.objects.none(), label="评价机构（发证机构）")
    title = forms.CharField(label="批次名称", max_length=100)
    occupation = forms.CharField(
        label="职业编码", max_length=20, required=False, help_text="可不填：认定所有有对应职业的 1+X 证书"
    )
    level = forms.TypedChoiceField(
        label="等级", choices=[("", "不限"), *SkillLevel.choices], coerce=int, required=False, empty_value=None
    )
    course_mapping = forms.ModelChoiceField(CourseCertMapping.objects.none(), label="课证融通方案")
    competition = forms.ModelChoiceField(Competition.objects.none(), label="竞赛")
    publicity_days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=7)

    def __init__(self, *args: Any, actor: Any, pathway: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pathway = pathway
        self.fields["institution"].queryset = EvaluationInstitution.objects.restrict(actor).filter(  # type: ignore[attr-defined]
            status__in=[InstitutionStatus.FILED, InstitutionStatus.SUSPENDED]
        )
        if pathway == Pathway.PROCESS:
            self.fields["course_mapping"].queryset = CourseCertMapping.objects.restrict(actor).filter(active=True)  # type: ignore[attr-defined]
        else:
            del self.fields["course_mapping"]
        if pathway == Pathway.COMPETITION:
            self.fields["competition"].queryset = Competition.objects.restrict(actor)  # type: ignore[attr-defined]
        else:
            del self.fields["competition"]
        if pathway != Pathway.DIRECT:
            del self.fields["occupation"]
            del self.fields["level"]
        style(self)

    def clean_occupation(self) -> Occupation | None:
        return _occupation(self.cleaned_data.get("occupation", ""), required=False)


class DateForm(forms.Form):
    on_date = forms.DateField(label="日期", widget=DateInput())

    def __init__(self, *args: Any, label: str = "日期", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_date"].label = label
        style(self)


class MappingForm(OccupationTradeForm):
    certificate_name = forms.CharField(label="1+X 证书名称", max_length=100)
    organisation = forms.CharField(label="培训评价组织", max_length=100, required=False, help_text="空表示不限组织")
    note = forms.CharField(label="备注", max_length=200, required=False)
    field_order = ("certificate_name", "organisation", "occupation", "trade", "note")
