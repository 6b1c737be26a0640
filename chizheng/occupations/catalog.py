"""Loading the national classification (2022) from the CSV files shipped in data/."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_catalog(group_model: Any, occupation_model: Any) -> tuple[int, int]:
    """Insert or update all groups and occupations; returns (groups, occupations) counts.

    Takes the model classes so that a migration can pass its historical models.
    """
    groups = read_csv("groups_2022.csv")
    by_code: dict[str, Any] = {g.code: g for g in group_model.objects.all()}
    for row in groups:  # parents come before children in the file
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        group = by_code.get(row["code"])
        if group is None:
            group = group_model(code=row["code"])
        group.level, group.name, group.parent = row["level"], row["name"], parent
        group.save()
        by_code[group.code] = group
    existing = {o.code: o for o in occupation_model.objects.all()}
    new = []
    for row in read_csv("occupations_2022.csv"):
        occupation = existing.get(row["code"]) or occupation_model(code=row["code"])
        occupation.name = row["name"]
        occupation.group = by_code[row["minor_group_code"]]
        occupation.major_code = row["major_group_code"]
        occupation.is_digital = "S" in row["tags"]
        occupation.is_green = "L" in row["tags"]
        if occupation.pk:
            occupation.save()
        else:
            new.append(occupation)
    occupation_model.objects.bulk_create(new, batch_size=500)
    return len(groups), occupation_model.objects.count()
