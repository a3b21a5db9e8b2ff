"""windows.yml: the shipped file, the slot grid, capacities and errors that name the file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.appointments.config import AppointmentConfig, ConfigError, load_config
from bot.settings import PROJECT_ROOT

WINDOWS_FILE = PROJECT_ROOT / "data" / "appointments" / "windows.yml"
CANONICAL_ITEMS = [
    "开办企业一件事",
    "企业信息变更一件事",
    "企业注销一件事",
    "个体工商户登记一件事",
    "开办餐饮店一件事",
    "水电气网联合报装一件事",
    "信用修复一件事",
    "新生儿出生一件事",
    "教育入学一件事",
    "退休一件事",
    "军人退役一件事",
    "残疾人服务一件事",
    "社会保障卡居民服务一卡通一件事",
    "身后一件事",
    "二手房转移登记及水电气网联动过户一件事",
    "就医费用报销一件事",
]

VALID = """
hall:
  name: 测试大厅
  opening_hours:
    - {start: "09:00", end: "12:00"}
    - {start: "13:00", end: "17:00"}
slot_minutes: 30
capacity_per_staff: 1
windows:
  - {number: "1", name: 企业开办窗口, items: [开办企业一件事], staff: 2}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "windows.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_has_twenty_windows_covering_every_canonical_item() -> None:
    config = load_config(WINDOWS_FILE)
    assert [w.number for w in config.windows] == [str(n) for n in range(1, 21)]
    for item in CANONICAL_ITEMS:
        assert config.windows_for(item), item
    assert len(config.bookable_items()) == len(set(config.bookable_items()))


def test_shipped_file_agrees_with_the_service_guide() -> None:
    from bot.catalogue import get_catalogue

    catalogue = get_catalogue()
    config = load_config(WINDOWS_FILE)
    for name in config.bookable_items():
        item = catalogue.get(name)
        assert item is not None and item.name == name, f"{name} is not a canonical item of the catalogue"
    for item in catalogue:
        serving = config.windows_for(item.name)
        if item.appointment:
            assert serving, f"{item.name} offers 预约 but no window serves it"
        if serving:
            assert item.window.number in [w.number for w in serving], item.name
            window = config.window(item.window.number)
            assert window is not None and window.name == item.window.name, item.name


def test_shipped_rules() -> None:
    config = load_config(WINDOWS_FILE)
    assert config.slot_minutes == 30
    assert [(p.start, p.end) for p in config.hall.opening_hours] == [
        (time(9), time(12)),
        (time(13), time(17)),
    ]
    assert config.rules.min_working_days_ahead == 1
    assert config.rules.max_working_days_ahead == 5
    assert config.rules.change_deadline_hours == 2
    assert config.rules.one_booking_per_person_item_day is True


def test_shipped_file_explains_its_fields_in_chinese() -> None:
    header = [line for line in WINDOWS_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    for field in (
        "opening_hours",
        "slot_minutes",
        "capacity_per_staff",
        "staff",
        "items",
        "change_deadline_hours",
    ):
        assert field in text
    assert "工作人员" in text and "分钟" in text


def test_slots_follow_opening_hours_and_skip_the_lunch_break(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    slots = config.slots()
    assert len(slots) == 6 + 8
    assert slots[0] == (time(9, 0), time(9, 30))
    assert slots[5] == (time(11, 30), time(12, 0))
    assert slots[6] == (time(13, 0), time(13, 30))
    assert slots[-1] == (time(16, 30), time(17, 0))
    assert not any(time(12) <= start < time(13) for start, _ in slots)
    assert config.is_slot_start(time(13, 0)) and not config.is_slot_start(time(12, 0))
    assert not config.is_slot_start(time(9, 15))
    assert config.slot_end(time(16, 30)) == time(17, 0)


def test_a_slot_that_would_overrun_a_period_is_dropped(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID.replace("slot_minutes: 30", "slot_minutes: 40")))
    assert [start for start, _ in config.slots()][:5] == [
        time(9),
        time(9, 40),
        time(10, 20),
        time(11),
        time(13),
    ]
    assert all(end <= time(12) or start >= time(13) for start, end in config.slots())


def test_capacity_is_staff_times_capacity_per_staff(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID.replace("capacity_per_staff: 1", "capacity_per_staff: 3")))
    window = config.window("1")
    assert window is not None and config.capacity(window) == 6


def test_unstaffed_window_serves_nothing(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID.replace("staff: 2", "staff: 0")))
    assert config.windows_for("开办企业一件事") == []
    assert config.bookable_items() == []


def test_unquoted_time_that_yaml_reads_as_a_number_still_works(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID.replace('end: "17:00"', "end: 17:00")))
    assert config.hall.opening_hours[-1].end == time(17, 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("slot_minutes: 30", "slot_minutes: 0"), "slot_minutes"),
        (('{start: "13:00", end: "17:00"}', '{start: "11:00", end: "17:00"}'), "开放时段不能重叠"),
        (('{start: "09:00", end: "12:00"}', '{start: "12:00", end: "09:00"}'), "结束时间须晚于开始时间"),
        (("staff: 2}", 'staff: 2}\n  - {number: "1", name: 重复, items: [], staff: 1}'), "窗口号重复：1"),
        (('number: "1"', 'number: "一"'), "number"),
        (("capacity_per_staff: 1", ""), "capacity_per_staff"),
    ],
)
def test_invalid_file_error_names_the_file_and_the_problem(tmp_path: Path, change, expected: str) -> None:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_broken_yaml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    broken = write(tmp_path, "hall: [unclosed")
    with pytest.raises(ConfigError, match="YAML"):
        load_config(broken)
    missing = tmp_path / "absent.yml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing)
    assert str(missing) in str(caught.value)


def test_one_booking_rule_cannot_be_switched_off(tmp_path: Path) -> None:
    text = VALID + "rules:\n  one_booking_per_person_item_day: false\n"
    with pytest.raises(ConfigError, match="须为 true"):
        load_config(write(tmp_path, text))


def test_config_can_be_built_from_a_mapping() -> None:
    config = AppointmentConfig.parse_obj(
        {
            "hall": {"name": "x", "opening_hours": [{"start": "09:00", "end": "10:00"}]},
            "slot_minutes": 20,
            "capacity_per_staff": 2,
            "windows": [{"number": 5, "name": "w", "items": ["a"], "staff": 1}],
        }
    )
    assert config.window("5") is not None
    assert config.slot_starts() == [time(9), time(9, 20), time(9, 40)]
    assert config.rules.max_working_days_ahead == 5
