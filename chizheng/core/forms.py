"""Forms of the core area: org units and user accounts. Validation of meaning lives in rules/services."""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import OrgKind, Role
from .errors import DomainError
from .models import OrgUnit, User
from .rules import check_school_fields
from .services import _MANAGEABLE_ROLES


def style(form: forms.BaseForm) -> None:
    """Tabler classes on every widget."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")
        else:
            field.widget.attrs.setdefault("class", "form-control")


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = [
            "kind",
            "code",
            "name",
            "short_name",
            "parent",
            "school_kind",
            "ownership",
            "opened_on",
            "closed_on",
            "address",
            "contact",
            "phone",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "school_kind": "仅院校填写",
            "ownership": "仅院校填写",
            "closed_on": "停办的院校保留历史数据，不再出现在可选院校中",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = OrgUnit.objects.exclude(kind=OrgKind.SCHOOL)
        if self.instance.pk:
            self.fields["kind"].disabled = True
        style(self)

    def clean(self) -> dict[str, Any]:
        """Run the school rule here too, so the model's check constraints never surface as raw messages."""
        data = super().clean() or {}
        if data.get("kind") == OrgKind.SCHOOL:
            try:
                check_school_fields(
                    school_kind=data.get("school_kind", ""),
                    ownership=data.get("ownership", ""),
                    opened_on=data.get("opened_on"),
                    closed_on=data.get("closed_on"),
                )
            except DomainError as err:
                self.add_error(err.field if err.field in self.fields else None, err.message)
        elif data.get("opened_on") and data.get("closed_on") and data["closed_on"] < data["opened_on"]:
            self.add_error("closed_on", "停办日期不能早于开办日期。")
        return data


def _unit_field(actor: User) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="所属单位",
        queryset=OrgUnit.objects.restrict(actor).order_by("kind", "code"),
        required=False,
        help_text="评审专家、学生/学员可不填",
    )


def _role_choices(actor: User) -> list[tuple[str, str]]:
    allowed = _MANAGEABLE_ROLES.get(Role(actor.role), set())
    return [(value, str(label)) for value, label in Role.choices if value in allowed]


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": "用户名只能由 3 位以上字母、数字和 _ . @ - 组成。"},
    )
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色")
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少 10 位，请告知本人尽快修改")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A learner's login belongs to a person in the registry; it is not created from this form.
        roles = [(value, label) for value, label in _role_choices(actor) if value != Role.LEARNER]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
        self.fields["org_unit"] = _unit_field(actor)
        style(self)

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


class UserEditForm(forms.Form):
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(actor)  # type: ignore[attr-defined]
        self.fields["org_unit"] = _unit_field(actor)
        style(self)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput, help_text="至少 10 位，不能过于简单")
    confirm = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", "两次输入的密码不一致。")
        return data
