"""Rasa SDK actions of 高小新: thin adapters between the tracker and the ``bot`` package."""

from actions import pii_slots
from bot.logs import configure_logging

configure_logging()
# issue 8: personal slots reach Rasa (and its tracker store) only sealed; see actions/pii_slots.py
pii_slots.install()
