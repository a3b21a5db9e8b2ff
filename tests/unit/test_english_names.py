"""An item's English names: found however they are cased or inflected, checked when the catalogue loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue import CatalogueError, load_catalogue
from bot.catalogue.english import EnglishNames
from bot.nlu.service_linker import ServiceIndex

SERVICES = Path(__file__).resolve().parents[2] / "data" / "services"
NAMES = EnglishNames(
    [
        ("open a pharmacy", "开办药店一件事"),
        ("company registration", "开办企业一件事"),
        ("register a company", "开办企业一件事"),
        ("individual business registration", "个体工商户登记一件事"),
        ("residence permit", "居住证办理一件事"),
    ]
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("what documents do I need for opening a pharmacy", [(29, 47, "开办药店一件事")]),  # inflected
        ("想问下 Company Registration 在这能办吗", [(4, 24, "开办企业一件事")]),  # any case, inside Chinese
        ("how to register my company", [(7, 26, "开办企业一件事")]),  # another filler word
        ("Residence-Permit?", [(0, 16, "居住证办理一件事")]),
        ("companies registrations", [(0, 23, "开办企业一件事")]),
        # the longest name from a word wins: not company registration's "registration" alone
        ("individual business registration fee", [(0, 32, "个体工商户登记一件事")]),
    ],
)
def test_an_english_name_is_found_however_it_is_written(text: str, found: list) -> None:
    assert NAMES.find(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "company 的 registration",  # Chinese between the words: not one name
        "open a new pharmacy",  # another word between them
        "companyregistration",  # one word is not two
        "registration",  # part of a name
        "没有英文",
    ],
)
def test_nothing_else_is_an_english_name(text: str) -> None:
    assert NAMES.find(text) == []


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("How can I register a new company in the high-tech zone?", "开办企业一件事"),
        ("Is there a fee for registering a business?", "开办企业一件事"),
        ("what are the steps to set up a transport company", "开办运输企业一件事"),
        ("which window for business license changes", "企业信息变更一件事"),
        ("what's the process for retirement", "退休一件事"),
    ],
)
def test_the_catalogues_english_names_are_the_ones_people_use(text: str, item: str) -> None:
    [found] = ServiceIndex(load_catalogue(SERVICES)).find(text)
    assert found["value"] == item


def test_the_linker_links_an_english_name_as_a_name() -> None:
    index = ServiceIndex(load_catalogue(SERVICES))
    [found] = index.find("what documents do I need for opening a pharmacy")
    assert found["value"] == "开办药店一件事"
    assert found["extractor"] == "ServiceLinker.english" and found["confidence_entity"] == 1.0
    assert [e["value"] for e in index.link("I want to open a restaurant", "ask_service_guide")] == [
        "开办餐饮店一件事"
    ]


def test_an_english_name_staff_add_works_without_retraining(tmp_path: Path) -> None:
    shutil.copytree(SERVICES, tmp_path / "services")
    assert ServiceIndex(load_catalogue(tmp_path / "services")).find("start a food stall") == []
    path = tmp_path / "services" / "individual_business.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("english_names: [", "english_names: [start a food stall, "), encoding="utf-8"
    )
    [found] = ServiceIndex(load_catalogue(tmp_path / "services")).find(
        "Starting a food stall, what do I need"
    )
    assert found["value"] == "个体工商户登记一件事"


def _load_error(tmp_path: Path, stem: str, old: str, new: str) -> str:
    shutil.copytree(SERVICES, tmp_path / "services")
    path = tmp_path / "services" / f"{stem}.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(tmp_path / "services")
    return str(raised.value)


def test_an_english_name_of_two_items_is_reported(tmp_path: Path) -> None:
    message = _load_error(tmp_path, "restaurant", "english_names: [", "english_names: [Open a Pharmacy, ")
    assert "english_names[0]" in message and "Open a Pharmacy" in message and "开办药店一件事" in message


@pytest.mark.parametrize("name", ["开药店", "open  a shop", "shop 24h"])
def test_an_english_name_holds_latin_words_only(tmp_path: Path, name: str) -> None:
    message = _load_error(tmp_path, "restaurant", "english_names: [", f"english_names: [{name}, ")
    assert "english_names[0]" in message and "只能使用英文字母" in message


@pytest.mark.parametrize(
    "text",
    [
        "residence-permit@qq.com",  # an e-mail address
        "www.open-a-pharmacy.com",  # a web address
        "residence permit2026",  # a word joined to digits
    ],
)
def test_no_english_name_is_read_in_an_address(text: str) -> None:
    assert NAMES.find(text) == []


def test_a_word_with_an_apostrophe_is_one_word() -> None:
    names = EnglishNames([("veteran's card", "军人退役一件事")])
    assert names.find("how do I get a Veteran's Card") == [(15, 29, "军人退役一件事")]


def test_two_items_naming_the_same_stems_clash(tmp_path: Path) -> None:
    # "opening the pharmacy" is found by the same stems as the drugstore's "open a pharmacy"
    message = _load_error(
        tmp_path, "restaurant", "english_names: [", "english_names: [opening the pharmacy, "
    )
    assert "english_names[0]" in message and "开办药店一件事" in message
