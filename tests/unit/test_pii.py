"""身份证号 and mobile checks, masking, keyed hashes and the logging filter."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import sys

import pytest

from bot.pii import (
    PiiMaskingFilter,
    id_number_error,
    is_valid_id_number,
    is_valid_mobile,
    keyed_hash,
    mask_id_number,
    mask_mobile,
    mask_name,
    mask_text,
    mobile_error,
    normalize_id_number,
    normalize_mobile,
)

TODAY = dt.date(2026, 11, 26)


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2, written out independently of the module under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    remainder = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True)) % 11
    return "10X98765432"[remainder]


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def with_wrong_check(first17: str) -> str:
    right = check_char(first17)
    return first17 + ("0" if right != "0" else "1")


# Region codes: Beijing 东城区, Zhengzhou 金水区 and 高新区, Shanghai 浦东新区, Guangzhou 天河区,
# and a Hong Kong residents' residence permit.
VALID_BASES = [
    "11010119900307123",
    "41010519850612003",
    "41017320000229456",  # born on a leap day
    "31011520101231876",
    "44010619760101001",
    "81000019951120002",
]


def test_the_check_digit_helper_agrees_with_the_standard_example():
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize("base", VALID_BASES)
def test_valid_id_numbers(base):
    number = with_check(base)
    assert is_valid_id_number(number, today=TODAY)
    assert id_number_error(number, today=TODAY) is None


def test_the_published_example_with_x_in_either_case():
    assert is_valid_id_number("11010519491231002X", today=TODAY)
    assert is_valid_id_number("11010519491231002x", today=TODAY)
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert is_valid_id_number("110105-19491231-002x", today=TODAY)
    assert is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)  # full-width


@pytest.mark.parametrize("base", VALID_BASES)
def test_a_wrong_check_digit_is_refused(base):
    number = with_wrong_check(base)
    assert not is_valid_id_number(number, today=TODAY)
    assert id_number_error(number, today=TODAY) == "身份证号最后一位校验码不正确，请核对后重新输入"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("", "请输入"),
        ("110105194912310", "15位旧版"),
        ("1101051949123100", "应为18位，您输入的是16位"),
        ("11010519491231002X1", "应为18位，您输入的是19位"),
        ("1101051949123100AX", "前17位应为数字"),
        (with_check("00010519900101001"), "地区代码"),
        (with_check("99010519900101001"), "省份代码"),  # a 2023 永久居留身份证 names a province
        (with_check("11010519900230001"), "出生日期"),  # 30 February
        (with_check("11010520270101001"), "出生日期"),  # born after today
        (with_check("11010518891231001"), "出生日期"),  # before 1900
        (with_check("11010520010229001"), "出生日期"),  # 2001 is not a leap year
    ],
)
def test_invalid_id_numbers_have_a_polite_reason(number, fragment):
    assert not is_valid_id_number(number, today=TODAY)
    message = id_number_error(number, today=TODAY)
    assert message is not None and fragment in message


@pytest.mark.parametrize(
    "phone",
    [
        "13867905678",
        "19912345678",
        "138 6790 5678",
        "138-6790-5678",
        "+86 138 6790 5678",
        "008613867905678",
        "8613867905678",
        "１３８６７９０５６７８",
    ],
)
def test_valid_mobiles(phone):
    assert is_valid_mobile(phone)
    assert mobile_error(phone) is None
    assert normalize_mobile(phone) in {"13867905678", "19912345678"}


@pytest.mark.parametrize(
    ("phone", "fragment"),
    [
        ("", "请输入"),
        ("12812345678", "应以13至19开头"),
        ("1381234567", "应为11位，您输入的是10位"),
        ("138679056789", "应为11位，您输入的是12位"),
        ("0371-67989000", "座机"),
        ("1381234567a", "只能包含数字"),
        ("10086", "应为11位"),
    ],
)
def test_invalid_mobiles_have_a_polite_reason(phone, fragment):
    assert not is_valid_mobile(phone)
    message = mobile_error(phone)
    assert message is not None and fragment in message


def test_masks():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105 19491231 002x") == "110105********002X"
    assert mask_mobile("13867905678") == "138****5678"
    assert mask_mobile("+86 138-6790-5678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name(" 李 ") == "*"
    assert mask_name("") == ""


def test_mask_text_masks_every_id_and_mobile():
    number = with_check("41010519850612003")
    text = f"我叫张三，身份证{number}，手机13867905678，备用 +86 139-1234-5678。"
    masked = mask_text(text)
    assert number not in masked
    assert "13867905678" not in masked and "139-1234-5678" not in masked
    assert f"身份证{number[:6]}********{number[-4:]}" in masked
    assert "手机138****5678" in masked
    assert "139****5678" in masked


def test_mask_text_leaves_public_numbers_alone():
    text = "咨询电话0371-67989000，12345热线，预约号AB12CD，2026-12-03上午9:30，3号窗口"
    assert mask_text(text) == text


def test_mask_text_masks_ids_with_a_wrong_check_digit_and_old_15_digit_ids():
    wrong = with_wrong_check("41010519850612003")
    assert wrong not in mask_text(f"号码 {wrong}")
    assert "410105199001011" not in mask_text("旧证号410105199001011")


def test_mask_text_masks_spaced_and_full_width_numbers():
    assert mask_text("身份证 110105 19491231 002X") == "身份证 110105********002X"
    assert "１３８６７９０５６７８" not in mask_text("电话１３８６７９０５６７８")


def test_keyed_hash_is_hmac_sha256():
    expected = hmac.new(b"secret", b"13867905678", hashlib.sha256).hexdigest()
    assert keyed_hash("13867905678", "secret") == expected
    assert keyed_hash("13867905678", b"secret") == expected
    assert keyed_hash("13867905678", "other") != expected
    assert len(expected) == 64


def _record(msg, args=(), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("gxx.test", logging.INFO, __file__, 1, msg, args, exc_info)


def test_logging_filter_masks_message_and_args():
    record = _record("booking for %s, id %s, count %d", ("13867905678", "11010519491231002X", 2))
    assert PiiMaskingFilter().filter(record) is True
    assert record.getMessage() == "booking for 138****5678, id 110105********002X, count 2"


def test_logging_filter_masks_integer_args_and_plain_messages():
    record = _record("phone %d", (13867905678,))
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "phone 138****5678"
    plain = _record("citizen 11010519491231002X called")
    PiiMaskingFilter().filter(plain)
    assert plain.getMessage() == "citizen 110105********002X called"


def test_logging_filter_masks_tracebacks():
    try:
        raise ValueError("bad number 13867905678")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    PiiMaskingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "13867905678" not in formatted
    assert "138****5678" in formatted


def test_logging_filter_on_a_real_handler(caplog):
    logger = logging.getLogger("gxx.test.pii")
    handler_filter = PiiMaskingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="gxx.test.pii"):
            logger.info("预约人手机 %s", "139 1234 5678")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "预约人手机 139****5678" in caplog.text
    assert "1234 5678" not in caplog.text


def test_a_broken_format_string_is_still_logged_masked():
    record = _record("missing arg %s %s", ("13867905678",))
    PiiMaskingFilter().filter(record)
    assert "13867905678" not in record.getMessage()
    assert "138****5678" in record.getMessage()


def test_configure_logging_masks_every_root_handler() -> None:
    import io

    from bot.logs import configure_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        configure_logging()
        configure_logging()  # idempotent
        assert sum(isinstance(f, PiiMaskingFilter) for f in handler.filters) == 1
        logging.getLogger("gxx.test").warning("预约人手机 %s", "13867905678")
        assert "13867905678" not in stream.getvalue() and "138****5678" in stream.getvalue()
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫王小明电话13912345678,可以带猫进大厅吗", "我叫王**电话139****5678,可以带猫进大厅吗"),
        ("我叫孙建国,想问问退休", "我叫孙**,想问问退休"),
        ("我叫王明电话来着忘了", "我叫王*电话来着忘了"),  # two characters, then the next word
        ("姓名：艾力·买买提", "姓名：艾*****"),
        ("我的名字是张三", "我的名字是张*"),
        ("孩子名字叫王小宝 刚出生", "孩子名字叫王** 刚出生"),
        ("联系人：李娜 电话另告", "联系人：李* 电话另告"),
        # no name: a question, a pronoun, a company, a form's own words, a name already masked
        ("我叫不出来这个事的名字", "我叫不出来这个事的名字"),
        ("名字叫啥来着", "名字叫啥来着"),
        ("公司名字是宏达科技", "公司名字是宏达科技"),
        ("请问您的姓名是？", "请问您的姓名是？"),
        ("您的姓名：王**", "您的姓名：王**"),
        ("我是外地户口能办吗", "我是外地户口能办吗"),
    ],
)
def test_mask_text_masks_a_name_where_words_introduce_it(text: str, masked: str) -> None:
    assert mask_text(text) == masked
