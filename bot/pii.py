"""Checks and masking for personal data: 居民身份证号码, mainland mobile numbers and names.

The ID number check follows GB 11643-1999: 17 digits (6-digit region code, 8-digit birth date,
3-digit sequence) and a check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import unicodedata

ID_LENGTH = 18
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
#: First two digits of GB/T 2260 province-level codes (81/82/83: 港澳台居民居住证).
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_SEPARATORS = re.compile(r"[\s\-()（）]+")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")

# Candidates in free text. ``\d`` also matches full-width digits; candidates are normalised before checks.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![0-9A-Za-z])")
_LONG_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{14,18}[\dXx]?(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ -]?)?\d(?:[ -]?\d){10}(?!\d)")


def _to_ascii(s: str) -> str:
    """Fold full-width digits and letters (as typed on many phones) to ASCII."""
    return unicodedata.normalize("NFKC", s)


def normalize_id_number(s: str) -> str:
    """Return ``s`` without spaces or dashes, ASCII digits, and an upper-case ``X``; no validation."""
    return _SEPARATORS.sub("", _to_ascii(s or "")).upper()


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_error(s: str, today: dt.date | None = None) -> str | None:
    """Return a polite Chinese reason why ``s`` is not a valid 18-digit ID number, or None if valid.

    Args:
        s: what the citizen typed; spaces, dashes and full-width characters are tolerated.
        today: the reference day for the birth-date check (defaults to today).

    """
    number = normalize_id_number(s)
    if not number:
        return "请输入18位居民身份证号码"
    if len(number) == 15 and number.isdigit():
        return "您输入的是15位旧版身份证号，请输入18位居民身份证号码"
    if len(number) != ID_LENGTH:
        return f"身份证号应为18位，您输入的是{len(number)}位，请核对后重新输入"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前17位应为数字，最后一位为数字或字母X，请核对后重新输入"
    if int(number[:2]) not in _PROVINCE_CODES:
        return "身份证号前两位地区代码不正确，请核对后重新输入"
    birth = _birth_date(number)
    if birth is None or birth.year < 1900 or birth > (today or dt.date.today()):
        return "身份证号中的出生日期（第7至14位）不正确，请核对后重新输入"
    if id_check_char(number[:17]) != number[17]:
        return "身份证号最后一位校验码不正确，请核对后重新输入"
    return None


def is_valid_id_number(s: str, today: dt.date | None = None) -> bool:
    """Return True for a valid 18-digit 居民身份证号码 (check digit, birth date, region code)."""
    return id_number_error(s, today) is None


def normalize_mobile(s: str) -> str:
    """Return ``s`` without spaces, dashes, brackets or a leading +86 / 0086 / 86; no validation."""
    number = _SEPARATORS.sub("", _to_ascii(s or ""))
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            return number[len(prefix) :]
    return number


def mobile_error(s: str) -> str | None:
    """Return a polite Chinese reason why ``s`` is not a mainland mobile number, or None if valid."""
    number = normalize_mobile(s)
    if not number:
        return "请输入11位手机号码"
    if not number.isdigit():
        return "手机号码只能包含数字，请核对后重新输入"
    if number.startswith("0"):
        return "请填写11位手机号码（暂不支持座机号码），以便接收预约短信"
    if len(number) != 11:
        return f"手机号码应为11位，您输入的是{len(number)}位，请核对后重新输入"
    if not _MOBILE_RE.fullmatch(number):
        return "手机号码格式不正确（应以13至19开头），请核对后重新输入"
    return None


def is_valid_mobile(s: str) -> bool:
    """Return True for a mainland mobile number (1[3-9] and nine more digits)."""
    return mobile_error(s) is None


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_id_number(s: str) -> str:
    """Mask an ID number, keeping the region code and the last four: ``110105********002X``."""
    number = normalize_id_number(s)
    if len(number) >= 12:
        return _mask_middle(number, 6, 4)
    return _mask_middle(number, 1, 1)


def mask_mobile(s: str) -> str:
    """Mask a mobile number, keeping the first three and last four digits: ``138****5678``."""
    number = normalize_mobile(s)
    if len(number) >= 9:
        return _mask_middle(number, 3, 4)
    return _mask_middle(number, 1, 1)


def mask_name(s: str) -> str:
    """Keep the first character and mask each other one: ``张*``, ``欧阳娜娜`` -> ``欧***``."""
    name = (s or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def _mask_mobile_match(match: re.Match[str]) -> str:
    candidate = match.group(0)
    return mask_mobile(candidate) if is_valid_mobile(candidate) else candidate


def mask_text(text: str) -> str:
    """Mask every ID number, long card-like number and mobile number inside free text (for logs).

    Names cannot be recognised reliably in free text; mask them with ``mask_name`` where they are known.
    """
    if not text:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _LONG_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(_mask_mobile_match, text)


def keyed_hash(value: str, key: str | bytes) -> str:
    """Return the HMAC-SHA256 hex digest of ``value``: lets records be matched without storing it.

    Normalise first (``normalize_mobile``, ``normalize_id_number``) so equal values hash equally.
    """
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key_bytes, value.encode("utf-8"), hashlib.sha256).hexdigest()


class PiiMaskingFilter(logging.Filter):
    """Logging filter that masks ID and mobile numbers in the message, its arguments and tracebacks.

    A filter on a logger sees only records logged on that very logger; install it on the handlers
    (``handler.addFilter(PiiMaskingFilter())``) to cover records propagated from child loggers too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place with its personal data masked; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must still be logged, masked
            message = " ".join([str(record.msg), *(str(a) for a in _args_tuple(record.args))])
        record.msg = mask_text(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def _args_tuple(args: object) -> tuple[object, ...]:
    if args is None:
        return ()
    if isinstance(args, tuple):
        return args
    return (args,)
