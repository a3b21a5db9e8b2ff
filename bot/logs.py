"""Logging of our processes: personal data is masked in every line, whoever configured the handlers."""

from __future__ import annotations

import logging

from bot.pii import PiiMaskingFilter

FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Mask personal data on every root handler; add a stderr handler when the process has none.

    uvicorn configures only its own loggers and rasa_sdk configures the root logger, so this is
    called once by the api and once by the actions package; calling it again changes nothing.
    """
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(stderr)
        root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, PiiMaskingFilter) for f in handler.filters):
            handler.addFilter(PiiMaskingFilter())
