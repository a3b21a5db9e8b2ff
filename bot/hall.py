"""The hall's own facts (营业时间、地址、交通、咨询电话) from the staff-editable ``data/hall.yml``."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import List, Optional

import yaml
from pydantic import BaseModel, Extra

from bot.appointments.config import get_config
from bot.settings import get_settings

NOON = time(12, 0)


class OpeningHours(BaseModel, extra=Extra.forbid):
    """营业时间 as citizens are told it: which days, and a note.

    The periods of a day are not repeated here: they come from ``data/appointments/windows.yml``,
    the file the booking rules use, so what 高小新 says and what can be booked never disagree.
    """

    weekdays: str
    note: str = ""


class Suggestion(BaseModel, extra=Extra.forbid):
    """A 猜你想问 button: what the citizen sees and what is sent when tapped."""

    title: str
    payload: str


class HallInfo(BaseModel, extra=Extra.forbid):
    """Everything 高小新 says about the hall itself."""

    name: str
    assistant_name: str
    address: str
    transit: List[str]
    opening_hours: OpeningHours
    consultation_phone: str
    hotline_12345: str
    complaint: List[str]
    complaint_faq: Optional[str] = None
    """The FAQ entry (id) a complaint is answered with after the apology; `complaint` if it is gone."""
    hours_faq: Optional[str] = None
    """The FAQ entry (id) on service outside the usual hours (延时、午间、周末): an opening-hours
    question that retrieval answers with it, at `bot.faq.UNSURE_SCORE` or more, gets it after
    the hours."""
    suggestions: List[Suggestion]
    popular_items: List[str]

    def hours_text(self) -> str:
        """营业时间 as one sentence, e.g. "周一至周五，上午09:00—12:00，下午13:00—17:00"."""
        periods = "，".join(
            f"{'上午' if p.start < NOON else '下午'}{p.start:%H:%M}—{p.end:%H:%M}"
            for p in get_config().hall.opening_hours
        )
        return f"{self.opening_hours.weekdays}，{periods}"


def load_hall(path: Path) -> HallInfo:
    """Read and validate the hall file."""
    with path.open(encoding="utf-8") as handle:
        return HallInfo.parse_obj(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_hall() -> HallInfo:
    """The hall facts of the configured data folder, read once per process."""
    return load_hall(get_settings().data_dir / "hall.yml")
