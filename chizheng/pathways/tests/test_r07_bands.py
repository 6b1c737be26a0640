"""R7 competition rules (bands) as pure functions: well-formed, no overlaps, a result → at most one level."""

from decimal import Decimal as D

import pytest

from chizheng.core.errors import DomainError

from ..rules import Band, band_level, check_bands

RANKS = [Band(D(1), D(3), 3), Band(D(4), D(10), 4)]
SCORES = [Band(D("90"), D("100"), 3), Band(D("75"), D("89.9"), 4)]


def test_r07_rank_bands_at_their_boundaries() -> None:
    check_bands(RANKS, basis="rank")
    assert [band_level(RANKS, r) for r in (1, 3, 4, 10, 11)] == [3, 3, 4, 4, None]
    assert band_level(RANKS, None) is None


def test_r07_score_bands_at_their_boundaries() -> None:
    check_bands(SCORES, basis="score")
    assert [band_level(SCORES, D(v)) for v in ("100", "90", "89.9", "75", "74.9")] == [3, 3, 4, 4, None]


@pytest.mark.parametrize(
    ("bands", "basis", "code"),
    [
        ([Band(D(1), D(3), 3), Band(D(3), D(5), 4)], "rank", "bands_overlap"),  # share rank 3
        ([Band(D(5), D(8), 4), Band(D(1), D(6), 3)], "rank", "bands_overlap"),  # out of order, still overlapping
        ([Band(D("80"), D("100"), 3), Band(D("60"), D("80"), 4)], "score", "bands_overlap"),  # share 80
        ([Band(D(3), D(1), 3)], "rank", "bad_range"),
        ([Band(D(0), D(2), 3)], "rank", "bad_rank"),
        ([Band(D("1.5"), D(2), 3)], "rank", "bad_rank"),
        ([Band(D(1), D(2), 6)], "rank", "bad_level"),
        ([], "score", "no_bands"),
    ],
)
def test_r07_bad_bands_are_refused_naming_the_rule(bands: list[Band], basis: str, code: str) -> None:
    with pytest.raises(DomainError) as err:
        check_bands(bands, basis=basis)
    assert err.value.code == code
    if code == "bands_overlap":
        assert "重叠" in err.value.message
        assert err.value.extra["rows"] == [1, 2]


def test_r07_adjacent_bands_do_not_overlap() -> None:
    check_bands([Band(D(1), D(1), 3), Band(D(2), D(2), 4), Band(D(3), D(6), 5)], basis="rank")
    check_bands([Band(D("60"), D("79.9"), 4), Band(D("80"), D("100"), 3)], basis="score")
