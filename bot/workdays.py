"""The hall's working-day calendar: weekends, 法定节假日, 调休 working days and staff closures.

Where an answer comes from, in order:

1. The staff override file (``data/appointments/calendar_overrides.yml``): temporary closures of the
   hall with a reason, extra working days, and whole-year holiday lists for years that
   ``chinese-calendar`` does not know yet.
2. ``chinese-calendar`` (the State Council's published arrangements, including 调休).
3. For years neither of them covers, the statutory rule of 《全国年节及纪念日放假办法》 (2024 revision):
   元旦 (1 Jan), 清明 (the solar term), 劳动节 (1-2 May) and 国庆节 (1-3 Oct) are closed, as are
   weekends. 春节, 端午节 and 中秋节 follow the lunar calendar; no lunar-calendar library is part of
   the project, so those dates must come from the override file. Answers from this rule (and from a
   year list marked ``official: false``) report ``is_official() == False``, because the 调休
   arrangement of that year is not known yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from bot.settings import get_settings

logger = logging.getLogger(__name__)

WEEKEND_REASON = "周末休息"
CLOSURE_PREFIX = "大厅临时闭厅"
#: How far ``working_days_from`` looks ahead before giving up (a misconfigured file closing every day).
MAX_SCAN_DAYS = 3 * 366

#: ``chinese-calendar`` names its holidays in English; citizens read Chinese.
_HOLIDAY_NAMES_CN = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

#: Fixed-date statutory holidays of the 2024 revision (month, day, name).
_FIXED_STATUTORY = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
)


class CalendarDataError(ValueError):
    """The override file cannot be read; the message tells staff which entry to fix."""


@dataclass(frozen=True)
class _Answer:
    open: bool
    reason: str | None
    official: bool


@dataclass
class _YearData:
    official: bool
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: set[dt.date] = field(default_factory=set)


@dataclass
class _Overrides:
    closures: dict[dt.date, str] = field(default_factory=dict)
    extra_workdays: set[dt.date] = field(default_factory=set)
    years: dict[int, _YearData] = field(default_factory=dict)


def holiday_reason(name: str) -> str:
    """Return the citizen-facing reason for a closed public holiday, e.g. ``国庆节法定节假日``."""
    return f"{name}法定节假日"


class WorkCalendar:
    """Answers whether the hall is open on a given day, and why not."""

    def __init__(self, overrides_path: Path | None = None):
        """Load the optional staff override file.

        Args:
            overrides_path: YAML file with closures, extra working days and year lists. ``None`` or a
                missing file means no overrides.

        Raises:
            CalendarDataError: the file exists but an entry is malformed.

        """
        self._overrides = _load_overrides(overrides_path) if overrides_path else _Overrides()
        self._warned_years: set[int] = set()

    def is_working_day(self, d: dt.date) -> bool:
        """Return True when the hall is open on ``d``."""
        return self._answer(d).open

    def closure_reason(self, d: dt.date) -> str | None:
        """Return why the hall is closed on ``d`` (in Chinese), or None when it is open."""
        return self._answer(d).reason

    def is_official(self, d: dt.date) -> bool:
        """Return False when the answer for ``d`` comes from the statutory fallback, not published data."""
        return self._answer(d).official

    def working_days_from(self, start: dt.date, count: int) -> list[dt.date]:
        """Return the next ``count`` working days strictly after ``start``, in order.

        Fewer days are returned only if none open within ``MAX_SCAN_DAYS`` (a misconfigured file).
        """
        days: list[dt.date] = []
        current = start
        for _ in range(MAX_SCAN_DAYS):
            if len(days) >= count:
                break
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                days.append(current)
        return days

    def _answer(self, d: dt.date) -> _Answer:
        ov = self._overrides
        if d in ov.closures:
            return _Answer(False, ov.closures[d], True)
        if d in ov.extra_workdays:
            return _Answer(True, None, True)
        year = ov.years.get(d.year)
        if year is not None:
            return _from_year_list(d, year)
        try:
            return _from_chinese_calendar(d)
        except NotImplementedError:
            self._warn_once(d.year)
            return _from_statutory_rule(d)

    def _warn_once(self, year: int) -> None:
        if year not in self._warned_years:
            self._warned_years.add(year)
            logger.warning(
                "No holiday data for %s: using the statutory rule; add the year to the override file", year
            )


def _from_year_list(d: dt.date, year: _YearData) -> _Answer:
    if d in year.holidays:
        return _Answer(False, holiday_reason(year.holidays[d]), year.official)
    if d in year.workdays:
        return _Answer(True, None, year.official)
    if d.weekday() >= 5:
        return _Answer(False, WEEKEND_REASON, year.official)
    return _Answer(True, None, year.official)


def _from_chinese_calendar(d: dt.date) -> _Answer:
    if chinese_calendar.is_workday(d):  # raises NotImplementedError outside its data
        return _Answer(True, None, True)
    on_holiday, name = chinese_calendar.get_holiday_detail(d)
    if on_holiday and name:
        return _Answer(False, holiday_reason(_HOLIDAY_NAMES_CN.get(name, name)), True)
    return _Answer(False, WEEKEND_REASON, True)


def _from_statutory_rule(d: dt.date) -> _Answer:
    for month, day, name in _FIXED_STATUTORY:
        if (d.month, d.day) == (month, day):
            return _Answer(False, holiday_reason(name), False)
    if d.month == 4 and _is_qingming(d):
        return _Answer(False, holiday_reason("清明节"), False)
    if d.weekday() >= 5:
        return _Answer(False, WEEKEND_REASON, False)
    return _Answer(True, None, False)


def _is_qingming(d: dt.date) -> bool:
    """清明 is a solar term; chinese-calendar computes solar terms for years beyond its holiday data."""
    try:
        terms = chinese_calendar.get_solar_terms(d, d)
    except Exception:  # noqa: BLE001 - the fallback must never fail; 4/4-4/6 without the term is open
        logger.warning("Cannot compute the solar term for %s", d)
        return False
    return any(name == "清明" for _, name in terms)


# --- loading the override file -------------------------------------------------------------------


def _load_overrides(path: Path) -> _Overrides:
    if not path.exists():
        logger.info("No calendar override file at %s", path)
        return _Overrides()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CalendarDataError(f"{path}：YAML 格式错误，请检查缩进和冒号：{exc}") from exc
    except ValueError as exc:  # PyYAML builds dates itself and fails on 2026-13-01
        raise CalendarDataError(f"{path}：无法识别的日期（{exc}），请写成 2027-01-01 的格式") from exc
    if not isinstance(raw, dict):
        raise CalendarDataError(f"{path}：文件顶层应包含 closures、extra_workdays、years 三项")
    ov = _Overrides()
    for entry in raw.get("closures") or []:
        reason = str(_get(entry, "reason", "closures", required=False) or "").strip()
        text = f"{CLOSURE_PREFIX}：{reason}" if reason else CLOSURE_PREFIX
        for day in _entry_dates(entry, "closures"):
            ov.closures[day] = text
    for entry in raw.get("extra_workdays") or []:
        ov.extra_workdays.update(_entry_dates(entry, "extra_workdays"))
    for year_key, body in (raw.get("years") or {}).items():
        ov.years[_as_year(year_key)] = _load_year(year_key, body)
    return ov


def _load_year(year_key: Any, body: Any) -> _YearData:
    where = f"years.{year_key}"
    if not isinstance(body, dict):
        raise CalendarDataError(f"{where}：应包含 official、holidays、workdays")
    data = _YearData(official=bool(body.get("official", False)))
    for entry in body.get("holidays") or []:
        name = str(_get(entry, "name", f"{where}.holidays")).strip()
        for day in _entry_dates(entry, f"{where}.holidays"):
            data.holidays[day] = name
    for entry in body.get("workdays") or []:
        data.workdays.update(_entry_dates(entry, f"{where}.workdays"))
    wrong_year = [d for d in (*data.holidays, *data.workdays) if d.year != _as_year(year_key)]
    if wrong_year:
        raise CalendarDataError(f"{where}：日期 {wrong_year[0].isoformat()} 不属于 {year_key} 年")
    return data


def _entry_dates(entry: Any, where: str) -> list[dt.date]:
    """Dates of one entry: ``{date: D}``, ``{from: D1, to: D2}`` (inclusive), or a bare date."""
    if not isinstance(entry, dict):
        return [_as_date(entry, where)]
    if "date" in entry:
        return [_as_date(entry["date"], where)]
    start = _as_date(_get(entry, "from", where), where)
    end = _as_date(_get(entry, "to", where), where)
    if end < start:
        raise CalendarDataError(f"{where}：结束日期 {end} 早于开始日期 {start}")
    if (end - start).days > 366:
        raise CalendarDataError(f"{where}：{start} 至 {end} 超过一年，请检查日期")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _get(entry: Any, key: str, where: str, required: bool = True) -> Any:
    if not isinstance(entry, dict) or (required and key not in entry):
        raise CalendarDataError(f"{where}：条目 {entry!r} 缺少 {key}")
    return entry.get(key)


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise CalendarDataError(f"{where}：无法识别的日期 {value!r}，请写成 2027-01-01 的格式") from exc


def _as_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise CalendarDataError(f"years：年份 {value!r} 应为四位数字，如 2027") from exc
    if not 2000 <= year <= 2100:
        raise CalendarDataError(f"years：年份 {value!r} 超出范围")
    return year


@lru_cache(maxsize=1)
def get_calendar() -> WorkCalendar:
    """Return the process-wide calendar, with the staff overrides under the data directory."""
    return WorkCalendar(get_settings().data_dir / "appointments" / "calendar_overrides.yml")
