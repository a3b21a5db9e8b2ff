"""Logging of our processes: personal data is masked in every line, whoever configured the handlers."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Dict, Iterator

from bot.pii import PiiMaskingFilter, mask_text

FORMAT = "%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s"
# the id of the chat turn being handled: set by the api (header ``X-Request-ID`` or a new one), sent
# to Rasa as message metadata ``request_id``, and read back from the tracker by the action server
REQUEST_ID: ContextVar[str] = ContextVar("gxx_request_id", default="-")
_action_logger = logging.getLogger("gxx.actions")
_action_logger.setLevel(logging.INFO)  # one line per action call, whatever the root logger's level


def _process_name() -> str:
    """``GXX_ROLE``, else the program's name: ``rasa``, ``rasa_sdk``, ``uvicorn`` for ``python -m``."""
    if os.environ.get("GXX_ROLE"):
        return os.environ["GXX_ROLE"]
    program = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    if os.path.basename(program) == "__main__.py":
        return os.path.basename(os.path.dirname(program)) or "python"
    return os.path.basename(program)


class RequestIdFilter(logging.Filter):
    """Adds the turn's ``request_id`` to every record (``-`` outside a turn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set ``record.request_id``; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``LOG_FORMAT=json``), after the personal data was masked."""

    def format(self, record: logging.LogRecord) -> str:
        """Return ``{"ts", "level", "logger", "message", "request_id", "process", "exc"?}``."""
        entry: Dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "process": _process_name(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = mask_text(record.exc_text)
        return json.dumps(entry, ensure_ascii=False)


def _bind_request_ids_in_action_server() -> None:
    """In the action server: log each action call under the request id of the turn that made it.

    ``ActionExecutor.run`` itself is replaced by ``actions/pii_slots.py``, so the id is taken where
    rasa_sdk builds the tracker of the call (``Tracker.from_dict``), and the action is logged where
    rasa_sdk checks its events (``ActionExecutor.validate_events``, called with its name).
    """
    interfaces = sys.modules.get("rasa_sdk.interfaces")
    executor = sys.modules.get("rasa_sdk.executor")
    if interfaces is None or executor is None or getattr(interfaces.Tracker, "_gxx_request_id", False):
        return
    from_dict = interfaces.Tracker.from_dict.__func__
    validate_events = executor.ActionExecutor.validate_events

    def tracker_from_dict(cls: Any, state: Dict[str, Any]) -> Any:
        latest = (state or {}).get("latest_message") or {}
        REQUEST_ID.set(str((latest.get("metadata") or {}).get("request_id") or "-")[:64])
        return from_dict(cls, state)

    def validate_and_log(events: Any, action_name: str) -> Any:
        _action_logger.info("ran %s", action_name)
        return validate_events(events, action_name)

    interfaces.Tracker.from_dict = classmethod(tracker_from_dict)
    executor.ActionExecutor.validate_events = staticmethod(validate_and_log)
    interfaces.Tracker._gxx_request_id = True


def _all_handlers() -> Iterator[logging.Handler]:
    """The root logger's handlers and those of every other logger created so far."""
    yield from logging.getLogger().handlers
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            yield from logger.handlers


def configure_logging(level: int = logging.INFO) -> None:
    """Mask personal data on every handler; add a stderr handler when the process has none.

    uvicorn configures only its own loggers and rasa_sdk configures the root logger, so this is
    called once by the api and once by the actions package; the Rasa server calls it when it loads
    the tracker store (``bot/tracker_store.py``). Loggers that keep their own handlers and do not
    propagate (Sanic's and uvicorn's) are covered too. Calling it again changes nothing.

    With ``LOG_FORMAT=json`` every handler writes one JSON object per line; every record carries
    the turn's ``request_id``.
    """
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(stderr)
        root.setLevel(level)
    as_json = os.environ.get("LOG_FORMAT", "text").lower() == "json"
    for handler in _all_handlers():
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if as_json and not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(JsonFormatter())
    _bind_request_ids_in_action_server()
