"""Demo people: Chinese names (Faker's zh_CN lists) and valid resident ID numbers (GB 11643).

Two ID factories:
- `RandomIds` draws birth dates and sequence numbers at random and retries on a clash
  (a set of issued numbers; fine for the tens of thousands of the city demo);
- `CountingIds` is injective by construction and keeps only one counter per
  (region, bucket), so the province generator issues millions of distinct numbers in
  bounded memory.
"""

from __future__ import annotations

import datetime as dt
import random
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as _ZhNames

from chizheng.people.rules import check_digit

_SURNAMES = list(_ZhNames.last_names.keys())
_SURNAME_CUM = list(accumulate(float(w) for w in _ZhNames.last_names.values()))
_MALE = list(_ZhNames.first_names_male)
_FEMALE = list(_ZhNames.first_names_female)


def person_name(rng: random.Random, male: bool) -> str:
    """A surname weighted by frequency and a one- or two-character given name."""
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    pool = _MALE if male else _FEMALE
    given = rng.choice(pool)
    if len(given) == 1 and rng.random() < 0.45:
        given += rng.choice(pool)[0]
    return surname + given


def id_number(region: str, birth: dt.date, seq: int) -> str:
    """Region (6) + birth date (8) + sequence (3, odd = male) + check character."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


class RandomIds:
    """Random, never repeating ID numbers for a given region, birth window and sex."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.issued: set[str] = set()

    def make(self, region: str, start: dt.date, end: dt.date, male: bool) -> tuple[str, dt.date]:
        span = (end - start).days
        for _ in range(1000):
            birth = start + dt.timedelta(days=self.rng.randint(0, span))
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            if seq == 0:
                continue
            number = id_number(region, birth, seq)
            if number not in self.issued:
                self.issued.add(number)
                return number, birth
        raise RuntimeError(f"no free ID number for region {region}")  # pragma: no cover


class CountingIds:
    """Distinct ID numbers from counters, for any number of people in bounded memory.

    Each bucket owns a birth window of D days and a disjoint band of sequence numbers.
    The k-th number issued for (region, bucket) has birth day (k·P mod D) — a permutation
    of the window, since P is a prime not dividing D — and sequence
    band + 2·(k div D) + sex bit, so (day, k div D) and hence the number never repeats.
    """

    STEP = 7919

    def __init__(self, buckets: dict[str, tuple[dt.date, dt.date, int, int]]) -> None:
        # bucket → (first birth date, last birth date, first seq of band, band size)
        self.buckets = buckets
        self.counters: dict[tuple[str, str], int] = {}

    def make(self, region: str, bucket: str, male: bool) -> tuple[str, dt.date]:
        start, end, band, size = self.buckets[bucket]
        days = (end - start).days + 1
        if days % self.STEP == 0:  # pragma: no cover - windows are a few thousand days
            days -= 1
        k = self.counters.get((region, bucket), 0)
        self.counters[(region, bucket)] = k + 1
        birth = start + dt.timedelta(days=(k * self.STEP) % days)
        seq = band + 2 * (k // days) + (1 if male else 0)
        if seq >= band + size:
            raise RuntimeError(f"ID numbers of region {region}, bucket {bucket} exhausted; use more counties")
        return id_number(region, birth, seq), birth
