"""A coarse position becomes a present-day province (and nothing else is kept)."""

from __future__ import annotations

import pytest

from ocop.geo.models import AdminUnit
from ocop.scans import places


def test_every_present_day_province_has_a_centre_and_reference_points(db):
    codes = set(AdminUnit.objects.current().provinces().values_list("code", flat=True))
    assert len(codes) == 34
    assert set(places.centres()) == codes
    assert {code for code, *_ in places.points()} == codes


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (21.03, 105.85, "1"),  # Hoàn Kiếm, Hà Nội
        (10.77, 106.70, "79"),  # Bến Thành, Hồ Chí Minh City
        (21.38, 106.62, "24"),  # Lục Ngạn, formerly Bắc Giang: Bắc Ninh today
        (11.94, 108.44, "68"),  # Đà Lạt, Lâm Đồng
        (16.07, 108.22, "48"),  # Đà Nẵng
        (10.03, 105.78, "92"),  # Ninh Kiều, Cần Thơ
        (10.22, 103.96, "91"),  # Phú Quốc, formerly Kiên Giang: An Giang today
        (19.40, 104.15, "40"),  # Kỳ Sơn, western Nghệ An
        (22.82, 104.98, "8"),  # Hà Giang: Tuyên Quang today
    ],
)
def test_known_places(settings, lat, lon, expected):
    assert places.province_code_at(places.coarse(lat), places.coarse(lon)) == expected


@pytest.mark.parametrize(("lat", "lon"), [(48.85, 2.35), (13.75, 100.5), (0.0, 0.0), (14.0, 116.0)])
def test_outside_vietnam_gives_no_province(settings, lat, lon):
    assert places.province_code_at(lat, lon) is None


def test_distances_between_provinces():
    hanoi_hcmc = places.province_distance_km("1", "79")
    assert 1050 < hanoi_hcmc < 1250
    assert places.province_distance_km("24", "1") < 100
    assert places.province_distance_km("1", "999") is None
