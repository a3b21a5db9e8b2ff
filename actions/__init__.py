"""Rasa SDK actions of 高小新: thin adapters between the tracker and the ``bot`` package."""

from bot.logs import configure_logging

configure_logging()
