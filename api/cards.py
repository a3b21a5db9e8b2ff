"""What the api adds to, and keeps of, 高小新's replies for the web page.

- A booking card gets the QR code of its 预约号 (an SVG data URL made with ``segno``), so the
  window can scan it; the QR is made here, not stored, so the transcript stays small.
- Links reach the page only from structured payloads, and only ``http``/``https`` ones.
- The transcript kept for a reload holds the page's view of each turn with personal data masked.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import urlsplit

import segno

from bot.appointments.codes import normalize_code
from bot.pii import mask_name, mask_text

MAX_LINKS = 5


@lru_cache(maxsize=256)
def qr_data_uri(code: str) -> str:
    """Return an SVG data URL of the QR code that encodes the confirmation code ``code``."""
    qr = segno.make_qr(code, error="m")  # a full QR code: phone scanners do not all read Micro QR
    return str(qr.svg_data_uri(scale=6, border=2, dark="#000000", light="#ffffff"))


def safe_url(url: object) -> Optional[str]:
    """Return ``url`` when it is an absolute http(s) address, else None."""
    if not isinstance(url, str) or len(url) > 500:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def _clean_custom(custom: Dict[str, Any]) -> Dict[str, Any]:
    custom = dict(custom)
    custom.pop("qr", None)
    links = custom.get("links")
    if links is not None:
        kept = []
        for link in links if isinstance(links, list) else []:
            if isinstance(link, dict) and safe_url(link.get("url")) and isinstance(link.get("title"), str):
                kept.append({"title": link["title"][:60], "url": safe_url(link["url"])})
        custom["links"] = kept[:MAX_LINKS]
    return custom


def decorate(replies: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Return the replies as the page gets them: clean links, and a QR code on booking cards."""
    result: List[Dict[str, Any]] = []
    for reply in replies:
        reply = copy.copy(reply)
        custom = reply.get("custom")
        if isinstance(custom, dict):
            custom = _clean_custom(custom)
            if custom.get("type") == "booking":
                code = normalize_code(str(custom.get("code") or ""))
                if code:
                    custom["qr"] = qr_data_uri(code)
            reply["custom"] = custom
        result.append(reply)
    return result


def asks_for_name(replies: Sequence[Dict[str, Any]]) -> bool:
    """Return whether the replies ask for a person's name (the next message is then a name)."""
    return any("姓名" in str(r.get("text") or "") and "请" in str(r.get("text") or "") for r in replies)


def user_entry(shown: str, *, is_name: bool) -> Dict[str, Any]:
    """The transcript entry of what the citizen sent (masked)."""
    return {"role": "me", "text": mask_name(shown) if is_name else mask_text(shown)}


def bot_entries(replies: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The transcript entries of 高小新's replies (texts masked; no QR: it is made again on reading)."""
    entries: List[Dict[str, Any]] = []
    for reply in replies:
        entry: Dict[str, Any] = {"role": "bot", "text": mask_text(str(reply.get("text") or ""))}
        if reply.get("buttons"):
            entry["buttons"] = [
                {"title": str(b.get("title", ""))[:60], "payload": str(b.get("payload", ""))[:300]}
                for b in reply["buttons"]
                if isinstance(b, dict)
            ]
        if isinstance(reply.get("custom"), dict):
            entry["custom"] = _clean_custom(reply["custom"])
        entries.append(entry)
    return entries
