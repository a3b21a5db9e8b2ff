"""The full-page chat and the embeddable widget."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
router = APIRouter(tags=["web"])


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    """The full-page chat (also used inside the widget's frame)."""
    return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/widget.js", include_in_schema=False)
async def widget() -> FileResponse:
    """The widget: one ``<script src=".../widget.js">`` tag adds the chat to a host page."""
    return FileResponse(WEB_DIR / "widget.js", media_type="application/javascript; charset=utf-8")
