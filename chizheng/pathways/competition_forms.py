"""Forms of the R7 competition pages; the services (and `rules.check_competition_bands`) do the checking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from chizheng.core.forms import style
from chizheng.occupations.choices import SkillLevel

from . import rules
from .choices import BandBasis, CompetitionAudience, Participant
from .forms import DateInput, OccupationTradeForm

BAND_ROWS = 6


class CompetitionForm(OccupationTradeForm):
    field_order = ("name", "occupation", "trade", "held_on", "audience", "basis")
    name = forms.CharField(label="竞赛名称", max_length=100)
    held_on = forms.DateField(label="竞赛日期", widget=DateInput())
    audience = forms.ChoiceField(label="参赛对象", choices=CompetitionAudience.choices)
    basis = forms.ChoiceField(label="认定规则", choices=BandBasis.choices, help_text="按名次段或成绩段认定等级")


class BandForm(forms.Form):
    """One rule row: from–to (ranks or scores) → level; an empty row is skipped."""

    low = forms.DecimalField(label="自", required=False, max_digits=5, decimal_places=1, min_value=0)
    high = forms.DecimalField(label="至", required=False, max_digits=5, decimal_places=1, min_value=0)
    level = forms.TypedChoiceField(
        label="等级", choices=[("", "—"), *SkillLevel.choices], coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
        for field in self.fields.values():
            field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " form-control-sm"

    def band(self) -> rules.Band | None:
        """The row as a rule, None when empty; a half-filled row is an error."""
        data = self.cleaned_data
        low, high, level = data.get("low"), data.get("high"), data.get("level")
        if low is None and high is None and level is None:
            return None
        if low is None or high is None or level is None:
            raise forms.ValidationError("请把范围（自、至）和等级填完整，或清空整行。")
        return rules.Band(Decimal(low), Decimal(high), int(level))


BandFormSet = forms.formset_factory(BandForm, extra=0, min_num=BAND_ROWS, max_num=20)


def band_initial(bands: list[rules.Band]) -> list[dict[str, Any]]:
    return [{"low": b.low, "high": b.high, "level": b.level} for b in bands]


def bands_from(formset: Any) -> tuple[list[rules.Band], list[int]]:
    """The filled rows as rules, numbered 1.. in the order shown, and the formset index of each (for errors)."""
    bands: list[rules.Band] = []
    index: list[int] = []
    for i, form in enumerate(formset.forms):
        try:
            band = form.band()
        except forms.ValidationError as err:
            form.add_error(None, err)
            continue
        if band is not None:
            bands.append(band)
            index.append(i)
    return bands, index


class EntryForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="本校学生或本校在职教师")
    participant = forms.ChoiceField(
        label="参赛身份", choices=[("", "按人员记录判断"), *Participant.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ResultForm(forms.Form):
    rank = forms.IntegerField(label="名次", required=False, min_value=1)
    score = forms.DecimalField(label="成绩", required=False, max_digits=5, decimal_places=1, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
