"""The 办事指南 catalogue: real data, validation errors with file and line, look-up, search, 个性指南."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.catalogue import (
    Catalogue,
    CatalogueError,
    GuideAspect,
    ServiceItem,
    get_catalogue,
    load_catalogue,
    materials_for,
)
from bot.catalogue.linking import CHOICES, without_words
from bot.catalogue.models import name_variants
from bot.settings import get_settings

SERVICES = Path(__file__).resolve().parents[2] / "data" / "services"
CANONICAL = [
    "开办企业一件事", "企业信息变更一件事", "企业注销一件事", "个体工商户登记一件事", "开办餐饮店一件事",
    "水电气网联合报装一件事", "信用修复一件事", "新生儿出生一件事", "教育入学一件事", "退休一件事",
    "军人退役一件事", "残疾人服务一件事", "社会保障卡居民服务一卡通一件事", "身后一件事",
    "二手房转移登记及水电气网联动过户一件事", "就医费用报销一件事",
]  # fmt: skip
HEADER = "# 本文件为高新区政务服务中心办事指南样例数据，内容须由窗口工作人员核实后方可对外使用。"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(SERVICES)


# --- the real data ---------------------------------------------------------------------------


def test_every_canonical_item_is_present(catalogue: Catalogue) -> None:
    names = {item.name for item in catalogue.items}
    assert [name for name in CANONICAL if name not in names] == []


def test_the_hall_offers_more_than_the_canonical_items(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 24
    assert len({item.id for item in catalogue}) == len(catalogue)


def _filled(value: object) -> bool:
    if isinstance(value, BaseModel):
        return all(_filled(v) for k, v in value if k != "note" and not isinstance(v, bool))
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_filled(v) for v in value)
    return bool(str(value).strip())


@pytest.mark.parametrize("aspect", list(GuideAspect))
def test_every_aspect_of_every_item_is_filled(catalogue: Catalogue, aspect: GuideAspect) -> None:
    empty = [
        (item.id, field) for item in catalogue for field in aspect.fields if not _filled(getattr(item, field))
    ]
    assert empty == []


def test_data_follows_the_house_rules(catalogue: Catalogue) -> None:
    for item in catalogue:
        assert len(item.materials) >= 4, item.id
        assert 6 <= len(item.aliases) <= 15, item.id
        assert 3 <= len(item.process) <= 7, item.id
        assert 1 <= int(item.window.number) <= 20, item.id
        assert item.hotline.startswith("0371-"), item.id
    personal = [item for item in catalogue if item.situations and any(m.when for m in item.materials)]
    assert len(personal) >= 8


def test_every_item_has_everyday_terms_of_its_own(catalogue: Catalogue) -> None:
    """15 or more ways people describe each item that no other item lists, none repeating a name.

    A term may be listed by a few items (房子过户 under the new flat and the resold one): it then
    asks which one (`tests/unit/test_service_linker.py`), so no more items
    share it than one choice offers.
    """
    owners: dict[str, list[str]] = {}
    for item in catalogue:
        assert 15 <= len(item.everyday_terms) <= 80, item.id
        named = {*item.surface_forms, *item.bundled}
        assert [term for term in item.everyday_terms if term in named] == [], item.id
        for term in item.everyday_terms:
            owners.setdefault(term, []).append(item.id)
    for item in catalogue:
        own = [term for term in item.everyday_terms if owners[term] == [item.id]]
        assert len(own) >= 15, item.id
    assert max(len(ids) for ids in owners.values()) <= CHOICES


def test_items_people_ask_details_of_carry_them(catalogue: Catalogue) -> None:
    """Sample facts for the follow-ups citizens ask (发票, 双方到场, 上门评定)."""
    cases = {
        "enterprise_opening": ("听人说发票不用去税务局领了 是不是真的", "发票"),
        "secondhand_house": ("买房那边的人也得到场吗", "到场"),
        "disability": ("老人出不了门 能上门给评吗", "上门评定"),
    }
    for item_id, (question, fact) in cases.items():
        item = catalogue.get(item_id)
        assert item is not None and item.tips, item_id
        found = catalogue.details(item, question)
        assert found and fact in found[0], item_id


@pytest.mark.parametrize("question", ["要带什么材料", "多久能办好", "在哪个窗口", "谢谢", "好的"])
def test_plain_aspect_questions_quote_no_detail(catalogue: Catalogue, question: str) -> None:
    assert [item.id for item in catalogue if catalogue.details(item, question)] == []


def test_every_file_says_it_is_sample_data() -> None:
    files = sorted(SERVICES.glob("*.yml"))
    assert files
    assert [f.name for f in files if f.read_text(encoding="utf-8").splitlines()[0] != HEADER] == []


def test_every_question_changes_the_materials(catalogue: Catalogue) -> None:
    pointless = [
        (item.id, s.key) for item in catalogue for s in item.situations
        if not any(s.key in m.when for m in item.materials)
    ]  # fmt: skip
    assert pointless == []


# --- validation errors name the file and the line ---------------------------------------------


def _copy(tmp_path: Path, *stems: str) -> dict[str, Path]:
    return {stem: Path(shutil.copy(SERVICES / f"{stem}.yml", tmp_path / f"{stem}.yml")) for stem in stems}


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` and return the 1-based line number where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _error(directory: Path) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(directory)
    return str(caught.value)


def test_a_copy_of_valid_files_loads(tmp_path: Path) -> None:
    _copy(tmp_path, "newborn", "veteran")
    assert [item.id for item in load_catalogue(tmp_path)] == ["newborn", "veteran"]


def test_an_item_specialising_one_not_in_the_catalogue_is_reported(tmp_path: Path) -> None:
    """开办餐饮店 is a particular case of 开办企业 and 个体工商户登记, which must be there too."""
    paths = _copy(tmp_path, "restaurant", "enterprise_opening")
    line = _edit(paths["restaurant"], "specialises: [", "specialises: [")
    message = _error(tmp_path)
    assert f"{paths['restaurant']}:{line}: specialises[1]" in message and "individual_business" in message
    _copy(tmp_path, "individual_business")
    assert len(load_catalogue(tmp_path)) == 3


def test_two_items_specialising_each_other_or_an_id_twice_are_reported(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "restaurant", "enterprise_opening", "individual_business")
    _edit(
        paths["restaurant"],
        "specialises: [enterprise_opening,",
        "specialises: [enterprise_opening, enterprise_opening,",
    )
    _edit(paths["enterprise_opening"], "\ncategory:", "\nspecialises: [restaurant]\ncategory:")
    message = _error(tmp_path)
    assert "“enterprise_opening”重复出现" in message and "互为特定情形" in message


def test_unknown_field_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "fee: 不收费\n", "fee: 不收费\ncolour: red\n") + 1
    message = _error(tmp_path)
    assert f"{path}:{line}: colour" in message


def test_unknown_field_inside_a_material_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "    count: 2\n", "    count: 2\n    colour: red\n") + 1
    assert re.search(rf"{re.escape(str(path))}:{line}: materials\[\d\]\.colour", _error(tmp_path))


def test_missing_field_is_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path, "restaurant")["restaurant"]
    _edit(path, "hotline: 0371-67991105\n", "")
    message = _error(tmp_path)
    assert re.search(rf"{re.escape(str(path))}:\d+: hotline：缺少必填字段", message)


def test_missing_field_of_a_material_points_at_the_material(tmp_path: Path) -> None:
    path = _copy(tmp_path, "restaurant")["restaurant"]
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("  - name: 食品安全管理制度")].count("\n") + 1
    _edit(path, "  - name: 食品安全管理制度\n    form: 原件\n", "  - name: 食品安全管理制度\n")
    assert f"{path}:{line}: materials[5].form" in _error(tmp_path)


def test_bad_value_is_reported_with_the_allowed_ones(tmp_path: Path) -> None:
    path = _copy(tmp_path, "drugstore")["drugstore"]
    line = _edit(path, "category: 企业", "category: 公司")
    message = _error(tmp_path)
    assert f"{path}:{line}: category" in message
    assert "个人" in message and "企业" in message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("assisted: true", "assisted: 是", "assisted"),
        ("last_checked: 2026-11-24", "last_checked: 2026-13-01", "last_checked"),
        ("    count: 2", "    count: 0", "materials[1].count"),
        ("hotline: 0371-67991108", "hotline: 67991108", "hotline"),
        ("name: 新生儿出生一件事", "name: 新生儿出生", "name"),
        ('number: "8"', 'number: "21"', "window.number"),
    ],
)
def test_bad_values_are_reported_at_their_line(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, old, new)
    assert f"{path}:{line}: {field}：" in _error(tmp_path)


def test_duplicate_alias_across_two_files_names_both(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "newborn", "restaurant")
    line = _edit(paths["restaurant"], "aliases: [开饭馆,", "aliases: [上户口, 开饭馆,")
    message = _error(tmp_path)
    assert f"{paths['restaurant']}:{line}: aliases[0]" in message
    assert "上户口" in message and str(paths["newborn"]) in message


def test_alias_equal_to_another_items_short_name_is_a_duplicate(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "newborn", "restaurant")
    _edit(paths["restaurant"], "aliases: [开饭馆,", "aliases: [新生儿出生, 开饭馆,")
    assert "新生儿出生" in _error(tmp_path)


def test_everyday_term_naming_another_item_is_reported(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "newborn", "restaurant")
    line = _edit(paths["restaurant"], "everyday_terms: [", "everyday_terms: [上户口, ")
    message = _error(tmp_path)
    assert f"{paths['restaurant']}:{line}: everyday_terms[0]" in message
    assert "上户口" in message and str(paths["newborn"]) in message


@pytest.mark.parametrize("term", ["开饭馆", "小饭馆"])
def test_everyday_term_repeating_an_alias_or_itself_is_reported(tmp_path: Path, term: str) -> None:
    path = _copy(tmp_path, "restaurant")["restaurant"]
    line = _edit(path, "everyday_terms: [", f"everyday_terms: [{term}, ")
    message = _error(tmp_path)
    assert f"{path}:{line}: everyday_terms" in message and term in message


def test_everyday_terms_are_optional_for_a_new_item(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^everyday_terms:.*\n", "", text), encoding="utf-8")
    assert load_catalogue(tmp_path).items[0].everyday_terms == []


def test_when_with_unknown_option_is_reported_at_the_when(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "when: {residence: nonlocal}", "when: {residence: abroad}")
    message = _error(tmp_path)
    assert f"{path}:{line}: materials[4].when.residence" in message
    assert "abroad" in message


def test_when_with_unknown_situation_is_reported_at_the_when(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "when: {residence: local}", "when: {hukou: local}")
    message = _error(tmp_path)
    assert f"{path}:{line}: materials[3].when.hukou" in message


def test_id_must_equal_the_file_stem(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "id: newborn", "id: baby")
    assert f"{path}:{line}: id" in _error(tmp_path)


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "category: 个人", "category: [个人")
    message = _error(tmp_path)
    assert re.search(rf"{re.escape(str(path))}:(\d+): YAML", message)
    reported = int(re.search(rf"{re.escape(str(path))}:(\d+)", message).group(1))  # type: ignore[union-attr]
    assert reported > line


def test_repeated_key_is_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path, "newborn")["newborn"]
    line = _edit(path, "fee: 不收费\n", "fee: 不收费\nfee: 免费\n") + 1
    assert f"{path}:{line}:" in _error(tmp_path)


def test_every_problem_of_every_file_is_listed(tmp_path: Path) -> None:
    paths = _copy(tmp_path, "newborn", "drugstore")
    _edit(paths["newborn"], "fee: 不收费\n", "fee: 不收费\ncolour: red\n")
    _edit(paths["drugstore"], "category: 企业", "category: 公司")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert {p.path.name for p in caught.value.problems} == {"newborn.yml", "drugstore.yml"}


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    assert "没有" in _error(tmp_path)


# --- look-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("新生儿出生一件事", "newborn"),
        ("新生儿出生", "newborn"),
        (" 新生儿 出生一件事 ", "newborn"),
        ("上户口", "newborn"),
        ("“上户口”", "newborn"),
        ("newborn", "newborn"),
        ("开饭馆", "restaurant"),
        ("开办餐饮店", "restaurant"),
        ("身后", "after_death"),
        ("社保卡", "social_security_card"),
        ("二手房转移登记及水电气网联动过户", "secondhand_house"),
        ("公积金提取", "housing_fund_withdrawal"),
        ("上户口一件事", "newborn"),
    ],
)
def test_get_by_name_alias_or_short_name(catalogue: Catalogue, key: str, expected: str) -> None:
    item = catalogue.get(key)
    assert item is not None and item.id == expected


@pytest.mark.parametrize("key", ["", "一件事", "天气", "开办", "上户"])
def test_get_unknown_returns_none(catalogue: Catalogue, key: str) -> None:
    assert catalogue.get(key) is None


def test_every_alias_finds_its_own_item(catalogue: Catalogue) -> None:
    wrong = [
        (form, item.id)
        for item in catalogue
        for form in item.surface_forms
        if catalogue.get(form) is not item
    ]
    assert wrong == []


def test_mentioned_in_prefers_the_longest_mention(catalogue: Catalogue) -> None:
    item = catalogue.mentioned_in("请问二手房过户的时候水电气过户要另外办吗")
    assert item is not None and item.id == "secondhand_house"
    assert catalogue.mentioned_in("今天天气不错") is None


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想开个饭馆", "restaurant"),
        ("孩子要上小学了", "school_enrollment"),
        ("老人去世了要办什么", "after_death"),
        ("想提取公积金", "housing_fund_withdrawal"),
        ("宝宝刚出生要办什么", "newborn"),
        ("公司不想干了要关掉", "enterprise_deregistration"),
        ("想换个法人", "enterprise_change"),
        ("房子卖了要过户", "secondhand_house"),
        ("到年龄了要退休", "retirement"),
        ("从部队退伍回来", "veteran"),
        ("社保卡丢了", "social_security_card"),
        ("办个残疾证", "disability"),
        ("家里要通燃气", "utilities"),
        ("被列入经营异常名录怎么办", "credit_repair"),
        ("外地人在郑州要办暂住证", "residence_permit"),
        ("工地要开工办手续", "construction_start"),
        ("刚招了几个员工要交社保", "employee_hiring"),
        ("自由职业怎么交社保", "flexible_employment"),
        ("想开一家药房", "drugstore"),
        ("买了新房怎么办房产证", "new_house_registration"),
        ("我要注册一家公司", "enterprise_opening"),
        ("异地住院能报销吗", "medical_reimbursement"),
        ("想开个奶茶店", "restaurant"),
        ("怎么开网店", "individual_business"),
        ("闺女刚满月 医保咋弄", "newborn"),
        ("厂里新招了十几个工人 社保咋交", "employee_hiring"),
        ("店里想卖点药 要啥证", "drugstore"),
        ("俺想开个烩面馆", "restaurant"),
        ("公司黄了", "enterprise_deregistration"),
        ("社报卡丢了", "social_security_card"),
    ],
)
def test_search_ranks_the_right_item_first(catalogue: Catalogue, text: str, expected: str) -> None:
    results = catalogue.search(text)
    assert results, text
    assert results[0][0].id == expected


@pytest.mark.parametrize(
    "text",
    [
        "饭店装修好了 要雇三个厨师 他们社保怎么交",  # 饭店 is evidence for 开办餐饮店 too
        "店里还得招俩收银员 社保怎么上",
        "新聘了一名会计 给她上保险",
        "厂里招了两名保安 社保咋弄",
        "物流公司新进了五个司机 五险咋交",
        "店里刚招个服务员 保险怎么上",
        "雇了个厨师 社保怎么交",
    ],
)
def test_any_worker_taken_on_is_evidence_for_hiring(catalogue: Catalogue, text: str) -> None:
    evidence = catalogue.evidence(text)
    assert evidence.leading is not None and evidence.leading.id == "employee_hiring", evidence.choices


@pytest.mark.parametrize(
    "text", ["学校招生的事", "雇主责任险", "跟招商局联系", "招牌设置", "去超市应聘收银员"]
)
def test_hiring_words_without_a_worker_are_no_evidence_for_hiring(catalogue: Catalogue, text: str) -> None:
    assert all(item.id != "employee_hiring" for item in catalogue.evidence(text).choices)


def test_how_one_asks_is_no_evidence_for_an_item(catalogue: Catalogue) -> None:
    # 直接 of 直接结算 (就医费用报销) is how the question is put, not what it is about
    assert catalogue.evidence("在家里能直接弄不").choices == []
    medical = catalogue.evidence("住院那会没能直接结算 现在咋报")
    assert medical.leading is not None and medical.leading.id == "medical_reimbursement"


def test_the_programme_motto_and_a_comparison_are_no_evidence_for_an_item(catalogue: Catalogue) -> None:
    # 一次 and 次办 of "一次申请…一次办结" and 一样 of 一样没通 (水电气网联合报装) took it for that item
    assert catalogue.evidence("“一件事一次办”到底是个啥意思，跟以前有啥不一样").choices == []
    assert catalogue.evidence("能一次办好不 跟以前一样不").choices == []
    first = catalogue.evidence("第一次办残疾证要带啥")
    assert first.item is not None and first.item.id == "disability"
    utilities = catalogue.evidence("水电都没通 跟隔壁一样没通")
    assert utilities.item is not None and utilities.item.id == "utilities"


def test_the_names_of_the_hall_and_its_channels_are_no_evidence_for_an_item(catalogue: Catalogue) -> None:
    # 河南 of 河南省居住证 inside the name of the province's service site
    assert catalogue.evidence("这个在河南政务服务网可以申请不").choices == []
    assert catalogue.evidence("郑好办APP高新分厅里咋操作").choices == []
    assert catalogue.evidence("河南省政务网上可以申请吗").choices == []
    named = catalogue.evidence("郑好办上能办河南省居住证吗")
    assert named.item is not None and named.item.id == "residence_permit"


def test_a_bigram_of_the_items_own_name_answers_no_line_of_its_guide(catalogue: Catalogue) -> None:
    restaurant = catalogue.get("开办餐饮店一件事")
    assert restaurant is not None
    # 店开 stands in the line of its application form (餐饮店开办一件事申请表), and says only which item
    assert catalogue.details(restaurant, "等店开起来 要雇俩帮厨 他们的保险咋弄") == []
    assert catalogue.details(restaurant, "户外招牌要提交啥") != []


@pytest.mark.parametrize(
    "text",
    [
        "今天天气怎么样",
        "asdf",
        "你是谁",
        "讲个笑话",
        "帮我订外卖",
        "需要什么材料",
        "我要投诉",
        "我想买一张火车票",
        "",
    ],
)
def test_search_returns_nothing_for_unrelated_text(catalogue: Catalogue, text: str) -> None:
    assert catalogue.search(text) == []


def test_search_scores_are_descending_and_limited(catalogue: Catalogue) -> None:
    results = catalogue.search("公司注册变更注销", limit=2)
    assert 1 <= len(results) <= 2
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert catalogue.search("公司注册变更注销", limit=0) == []


def test_search_finds_every_canonical_name(catalogue: Catalogue) -> None:
    wrong = [name for name in CANONICAL if catalogue.search(f"请问{name}怎么办")[0][0].name != name]
    assert wrong == []


# --- 个性指南: materials by situation ----------------------------------------------------------


def _names(item: ServiceItem, answers: dict[str, str]) -> set[str]:
    return {m.name for m in materials_for(item, answers)}


def test_materials_for_filters_by_the_answer(catalogue: Catalogue) -> None:
    newborn = catalogue.get("newborn")
    assert newborn is not None
    local, nonlocal_ = _names(newborn, {"residence": "local"}), _names(newborn, {"residence": "nonlocal"})
    assert "申报落户一方的居民户口簿" in local and "申报落户一方的居民户口簿" not in nonlocal_
    assert "父母一方的河南省居住证" in nonlocal_ and "父母一方的河南省居住证" not in local
    assert "出生医学证明" in local & nonlocal_


def test_unanswered_questions_keep_every_material(catalogue: Catalogue) -> None:
    newborn = catalogue.get("newborn")
    assert newborn is not None
    assert materials_for(newborn, {}) == newborn.materials
    assert catalogue.materials_for(newborn, {"unrelated": "x"}) == newborn.materials


def test_materials_for_combines_two_questions(catalogue: Catalogue) -> None:
    card = catalogue.get("社会保障卡居民服务一卡通一件事")
    assert card is not None
    first_self = _names(card, {"apply_type": "first", "agent": "self"})
    reissue_proxy = _names(card, {"apply_type": "reissue", "agent": "proxy"})
    assert "近期免冠彩色照片" in first_self and "原社会保障卡" not in first_self
    assert "授权委托书" not in first_self and "授权委托书" in reissue_proxy
    assert "原社会保障卡" in reissue_proxy and "近期免冠彩色照片" not in reissue_proxy


# --- aspects and the cached loader -----------------------------------------------------------


def test_guide_aspects_have_chinese_labels_and_intents() -> None:
    assert [a.label for a in GuideAspect] == [
        "概览",
        "材料",
        "流程",
        "时限",
        "收费",
        "条件",
        "网上办",
        "窗口",
    ]
    assert GuideAspect.from_intent("ask_materials") is GuideAspect.MATERIALS
    assert GuideAspect.from_intent("ask_service_guide") is GuideAspect.OVERVIEW
    assert GuideAspect.from_intent("greet") is None


def test_enum_values_print_as_the_chinese_word(catalogue: Catalogue) -> None:
    item = catalogue.get("newborn")
    assert item is not None
    assert f"{item.category}·{item.materials[0].form}" == "个人·原件"
    assert item.window.label == "二楼 8号窗口（社会事务综合窗口）"


def test_get_catalogue_reads_the_configured_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "services").mkdir()
    _copy(tmp_path / "services", "newborn")
    monkeypatch.setenv("GXX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_catalogue.cache_clear()
    try:
        loaded = get_catalogue()
        assert [item.id for item in loaded] == ["newborn"]
        assert get_catalogue() is loaded
    finally:
        get_settings.cache_clear()
        get_catalogue.cache_clear()


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("我们车间这周新招了七八个工人 保险咋上", "新招了工人"),
        ("公司上周又雇了3个人 社保要给他们交吗", "雇了人"),
        ("雇了俩人看店 用不用给他们上社保", "雇了人"),
    ],
)
def test_a_count_inside_a_description_does_not_hide_its_everyday_term(
    catalogue: Catalogue, text: str, counted: str
) -> None:
    from bot.catalogue.search import uncounted

    assert counted in uncounted(text)
    best = catalogue.search(text, limit=1)
    assert best and best[0][0].name == "员工录用一件事"


@pytest.mark.parametrize("text", ["五险一金", "3分钟填报", "二手房过户", "开个公司", "一人公司"])
def test_words_that_hold_a_number_but_no_count_are_left_alone(text: str) -> None:
    from bot.catalogue.search import uncounted

    assert uncounted(text) == text


@pytest.mark.parametrize(
    ("item", "text", "papers"),
    [
        ("就医费用报销一件事", "门诊那张发票让孩子撕了", ["发票"]),  # 医疗费用收据（发票）
        ("退休一件事", "档案在原单位找不着了", ["档案"]),  # 职工本人档案
        ("新生儿出生一件事", "俺俩的结婚证在老家", ["结婚证"]),
        ("身后一件事", "火化证明还没拿到手", ["火化"]),
        # the everyday name of a paper the guide names formally (居民户口簿, 房屋产权证明)
        ("教育入学一件事", "户口本和房产证都得带上吗", ["户口本", "房产证"]),
        ("教育入学一件事", "娃的疫苗本找不着了", ["疫苗本"]),
        # the kind of paper alone, the item's own name, and a fee name no paper
        ("新生儿出生一件事", "证明要原件吗", []),
        ("企业信息变更一件事", "变更要多少钱", []),
        ("退休一件事", "退休以后待遇咋算", []),
    ],
)
def test_a_paper_of_an_item_is_named_by_a_word_of_its_own(
    catalogue: Catalogue, item: str, text: str, papers: list[str]
) -> None:
    found = catalogue.get(item)
    assert found is not None
    assert catalogue.papers_named(found, text) == papers


@pytest.mark.parametrize(
    ("text", "words", "left"),
    [
        # overlapping words are blanked together: no 补贴 is left of 残疾人护理补贴
        ("重度残疾人护理补贴在哪申请", ["残疾人护理", "护理补贴", "重度残疾"], " 在哪申请"),
        ("营业执照怎么补 执照丢了", ["营业执照", "执照"], " 怎么补  丢了"),
        ("社保咋交", ["公积金"], "社保咋交"),
        ("", ["社保"], ""),
    ],
)
def test_words_are_blanked_out_wherever_they_cover_the_text(text: str, words: list[str], left: str) -> None:
    assert without_words(text, words) == left


@pytest.mark.parametrize(
    ("short_name", "expected"),
    [
        ("开办运输企业", ["运输企业开办"]),
        ("开办企业", ["企业开办"]),
        ("退休", []),
        ("开办", []),  # nothing would be left of it
    ],
)
def test_name_variants(short_name: str, expected: list) -> None:
    assert name_variants(short_name) == expected


def test_surface_forms_hold_the_variants_once(catalogue: Catalogue) -> None:
    opening = catalogue.get("开办企业一件事")
    assert opening is not None
    assert opening.surface_forms.count("企业开办") == 1  # a staff alias already, not added again
    restaurant = catalogue.get("开办餐饮店一件事")
    assert restaurant is not None and "餐饮店开办" in restaurant.surface_forms
    assert "餐饮店开办" not in restaurant.aliases  # derived, not written into the staff's file
