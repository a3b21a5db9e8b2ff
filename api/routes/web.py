"""The full-page chat, its script and styles, the embeddable widget and the 郑好办 demo host page.

Every page gets a strict Content-Security-Policy (no inline script; the chat draws bot text as text)
whose ``frame-ancestors`` lists the host origins allowed to embed the chat (``ALLOWED_ORIGINS``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from bot.settings import Settings

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
router = APIRouter(tags=["web"])

ASSETS: Dict[str, str] = {
    "chat.js": "application/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
}


def page_policy(settings: Settings, *, frame_src: bool = False) -> str:
    """The Content-Security-Policy of a page of this api."""
    ancestors = " ".join(["'self'", *(o for o in settings.embed_origins() if o != "*")])
    if "*" in settings.embed_origins():
        ancestors = "*"
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        # the widget's shadow root gets its styles as a <style> element when constructable sheets are missing
        "style-src 'self' 'unsafe-inline'" if frame_src else "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ]
    if frame_src:
        directives.append("frame-src 'self'")
    return "; ".join(directives)


def _page(name: str, settings: Settings, *, frame_src: bool = False) -> FileResponse:
    return FileResponse(
        WEB_DIR / name,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": page_policy(settings, frame_src=frame_src),
            "Cache-Control": "no-cache",
        },
    )


@router.get("/", include_in_schema=False)
async def chat_page(request: Request) -> FileResponse:
    """The full-page chat (also used inside the widget's frame)."""
    return _page("index.html", request.app.state.settings)


@router.get("/static/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    """The chat page's script and styles."""
    if name not in ASSETS:
        return Response(
            status_code=404, content="您访问的地址不存在。", media_type="text/plain; charset=utf-8"
        )
    return FileResponse(WEB_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


@router.get("/widget.js", include_in_schema=False)
async def widget() -> FileResponse:
    """The widget: one ``<script src=".../widget.js">`` tag adds the chat to a host page."""
    return FileResponse(
        WEB_DIR / "widget.js",
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"},
    )


@router.get("/demo/zhenghaoban", include_in_schema=False)
async def demo_host(request: Request) -> FileResponse:
    """A demo of the 郑好办 app's 高新分厅 page, embedding the widget with one tag as the app would."""
    return _page("demo-zhenghaoban.html", request.app.state.settings, frame_src=True)
