"""Clone detection: the rules fire on the patterns of a copied stamp, and only on them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from ocop.geo.models import AdminUnit
from ocop.scans import rules
from ocop.scans.models import Alert, AlertRule, Scan, ScanSummary
from ocop.scans.tests.util import BAC_NINH, HA_NOI, HO_CHI_MINH, path_of, place_token_of, scan, stamped


@pytest.fixture
def stamps(world):
    return stamped(world.product_a)[1]


def _place(response, position=None, province=None, **extra):
    data = {"token": place_token_of(response)}
    if position is not None:
        data.update(lat=str(position[0]), lon=str(position[1]))
    if province is not None:
        data["province"] = str(province.pk)
    return Client().post("/scans/place/", data, **extra)


def test_two_distant_provinces_within_an_hour_raise_an_alert(world, stamps, clock):
    path = path_of(stamps[0])
    first = scan(path)
    assert _place(first, HA_NOI).status_code == 200
    with MinutesLater(40):
        second = scan(path)
        assert _place(second, HO_CHI_MINH).status_code == 200
    alert = Alert.objects.get(rule=AlertRule.IMPOSSIBLE_TRAVEL)
    assert alert.stamp_id == stamps[0].pk and alert.product_id == world.product_a.pk
    assert alert.producer_id == world.producer_a.pk
    assert alert.details["from"] == "Thành phố Hà Nội" and alert.details["to"] == "Thành phố Hồ Chí Minh"
    assert alert.details["km"] > 1000 and alert.details["kmh"] > 1000


def test_neighbouring_provinces_or_a_long_time_raise_nothing(world, stamps):
    path = path_of(stamps[0])
    _place(scan(path), HA_NOI)
    with MinutesLater(20):
        _place(scan(path), BAC_NINH)  # 40 km away: a short drive
    with MinutesLater(3 * 24 * 60):
        _place(scan(path), HO_CHI_MINH)  # three days later: the package travelled
    assert not Alert.objects.filter(rule=AlertRule.IMPOSSIBLE_TRAVEL).exists()


def test_province_chosen_from_the_list_counts_too(world, stamps):
    path = path_of(stamps[0])
    hcmc = AdminUnit.objects.current().provinces().get(code="79")
    _place(scan(path), province=world.ha_noi)
    _place(scan(path), province=hcmc)
    assert Alert.objects.filter(rule=AlertRule.IMPOSSIBLE_TRAVEL).count() == 1


def test_more_scans_than_plausible(world, stamps, settings):
    settings.SCAN_MAX_SCANS = 3
    path = path_of(stamps[0])
    for _ in range(3):
        scan(path)
    assert not Alert.objects.exists()
    scan(path)
    alert = Alert.objects.get(rule=AlertRule.TOO_MANY_SCANS)
    assert alert.details == {"count": 4, "limit": 3}
    scan(path)
    assert Alert.objects.count() == 1  # the threshold was crossed once
    # An office that dismissed it is not asked again by the same stamp.
    Alert.objects.update(status="dismissed")
    scan(path)
    assert Alert.objects.filter(status="open").count() == 0


def test_scans_on_too_many_days(world, stamps, settings, clock):
    settings.SCAN_MAX_DAYS = 2
    path = path_of(stamps[0])
    scan(path)
    scan(path)  # same day
    clock.move(days=1)
    scan(path)
    assert not Alert.objects.exists()
    clock.move(days=1)
    scan(path)
    assert ScanSummary.objects.get(stamp=stamps[0]).days == 3
    assert Alert.objects.get(rule=AlertRule.TOO_MANY_DAYS).details == {"days": 3, "limit": 2}


def test_place_form_errors(world, stamps):
    response = scan(path_of(stamps[0]))
    assert _place(response).status_code == 400  # neither a position nor a province
    abroad = _place(response, (48.9, 2.4))
    assert abroad.status_code == 400 and "Việt Nam" in abroad.content.decode()
    bad = Client().post("/scans/place/", {"token": "forged", "lat": "21.0", "lon": "105.8"})
    assert bad.status_code == 400
    json_bad = Client().post("/scans/place/", {"token": "forged"}, HTTP_ACCEPT="application/json")
    assert json_bad.status_code == 400 and json_bad.json()["errors"]
    assert not Scan.objects.filter(province__isnull=False).exists()


def test_place_is_recorded_once_and_coordinates_are_not_kept(world, stamps):
    response = scan(path_of(stamps[0]))
    ok = _place(response, (21.0278, 105.8342), HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["recorded"] is True
    row = Scan.objects.values().get()
    assert row["province_id"] == world.ha_noi.pk and row["place_source"] == "geolocation"
    # Every stored value but the scan's time (a datetime column, whose digits could read "…:21.0…" by chance).
    stored = " ".join(str(v) for k, v in row.items() if k != "at")
    assert "21.0" not in stored and "105.8" not in stored
    summary = ScanSummary.objects.get()
    assert summary.first_province_id == world.ha_noi.pk and summary.located_province_id == world.ha_noi.pk
    # A second answer for the same scan changes nothing.
    again = _place(response, HO_CHI_MINH, HTTP_ACCEPT="application/json")
    assert again.json()["recorded"] is False
    assert Scan.objects.get().province_id == world.ha_noi.pk
    # The next consumer sees where the stamp was first scanned.
    assert scan(path_of(stamps[0])).context["counted"].first_province == world.ha_noi


def test_place_token_expires(world, stamps, settings):
    import time
    from unittest import mock

    response = scan(path_of(stamps[0]))
    later = time.time() + settings.SCAN_PLACE_SECONDS + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert _place(response, HA_NOI).status_code == 400
    assert _place(response, HA_NOI).status_code == 200


def test_rule_functions_directly():
    at = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)
    assert rules.impossible_travel(1, None, ("1", "Hà Nội", at)) is None
    finding = rules.impossible_travel(1, ("1", "Hà Nội", at), ("79", "HCM", at))  # the same minute
    assert finding is not None and finding.key == "impossible_travel:stamp:1"
    assert rules.inactive_stamp(1, 2) is None
    assert rules.after_revocation(5, 1, "expired") is None
    assert rules.after_revocation(5, 1, "revoked").key == "after_revocation:product:5"


class MinutesLater:
    """Moves the platform clock forward by whole minutes for the block (the clock fixture moves days)."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes

    def __enter__(self):
        from unittest import mock

        from ocop.lib import clock as platform_clock

        real = platform_clock.now
        self._patch = mock.patch.object(platform_clock, "now", lambda: real() + dt.timedelta(minutes=self.minutes))
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()
