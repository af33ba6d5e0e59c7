"""The 26 criteria sheets of QĐ 26/2026 as data: they load, validate, total correctly, and bad files are refused."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ocop.rules.rulebooks import DATA_DIR, RulebookError, get_rulebook, read_rulebooks
from ocop.rules.sheets import SheetError, load_sheet, sheet_from_dict, validate_sheet

ROOT = Path(__file__).resolve().parents[3]
SHEETS = DATA_DIR / "qd-26-2026"
PARTS = {"A": 40, "B": 25, "C": 35}


@pytest.fixture(scope="module")
def rulebook():
    return get_rulebook("qd-26-2026")


@pytest.mark.parametrize("number", range(1, 27))
def test_every_sheet_loads_and_totals_100(number):
    sheet = load_sheet(SHEETS / f"sheet-{number:02d}.json", parts=PARTS)
    assert sheet.number == number
    assert sheet.product_sets == (number,)
    assert [(p.code, p.max) for p in sheet.parts] == [("A", 40), ("B", 25), ("C", 35)]
    assert sum(p.max for p in sheet.parts) == sheet.total == 100
    for part in sheet.parts:
        assert sum(g.max for g in part.groups) == part.max
        for group in part.groups:
            assert sum(c.max for c in group.criteria) == group.max
            for criterion in group.criteria:
                assert criterion.options, criterion.code
                assert all(0 <= o.points <= criterion.max for o in criterion.options)
                for case in {o.case for o in criterion.options}:
                    assert max(o.points for o in criterion.options if o.case == case) == criterion.max
                assert all(o.min_star in (None, 3, 4, 5) for o in criterion.options)
                assert all("*" not in o.text and not o.text.startswith("□") for o in criterion.options)
    # The best option of every criterion adds up to exactly 100.
    assert sum(max(o.points for o in c.options) for c in sheet.criteria) == 100
    ids = [o.id for c in sheet.criteria for o in c.options]
    assert len(ids) == len(set(ids))


def test_every_product_set_is_served_by_exactly_one_sheet(rulebook, db):
    from ocop.registry.models import ProductSet

    served = [n for s in rulebook.sheets for n in s.product_sets]
    assert sorted(served) == list(range(1, 27))
    current_sets = ProductSet.objects.filter(group__category__rulebook="qd-26-2026")
    assert sorted(current_sets.values_list("number", flat=True)) == sorted(served)
    for product_set in current_sets:
        assert rulebook.sheet_for_set(product_set.number).number == product_set.number


def test_sheet_names_match_the_taxonomy(rulebook, db):
    from ocop.registry.models import ProductSet

    names = dict(ProductSet.objects.filter(group__category__rulebook="qd-26-2026").values_list("number", "name"))
    for sheet in rulebook.sheets:
        # The index of Phụ lục II and Phụ lục I word a few sets differently ("Gia vị khác (…)"): same set though.
        assert sheet.name.split(" (")[0].lower()[:12] == names[sheet.number].split(" (")[0].lower()[:12]


def test_what_the_printed_text_says(rulebook):
    food = rulebook.sheet(1)
    labels = food.criterion("2.3")
    assert labels.max == 3
    assert [(o.points, o.min_star) for o in labels.options] == [(1, 3), (2, None), (3, 4)]
    assert "mã truy xuất nguồn gốc điện tử" in labels.options[2].text
    assert labels.minimum_for(3).points == 1
    assert labels.minimum_for(4).points == 3
    assert labels.minimum_for(5).points == 3  # cumulative: 5★ keeps the 4★ mark
    assert food.criterion("1.1").requirement.startswith("100% sản phẩm")
    assert [k.code for k in food.knockouts] == [
        "forged-dossier",
        "no-food-safety-certificate",
        "incomplete-registration-dossier",
    ]
    # A group printed with options directly under it is one criterion coded like the group.
    assert food.criterion("7").title == "DINH DƯỠNG"
    assert food.criterion("6.1").knockouts[0].code == "6.1:impurities"


def test_three_level_tea_sheet_has_sections(rulebook):
    tea = rulebook.sheet(11)
    group = next(g for g in tea.groups if g.number == 6)
    assert [(s.code, s.max, s.criteria) for s in group.sections] == [
        ("6.1", 4, ("6.1.1", "6.1.2")),
        ("6.2", 11, ("6.2.1", "6.2.2", "6.2.3")),
    ]
    assert tea.criterion("6.1") is None
    # Printed 11 for the middle impurity option of a 2-point criterion: corrected to 1, and recorded.
    assert [o.points for o in tea.criterion("6.1.1").options] == [0, 1, 2]
    assert any(c.where == "option:6.1.1#2" and c.printed == "11" and c.used == 1 for c in tea.corrections)


def test_tourism_sheet_has_its_own_tree_and_cases(rulebook):
    tourism = rulebook.sheet(26)
    assert len(tourism.groups) == 17
    assert tourism.parts[0].max == 40
    # Printed as "(35 Điểm)" in the part's title: the correction is recorded with the sheet.
    assert any(c.where == "part:A" and c.printed == 35 and c.used == 40 for c in tourism.corrections)
    facilities = tourism.criterion("15")
    assert [c.code for c in facilities.cases] == ["a", "b"]
    assert {o.case for o in facilities.options} == {"a", "b"}
    assert tourism.knockouts == ()  # none printed, none invented


def test_automatic_knockout_of_the_water_sheet(rulebook):
    water = rulebook.sheet(16)
    knockout = water.knockout("6.4:zero-score")
    assert knockout.when_zero == ("6.1", "6.2", "6.3", "6.4")


def test_yes_no_criterion_printed_without_options_gets_two(rulebook):
    for number in (1, 20, 21):
        code = "2.3" if number == 21 else "2.4"
        criterion = rulebook.sheet(number).criterion(code)
        assert "song ngữ" in criterion.title
        assert [(o.text, o.points) for o in criterion.options] == [("Không", 0), ("Có", 1)]


def test_every_correction_states_printed_used_and_reason(rulebook):
    corrections = [c for s in rulebook.sheets for c in s.corrections]
    assert len(corrections) >= 30
    assert all(c.reason and c.field for c in corrections)


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "legal" / "qd-26-2026-ttg.html").exists(), reason="legal text not beside the checkout"
)
def test_committed_sheets_are_what_the_script_extracts():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "extract_criteria.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- Bad files ---------------------------------------------------------------------------------------------------
def _sheet_data(number: int = 1) -> dict:
    return json.loads((SHEETS / f"sheet-{number:02d}.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "sheet-01.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_option_above_its_criterion_is_refused_naming_file_and_path(tmp_path):
    data = _sheet_data()
    data["parts"][0]["groups"][0]["criteria"][1]["options"][2]["points"] = 5
    with pytest.raises(SheetError) as exc:
        load_sheet(_write(tmp_path, data), parts=PARTS)
    message = str(exc.value)
    assert message.startswith("sheet-01.json: parts[0].groups[0].criteria[1].options[2].points")
    assert "exceed" in message


def test_points_as_text_are_refused(tmp_path):
    data = _sheet_data()
    data["parts"][1]["groups"][0]["criteria"][0]["options"][0]["points"] = "1"
    with pytest.raises(SheetError, match=r"parts\[1\]\.groups\[0\]\.criteria\[0\]\.options\[0\]\.points: expected int"):
        load_sheet(_write(tmp_path, data), parts=PARTS)


def test_missing_field_is_refused(tmp_path):
    data = _sheet_data()
    del data["parts"][2]["groups"][0]["criteria"][0]["max"]
    with pytest.raises(SheetError, match=r"parts\[2\]\.groups\[0\]\.criteria\[0\]\.max: missing"):
        load_sheet(_write(tmp_path, data), parts=PARTS)


def test_group_that_does_not_add_up_is_refused(tmp_path):
    data = _sheet_data()
    data["parts"][0]["groups"][0]["max"] = 17
    data["parts"][0]["groups"][1]["max"] = 11  # the part still adds up: the groups are what is wrong
    with pytest.raises(SheetError, match="group 1 is worth 17 but its criteria sum to 18"):
        load_sheet(_write(tmp_path, data), parts=PARTS)


def test_parts_must_match_the_rulebook(tmp_path):
    data = _sheet_data()
    with pytest.raises(SheetError, match="part maxima"):
        load_sheet(_write(tmp_path, data), parts={"A": 35, "B": 25, "C": 40})


def test_best_option_must_reach_the_maximum(tmp_path):
    data = _sheet_data()
    options = data["parts"][0]["groups"][0]["criteria"][0]["options"]
    options[-1]["points"] = 2
    with pytest.raises(SheetError, match="best option is worth 2, its maximum is 3"):
        load_sheet(_write(tmp_path, data), parts=PARTS)


def test_duplicate_option_id_and_bad_star_mark_are_refused(tmp_path):
    data = _sheet_data()
    options = data["parts"][0]["groups"][0]["criteria"][0]["options"]
    options[1]["id"] = options[0]["id"]
    with pytest.raises(SheetError, match="option id 1.1-1 appears twice"):
        load_sheet(_write(tmp_path, data), parts=PARTS)
    data = _sheet_data()
    data["parts"][0]["groups"][0]["criteria"][0]["options"][0]["min_star"] = 2
    with pytest.raises(SheetError, match="min_star: must be 3, 4, 5 or null"):
        load_sheet(_write(tmp_path, data), parts=PARTS)


def test_broken_json_is_refused(tmp_path):
    path = tmp_path / "sheet-01.json"
    path.write_text('{"number": 1,', encoding="utf-8")
    with pytest.raises(SheetError, match="sheet-01.json: cannot be read"):
        load_sheet(path)


def test_validate_runs_on_an_in_memory_sheet():
    data = _sheet_data(26)
    sheet = sheet_from_dict(data)
    validate_sheet(sheet, parts=PARTS)
    broken = copy.deepcopy(data)
    broken["parts"][0]["max"] = 35
    with pytest.raises(SheetError, match="parts sum to 95"):
        validate_sheet(sheet_from_dict(broken), parts=PARTS)


def _copy_rulebooks(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_product_set_served_twice_is_refused(tmp_path):
    data_dir = _copy_rulebooks(tmp_path)
    path = data_dir / "qd-26-2026" / "sheet-02.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["product_sets"] = [1]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RulebookError, match="product set 1 is served by sheets 1 and 2"):
        read_rulebooks(data_dir)


def test_corrupt_sheet_stops_loading_the_rulebook_with_its_name(tmp_path):
    data_dir = _copy_rulebooks(tmp_path)
    path = data_dir / "qd-26-2026" / "sheet-07.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["parts"][2]["groups"][0]["criteria"][0]["options"][0]["points"] = -1
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RulebookError, match=r"qd-26-2026/sheet-07.json: parts\[2\].*negative points"):
        read_rulebooks(data_dir)
