"""The hall's working-day calendar: chinese-calendar data, staff overrides and the statutory fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from bot.settings import PROJECT_ROOT, get_settings
from bot.workdays import CalendarDataError, WorkCalendar, get_calendar

D = dt.date
SHIPPED = PROJECT_ROOT / "data" / "appointments" / "calendar_overrides.yml"


@pytest.fixture(scope="module")
def shipped() -> WorkCalendar:
    return WorkCalendar(SHIPPED)


@pytest.fixture()
def no_overrides() -> WorkCalendar:
    return WorkCalendar(None)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar_overrides.yml"
    path.write_text(text, encoding="utf-8")
    return path


# --- 2026: chinese-calendar's published data -------------------------------------------------------


@pytest.mark.parametrize("day", [D(2026, 10, 1), D(2026, 10, 5), D(2026, 10, 7)])
def test_national_day_2026_is_closed(shipped, day):
    assert not shipped.is_working_day(day)
    assert shipped.closure_reason(day) == "国庆节法定节假日"
    assert shipped.is_official(day)


@pytest.mark.parametrize("day", [D(2026, 2, 15), D(2026, 2, 17), D(2026, 2, 23)])
def test_spring_festival_2026_is_closed(shipped, day):
    assert not shipped.is_working_day(day)
    assert shipped.closure_reason(day) == "春节法定节假日"


def _saturday_workdays_2026() -> list[D]:
    return sorted(d for d in chinese_calendar.workdays if d.year == 2026 and d.weekday() == 5)


def test_the_2026_data_has_saturday_workdays():
    assert D(2026, 10, 10) in _saturday_workdays_2026()


@pytest.mark.parametrize("day", _saturday_workdays_2026())
def test_2026_tiaoxiu_saturdays_are_open(shipped, day):
    assert day.weekday() == 5
    assert shipped.is_working_day(day)
    assert shipped.closure_reason(day) is None
    assert shipped.is_official(day)


@pytest.mark.parametrize("day", [D(2026, 11, 28), D(2026, 11, 29), D(2026, 12, 5)])
def test_weekends_are_closed(shipped, day):
    assert not shipped.is_working_day(day)
    assert shipped.closure_reason(day) == "周末休息"


def test_an_ordinary_2026_weekday_is_open(shipped):
    assert shipped.is_working_day(D(2026, 11, 26))
    assert shipped.closure_reason(D(2026, 11, 26)) is None
    assert shipped.is_official(D(2026, 11, 26))


# --- 2027: the shipped statutory year list ----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (D(2027, 1, 1), "元旦法定节假日"),
        (D(2027, 2, 5), "春节法定节假日"),
        (D(2027, 2, 8), "春节法定节假日"),
        (D(2027, 4, 5), "清明节法定节假日"),
        (D(2027, 6, 9), "端午节法定节假日"),
        (D(2027, 9, 15), "中秋节法定节假日"),
        (D(2027, 10, 1), "国庆节法定节假日"),
    ],
)
def test_2027_statutory_holidays_are_closed(shipped, day, reason):
    assert not shipped.is_working_day(day)
    assert shipped.closure_reason(day) == reason
    assert not shipped.is_official(day)


def test_an_ordinary_2027_wednesday_is_open_but_not_official(shipped):
    day = D(2027, 3, 10)
    assert day.weekday() == 2
    assert shipped.is_working_day(day)
    assert shipped.closure_reason(day) is None
    assert not shipped.is_official(day)


def test_2027_weekends_are_closed(shipped):
    assert shipped.closure_reason(D(2027, 3, 13)) == "周末休息"


def test_the_shipped_2027_list_has_the_thirteen_statutory_days(shipped):
    year = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    holidays = [d for d in year if (shipped.closure_reason(d) or "").endswith("法定节假日")]
    assert len(holidays) == 13


# --- years without any data: the statutory rule -----------------------------------------------------


def test_fallback_for_a_year_without_data(no_overrides):
    assert no_overrides.closure_reason(D(2028, 1, 1)) == "元旦法定节假日"
    assert no_overrides.closure_reason(D(2028, 5, 2)) == "劳动节法定节假日"
    assert no_overrides.closure_reason(D(2028, 10, 3)) == "国庆节法定节假日"
    assert no_overrides.closure_reason(D(2028, 4, 4)) == "清明节法定节假日"  # the 2028 solar term
    assert no_overrides.is_working_day(D(2028, 4, 5))
    assert no_overrides.is_working_day(D(2028, 10, 9))
    assert not no_overrides.is_official(D(2028, 10, 9))


def test_fallback_never_crashes_over_many_years(no_overrides):
    day, end = D(2027, 1, 1), D(2031, 12, 31)
    open_days = 0
    while day <= end:
        open_days += no_overrides.is_working_day(day)
        assert no_overrides.is_official(day) is False
        day += dt.timedelta(days=1)
    assert 240 * 5 < open_days < 262 * 5


def test_years_before_the_data_use_the_rule_too(no_overrides):
    assert no_overrides.closure_reason(D(2003, 10, 1)) == "国庆节法定节假日"


# --- staff overrides ---------------------------------------------------------------------------------


def test_override_closure_with_reason(tmp_path):
    path = _write(
        tmp_path,
        """
closures:
  - date: 2026-12-15
    reason: 系统升级维护
  - from: 2026-12-21
    to: 2026-12-22
    reason: 消防检修
""",
    )
    cal = WorkCalendar(path)
    assert not cal.is_working_day(D(2026, 12, 15))
    assert cal.closure_reason(D(2026, 12, 15)) == "大厅临时闭厅：系统升级维护"
    assert cal.closure_reason(D(2026, 12, 22)) == "大厅临时闭厅：消防检修"
    assert cal.is_working_day(D(2026, 12, 23))
    assert cal.working_days_from(D(2026, 12, 14), 3) == [D(2026, 12, 16), D(2026, 12, 17), D(2026, 12, 18)]


def test_override_closure_without_reason(tmp_path):
    cal = WorkCalendar(_write(tmp_path, "closures:\n  - date: 2026-12-15\n"))
    assert cal.closure_reason(D(2026, 12, 15)) == "大厅临时闭厅"


def test_extra_workday_opens_a_saturday(tmp_path):
    cal = WorkCalendar(_write(tmp_path, "extra_workdays:\n  - date: 2026-12-19\n    reason: 延时服务\n"))
    assert cal.is_working_day(D(2026, 12, 19))
    assert not cal.is_working_day(D(2026, 12, 20))


def test_an_official_year_list(tmp_path):
    path = _write(
        tmp_path,
        """
years:
  2028:
    official: true
    holidays:
      - name: 元旦
        from: 2028-01-01
        to: 2028-01-03
    workdays:
      - date: 2028-01-08
""",
    )
    cal = WorkCalendar(path)
    assert cal.closure_reason(D(2028, 1, 3)) == "元旦法定节假日"
    assert cal.is_official(D(2028, 1, 3))
    assert cal.is_working_day(D(2028, 1, 8))  # a Saturday 调休 workday
    assert cal.closure_reason(D(2028, 10, 2)) is None  # the list replaces the rule for its year
    assert cal.is_official(D(2028, 6, 7))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("closures:\n  - reason: 没有日期\n", "缺少 from"),
        ("closures:\n  - date: 2026-13-01\n", "无法识别的日期"),
        ("closures:\n  - from: 2026-12-05\n    to: 2026-12-01\n", "早于"),
        ("years:\n  2027:\n    holidays:\n      - name: 元旦\n        date: 2028-01-01\n", "不属于"),
        ("years:\n  二七:\n    holidays: []\n", "四位数字"),
        ("closures: [\n", "YAML"),
    ],
)
def test_malformed_overrides_are_reported(tmp_path, text, message):
    with pytest.raises(CalendarDataError, match=message):
        WorkCalendar(_write(tmp_path, text))


def test_missing_override_file_means_no_overrides(tmp_path):
    cal = WorkCalendar(tmp_path / "absent.yml")
    assert cal.closure_reason(D(2027, 2, 5)) is None  # 春节 2027 is lunar: only the file knows it
    assert cal.closure_reason(D(2027, 1, 1)) == "元旦法定节假日"


# --- working_days_from --------------------------------------------------------------------------------


def test_working_days_across_the_year_boundary(shipped):
    assert shipped.working_days_from(D(2026, 12, 30), 4) == [
        D(2026, 12, 31),
        D(2027, 1, 4),
        D(2027, 1, 5),
        D(2027, 1, 6),
    ]


def test_working_days_skip_national_day_and_include_the_tiaoxiu_saturday(shipped):
    assert shipped.working_days_from(D(2026, 9, 30), 3) == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]


def test_working_days_skip_spring_festival_2027(shipped):
    assert shipped.working_days_from(D(2027, 2, 4), 2) == [D(2027, 2, 9), D(2027, 2, 10)]


def test_working_days_start_is_excluded_and_zero_is_empty(shipped):
    assert shipped.working_days_from(D(2026, 11, 26), 1) == [D(2026, 11, 27)]
    assert shipped.working_days_from(D(2026, 11, 26), 0) == []


def test_get_calendar_reads_the_file_under_the_data_dir(tmp_path, monkeypatch):
    (tmp_path / "appointments").mkdir()
    _write(tmp_path / "appointments", "closures:\n  - date: 2026-12-16\n    reason: 停电检修\n")
    monkeypatch.setenv("GXX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_calendar.cache_clear()
    try:
        cal = get_calendar()
        assert cal is get_calendar()
        assert cal.closure_reason(D(2026, 12, 16)) == "大厅临时闭厅：停电检修"
    finally:
        get_settings.cache_clear()
        get_calendar.cache_clear()
