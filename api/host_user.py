"""The 郑好办 host's signed user: HMAC-SHA256 over the user id and an expiry, with a shared secret.

The host page (the 郑好办 app's 高新分厅) computes ``hex(HMAC-SHA256(HOST_SIGNING_SECRET,
"<user id>.<expiry>"))``, where the expiry is a Unix time in seconds, and passes the three values
to the widget (``data-user``, ``data-expires``, ``data-signature``, or ``postMessage``). The api
checks the signature before binding the chat session to that user; a forged, malformed or expired
signature is refused with a Chinese reason.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Optional

USER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")


class SignedUserError(ValueError):
    """A signed user that is refused; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def sign_user(user: str, expires: int, secret: str) -> str:
    """Return the hex signature of ``user`` valid until ``expires`` (what the host computes)."""
    return hmac.new(secret.encode("utf-8"), f"{user}.{int(expires)}".encode(), hashlib.sha256).hexdigest()


def verify_user(
    user: str, expires: int, signature: str, *, secret: str, max_age_seconds: int, now: Optional[float] = None
) -> str:
    """Return ``user`` when its signature is genuine and current.

    Args:
        user: the host's user id.
        expires: the Unix time (seconds) after which the signature is refused.
        signature: the hex HMAC-SHA256 of ``"<user>.<expires>"``.
        secret: the shared secret (``HOST_SIGNING_SECRET``); empty means signed users are not enabled.
        max_age_seconds: how far in the future ``expires`` may be.
        now: the current Unix time (default: the clock).

    Raises:
        SignedUserError: with the status and the Chinese reason for refusing it.

    """
    if not secret:
        raise SignedUserError(403, "本服务尚未开通郑好办登录用户对接，请以游客身份继续咨询。")
    if not USER_ID.match(user or "") or not SIGNATURE.match(signature or ""):
        raise SignedUserError(400, "用户身份签名格式不正确，请重新打开郑好办后再试。")
    current = time.time() if now is None else now
    if int(expires) <= current:
        raise SignedUserError(401, "用户身份签名已过期，请重新登录郑好办后再试。")
    if int(expires) > current + max_age_seconds:
        raise SignedUserError(400, "用户身份签名的有效期过长，请重新登录郑好办后再试。")
    expected = sign_user(user, expires, secret)
    if not hmac.compare_digest(expected, signature.lower()):
        raise SignedUserError(403, "用户身份签名校验失败，请重新登录郑好办后再试。")
    return user
