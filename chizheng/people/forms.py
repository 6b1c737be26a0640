"""Forms of the person registry (meaning is checked in services)."""

from __future__ import annotations

from typing import Any

from django import forms

from chizheng.core.forms import style

from .choices import StudentStatus


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class StudentForm(forms.Form):
    major = forms.CharField(label="专业", max_length=60)
    outstanding = forms.BooleanField(label="优秀学生", required=False, help_text="R4：优秀中职毕业生可报考高级工")
    status = forms.ChoiceField(label="学籍状态", choices=StudentStatus.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
