"""Checks, extraction and masking for personal data: ID numbers, mainland mobile numbers and names.

This module owns the three rules; the booking form, the booking service and the api all call it.

- ID numbers follow GB 11643-1999: 17 digits (6-digit region code, 8-digit birth date, 3-digit
  sequence) and a check character computed with ISO 7064 MOD 11-2. The same structure is used by
  港澳台居民居住证 (region 810000 / 820000 / 830000) and by the 2023 外国人永久居留身份证 (first digit
  9, digits 2-3 the province that issued it, 4-6 the nationality code), so all three are accepted.
- Mobile numbers are mainland numbers 1[3-9]xxxxxxxxx, with an optional +86 / 0086 prefix.
- Both may be typed with full-width digits, with spaces, dashes, dots or brackets between digit
  groups, or spelled digit by digit in Chinese (幺三八…, 壹叁捌…); whatever the readers
  (``find_mobile``, ``find_id_number``) read, ``mask_text`` masks.
- Names follow the Ministry of Public Security's 2020 notice on names in information systems:
  every CJK ideograph of GB 18030 (extensions A to G included) is accepted, the middle dot and its
  look-alikes are normalised to U+00B7, and a name may be up to ``MAX_NAME_LENGTH`` characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

from bot.question_words import naming_pattern

ID_LENGTH = 18
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
#: First two digits of GB/T 2260 province-level codes (81/82/83: 港澳台居民居住证).
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
#: Province-level codes of the mainland (a 外国人永久居留身份证 names the province that issued it).
_MAINLAND_PROVINCE_CODES = frozenset(c for c in _PROVINCE_CODES if c < 70)
#: The 15-character 外国人永久居留身份证 issued before 2023: three letters (nationality) and 12 digits.
_OLD_FOREIGNER_CARD = re.compile(r"[A-Z]{3}\d{12}")
_SEPARATORS = re.compile(r"[\s\-()（）.·•]+")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")

# Candidates in free text. ``\d`` also matches full-width digits; candidates are normalised before checks.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![0-9A-Za-z])")
_LONG_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{14,18}[\dXx]?(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ -]?)?\d(?:[ -]?\d){10}(?!\d)")


# Digits spelled out one by one, as people read a number aloud or type it to keep it from being
# scraped ("幺三八 零三七一 五五六六", "壹叁捌…"). A numeral library reads 一百三十八 as 138, but digit by
# digit it drops zeros ("零三七一" → 371), so runs of spelled digits are read here, character by character.
_SPELLED = "零〇幺一壹二两贰三叁四肆五伍六陆七柒八捌九玖"
_SPELLED_VALUES = "0011122233445566778899"
_SPELLED_TO_DIGIT = str.maketrans(_SPELLED, _SPELLED_VALUES)
_SPELLED_RUN = re.compile(
    rf"[{_SPELLED}](?:[ \t\-.\u3000]*[{_SPELLED}])+(?:[ \t\-.\u3000]*[XxＸｘ](?![A-Za-z]))?"
)
MIN_SPELLED_DIGITS = 7
"""A run of at least this many spelled digits is read as a number: shorter runs (一一, 三五个) are
ordinary words, and no phone or ID number is shorter; a lone spelled digit next to written ones is a word
("第一13867905678")."""


def _spelled_runs(s: str) -> list[re.Match[str]]:
    """The runs of spelled digits in ``s`` long enough to be a number."""
    runs = _SPELLED_RUN.finditer(s)
    return [m for m in runs if sum(ch in _SPELLED for ch in m.group(0)) >= MIN_SPELLED_DIGITS]


def spell_out_digits(s: str) -> str:
    """Write spelled-out digits of number-long runs as ASCII digits, one for one (offsets are kept).

    ``手机是幺三八 零三七一 五五六六`` gives ``手机是138 0371 5566``; ``一件事一次办`` is unchanged.
    """
    for match in _spelled_runs(s):
        s = s[: match.start()] + match.group(0).translate(_SPELLED_TO_DIGIT) + s[match.end() :]
    return s


def _to_ascii(s: str) -> str:
    """Fold full-width digits and letters (as typed on many phones) to ASCII.

    Spelled-out digits of a number (`spell_out_digits`) become ASCII digits too.
    """
    return unicodedata.normalize("NFKC", spell_out_digits(s))


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
    """Return a polite Chinese reason why ``s`` is not a valid 18-character ID number, or None if valid.

    Accepted: 居民身份证, 港澳台居民居住证 (81/82/83) and the 2023 外国人永久居留身份证 (first digit 9).

    Args:
        s: the number alone; spaces, dashes and full-width characters are tolerated. Use
            :func:`find_id_number` to read one out of a whole message.
        today: the reference day for the birth-date check (defaults to today).

    Returns:
        The reason, or None for a valid number.

    """
    number = normalize_id_number(s)
    if not number:
        return "请输入18位身份证号码"
    if _OLD_FOREIGNER_CARD.fullmatch(number):
        return "您输入的是旧版15位外国人永久居留身份证号，请输入新版（2023年起签发）18位证件号码"
    if len(number) == 15 and number.isdigit():
        return "您输入的是15位旧版身份证号，请输入18位居民身份证号码"
    if len(number) != ID_LENGTH:
        return f"身份证号应为18位，您输入的是{len(number)}位，请核对后重新输入"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前17位应为数字，最后一位为数字或字母X，请核对后重新输入"
    if number[0] == "9":
        if int(number[1:3]) not in _MAINLAND_PROVINCE_CODES:
            return "外国人永久居留身份证号第2至3位应为受理地省份代码，请核对后重新输入"
    elif int(number[:2]) not in _PROVINCE_CODES:
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


_SELF_NAMED = re.compile(
    r"(?:我叫|俺叫|我的名字(?:是|叫)|(?<![您你他她司业店厂位])名字(?:是|叫)|(?<![您你])姓名(?:是|为)?[:：]?|"
    r"联系人(?:是|为)?[:：])\s*"
    r"(?![不什啥怎咋哪谁您你他她这那])(?P<name>[\u4e00-\u9fff]{2,3}(?:[·•.][\u4e00-\u9fff]{1,6})?)"
)
"""A name given after the words that introduce one ("我叫王小明电话…", "姓名：孙建国", "联系人：李娜"): two
or three characters, or a name with a middle dot. Not a pronoun or a question ("我叫不出来", "名字叫啥"),
nor a company's or a shop's name ("公司名字是宏达科技")."""
_AFTER_A_NAME = frozenset("电手身今想要在住我俺是的啊呀吧哈了呢嘛和跟给")
"""Characters that end a two-character name taken with the next word ("我叫王明电话…" is 王明, not 王明电)."""


def _mask_self_named(match: re.Match[str]) -> str:
    name = match.group("name")
    if (
        "·" not in name
        and "•" not in name
        and "." not in name
        and len(name) == 3
        and name[2] in _AFTER_A_NAME
    ):
        name = name[:2]
    start = match.start("name") - match.start()
    return match.group(0)[:start] + mask_name(name) + match.group(0)[start + len(name) :]


def mask_text(text: str) -> str:
    """Mask every ID number, long card-like number, mobile number and introduced name inside free text.

    Used for logs, the tracker store, the staff's unanswered list and tickets. Whatever
    ``find_mobile`` and ``find_id_number`` read (with any gaps, full-width, circled or spelled
    digits) is masked where it stands, ``138****5678`` and ``110105********002X``, and the text
    around it is kept; then 14–18-digit runs and ID-shaped numbers that fail the check are masked
    too. A name is masked where words introduce it (`_SELF_NAMED`: "我叫王小明" → "我叫王**"); a name
    said without them cannot be told from other words, and is masked with ``mask_name`` where the
    conversation knows it (the booking form's answer).
    """
    if text and ("名" in text or "叫" in text or "联系人" in text):
        text = _SELF_NAMED.sub(_mask_self_named, text)
    if not text or _NUMBERISH.search(text) is None:
        return text
    folded = _fold_in_place(text)
    spans = [
        (run.start() + start, run.start() + end, masked)
        for run in _MASK_RUN.finditer(folded)
        for start, end, masked in _number_spans(run.group(0))
    ]
    for start, end, masked in sorted(spans, reverse=True):
        text = text[:start] + masked + text[end:]
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _LONG_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(_mask_mobile_match, text)


def _fold_in_place(text: str) -> str:
    """``text`` with digits and gaps folded to ASCII one character for one (offsets are kept).

    Full-width, circled and other compatibility forms fold by NFKC where they make one character;
    one that makes several dots or spaces ("…") becomes a space; spelled-out digits of a number
    become digits (`spell_out_digits`).
    """
    chars = []
    for ch in text:
        folded = ch if ch < "\x80" else unicodedata.normalize("NFKC", ch)
        if len(folded) == 1:
            chars.append(folded)
        elif not folded.strip(" ."):
            chars.append(" ")
        else:
            chars.append(ch)
    return spell_out_digits("".join(chars))


def _number_spans(run: str) -> list[tuple[int, int, str]]:
    """Where in ``run`` (folded) the ID and mobile numbers the readers read stand, and their masks."""
    digits = re.sub(r"[^0-9Xx]", "", run)
    if len(digits) < ID_LENGTH and _MOBILE_RE.search(digits) is None:
        # no number can be read out of these digits, however grouped: times, dates and landlines
        # are left without reading them (this runs on every string of every tracker event)
        return []
    spans = []
    for read, mask in ((find_id_number, mask_id_number), (find_mobile, mask_mobile)):
        while (number := read(run)) is not None:  # every number of the run: "138.1234.5678 139.…"
            place = _place_of(run, number)
            if place is None:
                break
            start, end = place
            spans.append((start, end, mask(number)))
            run = run[:start] + "*" * (end - start) + run[end:]  # read, then out of the way
    return spans


def _place_of(run: str, number: str) -> tuple[int, int] | None:
    """The span of ``run`` whose digits (gaps between them included) spell ``number``, or None."""
    places = [i for i, ch in enumerate(run) if ch.isdigit() or ch in "Xx"]
    digits = "".join(run[i].upper() for i in places)
    at = digits.find(number)
    if at < 0:
        return None
    return places[at], places[at + len(number) - 1] + 1


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


# --- reading a value out of what the citizen typed -----------------------------------------------

#: Characters people put between the digits of a number: spaces, dashes, dots (ASCII after NFKC).
DIGIT_GAP = r"[ \t\-.()\u2010-\u2015\u2212\u3000]"
# Runs of digit groups; the caller tries the whole run and each stretch of neighbouring groups.
_DIGIT_RUN = re.compile(rf"(?<![0-9A-Za-z])\+?\d+(?:{DIGIT_GAP}+\d+)*(?![0-9Xx])")
_ID_RUN = re.compile(rf"(?<![0-9A-Za-z])\d+(?:{DIGIT_GAP}+\d+)*(?:{DIGIT_GAP}*[Xx])?(?![0-9A-Za-z])")
# A run of digit groups in folded text (`_fold_in_place`), as the readers above see it.
_MASK_RUN = re.compile(rf"(?<![0-9A-Za-z])\+?\d+(?:{DIGIT_GAP}+\d+)*(?:{DIGIT_GAP}*[Xx])?(?![0-9])")
# Text that may hold a number: a digit of any script, a circled or superscript one, a spelled one.
_NUMBERISH = re.compile(rf"[\d\u00b2\u00b3\u00b9\u2070-\u2089\u2460-\u24ff\u2776-\u2793{_SPELLED}]")
#: The longest stretch of digits a reader looks for: an ID number (18) or 0086 and a mobile (15).
_LONGEST_NUMBER = 20
_OLD_CARD_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3}\d{12}(?![A-Za-z0-9])")


def _fold(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), keeping CJK text as it is."""
    return _to_ascii(text or "")


def _group_stretches(run: str) -> list[str]:
    """The whole run first, then every stretch of neighbouring digit groups, longest first.

    Stretches longer than any number read (`_LONGEST_NUMBER`) are left out, so a long run of short
    groups ("1 1 1 …") costs time in proportion to its length, not to its cube.
    """
    groups = [g for g in re.split(rf"{DIGIT_GAP}+", run) if g]
    stretches: list[str] = []
    for size in range(min(len(groups), _LONGEST_NUMBER), 0, -1):
        joined = ("".join(groups[i : i + size]) for i in range(len(groups) - size + 1))
        stretches.extend(s for s in joined if len(s) <= _LONGEST_NUMBER)
    return stretches


def find_mobile(text: str) -> str | None:
    """Return the mainland mobile number said anywhere in ``text``, normalised, or None.

    Words, spaces, dashes, dots, a ``+86`` / ``0086`` prefix and full-width digits around or inside
    the number are allowed: ``我的手机是 138-6790-5678`` gives ``13867905678``.
    """
    folded = _fold(text)
    for match in _ID_RUN.finditer(folded):  # "身份证 110105 19491231 002X" holds no phone number
        if find_id_number(match.group(0)) is not None:
            folded = folded.replace(match.group(0), " " * len(match.group(0)))
    for match in _DIGIT_RUN.finditer(folded):
        for candidate in _group_stretches(match.group(0).lstrip("+")):
            number = normalize_mobile(candidate)
            if _MOBILE_RE.fullmatch(number):
                return number
    return None


def mobile_answer_error(text: str) -> str | None:
    """Return why the phone number typed in ``text`` is refused, or None when it holds a valid one."""
    if find_mobile(text) is not None:
        return None
    runs = [m.group(0) for m in _DIGIT_RUN.finditer(_fold(text))]
    if not runs:
        return "请输入11位手机号码，比如 13867905678"
    return mobile_error(max(runs, key=lambda r: len(normalize_mobile(r))))


def find_id_number(text: str, today: dt.date | None = None) -> str | None:
    """Return the valid ID number said anywhere in ``text``, normalised (upper-case X), or None.

    Labels (``身份证号：``), spaces, dashes, a lower-case ``x`` and full-width characters are allowed:
    ``身份证号：110105 19491231 002X`` gives ``11010519491231002X``.
    """
    for match in _ID_RUN.finditer(_fold(text)):
        for candidate in _group_stretches(match.group(0)):
            number = normalize_id_number(candidate)
            if len(number) == ID_LENGTH and id_number_error(number, today) is None:
                return number
    return None


def id_answer_error(text: str, today: dt.date | None = None) -> str | None:
    """Return why the ID number typed in ``text`` is refused, or None when it holds a valid one."""
    if find_id_number(text, today) is not None:
        return None
    folded = _fold(text)
    old_card = _OLD_CARD_IN_TEXT.search(folded)
    if old_card:
        return id_number_error(old_card.group(0), today)
    runs = [m.group(0) for m in _ID_RUN.finditer(folded)]
    if not runs:
        return "请输入18位身份证号码"
    return id_number_error(max(runs, key=lambda r: len(normalize_id_number(r))), today)


# --- names ---------------------------------------------------------------------------------------

#: The longest name accepted (the 2020 notice asks for at least 25 汉字).
MAX_NAME_LENGTH = 30
MIN_NAME_LENGTH = 2
NAME_DOT = "\u00b7"
#: U+00B7 and the look-alikes typed for it on phones and PCs (Japanese, Korean, bullets, full stops).
MIDDLE_DOTS = frozenset(
    "\u00b7\u0387\u16eb\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff65\u318d\u25cf\u2981\u00b7\uff0e"
    "\u2024\u02d1\u10fb\u0e4f"
)
#: Unicode blocks of CJK ideographs: URO, extensions A to H, compatibility ideographs (GB 18030).
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x2EBF0, 0x2EE5F),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x3134F),
    (0x31350, 0x323AF),
)
_NAME_LABELS = re.compile(
    r"^(?:(?:预约人|办事人|申请人|本人)?(?:的)?(?:姓名|名字)(?:是|为|叫)?|我叫|我是|俺叫|俺是|本人(?:是|叫)?|"
    r"我姓|俺姓|(?:他|她|预约人|申请人)(?:叫|是)|叫)[:：\s]*"
)
#: The same labels typed in pinyin or English (`bot.question_words.naming_pattern`: "wo jiao zhang hao",
#: "my name is Li Ming", "wo de ming zi shi: …"), and "wo shi", "I am", "I'm".
_LATIN_NAME_LABELS = re.compile(
    r"^(?:(?:wo\s*de\s*|my\s+)?" + naming_pattern() + r"|wo\s*shi|an\s*jiao|i\s+am|i'm)(?:[:：]\s*|\s+)",
    re.IGNORECASE,
)
_NAME_TAILS = re.compile(r"(?:[。.!！~～]|吧|呀|啊|哈|就行|就好|谢谢)+$")
_SEGMENT_BREAKS = re.compile(r"[，,；;、。！!？?\n]+")


def is_cjk_ideograph(ch: str) -> bool:
    """Return True for a CJK unified or compatibility ideograph of any extension (and 〇)."""
    code = ord(ch)
    return ch == "〇" or any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def normalize_name(text: str) -> str:
    """Return a name with every middle-dot look-alike as U+00B7, no spaces around it, trimmed.

    A full stop between two ideographs is the middle dot typed on a phone's keyboard ("艾力.买买提").
    """
    text = (text or "").strip()
    text = "".join(
        NAME_DOT
        if ch == "."
        and 0 < i < len(text) - 1
        and is_cjk_ideograph(text[i - 1])
        and is_cjk_ideograph(text[i + 1])
        else ch
        for i, ch in enumerate(text)
    )
    folded = "".join(NAME_DOT if ch in MIDDLE_DOTS else ch for ch in text)
    folded = re.sub(r"\s*·\s*", NAME_DOT, folded)
    return re.sub(r"\s+", " ", folded).strip()


def name_error(name: str) -> str | None:
    """Return a polite Chinese reason why ``name`` is not acceptable as a person's name, or None.

    A name is 2 to ``MAX_NAME_LENGTH`` characters: CJK ideographs of any extension, or Latin letters
    (with single spaces between words), parts joined by the middle dot.
    """
    value = normalize_name(name)
    if not value:
        return "请告诉我预约人的姓名。"
    if any(ch.isdigit() for ch in value):
        return "姓名里不应有数字，请输入预约人的真实姓名，比如“李明”。"
    if len(value) > MAX_NAME_LENGTH:
        return f"姓名最长{MAX_NAME_LENGTH}个字，请输入与证件一致的姓名。"
    allowed = all(is_cjk_ideograph(ch) or ch.isascii() and ch.isalpha() or ch in " ·" for ch in value)
    parts_ok = all(part.strip() for part in value.split(NAME_DOT))
    if not allowed or not parts_ok or len(value.replace(" ", "")) < MIN_NAME_LENGTH:
        return (
            f"请输入预约人的真实姓名（{MIN_NAME_LENGTH}到{MAX_NAME_LENGTH}个汉字或字母，"
            "少数民族姓名可用“·”分隔），以便窗口工作人员核对。"
        )
    return None


def clean_name(text: str) -> str:
    """Return ``text`` without a label such as "我叫" or "姓名：" and trailing particles, normalised."""
    value = normalize_name(text)
    value = _NAME_LABELS.sub("", value)
    value = _LATIN_NAME_LABELS.sub("", value)
    return normalize_name(_NAME_TAILS.sub("", value))


def _english_reply(value: str) -> bool:
    """Whether ``value`` is English words of the glossary alone ("ok", "stop", "cancel"): a reply, no name."""
    from bot.nlu.english import GLOSSARY

    words = value.lower().split()
    return bool(words) and all(word in GLOSSARY for word in words)


def find_name(text: str) -> str | None:
    """Return the acceptable name said in an answer to "what is the name?", or None.

    "我叫李明，手机13867905678" gives "李明": the answer is cut at punctuation and each piece
    (without its label) is tried, pieces with a label first. A piece of English words of the
    glossary alone (`bot.nlu.english`: "ok", "stop") is no name.
    """
    pieces = [p for p in _SEGMENT_BREAKS.split(normalize_name(text)) if p.strip()]
    labelled = [p for p in pieces if _NAME_LABELS.match(p.strip()) or _LATIN_NAME_LABELS.match(p.strip())]
    for piece in [*labelled, *(p for p in pieces if p not in labelled)]:
        candidate = clean_name(piece)
        if _english_reply(candidate):
            continue
        if name_error(candidate) is None:
            return candidate
        for word in re.split(r"\s+", candidate):  # "李明 13867905678"
            word = clean_name(word)
            if word and name_error(word) is None and is_cjk_ideograph(word[0]):
                return word
    return None


#: Interrogatives of two syllables or more typed in pinyin: a message spelling one asks something.
_ASKING = re.compile(r"zenme|zenyang|shenme|duoshao|duojiu|nali|naer|jidian|jitian|jihao|ruhe")
#: A name typed in pinyin is a surname of one syllable and a given name of one or two; four syllables
#: only after a compound surname (复姓: "ouyang xueming").
NAME_SYLLABLES = (2, 3)
COMPOUND_SURNAMES = frozenset(
    {
        "ouyang", "situ", "zhuge", "shangguan", "sima", "dongfang", "huangfu", "xiahou", "zhangsun",
        "yuwen", "murong", "linghu", "duanmu", "gongsun", "nangong", "ximen", "zhongli", "huyan",
        "wenren", "taishi", "diwu", "zuoqiu", "tantai", "gongye", "puyang", "chunyu", "shentu",
    }
)  # fmt: skip
#: Words a name never begins with (I, you, he, not, this, that: "bu yao le", "wo bu zhi dao") or ends
#: with after another word (the particles of a question or a reply: "hao ma", "zhe ge ne").
NOT_FIRST_IN_NAME = frozenset({"wo", "ni", "nin", "ta", "bu", "zhe", "zhei", "na", "nei"})
NOT_LAST_IN_NAME = frozenset({"ma", "ne", "ba", "a", "ya", "la", "o", "ou"})


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset:
    """Every toneless pinyin syllable of the common CJK block, as ``pypinyin`` spells them (ü as v).

    Without the syllables of interjections alone (嗯 "ng", 呣 "m", 哼 "hng"): "wang" is one syllable.
    """
    return frozenset(
        reading
        for code in pinyin_dict
        if 0x4E00 <= code <= 0x9FFF
        for reading in pinyin(chr(code), style=Style.NORMAL, heteronym=True)[0]
        if re.search(r"[aeiouv]", reading)
    )


def _syllable_counts(word: str) -> set[int]:
    """How many pinyin syllables ``word`` can be cut into, by every cut with nothing left over."""
    known = pinyin_syllables()
    counts: list[set[int]] = [{0}] + [set() for _ in word]
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if counts[start] and word[start:end] in known:
                counts[end] |= {n + 1 for n in counts[start]}
    return counts[len(word)]


def pinyin_name(text: str) -> str | None:
    """The name a whole message is, typed in pinyin as people type it ("zhang hao", "ouyang xue"), or None.

    Latin letters only (a label such as "wo jiao" aside, and a full stop or "!" after), one to three
    words, two or three syllables in all (`NAME_SYLLABLES`; four after a compound surname,
    `COMPOUND_SURNAMES`), with no interrogative ("ji dian kaimen" asks), no English word of the
    glossary (`bot.nlu.english`), and neither first nor last a word no name has there
    (`NOT_FIRST_IN_NAME`, `NOT_LAST_IN_NAME`: "bu yao le"). The answer to the question of the name:
    the same letters elsewhere may be words ("zhou mo" is 周末, "liu cheng" 流程).
    """
    from bot.nlu.english import GLOSSARY

    name = clean_name(text)
    words = name.lower().split()
    if not re.fullmatch(r"[A-Za-z]+(?: [A-Za-z]+){0,2}", name) or _ASKING.search("".join(words)):
        return None
    if any(word in GLOSSARY for word in words) or words[0] in NOT_FIRST_IN_NAME:
        return None
    if len(words) > 1 and words[-1] in NOT_LAST_IN_NAME:
        return None
    low, high = NAME_SYLLABLES
    if any(words[0].startswith(surname) for surname in COMPOUND_SURNAMES):
        high += 1
    totals = {0}
    for word in words:
        totals = {t + n for t in totals for n in _syllable_counts(word)}
    return name if any(low <= total <= high for total in totals) and find_name(text) == name else None


def name_answer_error(text: str) -> str | None:
    """Return why the name typed in ``text`` is refused, or None when it holds an acceptable one."""
    if find_name(text) is not None:
        return None
    if _english_reply(clean_name(text)):
        return (
            f"请输入预约人的真实姓名（{MIN_NAME_LENGTH}到{MAX_NAME_LENGTH}个汉字或字母），"
            "以便窗口工作人员核对。"
        )
    return name_error(clean_name(text))
