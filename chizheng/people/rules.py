"""Pure rules about people: resident ID numbers (GB 11643) and student records.

No ORM here: plain values in, a value or a DomainError out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from chizheng.core.errors import DomainError

from .choices import Sex, Stage

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str
    region: str


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(raw: object) -> str:
    """Turn what a sheet gives into an ID string, refusing Excel's numeric mangling."""
    if raw is None:
        return ""
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        raise DomainError(
            "id_number_numeric",
            "身份证号被 Excel 存成了数字（末几位已丢失），请把该列设为“文本”格式后重新填写。",
            field="id_number",
        )
    text = str(raw).strip().replace(" ", "").upper()
    if _SCIENTIFIC.match(text):
        raise DomainError(
            "id_number_numeric",
            f"身份证号“{text}”被 Excel 转成了科学计数法，请把该列设为“文本”格式后重新填写。",
            field="id_number",
        )
    return text


def parse_id_number(raw: object, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-character resident ID number and derive birth date and sex."""
    number = normalize_id_number(raw)
    if not number:
        raise DomainError("id_number_missing", "身份证号不能为空。", field="id_number")
    if not _SHAPE.match(number):
        raise DomainError(
            "id_number_shape", f"身份证号“{number}”应为 18 位：17 位数字加 1 位数字或 X。", field="id_number"
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise DomainError(
            "id_number_check_digit",
            f"身份证号“{number}”的校验位应为 {expected}，请核对是否抄错。",
            field="id_number",
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(
            "id_number_birth_date",
            f"身份证号“{number}”中的出生日期 {number[6:14]} 不存在。",
            field="id_number",
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise DomainError("id_number_birth_date", f"身份证号“{number}”中的出生日期 {birth} 不合理。", field="id_number")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdInfo(number=number, birth_date=birth, sex=sex, region=number[:6])


def check_consistent(info: IdInfo, *, birth_date: dt.date | None, sex: str | None) -> None:
    """A birth date or sex typed beside the ID number must agree with it."""
    if birth_date and birth_date != info.birth_date:
        raise DomainError(
            "birth_date_mismatch",
            f"出生日期 {birth_date} 与身份证号中的 {info.birth_date} 不一致。",
            field="birth_date",
        )
    if sex and sex != info.sex:
        raise DomainError(
            "sex_mismatch",
            f"性别与身份证号不一致（身份证号第 17 位表示{Sex(info.sex).label}）。",
            field="sex",
        )


def mask_id_number(number: str) -> str:
    """410802********1234: region and last four only."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


_STAGE_YEARS = {Stage.SECONDARY: 3, Stage.JUNIOR_COLLEGE: 3, Stage.UNDERGRADUATE: 4}


def check_student_years(*, stage: str, entry_year: int, graduation_year: int) -> None:
    """Entry and expected graduation years must fit the stage's length (± 2 years of leeway)."""
    if not 1990 <= entry_year <= 2100:
        raise DomainError("entry_year_range", f"入学年份 {entry_year} 不合理。", field="entry_year")
    length = graduation_year - entry_year
    usual = _STAGE_YEARS[Stage(stage)]
    if length < 1 or length > usual + 2:
        raise DomainError(
            "graduation_year_range",
            f"预计毕业年份 {graduation_year} 与入学年份 {entry_year} 不符（{Stage(stage).label}通常 {usual} 年）。",
            field="expected_graduation_year",
        )
