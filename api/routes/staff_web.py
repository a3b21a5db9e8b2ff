"""The staff page (``GET /admin``): plain HTML, JavaScript and CSS from ``api/web``, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
router = APIRouter(tags=["web"])

# The page loads only its own script and style and talks only to this api.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get("/admin", include_in_schema=False)
async def admin_page() -> FileResponse:
    """The staff page: sign in, FAQ entries, unanswered questions, the audit log."""
    return FileResponse(WEB_DIR / "admin.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/admin.js", include_in_schema=False)
async def admin_script() -> FileResponse:
    """The staff page's script."""
    return FileResponse(
        WEB_DIR / "admin.js",
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/admin.css", include_in_schema=False)
async def admin_style() -> FileResponse:
    """The staff page's style sheet."""
    return FileResponse(
        WEB_DIR / "admin.css", media_type="text/css; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
