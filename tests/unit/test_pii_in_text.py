"""Reading phone numbers, ID numbers and names out of what citizens actually type (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import pii
from bot.appointments.service import MAX_NAME_LENGTH
from bot.pii import id_check_char

TODAY = dt.date(2026, 11, 26)
PHONE = "13867905678"
ID17 = "11010519491231002"
ID_NUMBER = ID17 + id_check_char(ID17)  # 11010519491231002X


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


FOREIGNER_2023 = _with_check("94115619900101001")  # 9, 41 (河南), 156, born 1990-01-01
HONG_KONG = _with_check("81000019900101001")
MACAO = _with_check("82000019851231002")
TAIWAN = _with_check("83000020000229003")


@pytest.mark.parametrize(
    "text",
    [
        "我的手机是 138-6790-5678",
        "13867905678",
        "138 6790 5678",
        "138.6790.5678",
        "138－6790－5678",
        "+86 138 6790 5678",
        "+8613867905678",
        "0086 13867905678",
        "008613867905678",
        "８６-１３８６７９０５６７８",
        "１３８６７９０５６７８",
        "电话：13867905678，打这个就行",
        "手机号13867905678，身份证" + ID_NUMBER,
        "身份证" + ID_NUMBER + " 手机 138 6790 5678",
        "我叫李明 13867905678",
        "号码是（138）6790-5678",
    ],
)
def test_a_phone_number_is_read_out_of_the_answer(text: str) -> None:
    assert pii.find_mobile(text) == PHONE
    assert pii.mobile_answer_error(text) is None
    masked = pii.mask_text(text)
    assert pii.find_mobile(masked) is None and "6790" not in masked.replace("-", "").replace(" ", "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("我的手机是 138-1234-567", "11位，您输入的是10位"),
        ("1381234567", "10位"),
        ("0371-67989000", "座机"),
        ("12812345678", "13至19"),
        ("我没有手机", "11位手机号码"),
        ("", "11位手机号码"),
    ],
)
def test_a_wrong_phone_number_gets_its_reason(text: str, reason: str) -> None:
    assert pii.find_mobile(text) is None
    problem = pii.mobile_answer_error(text)
    assert problem is not None and reason in problem, problem


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("身份证号：110105 19491231 002X", ID_NUMBER),
        ("身份证号：110105 19491231 002x", ID_NUMBER),
        ("11010519491231002x", ID_NUMBER),
        ("110105-19491231-002X", ID_NUMBER),
        ("１１０１０５１９４９１２３１００２Ｘ", ID_NUMBER),
        ("１１０１０５１９４９１２３１００２ｘ 是我的", ID_NUMBER),
        ("证件号码是 " + ID_NUMBER + "，手机13867905678", ID_NUMBER),
        ("永久居留证 " + FOREIGNER_2023, FOREIGNER_2023),
        ("回乡证号码不对，居住证是" + HONG_KONG, HONG_KONG),
        (MACAO, MACAO),
        ("台胞居住证：" + TAIWAN[:6] + " " + TAIWAN[6:14] + " " + TAIWAN[14:], TAIWAN),
    ],
)
def test_an_id_number_is_read_out_of_the_answer(text: str, number: str) -> None:
    assert pii.find_id_number(text, TODAY) == number
    assert pii.id_answer_error(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("身份证号：110105 19491231 002", "17位"),
        (ID17 + ("0" if ID_NUMBER[-1] != "0" else "1"), "校验"),
        ("123456", "6位"),
        ("110105491231002", "15位旧版身份证"),
        ("ABC123456789012", "旧版15位外国人永久居留"),
        ("永久居留证 abc123456789012", "旧版15位外国人永久居留"),
        (_with_check("97015619900101001"), "省份代码"),  # 9 + 70: not a mainland province
        (_with_check("99915619900101001"), "省份代码"),
        (_with_check("91115620300101001"), "出生日期"),  # born in 2030
        (_with_check("84000019900101001"), "地区代码"),  # 84 is no region
        ("我不知道", "18位"),
    ],
)
def test_a_wrong_id_number_gets_its_reason(text: str, reason: str) -> None:
    assert pii.find_id_number(text, TODAY) is None
    problem = pii.id_answer_error(text, TODAY)
    assert problem is not None and reason in problem, problem


DOTS = ["·", "・", "･", "•", "‧", "∙", "⋅", "·", "᛫", "⸱", "．"]


@pytest.mark.parametrize("dot", DOTS)
def test_every_middle_dot_look_alike_becomes_u00b7(dot: str) -> None:
    assert pii.find_name(f"艾力{dot}买买提") == "艾力·买买提"
    assert pii.name_answer_error(f"艾力 {dot} 买买提") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("艾力・买买提", "艾力·买买提"),
        ("我叫李明", "李明"),
        ("我叫李明，手机13867905678", "李明"),
        ("李明 13867905678", "李明"),
        ("姓名：欧阳娜娜", "欧阳娜娜"),
        ("名字是王小芳吧", "王小芳"),
        ("预约人是张伟。", "张伟"),
        ("他叫吴国庆", "吴国庆"),
        ("𠀀𠀁", "𠀀𠀁"),  # extension B
        ("李㐂", "李㐂"),  # extension A
        ("𪚥𰻞", "𪚥𰻞"),  # extension C and G
        ("阿卜杜热合曼·阿卜杜克力木·买买提明", "阿卜杜热合曼·阿卜杜克力木·买买提明"),
        ("John Smith", "John Smith"),
        ("wo jiao zhang hao", "zhang hao"),  # the label typed in pinyin
        ("艾力.买买提", "艾力·买买提"),  # a full stop for the middle dot, as typed on a phone
        ("本人张三", "张三"),
        ("wo de ming zi shi: Li Ming", "Li Ming"),
        ("xingming wang lei", "wang lei"),
        ("my name is Li Ming", "Li Ming"),
        ("I'm John Smith", "John Smith"),
        ("爱新觉罗·" + "溥" * 24, "爱新觉罗·" + "溥" * 24),  # 29 characters
    ],
)
def test_a_name_is_read_out_of_the_answer(text: str, name: str) -> None:
    assert pii.find_name(text) == name
    assert pii.name_answer_error(text) is None
    assert pii.name_error(name) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("李明1", "数字"),
        ("x", "真实姓名"),
        ("李" * 31, "最长30个字"),
        ("·李明", "真实姓名"),
        ("李@明", "真实姓名"),
        ("", "姓名"),
        ("ok", "真实姓名"),  # English words of a reply
        ("我姓李", "真实姓名"),  # a surname alone
        ("stop", "真实姓名"),
    ],
)
def test_a_wrong_name_gets_its_reason(text: str, reason: str) -> None:
    assert pii.find_name(text) is None
    problem = pii.name_answer_error(text)
    assert problem is not None and reason in problem, problem


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("zhou mo", "zhou mo"),  # 周末 too: the answer to the question of the name says which
        ("liu cheng", "liu cheng"),
        ("Zhang Hao", "Zhang Hao"),
        ("zhanghao", "zhanghao"),
        ("ouyang xue", "ouyang xue"),  # a surname of two syllables
        ("ouyang xueming", "ouyang xueming"),  # four syllables after a compound surname only
        ("zhang xiao yu", "zhang xiao yu"),
        ("lv bing", "lv bing"),  # ü typed as v
        ("wo jiao shen qing。", "shen qing"),
        ("an quan!", "an quan"),
    ],
)
def test_a_name_typed_in_pinyin_is_read_as_a_name(text: str, name: str) -> None:
    assert pii.pinyin_name(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "ji dian kaimen",  # asks when the hall opens
        "zenme ban",
        "shenme cailiao",
        "li ming?",  # a question mark asks
        "wang",  # one syllable is no name
        "zhang san feng lao",  # four words
        "zhangsanfengxiaolong",  # five syllables
        "guan men shijian",  # four syllables: 关门时间, asked
        "bu yao le",  # 不要了: no name begins with 不 (bu), 我 (wo), 你 (ni)…
        "wo bu zhi dao",
        "hao ma",  # …nor ends with 吗 (ma), 呢 (ne)… after another word
        "human",  # English of the glossary, though hu-man spells
        "change",
        "hello",
        "aaaa bbb",  # no pinyin
        "zhang hao 13812345678",  # a number beside it
        "张浩",  # characters are names of their own kind (`find_name`)
        "",
    ],
)
def test_other_messages_are_no_name_typed_in_pinyin(text: str) -> None:
    assert pii.pinyin_name(text) is None


def test_one_name_rule_for_the_form_and_the_booking_service() -> None:
    assert MAX_NAME_LENGTH == pii.MAX_NAME_LENGTH == 30
    assert pii.name_error("汉" * 25) is None and pii.name_error("汉" * 30) is None


# --- properties ----------------------------------------------------------------------------------

CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=12)
OUTER = st.sampled_from(["", " ", "：", ":", "，", "、", "（", "）", "\u3000", "是", "\n"])
INNER = st.sampled_from(["", " ", "-", ".", "－", "\u3000"])


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    second = draw(st.sampled_from("3456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return "1" + second + rest


@settings(max_examples=300, deadline=None)
@given(
    number=mobiles(),
    before=CHINESE,
    after=CHINESE,
    left=OUTER,
    right=OUTER,
    gap1=INNER,
    gap2=INNER,
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "86-"]),
    full_width=st.booleans(),
)
@example(
    number=PHONE,
    before="我的手机是",
    after="",
    left=" ",
    right="",
    gap1="-",
    gap2="-",
    prefix="",
    full_width=False,
)
def test_a_valid_phone_in_random_chinese_text_is_read_exactly(
    number: str,
    before: str,
    after: str,
    left: str,
    right: str,
    gap1: str,
    gap2: str,
    prefix: str,
    full_width: bool,
) -> None:
    typed = f"{prefix}{number[:3]}{gap1}{number[3:7]}{gap2}{number[7:]}"
    if full_width:
        typed = typed.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+-"})
    text = f"{before}{left}{typed}{right}{after}"
    assert pii.find_mobile(text) == number
    masked = pii.mask_text(text)
    assert pii.find_mobile(masked) is None, "what the form reads, the logs and the tracker mask"
    assert f"{number[:3]}****{number[-4:]}" in masked
    assert masked.startswith(f"{before}{left}") and masked.endswith(f"{right}{after}")


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["resident", "foreigner", "hmt"]))
    if kind == "resident":
        region = draw(st.sampled_from(["110105", "410102", "650102", "440305"]))
    elif kind == "foreigner":
        region = (
            "9" + draw(st.sampled_from(["11", "41", "31"])) + draw(st.sampled_from(["156", "840", "250"]))
        )
    else:
        region = draw(st.sampled_from(["810000", "820000", "830000"]))
    birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=TODAY))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


@settings(max_examples=300, deadline=None)
@given(
    number=id_numbers(),
    before=CHINESE,
    after=CHINESE,
    left=OUTER,
    right=OUTER,
    gap=INNER,
    lower=st.booleans(),
    full_width=st.booleans(),
)
def test_a_valid_id_number_in_random_chinese_text_is_read_exactly(
    number: str, before: str, after: str, left: str, right: str, gap: str, lower: bool, full_width: bool
) -> None:
    typed = f"{number[:6]}{gap}{number[6:14]}{gap}{number[14:]}"
    if lower:
        typed = typed.lower()
    if full_width:
        typed = typed.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx-"})
    text = f"{before}{left}{typed}{right}{after}"
    assert pii.find_id_number(text, TODAY) == number
    masked = pii.mask_text(text)
    assert pii.find_id_number(masked, TODAY) is None
    assert masked == f"{before}{left}{pii.mask_id_number(number)}{right}{after}"


@settings(max_examples=300, deadline=None)
@given(number=id_numbers(), before=CHINESE, gap=INNER)
def test_an_id_number_never_yields_a_phone_number(number: str, before: str, gap: str) -> None:
    """Digits 7-17 of an ID number often look like a mobile number (19491231002); they are not one."""
    typed = f"{number[:6]}{gap}{number[6:14]}{gap}{number[14:]}"
    assert pii.find_mobile(f"{before}{typed}") is None


def test_the_phone_and_the_id_in_one_answer_are_told_apart() -> None:
    both = "身份证号：110105 19491231 002X，手机 138 6790 5678"
    assert pii.find_mobile(both) == PHONE and pii.find_id_number(both, TODAY) == ID_NUMBER
    assert pii.find_mobile("身份证号：110105 19491231 002X") is None


# --- digits spelled out one by one ---------------------------------------------------------------

SPELLINGS = {
    "plain": dict(zip("0123456789", "零一二三四五六七八九", strict=True)),
    "spoken": dict(zip("0123456789", "〇幺两三四五六七八九", strict=True)),
    "financial": dict(zip("0123456789", "零壹贰叁肆伍陆柒捌玖", strict=True)),
}


def _spelled(number: str, spelling: str) -> str:
    return "".join(SPELLINGS[spelling].get(ch, ch) for ch in number)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("我手机一三九零三七一六四二五", "13903716425"),
        ("俺手机是幺五二 六七零九 三三八一", "15267093381"),
        ("一七七三九零八二六一五", "17739082615"),
        ("壹叁捌-陆柒玖零-伍陆柒捌", PHONE),
        ("电话一三八六七九零五六七八，白天都能打通", PHONE),
        ("我叫王一一 手机一三八 六七九零 五六七八", PHONE),
    ],
)
def test_a_phone_number_spelled_in_chinese_digits_is_read_and_masked(text: str, phone: str) -> None:
    assert pii.find_mobile(text) == phone
    assert pii.mobile_answer_error(text) is None
    masked = pii.mask_text(text)
    assert f"{phone[:3]}****{phone[-4:]}" in masked
    assert pii.find_mobile(masked) is None


def test_an_id_number_spelled_in_chinese_digits_is_read_and_masked() -> None:
    text = "身份证号 " + _spelled(ID17, "plain") + "X"
    assert pii.find_id_number(text, TODAY) == ID_NUMBER
    assert pii.mask_text(text) == "身份证号 110105********002X"


@pytest.mark.parametrize("text", ["一件事一次办", "一二三四五六", "第一13867905678", "三五个人 一二十块钱"])
def test_ordinary_words_and_short_runs_are_not_read_as_spelled_numbers(text: str) -> None:
    assert pii.spell_out_digits(text) == text
    assert pii.mask_text(text).replace("138****5678", PHONE) == text


SPELLED_NEIGHBOURS = set("".join(SPELLINGS["plain"].values()) + "".join(SPELLINGS["spoken"].values()))
SPELLED_NEIGHBOURS |= set(SPELLINGS["financial"].values())


@settings(max_examples=300, deadline=None)
@given(
    number=mobiles(),
    spelling=st.sampled_from(sorted(SPELLINGS)),
    before=CHINESE.filter(lambda s: not s or s[-1] not in SPELLED_NEIGHBOURS),
    after=CHINESE.filter(lambda s: not s or s[0] not in SPELLED_NEIGHBOURS),
    gap1=st.sampled_from(["", " ", "-", "\u3000"]),
    gap2=st.sampled_from(["", " ", "-", "\u3000"]),
)
def test_a_spelled_phone_in_random_chinese_text_is_read_exactly_and_masked(
    number: str, spelling: str, before: str, after: str, gap1: str, gap2: str
) -> None:
    typed = f"{number[:3]}{gap1}{number[3:7]}{gap2}{number[7:]}"
    text = f"{before}{_spelled(typed, spelling)}{after}"
    assert pii.find_mobile(text) == number
    assert pii.find_mobile(pii.mask_text(text)) is None


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("一三八一二三四5678", "138****5678"),  # spelled and written digits in one number
        ("138\u00a01234\u00a05678", "138****5678"),  # no-break spaces
        ("138\u20091234\u20095678", "138****5678"),  # thin spaces
        ("138…1234…5678", "138****5678"),
        ("①③⑧①②③④⑤⑥⑦⑧", "138****5678"),  # circled digits
        ("138.1234.5678QQ同号", "138****5678QQ同号"),
        ("电话138.1234.5678 139.8765.4321", "电话138****5678 139****4321"),  # two in one run
        ("身份证110105 1949 1231 002X", "身份证110105********002X"),
        ("110105-19491231-002-X", "110105********002X"),
        # the words around are kept; the name they introduce is masked too (王一一, not digits)
        ("我叫王一一 一三八一二三四五六七八", "我叫王** 138****5678"),
        ("电话是 一三八一二三四五六七八 谢谢", "电话是 138****5678 谢谢"),
        ("排第一 一三八 一二三四 五六七八", "排第一 138****5678"),
        (
            "一件事一次办 二〇二六年十二月三日 一万二 三五个",
            "一件事一次办 二〇二六年十二月三日 一万二 三五个",
        ),
        ("咨询电话：0371-67991111，周一至周五", "咨询电话：0371-67991111，周一至周五"),
    ],
)
def test_whatever_is_read_is_masked_where_it_stands(text: str, masked: str) -> None:
    assert pii.mask_text(text) == masked
    assert pii.find_mobile(masked) is None and pii.find_id_number(masked, TODAY) is None


def test_a_long_run_of_short_digit_groups_is_read_in_linear_work() -> None:
    """ "1 1 1 …" (a 4000-character message): stretches longer than any number are not tried."""
    groups = 2000
    stretches = pii._group_stretches(" ".join("1" * groups))
    assert len(stretches) <= 20 * groups
    assert pii.mask_text(" ".join("1" * groups)) == " ".join("1" * groups)
