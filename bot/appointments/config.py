"""The hall's windows, opening hours and booking rules, read from ``data/appointments/windows.yml``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional, Tuple

import yaml
from pydantic import BaseModel, Field, ValidationError, validator

from bot.settings import get_settings

CONFIG_RELATIVE_PATH = Path("appointments") / "windows.yml"


class ConfigError(ValueError):
    """The windows file is missing or invalid; the message names the file."""


def _parse_clock_time(value: Any) -> Any:
    """Accept ``"09:00"`` strings and the integers YAML 1.1 makes of unquoted ``13:00``.

    PyYAML reads an unquoted ``13:00`` as the base-60 integer 780, so an integer is read back as
    minutes after midnight instead of failing on a file staff edit by hand.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 24 * 60:
            raise ValueError('时间须写成 "时:分"，例如 "09:00"')
        return time(value // 60, value % 60)
    return value


class TimeRange(BaseModel):
    """One opening period of a working day, e.g. 09:00–12:00."""

    start: time
    end: time

    _parse = validator("start", "end", pre=True, allow_reuse=True)(_parse_clock_time)

    @validator("end")
    def _end_after_start(cls, value: time, values: dict) -> time:  # noqa: N805
        start = values.get("start")
        if start is not None and value <= start:
            raise ValueError("结束时间须晚于开始时间")
        return value


class HallConfig(BaseModel):
    """The hall's name and its opening periods on working days."""

    name: str
    opening_hours: List[TimeRange] = Field(..., min_items=1)

    @validator("opening_hours")
    def _ordered_without_overlap(cls, value: List[TimeRange]) -> List[TimeRange]:  # noqa: N805
        ordered = sorted(value, key=lambda period: period.start)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later.start < earlier.end:
                raise ValueError("开放时段不能重叠")
        return ordered


class RulesConfig(BaseModel):
    """Booking rules: how far ahead, how many per person, and the change deadline."""

    min_working_days_ahead: int = Field(1, ge=0)
    max_working_days_ahead: int = Field(5, ge=1)
    one_booking_per_person_item_day: bool = True
    change_deadline_hours: float = Field(2, ge=0)

    @validator("max_working_days_ahead")
    def _max_not_below_min(cls, value: int, values: dict) -> int:  # noqa: N805
        minimum = values.get("min_working_days_ahead")
        if minimum is not None and value < minimum:
            raise ValueError("max_working_days_ahead 不能小于 min_working_days_ahead")
        return value

    @validator("one_booking_per_person_item_day")
    def _enforced_by_database(cls, value: bool) -> bool:  # noqa: N805
        if not value:
            raise ValueError("同一人同一事项同一天只能有一个有效预约，由数据库唯一索引保证，须为 true")
        return value


class WindowConfig(BaseModel):
    """One service window: its number, name, the items it serves and how many staff are on duty."""

    number: str = Field(..., regex=r"^[1-9][0-9]*$")
    name: str
    items: List[str] = Field(default_factory=list)
    staff: int = Field(..., ge=0)


class AppointmentConfig(BaseModel):
    """Everything the booking service needs to know about the hall."""

    hall: HallConfig
    slot_minutes: int = Field(..., ge=5, le=240)
    capacity_per_staff: int = Field(..., ge=1)
    rules: RulesConfig = RulesConfig.parse_obj({})
    windows: List[WindowConfig] = Field(..., min_items=1)

    @validator("windows")
    def _unique_numbers(cls, value: List[WindowConfig]) -> List[WindowConfig]:  # noqa: N805
        numbers = [window.number for window in value]
        duplicates = sorted({number for number in numbers if numbers.count(number) > 1})
        if duplicates:
            raise ValueError(f"窗口号重复：{'、'.join(duplicates)}")
        return value

    def slot_starts(self) -> List[time]:
        """Return the start time of every slot of a working day, in order."""
        return [start for start, _ in self.slots()]

    def slots(self) -> List[Tuple[time, time]]:
        """Return ``(start, end)`` of every slot; a period's last slot that would overrun is dropped."""
        length = timedelta(minutes=self.slot_minutes)
        anchor = date(2000, 1, 1)
        result: List[Tuple[time, time]] = []
        for period in self.hall.opening_hours:
            cursor = datetime.combine(anchor, period.start)
            closing = datetime.combine(anchor, period.end)
            while cursor + length <= closing:
                result.append((cursor.time(), (cursor + length).time()))
                cursor += length
        return result

    def slot_end(self, start: time) -> time:
        """Return the end of the slot starting at ``start``."""
        return (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=self.slot_minutes)).time()

    def is_slot_start(self, value: time) -> bool:
        """Tell whether ``value`` is the start of one of the day's slots."""
        return value in self.slot_starts()

    def windows_for(self, item_name: str) -> List[WindowConfig]:
        """Return the windows that serve ``item_name`` and have staff on duty, in file order."""
        return [w for w in self.windows if item_name in w.items and w.staff > 0]

    def bookable_items(self) -> List[str]:
        """Return every item name that at least one staffed window serves, without duplicates."""
        seen: List[str] = []
        for window in self.windows:
            if window.staff > 0:
                seen.extend(item for item in window.items if item not in seen)
        return seen

    def window(self, number: str) -> Optional[WindowConfig]:
        """Return the window with this number, or ``None``."""
        return next((w for w in self.windows if w.number == str(number)), None)

    def capacity(self, window: WindowConfig) -> int:
        """Return how many people ``window`` can receive in one slot."""
        return window.staff * self.capacity_per_staff


def default_config_path() -> Path:
    """Return the windows file under the configured data folder."""
    return Path(get_settings().data_dir) / CONFIG_RELATIVE_PATH


def load_config(path: Optional[Path] = None) -> AppointmentConfig:
    """Read and validate the windows file.

    Args:
        path: the YAML file; defaults to ``<data_dir>/appointments/windows.yml``.

    Raises:
        ConfigError: the file cannot be read, is not YAML, or breaks a rule; the message names the file.

    """
    path = Path(path) if path is not None else default_config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: 无法读取预约窗口配置文件（{error.strerror or error}）") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: YAML 格式错误：{error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 文件内容应为键值对（hall、slot_minutes、windows 等）")
    try:
        return AppointmentConfig.parse_obj(raw)
    except ValidationError as error:
        raise ConfigError(f"{path}: 预约窗口配置有误：\n{error}") from error


@lru_cache(maxsize=1)
def get_config() -> AppointmentConfig:
    """Return the windows configuration of the data folder, read once."""
    return load_config()
