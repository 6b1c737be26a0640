"""Forms of the institution pages. Meaning is checked in rules/services; forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from chizheng.core.choices import OrgKind
from chizheng.core.forms import style
from chizheng.core.models import OrgUnit, User
from chizheng.occupations.choices import SkillLevel

from .choices import ExaminerRole, InstitutionKind
from .models import EvaluationInstitution

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVELS = [(str(v), str(label)) for v, label in SkillLevel.choices]


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class InstitutionForm(_Styled):
    school = forms.ModelChoiceField(label="院校", queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label="机构类型", choices=InstitutionKind.choices)
    name = forms.CharField(label="机构名称（备案名称）", max_length=100)
    code = forms.CharField(label="机构代码", max_length=4, help_text="4 位数字，用于证书编号")
    contact = forms.CharField(label="联系人", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30)
    email = forms.CharField(label="电子邮箱", max_length=100, required=False)
    sites = forms.CharField(label="评价场所", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, actor: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.restrict(actor).filter(kind=OrgKind.SCHOOL).order_by("code")
        if editing:
            del self.fields["school"]


class ScopeForm(_Styled):
    occupation = forms.CharField(label="职业编码", max_length=10, help_text="如 6-18-01-01")
    highest_level = forms.TypedChoiceField(label="最高等级", choices=LEVELS, coerce=int)
    added_on = forms.DateField(label="生效日期", widget=DATE, initial=timezone.localdate)


class ScopeRemoveForm(_Styled):
    removed_on = forms.DateField(label="取消日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="原因", max_length=300, required=False)


class ApproveForm(_Styled):
    filing_number = forms.CharField(label="备案编号", max_length=40)
    filed_on = forms.DateField(label="备案日期", widget=DATE, initial=timezone.localdate)


class ReturnForm(_Styled):
    reason = forms.CharField(label="退回原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class AnnualReviewForm(_Styled):
    reviewed_on = forms.DateField(label="审核日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label="审核意见", max_length=300, required=False)


class SuspendForm(_Styled):
    from_date = forms.DateField(label="暂停开始日期", widget=DATE, initial=timezone.localdate)
    until = forms.DateField(label="暂停截止日期", widget=DATE, required=False, help_text="不填则至恢复为止")
    reason = forms.CharField(label="原因", max_length=300)


class DatedReasonForm(_Styled):
    on_date = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="原因", max_length=300, required=False)


class AttachmentForm(_Styled):
    title = forms.CharField(label="附件名称", max_length=100, required=False)
    file = forms.FileField(label="文件", help_text="PDF、JPG 或 PNG，不超过 10 MB")


def _this_year() -> int:
    return timezone.localdate().year


class SubsidyForm(_Styled):
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100, initial=_this_year)
    institution = forms.ModelChoiceField(label="评价机构", queryset=EvaluationInstitution.objects.none())
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EvaluationInstitution.objects.restrict(actor).filter(status="filed").order_by("code")


class ExaminerForm(_Styled):
    institution = forms.ModelChoiceField(label="评价机构", queryset=EvaluationInstitution.objects.none())
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="须已登记在本校人员库中")
    role = forms.ChoiceField(label="身份", choices=ExaminerRole.choices)
    occupation = forms.CharField(label="职业编码", max_length=10, required=False, help_text="考评员必填")
    highest_level = forms.TypedChoiceField(
        label="可考评最高等级", choices=[("", "—"), *LEVELS], coerce=int, required=False, empty_value=None
    )
    qualification_number = forms.CharField(label="资格证书编号", max_length=40)
    valid_from = forms.DateField(label="有效期起", widget=DATE)
    valid_until = forms.DateField(label="有效期至", widget=DATE)
    relatives = forms.CharField(
        label="需回避的亲属（身份证号）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="每行一个，须已登记在人员库中",
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EvaluationInstitution.objects.restrict(actor).order_by("code")
