from ocop.geo.models import AdminUnit
from ocop.lib.text import fold


def test_both_maps_are_loaded_with_official_counts(db):
    current = AdminUnit.objects.current()
    legacy = AdminUnit.objects.legacy()
    assert current.provinces().count() == 34
    assert current.communes().count() == 3321
    assert legacy.provinces().count() == 63
    assert legacy.filter(level="district").count() == 696
    assert legacy.communes().count() == 10051


def test_every_legacy_unit_has_a_present_day_province(db):
    assert not AdminUnit.objects.legacy().filter(successor_province__isnull=True).exists()
    assert not AdminUnit.objects.current().filter(successor_province__isnull=True).exists()


def test_bac_giang_merged_into_bac_ninh(db):
    bac_giang = AdminUnit.objects.get(map="legacy", level="province", name="Bắc Giang")
    bac_ninh = AdminUnit.objects.get(map="current", level="province", name="Bắc Ninh")
    assert bac_giang.successor_province == bac_ninh
    # Codes repeat across maps: 24 is Bắc Giang before July 2025 and Bắc Ninh after.
    assert bac_giang.code == bac_ninh.code == "24"
    former = AdminUnit.objects.legacy().filter(successor_province=bac_ninh, level="province")
    assert sorted(former.values_list("name", flat=True)) == ["Bắc Giang", "Bắc Ninh"]
    luc_ngan = AdminUnit.objects.get(map="legacy", level="district", name="Huyện Lục Ngạn")
    assert luc_ngan.province == bac_giang
    assert luc_ngan.children.count() > 10


def test_merger_groups_match_resolution_202(db):
    groups = {}
    for unit in AdminUnit.objects.legacy().provinces().select_related("successor_province"):
        groups.setdefault(unit.successor_province.name, set()).add(unit.name)
    assert groups["Thành phố Hồ Chí Minh"] == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}
    assert groups["Ninh Bình"] == {"Ninh Bình", "Hà Nam", "Nam Định"}
    assert groups["Cao Bằng"] == {"Cao Bằng"}
    assert len(groups) == 34


def test_loader_is_idempotent(db):
    from ocop.geo.loader import load_units

    before = AdminUnit.objects.count()
    counts = load_units(AdminUnit)
    assert AdminUnit.objects.count() == before
    assert counts["current/commune"] == 3321


def test_fold_ignores_marks_case_and_normal_form():
    import unicodedata

    assert fold("Vải thiều Lục Ngạn") == "vai thieu luc ngan"
    assert fold("ĐẮK LẮK") == "dak lak"
    assert fold(unicodedata.normalize("NFD", "Mỳ Chũ")) == fold("mỳ chũ") == "my chu"
