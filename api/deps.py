"""Shared dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.rasa_client import RasaClient
from api.sessions import SessionStore
from bot.settings import Settings, get_settings


def _rasa(request: Request) -> RasaClient:
    return request.app.state.rasa


def _sessions(request: Request) -> SessionStore:
    return request.app.state.sessions


SettingsDep = Annotated[Settings, Depends(get_settings)]
RasaDep = Annotated[RasaClient, Depends(_rasa)]
SessionsDep = Annotated[SessionStore, Depends(_sessions)]
