"""The n-gram intent model: topics learned apart, each intent scoring its best topic."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.catalogue import load_catalogue
from bot.faq_entries import FaqEntry, nlu_examples
from bot.nlu.intent_classifier import (
    UNSURE_APPOINTMENT,
    IntentModel,
    NgramIntentClassifier,
    person_over_challenge,
    read_as_a_number,
    read_as_aspect_question,
    read_as_hours_question,
    read_as_question_of_oneself,
    read_as_rating,
    read_as_statement,
    training_label,
    unsure_booking,
    unsure_other_intent,
)
from bot.nlu.linear import TfidfFeatures
from bot.nlu.pinyin import PinyinReader
from bot.nlu.service_linker import ServiceIndex

TEXTS = {
    "faq/parking": ["大厅停车场在哪", "开车去能停哪", "停车收费吗", "车位好找吗"],
    "faq/rongque": ["容缺受理指的是什么", "少一份材料能先受理吗", "材料没带齐能先办吗", "容缺以后多久补"],
    "ask_fee": ["这事儿得掏钱吗", "收费多少", "要花多少钱", "收不收费"],
    "greet": ["你好", "在吗", "早上好", "哈喽"],
}


def _fitted(model: IntentModel | None = None) -> IntentModel:
    """``model`` (a default one if None) fitted on `TEXTS`, each text's characters as its words."""
    texts = [t for examples in TEXTS.values() for t in examples]
    labels = [label for label, examples in TEXTS.items() for _ in examples]
    model = model if model is not None else IntentModel()
    model.fit(texts, [list(t) for t in texts], labels)
    return model


def test_an_intent_scores_its_best_topic() -> None:
    model = _fitted()
    assert model.classes == sorted(TEXTS)
    assert model.intents == ["ask_fee", "faq", "greet"]
    texts = ["停车的地方在哪", "材料少一份能先办不", "多少钱"]
    probabilities = model.predict_proba(texts, [list(t) for t in texts])
    assert probabilities.shape == (3, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    best = [model.intents[i] for i in probabilities.argmax(axis=1)]
    assert best == ["faq", "faq", "ask_fee"]
    per_topic = dict(
        zip(model.classes, model.class_probabilities(texts[:1], [list(texts[0])])[0], strict=True)
    )
    assert max(per_topic, key=per_topic.get) == "faq/parking"
    # the intent's share is its best topic's, scaled with the others to sum to 1
    scale = sum(max(v for k, v in per_topic.items() if k.split("/")[0] == i) for i in model.intents)
    assert probabilities[0][model.intents.index("faq")] == pytest.approx(per_topic["faq/parking"] / scale)


def test_each_message_gets_the_best_topic_of_the_intent_learned_by_topic() -> None:
    model = _fitted()
    texts = ["停车的地方在哪", "材料少一份能先办不", "多少钱"]
    probabilities, topics = model.predict(texts, [list(t) for t in texts])
    assert np.allclose(probabilities, model.predict_proba(texts, [list(t) for t in texts]))
    assert [t["faq"]["name"] for t in topics[:2]] == ["parking", "rongque"]
    assert topics[2]["faq"]["name"] in {"parking", "rongque"}
    assert all(set(t) == {"faq"} for t in topics), "only faq is learned by topic here"
    per_class = model.class_probabilities(texts, [list(t) for t in texts])
    for row, found in zip(per_class, topics, strict=True):
        # the topic's own probability among all the classes, not the intents' rescaled share
        assert found["faq"]["confidence"] == pytest.approx(
            row[model.classes.index(f"faq/{found['faq']['name']}")]
        )
        assert found["faq"]["confidence"] == pytest.approx(
            max(row[i] for i, c in enumerate(model.classes) if c.startswith("faq/"))
        )


def test_saved_model_gives_the_same_probabilities(tmp_path: Path) -> None:
    model = _fitted()
    model.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    texts = ["车停哪", "你好呀"]
    words = [list(t) for t in texts]
    assert loaded.intents == model.intents
    assert np.allclose(loaded.predict_proba(texts, words), model.predict_proba(texts, words))


def test_the_weights_are_stored_in_single_precision_without_loss(tmp_path: Path) -> None:
    model = _fitted()
    model.save(tmp_path)
    stored = np.load(tmp_path / "ngram_intent_classifier.npz")["coef"]
    assert stored.dtype == np.float32  # fitted in single precision: nothing lost
    loaded = IntentModel.load(tmp_path)
    assert loaded.coef.dtype == np.float64 and np.array_equal(loaded.coef, model.coef)
    # weights that single precision would round are stored as they are
    model.coef = model.coef + 1e-12
    model.save(tmp_path)
    assert np.load(tmp_path / "ngram_intent_classifier.npz")["coef"].dtype == np.float64
    assert np.array_equal(IntentModel.load(tmp_path).coef, model.coef)


def test_the_sentence_embedding_adds_its_columns_and_is_saved_with_the_model(tmp_path: Path) -> None:
    from bot.nlu.embeddings import DIMENSIONS, MODEL

    plain, dense = _fitted(), _fitted(IntentModel(dense_weight=1.0))
    assert dense.coef.shape[1] == plain.coef.shape[1] + DIMENSIONS
    asked = ["车停哪", "掏多少钱"]
    asked_words = [list(t) for t in asked]
    assert [dense.intents[i] for i in dense.predict_proba(asked, asked_words).argmax(1)] == ["faq", "ask_fee"]
    dense.save(tmp_path)
    meta = json.loads((tmp_path / "ngram_intent_classifier.json").read_text(encoding="utf-8"))
    assert meta["dense_weight"] == 1.0 and meta["embedding"] == MODEL
    loaded = IntentModel.load(tmp_path)
    assert loaded.dense_weight == 1.0
    assert np.allclose(loaded.predict_proba(asked, asked_words), dense.predict_proba(asked, asked_words))
    # a model saved before the embedding existed loads without it
    plain.save(tmp_path)
    stored = json.loads((tmp_path / "ngram_intent_classifier.json").read_text(encoding="utf-8"))
    del stored["dense_weight"], stored["embedding"]
    (tmp_path / "ngram_intent_classifier.json").write_text(json.dumps(stored), encoding="utf-8")
    assert IntentModel.load(tmp_path).dense_weight == 0.0


def test_the_classifiers_fingerprint_names_the_embedding_model() -> None:
    from bot.nlu.embeddings import MODEL

    assert MODEL in str(NgramIntentClassifier.fingerprint_addon({}))


def test_the_topic_weight_scales_an_intent_learned_by_topic(tmp_path: Path) -> None:
    """faq's best topic counts ``topic_weight`` times; intents learned whole are untouched."""
    model = _fitted()
    texts = ["停车要交钱吗"]
    words = [list(t) for t in texts]
    plain = model.predict_proba(texts, words)[0]
    model.topic_weight = 2.0
    weighted = model.predict_proba(texts, words)[0]
    faq, fee, greet = (model.intents.index(i) for i in ("faq", "ask_fee", "greet"))
    assert weighted[faq] > plain[faq]
    assert weighted[faq] / weighted[fee] == pytest.approx(2.0 * plain[faq] / plain[fee])
    assert weighted[greet] / weighted[fee] == pytest.approx(plain[greet] / plain[fee])
    model.save(tmp_path)
    assert IntentModel.load(tmp_path).topic_weight == 2.0
    # a model saved before the weight existed loads unweighted
    meta = tmp_path / "ngram_intent_classifier.json"
    stored = json.loads(meta.read_text(encoding="utf-8"))
    del stored["topic_weight"]
    meta.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert IntentModel.load(tmp_path).topic_weight == 1.0


def test_the_char_weight_scales_the_character_columns_and_is_saved(tmp_path: Path) -> None:
    plain, weighted = _fitted(), _fitted(IntentModel(char_weight=2.0))
    chars = len(plain.chars.vocabulary_)
    asked = ["车停哪", "掏多少钱"]
    asked_words = [list(t) for t in asked]
    plain_rows, weighted_rows = plain._matrix(asked, asked_words), weighted._matrix(asked, asked_words)
    assert np.allclose(weighted_rows[:, :chars].toarray(), 2.0 * plain_rows[:, :chars].toarray())
    assert np.allclose(weighted_rows[:, chars:].toarray(), plain_rows[:, chars:].toarray())
    # the fit changes with the balance
    assert not np.allclose(
        weighted.predict_proba(asked, asked_words), plain.predict_proba(asked, asked_words)
    )
    weighted.save(tmp_path)
    loaded = IntentModel.load(tmp_path)
    assert loaded.char_weight == 2.0
    assert np.allclose(loaded.predict_proba(asked, asked_words), weighted.predict_proba(asked, asked_words))
    # a model saved before the weight existed loads with the columns as they were
    meta = tmp_path / "ngram_intent_classifier.json"
    stored = json.loads(meta.read_text(encoding="utf-8"))
    del stored["char_weight"]
    meta.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert IntentModel.load(tmp_path).char_weight == 1.0


def test_the_pinyin_reader_is_saved_with_the_model(tmp_path: Path) -> None:
    model = _fitted()
    model.pinyin = PinyinReader.of_terms({"容缺受理": 1})
    model.save(tmp_path)
    assert IntentModel.load(tmp_path).pinyin.read("rongqueshouli") == ["容缺受理"]
    # a model saved before the reader existed loads with one that reads nothing
    meta = tmp_path / "ngram_intent_classifier.json"
    stored = json.loads(meta.read_text(encoding="utf-8"))
    del stored["pinyin"]
    meta.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert IntentModel.load(tmp_path).pinyin.read("rongqueshouli") is None


def test_the_faq_title_terms_are_saved_with_the_model(tmp_path: Path) -> None:
    model = _fitted()
    model.title_terms = frozenset({"叫号", "容缺受理", "跨省通办"})
    model.pinyin = PinyinReader.of_terms({"叫号": 1, "容缺受理": 1})
    model.save(tmp_path)
    assert IntentModel.load(tmp_path).title_terms == {"叫号", "容缺受理", "跨省通办"}
    # a model saved before the terms were kept reads them off its pinyin reader
    meta = tmp_path / "ngram_intent_classifier.json"
    stored = json.loads(meta.read_text(encoding="utf-8"))
    del stored["title_terms"]
    meta.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    assert IntentModel.load(tmp_path).title_terms == {"叫号", "容缺受理"}


def test_training_keeps_the_faq_title_terms_with_the_model(tmp_path: Path) -> None:
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.faq import title_terms
    from bot.faq_entries import load_entries

    config = {**NgramIntentClassifier.get_default_config(), "catalogue_dir": str(SERVICES)}
    storage, resource = LocalModelStorage(tmp_path), Resource("intent_classifier")
    classifier = NgramIntentClassifier.create(config, storage, resource, ExecutionContext(GraphSchema({})))
    # each character a token, as in `_fitted`
    messages = [
        Message(data={"text": t, "intent": i, "text_tokens": [Token(c, n) for n, c in enumerate(t)]})
        for i, texts in TEXTS.items()
        for t in texts
    ]
    classifier.train(TrainingData(training_examples=messages))
    loaded = NgramIntentClassifier.load(config, storage, resource, ExecutionContext(GraphSchema({})))
    expected = set(title_terms(load_entries(Path("data") / "faq")))
    assert loaded.model is not None and loaded.model.title_terms == expected
    assert "叫号" in expected


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("转人工，我的电话是１３８", "转人工,我的电话是138"),
        ("能办吗？！", "能办吗?!"),
        ("ＥＴＣ（不停车）", "etc(不停车)"),
        ("Ⓢ要带啥？", "Ⓢ要带啥?"),  # the item placeholder is kept, not folded to "s"
    ],
)
def test_the_model_reads_full_width_forms_as_the_chat_api_passes_them(typed: str, read: str) -> None:
    from api.messages import clean_text
    from bot.nlu.intent_classifier import ITEM_PLACEHOLDER, folded

    assert folded(typed) == read
    if ITEM_PLACEHOLDER not in typed:
        assert folded(clean_text(typed)) == read


def _entry(entry_id: str, questions: list[str]) -> FaqEntry:
    return FaqEntry(
        id=entry_id,
        title=f"{entry_id}标题",
        questions=questions,
        answer="样例答案",
        source="样例来源",
        last_checked=date(2026, 11, 1),
    )


def test_faq_training_examples_carry_their_topic(tmp_path: Path) -> None:
    path = tmp_path / "faq.yml"
    entries = [_entry("parking", ["车停哪", "共用的问法"]), _entry("rongque", ["容缺是啥", "共用的问法"])]
    path.write_text(nlu_examples(entries), encoding="utf-8")
    found = {m.get("text"): training_label(m) for m in load_data(str(path)).intent_examples}
    assert found == {
        "parking标题": "faq/parking",
        "车停哪": "faq/parking",
        "共用的问法": "faq/parking",
        "rongque标题": "faq/rongque",
        "容缺是啥": "faq/rongque",
    }


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"text": "你好", "intent": "greet"}, "greet"),
        ({"text": "车停哪", "intent": "faq", "metadata": {"intent": {"topic": "parking"}}}, "faq/parking"),
        ({"text": "车停哪", "intent": "faq", "metadata": {"example": {"topic": "x"}}}, "faq"),
    ],
)
def test_training_label(data: dict, label: str) -> None:
    assert training_label(Message(data=data)) == label


@pytest.mark.parametrize(
    "parameters",
    [
        {"analyzer": "char_wb", "ngram_range": (1, 3), "sublinear_tf": True},
        {"analyzer": "char_wb", "ngram_range": (1, 2), "sublinear_tf": False, "norm": None},
        {"analyzer": "char", "ngram_range": (2, 3), "use_idf": False, "norm": "l1"},
    ],
)
def test_tfidf_features_are_scikit_learns_numbers(parameters: dict) -> None:
    texts = [t for examples in TEXTS.values() for t in examples]
    unseen = ["停车停车停车的地方", "材料少一份 能先办不", "", "完全没见过的字句", "多少钱多少钱"]
    ours, theirs = TfidfFeatures(**parameters).fit(texts), TfidfVectorizer(**parameters).fit(texts)
    assert np.allclose(ours.transform(unseen).toarray(), theirs.transform(unseen).toarray())
    # fitted again on other texts, the new weights are used, not those of the first fit
    ours.fit(texts[:6] + unseen), theirs.fit(texts[:6] + unseen)
    assert np.allclose(ours.transform(texts).toarray(), theirs.transform(texts).toarray())
    assert ours.transform(texts).nnz > 0


def _ranking(*pairs: tuple) -> list:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


@pytest.mark.parametrize(
    ("ranking", "text", "unsure"),
    [
        # a question about an item, booking only guessed: the runner-up answers
        (
            _ranking(("book_appointment", 0.38), ("ask_service_guide", 0.2)),
            "个体工商户的营业执照在哪申领",
            True,
        ),
        # a word of booking, a sure guess, or nothing else ranked: booking stands
        (_ranking(("book_appointment", 0.29), ("faq", 0.2)), "预约", False),
        (_ranking(("book_appointment", 0.45), ("faq", 0.2)), "给我订个号呗", False),
        (_ranking(("book_appointment", 0.4), ("ask_fee", 0.2)), "下周三上午去办退休", False),
        (_ranking(("book_appointment", 0.9), ("ask_service_guide", 0.05)), "我要办残疾证", False),
        (
            _ranking(
                ("book_appointment", 0.3),
            ),
            "办个体执照",
            False,
        ),
        (_ranking(("ask_fee", 0.4), ("book_appointment", 0.3)), "办个体执照要钱不", False),
        (_ranking(("book_appointment", 0.34), ("ask_service_guide", 0.3)), "帮俺排个队 俺要补社保卡", False),
        (
            _ranking(("book_appointment", 0.28), ("ask_service_guide", 0.2)),
            "俺想去现场办 给俺留个位置",
            False,
        ),
    ],
)
def test_an_unsure_booking_without_a_word_of_booking_gives_way(
    ranking: list, text: str, unsure: bool
) -> None:
    assert unsure_booking(ranking, text) is unsure


SERVICES = Path(__file__).resolve().parents[2] / "data" / "services"


@pytest.fixture(scope="module")
def index() -> ServiceIndex:
    return ServiceIndex(load_catalogue(SERVICES))


@pytest.fixture(scope="module")
def classifier() -> NgramIntentClassifier:
    """An untrained classifier over the sample catalogue: its rules after the model need no model."""
    return NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("intent", "confidence", "text", "guide"),
    [
        # an appointment intent the model is unsure of, about a matter, without a word of booking
        ("cancel_appointment", 0.49, "退休了 公积金里的钱能一次取完不", True),
        ("query_appointment", 0.3, "退休以后公积金能都取出来不", True),
        ("cancel_appointment", 0.49, "公积金那个预约不要了", False),  # a word of booking
        ("cancel_appointment", 0.8, "退休了 公积金里的钱能一次取完不", False),  # the model is sure
        ("cancel_appointment", 0.4, "不去了", False),  # about no matter
        # opening hours or the address, unsure, about a matter and not the hall
        ("ask_office_hours", 0.41, "厂里不干了 社保咋整", True),
        ("ask_hall_location", 0.18, "公司注册地址得改", True),
        ("ask_hall_location", 0.3, "开公司去大厅哪块办", False),  # the hall
        ("ask_office_hours", 0.3, "办社保卡几点能去", False),
        ("ask_hall_location", 0.3, "地址在哪", False),  # no matter
        ("ask_office_hours", 0.7, "厂里不干了 社保咋整", False),
        # out of scope, unsure, for a message the catalogue is sure of and that names no other place
        ("out_of_scope", 0.33, "新买的商品房刚收了钥匙 房本怎么弄", True),
        ("out_of_scope", 0.63, "公积金咋提取", True),  # 北京公积金咋提取 of the training data pulls it
        ("out_of_scope", 0.7, "新买的商品房刚收了钥匙 房本怎么弄", False),  # the model is sure
        ("out_of_scope", 0.33, "北京那套商品房刚收了钥匙 房本怎么弄", False),  # another city's affair
        ("out_of_scope", 0.33, "郑州哪家银行利息高", False),  # no item
        ("out_of_scope", 0.3, "俺们单位叫郑州明达科技有限公司", False),  # a statement, no question
        # affirm, unsure, asking an aspect in words or repeating hearsay
        ("affirm", 0.39, "ok 办这个多少钱", True),
        ("affirm", 0.22, "听人说公积金一年只能提一回 是这样吗", True),
        ("affirm", 0.22, "听人说一年只能提一回 是这样吗", False),  # hearsay about no matter named
        ("affirm", 0.39, "好的", False),
        ("affirm", 0.3, "对 就是这个", False),
        ("affirm", 0.6, "ok 办这个多少钱", False),
        ("faq", 0.2, "听人说一年只能提一回 是这样吗", False),  # only the intents named
        # words of booking, changing, cancelling or looking up keep an appointment intent
        ("reschedule_appointment", 0.46, "社保卡的那个改一下", False),
        ("reschedule_appointment", 0.31, "公积金那个换到后头", False),
        ("cancel_appointment", 0.41, "公积金提取那个我不去办了", False),
        ("query_appointment", 0.28, "我的营业执照办好了没", False),
        # a word of changing, where what is changed is a matter the catalogue is sure of: the matter
        ("reschedule_appointment", 0.46, "法人要换成俺 公司名也想一块改掉", True),
        ("reschedule_appointment", 0.46, "股东要换 公司章程也得改", True),
        ("reschedule_appointment", 0.5, "能帮我换一天吗", False),
        # how long a change takes: a question about the matter in context, not a booking to move
        ("reschedule_appointment", 0.61, "这个改一下得几天能弄好", True),
        ("reschedule_appointment", 0.61, "换个法人前后得多久", True),
        ("reschedule_appointment", 0.61, "执照上的信息改完需要多长时间", True),  # 时间 of 多长时间
        ("reschedule_appointment", 0.61, "改约要多久", False),  # the booking is named
        ("reschedule_appointment", 0.61, "换个时间大概多久弄好", False),
        ("reschedule_appointment", 0.62, "我想改一下 多久能改好", False),  # a wish to move a booking
        ("reschedule_appointment", UNSURE_APPOINTMENT, "这个改一下得几天能弄好", False),
        # a time moved or a day changed, whatever matter is described: the booking's
        ("reschedule_appointment", 0.71, "生孩子那个能往后推推不", False),
        ("reschedule_appointment", 0.41, "给娃上学的那个能换一天不", False),
        # 退 and 取 in their own sense, over UNSURE_BOOKING but under UNSURE_APPOINTMENT; a cue keeps it
        ("cancel_appointment", 0.6, "俺退了休 公积金里的钱能一次取完不", True),
        ("cancel_appointment", UNSURE_APPOINTMENT, "俺退了休 公积金里的钱能一次取完不", False),
        ("cancel_appointment", 0.6, "公积金那个约的号不要了", False),
        ("cancel_appointment", 0.62, "我不想办社保卡了 帮我退了", False),  # giving a booking up
        ("cancel_appointment", 0.53, "医保报销的那个退掉吧 材料没准备好", False),
        # 退了 and 不要了 are said of retiring and of closing a company as well
        ("cancel_appointment", 0.6, "俺退了以后 公积金能一次取完不", True),
        ("cancel_appointment", 0.6, "公司干不下去了 营业执照也不要了", True),
        # words of the hall's hours or places keep a hall question
        ("ask_office_hours", 0.23, "办医保下午还能去吗", False),
        ("ask_office_hours", 0.38, "办社保卡明天上班吗", False),
        ("ask_office_hours", 0.28, "公积金窗口周日开吗", False),
        ("ask_hall_location", 0.36, "社保局在什么地方", False),
        ("ask_hall_location", 0.32, "公积金那边咋过去", False),
        # where to do an act of the matter (登, 交) is no question where a place is
        ("ask_hall_location", 0.2, "注销清算的公告在哪登", True),
        ("ask_hall_location", 0.2, "公积金在哪里提", True),
        ("ask_hall_location", 0.2, "社保局在哪里", False),
        # a company's address changed is no question about the hall's, however sure the model is
        ("ask_hall_location", 0.61, "公司挪了个办公地址 执照上的地址也得改吧", True),
        ("ask_hall_location", 0.9, "营业执照上的地址要变更", True),
        ("ask_hall_location", 0.9, "大厅地址换了吗", False),  # the hall named
        ("ask_hall_location", 0.9, "地址换了吗 在哪", False),  # about no matter of the catalogue
        # an office that moved is still asked where it is, whatever matter it serves
        ("ask_hall_location", 0.9, "社保局搬了吗 新地址在哪", False),
        ("ask_hall_location", 0.9, "医保局换地址了吗", False),
        # a yes with a word of booking, or about no matter, stays a yes (the booking form's confirmation)
        ("affirm", 0.45, "好的 就约这个时间 听说要提前到", False),
        ("affirm", 0.23, "好的 听说现在人多 早点约吧", False),
        ("affirm", 0.3, "是 听朋友说的", False),
        ("affirm", 0.3, "好的呀 据说公积金提取办得很快", False),  # hearsay told, not asked
        # deny, unsure, where the 不 belongs to hearsay asked about a matter
        ("deny", 0.3, "听说居住证不用每年签注了 是不是真的", True),
        ("deny", 0.3, "听说以后不用排队了 是不是真的", False),  # no matter named
        ("deny", 0.6, "听说居住证不用每年签注了 是不是真的", False),  # the model is sure
        ("deny", 0.3, "不是 我问的是居住证", False),  # a no, not hearsay
        ("deny", 0.3, "ok 办这个多少钱", False),  # only affirm answers an aspect in words
        # deny, unsure, where the 不 tells the citizen's state before asking whether it can be done
        ("deny", 0.43, "我没在药店干过 手里也没有执业药师证 这样能开店吗", True),
        ("deny", 0.3, "俺不是本地户口，还能申请不了？", True),
        ("deny", 0.3, "家里老人不识字 中不中", True),
        ("deny", 0.6, "我没在药店干过 手里也没有执业药师证 这样能开店吗", False),  # the model is sure
        ("deny", 0.3, "不是 能改一下不", False),  # a bare no before the question
        ("deny", 0.3, "不用了 谢谢", False),
        ("deny", 0.3, "我不是本人 能约不", False),  # a word of booking
        # out of scope, unsure, for a question the catalogue is sure of: 公积金 and its verb apart
        ("out_of_scope", 0.53, "公积金到底咋往外提", True),
        ("out_of_scope", 0.7, "公积金到底咋往外提", False),
        # …or that names a subject only one item is filed under and named by (bot.catalogue.linking)
        ("out_of_scope", 0.59, "公积金咋提", True),
        ("out_of_scope", 0.59, "gjj咋提", True),
        ("out_of_scope", 0.59, "深圳公积金咋提", False),  # another place's affair
        ("out_of_scope", 0.5, "网络不好咋办", False),  # 网络: filed alone, but in no name of its item
        # out of scope, unsure, for one clause naming an item or a subject items are filed under
        ("out_of_scope", 0.29, "社保的问题", True),
        ("out_of_scope", 0.26, "公积金那个事", True),
        ("out_of_scope", 0.41, "医保的问题", False),  # the model surer than UNSURE_OUT_OF_SCOPE_NAMED
        ("out_of_scope", 0.2, "在杭州交的社保", False),  # another place's affair
        ("out_of_scope", 0.2, "唉 社保的事 孩子的事 工作的事 烦死了", False),  # a lament of many clauses
        ("out_of_scope", 0.2, "今天天气咋样", False),  # no matter named
        # a no to what was offered, about no matter of the catalogue, stays a no
        ("deny", 0.36, "不想要这个了 能换吗", False),
        ("deny", 0.3, "这个不合适 能换一个不", False),
        ("deny", 0.3, "不是我本人办 是我老婆 能行吗", False),
    ],
)
def test_an_unsure_other_intent_about_a_matter_is_a_guide_question(
    index: ServiceIndex, intent: str, confidence: float, text: str, guide: bool
) -> None:
    assert unsure_other_intent(intent, confidence, text, index) is guide


def test_the_guide_intent_takes_the_place_and_confidence_of_the_unsure_one(
    classifier: NgramIntentClassifier,
) -> None:
    ranking = _ranking(("ask_office_hours", 0.41), ("deny", 0.12), ("ask_eligibility", 0.10), ("faq", 0.05))
    assert classifier.read_as_guide_question(ranking, "厂里不干了 社保咋整") == [
        {"name": "ask_eligibility", "confidence": 0.41},
        {"name": "deny", "confidence": 0.12},
        {"name": "ask_office_hours", "confidence": 0.10},
        {"name": "faq", "confidence": 0.05},
    ]
    # a guide intent the model hardly considered does not take the place
    far = _ranking(("ask_office_hours", 0.41), ("deny", 0.3), ("ask_eligibility", 0.03))
    assert classifier.read_as_guide_question(far, "厂里不干了 社保咋整") == far
    # no guide intent ranked: unchanged
    no_guide = _ranking(("ask_office_hours", 0.41), ("deny", 0.12))
    assert classifier.read_as_guide_question(no_guide, "厂里不干了 社保咋整") == no_guide
    # a button payload is read as sent
    assert classifier.read_as_guide_question(ranking, "/ask_office_hours") == ranking


@pytest.mark.parametrize(
    ("ranking", "text", "faq"),
    [
        # a guide question about no matter, with faq from a fifth of its confidence: the hall's FAQ
        (_ranking(("ask_fee", 0.6), ("faq", 0.2), ("deny", 0.1)), "你们这儿复印要钱吗", True),
        (_ranking(("ask_eligibility", 0.3), ("faq", 0.08), ("inform", 0.05)), "家里人能替我跑一趟不", True),
        # faq under a fifth of the top, or under the floor beside an unsure top
        (_ranking(("ask_fee", 0.6), ("faq", 0.1)), "复印一下要钱吗", False),
        # a fee question put to the hall as a whole: faq wherever it was ranked, or added
        (_ranking(("ask_fee", 0.9), ("faq", 0.02)), "你们这儿复印要钱吗", True),
        (_ranking(("ask_fee", 0.9), ("ask_materials", 0.05)), "在大厅办业务收钱不收", True),
        (_ranking(("ask_fee", 0.8), ("faq", 0.01)), "窗口收不收手续费", True),
        (_ranking(("ask_fee", 0.8), ("faq", 0.01)), "免费吗 不收钱吧", False),  # leans on the matter
        (_ranking(("ask_fee", 0.8), ("faq", 0.01)), "办居住证窗口收手续费不", False),  # an item named
        (_ranking(("ask_fee", 0.8), ("faq", 0.01)), "这个窗口收钱吗", False),  # points at the matter
        (_ranking(("ask_fee", 0.9), ("faq", 0.01)), "这项业务收费吗", False),
        (_ranking(("ask_fee", 0.9), ("faq", 0.01)), "办这业务收钱不收", False),
        (_ranking(("ask_window", 0.25), ("out_of_scope", 0.2), ("faq", 0.06)), "几号台", False),
        # faq behind another intent, or a message too short to name any subject
        (_ranking(("ask_fee", 0.3), ("out_of_scope", 0.2), ("faq", 0.15)), "单子丢了还能办吗", False),
        (_ranking(("ask_online", 0.5), ("faq", 0.3)), "网办", False),
        # a matter named, a subject, a candidate item, or a pointer to the matter in context
        (_ranking(("ask_fee", 0.6), ("faq", 0.3)), "办居住证要钱吗", False),
        (_ranking(("ask_fee", 0.6), ("faq", 0.3)), "社保要交钱吗", False),
        (_ranking(("ask_materials", 0.5), ("faq", 0.3)), "药房开张要带啥", False),
        (_ranking(("ask_fee", 0.6), ("faq", 0.3)), "这个要钱吗", False),
        # not a guide intent on top, or a button's payload
        (_ranking(("ask_office_hours", 0.6), ("faq", 0.3)), "中午有人吗", False),
        (_ranking(("ask_fee", 0.6), ("faq", 0.3)), "/ask_fee", False),
    ],
)
def test_a_guide_question_about_no_matter_with_faq_near_is_read_as_faq(
    classifier: NgramIntentClassifier, ranking: list, text: str, faq: bool
) -> None:
    read = classifier.read_as_faq_question(ranking, text)
    if not faq:
        assert read == ranking
        return
    # faq takes the top and its confidence, the guide intent faq's (0 when faq was not ranked); the
    # others keep theirs, in order
    top = ranking[0]
    near = next((r for r in ranking if r["name"] == "faq"), {"name": "faq", "confidence": 0.0})
    assert read[0] == {"name": "faq", "confidence": top["confidence"]}
    assert {"name": top["name"], "confidence": near["confidence"]} in read
    assert [r["confidence"] for r in read] == sorted((r["confidence"] for r in read), reverse=True)
    assert len(read) == len(ranking) + (near not in ranking)


@pytest.mark.parametrize(
    ("ranking", "text", "statement"),
    [
        # an unsure out-of-scope or goodbye reading of a statement about the citizen
        (_ranking(("out_of_scope", 0.3), ("inform", 0.2), ("faq", 0.1)), "俺家住在沟赵那一片", True),
        (_ranking(("goodbye", 0.35), ("inform", 0.2)), "俺今年六十一了", True),
        (_ranking(("out_of_scope", 0.25), ("inform", 0.1)), "单位名字叫郑州某某商贸公司", True),
        # it asks something, is sure, is too short or too long, or another intent leads
        (_ranking(("out_of_scope", 0.3), ("inform", 0.2)), "俺家住在沟赵 能办不", False),
        (_ranking(("out_of_scope", 0.6), ("inform", 0.2)), "叫王小二", False),
        (_ranking(("out_of_scope", 0.3), ("inform", 0.2)), "在的", False),
        (_ranking(("out_of_scope", 0.3), ("inform", 0.2)), "我在公园散步" + "，天气真好" * 4, False),
        (_ranking(("complain", 0.3), ("inform", 0.2)), "俺家住在沟赵那一片", False),
        (_ranking(("out_of_scope", 0.3), ("faq", 0.2)), "叫王小二", False),  # no inform ranked
        # a plain statement about the citizen, whatever the model read and however sure
        (_ranking(("ask_eligibility", 0.3), ("inform", 0.2)), "俺家住在沟赵那一片", True),
        (_ranking(("ask_eligibility", 0.97), ("inform", 0.01)), "我是新乡户口", True),
        (_ranking(("faq", 0.45), ("inform", 0.1)), "我是替俺舅问的", True),
        (_ranking(("ask_service_guide", 0.6), ("inform", 0.1)), "单位叫郑州某某贸易有限公司", True),
        (_ranking(("out_of_scope", 0.9), ("inform", 0.05)), "咱家在五龙口那边", True),
        (_ranking(("faq", 0.7), ("inform", 0.05)), "俺替俺舅问哩", True),
        (_ranking(("faq", 0.9), ("inform", 0.05)), "俺替俺舅问哩", False),  # the model sure of an entry
        (_ranking(("ask_service_guide", 0.3), ("inform", 0.05)), "帮俺对象问的", True),
        # more than a statement: a wish, a question without a question word, a problem, a supposition
        (_ranking(("faq", 0.6), ("inform", 0.1)), "我是开饭店的 有事想找领导说说", False),
        (_ranking(("faq", 0.6), ("inform", 0.1)), "我在网上填的东西会不会被人看见", False),
        (_ranking(("faq", 0.6), ("inform", 0.1)), "我在网上提交了没反应", False),
        (_ranking(("ask_fee", 0.9), ("inform", 0.01)), "是不收钱的吧", False),  # no subject said
        (_ranking(("ask_process", 0.8), ("inform", 0.1)), "我退休了 取公积金流程", False),  # an aspect
        (_ranking(("ask_eligibility", 0.9), ("inform", 0.05)), "我是新乡户口 居住证申领条件", False),
        (_ranking(("ask_eligibility", 0.9), ("inform", 0.05)), "我是否符合退休条件", False),
        (_ranking(("ask_process", 0.7), ("inform", 0.1)), "我住院的费用报销流程", False),
        (_ranking(("ask_hall_location", 0.9), ("inform", 0.05)), "我在科学大道 坐公交到大厅", False),
        (_ranking(("out_of_scope", 0.9), ("inform", 0.05)), "我住在高新区 帮我查下天气", False),
        (_ranking(("faq", 0.8), ("inform", 0.1)), "我是来取号的", False),  # a purpose
        (_ranking(("ask_window", 0.6), ("inform", 0.1)), "我在三号窗口被刁难", False),  # a complaint
        (_ranking(("out_of_scope", 0.6), ("inform", 0.1)), "今年社保缴费基数", False),  # no subject
        # a later clause that names what is wanted, or one that goes on telling
        (_ranking(("ask_eligibility", 0.9), ("inform", 0.05)), "我是新乡户口 补张社保卡", False),
        (_ranking(("faq", 0.9), ("inform", 0.05)), "我七十多了 优先窗口", False),
        (_ranking(("goodbye", 0.6), ("inform", 0.05)), "我是外地的 拜拜", False),
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "我开小卖部的 执照丢了", False),
        (_ranking(("ask_eligibility", 0.8), ("inform", 0.05)), "我是新乡户口，在这边交了四年社保。", True),
        (_ranking(("ask_eligibility", 0.8), ("inform", 0.05)), "俺是新乡户口，长垣的", True),
        # not a reading a statement replaces: a booking, a complaint
        (_ranking(("book_appointment", 0.9), ("inform", 0.05)), "我是来预约的", False),
        (_ranking(("complain", 0.7), ("inform", 0.1)), "我在这排了一上午了", False),
        # someone in the matter, an age, a company named, a place of Zhengzhou alone
        (_ranking(("out_of_scope", 0.3), ("inform", 0.05)), "闺女今年八岁", True),
        (_ranking(("ask_eligibility", 0.4), ("inform", 0.05)), "俺爹都七十多了", True),
        (_ranking(("out_of_scope", 0.2), ("inform", 0.05)), "股东是俺表弟", True),
        (_ranking(("ask_eligibility", 0.2), ("inform", 0.05)), "俺们公司叫郑州某某商贸有限公司", True),
        (_ranking(("out_of_scope", 0.5), ("inform", 0.05)), "郑州某某餐饮管理有限公司", True),
        (_ranking(("faq", 0.2), ("inform", 0.05)), "在金水区", True),
        (_ranking(("ask_eligibility", 0.5), ("inform", 0.05)), "老人是不是得本人来", False),  # 是不是 asks
        (_ranking(("ask_online", 0.5), ("inform", 0.05)), "卖方在外地能网上签吗", False),
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "注销郑州某某科技有限公司要咋弄", False),
        (_ranking(("faq", 0.3), ("inform", 0.05)), "在郑州上户口", False),  # more than the place
        (_ranking(("faq", 0.3), ("inform", 0.05)), "在北京", False),  # another place: not a place of here
        # what someone is doing, being told to do something, the hall addressed, a company asked about
        (_ranking(("out_of_scope", 0.4), ("inform", 0.05)), "孩子在发烧", False),
        (_ranking(("out_of_scope", 0.4), ("inform", 0.05)), "他们在窗口吵架", False),
        (_ranking(("faq", 0.4), ("inform", 0.05)), "她叫我明天再来", False),
        (_ranking(("out_of_scope", 0.4), ("inform", 0.05)), "他是你们领导", False),
        (_ranking(("ask_service_guide", 0.4), ("inform", 0.05)), "俺单位叫俺来问的", False),
        (_ranking(("ask_eligibility", 0.4), ("inform", 0.05)), "俺的店是被人冒名开的", False),
        (_ranking(("ask_service_guide", 0.4), ("inform", 0.05)), "个体户转有限公司", False),
        (_ranking(("ask_service_guide", 0.4), ("inform", 0.05)), "郑州这边新开一家有限公司", False),
        # a company's street after 我们/俺们, a home town, a household registration alone, a child's parent
        (_ranking(("ask_hall_location", 0.6), ("inform", 0.05)), "咱们公司在石佛那边", True),
        (_ranking(("ask_hall_location", 0.6), ("inform", 0.05)), "我们单位在冬青街", True),
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "我们公司在办迁移", False),  # doing
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "俺们厂在招工人", False),
        (_ranking(("ask_eligibility", 0.5), ("inform", 0.05)), "俺老家在南阳，现在在这边打工", True),
        (_ranking(("faq", 0.5), ("inform", 0.05)), "老家在周口 能在这办那边的事不", False),  # asks
        (_ranking(("ask_eligibility", 0.3), ("inform", 0.05)), "城镇户口", True),
        (_ranking(("out_of_scope", 0.3), ("inform", 0.05)), "本地户口的", True),
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "迁移户口", False),  # a matter asked
        (_ranking(("ask_eligibility", 0.8), ("inform", 0.05)), "娃他妈是洛阳户口", True),
        (_ranking(("ask_eligibility", 0.8), ("inform", 0.05)), "小孩他爸是新乡的", True),
        (_ranking(("out_of_scope", 0.9), ("inform", 0.05)), "非农户口", True),
        (_ranking(("out_of_scope", 0.9), ("inform", 0.05)), "洛阳的户口", True),
        # who is in a company, or what it is doing, after 在; a household registration to move
        (_ranking(("ask_eligibility", 0.5), ("inform", 0.05)), "我们公司在职员工的社保", False),
        (_ranking(("ask_service_guide", 0.5), ("inform", 0.05)), "我们单位在给职工办公积金", False),
        (_ranking(("ask_eligibility", 0.5), ("inform", 0.05)), "俺老家在南阳 户口想迁过来", False),
        (_ranking(("out_of_scope", 0.5), ("inform", 0.05)), "娃他爸户口落郑州", False),
    ],
)
def test_an_unsure_reading_of_a_statement_about_the_citizen_is_inform(
    ranking: list, text: str, statement: bool
) -> None:
    read = read_as_statement(ranking, text)
    if not statement:
        assert read == ranking
        return
    inform = next(r for r in ranking if r["name"] == "inform")
    assert read[0] == {"name": "inform", "confidence": ranking[0]["confidence"]}
    assert {"name": ranking[0]["name"], "confidence": inform["confidence"]} in read
    assert len(read) == len(ranking)


def test_a_plain_statement_gets_inform_when_the_model_did_not_rank_it() -> None:
    ranking = _ranking(("ask_hall_location", 0.66), ("ask_service_guide", 0.08), ("faq", 0.03))
    read = read_as_statement(ranking, "公司在长椿路上")
    assert read[0] == {"name": "inform", "confidence": 0.66}
    assert {"name": "ask_hall_location", "confidence": 0.0} in read
    assert len(read) == len(ranking) + 1


@pytest.mark.parametrize(
    ("text", "first"),
    [("转人工,我的电话是13867905678", "request_human"), ("我的电话是13867905678", "inform")],
)
def test_a_person_asked_for_with_a_number_told_is_the_request(text: str, first: str) -> None:
    ranking = _ranking(("inform", 0.53), ("request_human", 0.43), ("faq", 0.01))
    assert person_over_challenge(ranking, text)[0] == {"name": first, "confidence": 0.53}


@pytest.mark.parametrize(
    ("ranking", "text", "asked"),
    [
        (
            _ranking(("inform", 0.49), ("ask_eligibility", 0.49), ("faq", 0.01)),
            "俺是外省户口 这中不中",
            "ask_eligibility",
        ),
        (
            _ranking(("inform", 0.46), ("ask_eligibility", 0.40)),
            "俺是商丘户口 在郑州能交不",
            "ask_eligibility",
        ),
        (_ranking(("inform", 0.40), ("ask_eligibility", 0.37)), "社保才交了半年 够不够格", "ask_eligibility"),
        # a guide intent far under inform, or none, or a message that asks nothing: as it was
        (_ranking(("inform", 0.80), ("ask_eligibility", 0.30)), "俺是外省户口 这中不中", None),
        (_ranking(("inform", 0.50), ("faq", 0.45)), "我是外地的 能办不", None),
        (_ranking(("inform", 0.49), ("ask_eligibility", 0.45)), "俺是外省户口", None),
        (_ranking(("ask_eligibility", 0.5), ("inform", 0.45)), "俺是外省户口 这中不中", None),
    ],
)
def test_a_statement_that_asks_is_the_guide_question(ranking: list, text: str, asked: str | None) -> None:
    read = read_as_question_of_oneself(ranking, text)
    if asked is None:
        assert read == ranking
        return
    guide = next(r for r in ranking if r["name"] == asked)
    assert read[0] == {"name": asked, "confidence": ranking[0]["confidence"]}
    assert {"name": "inform", "confidence": guide["confidence"]} in read
    assert len(read) == len(ranking)


@pytest.mark.parametrize(
    ("ranking", "text", "out_of_scope"),
    [
        (_ranking(("faq", 0.34), ("out_of_scope", 0.33)), "想学学日语", True),
        (_ranking(("ask_eligibility", 0.40), ("out_of_scope", 0.36)), "晚上吃点啥好呢", True),
        # out of scope too far under, or the message is about an item, the hall or an FAQ entry's words
        (_ranking(("faq", 0.50), ("out_of_scope", 0.30)), "想学学日语", False),
        (_ranking(("ask_service_guide", 0.30), ("out_of_scope", 0.29)), "娃刚出生 咋弄", False),
        (_ranking(("ask_office_hours", 0.30), ("out_of_scope", 0.29)), "大厅今天人多不", False),
        (_ranking(("faq", 0.30), ("out_of_scope", 0.29)), "叫号到哪了 在哪看", False),
        (_ranking(("greet", 0.30), ("out_of_scope", 0.29)), "哈哈 笑死", False),
    ],
)
def test_a_service_reading_barely_over_out_of_scope_about_nothing_here_is_out_of_scope(
    ranking: list, text: str, out_of_scope: bool
) -> None:
    from bot.faq import title_terms
    from bot.faq_entries import load_entries
    from bot.nlu.intent_classifier import IntentModel

    model = IntentModel()
    model.title_terms = frozenset(title_terms(load_entries(Path("data") / "faq")))
    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, model)  # type: ignore[arg-type]
    read = classifier.read_as_out_of_scope(ranking, text)
    if not out_of_scope:
        assert read == ranking
        return
    assert read[0] == {"name": "out_of_scope", "confidence": ranking[0]["confidence"]}


def test_the_single_precision_fit_gives_double_weights_and_the_double_fits_answers() -> None:
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from bot.nlu.linear import TOLERANCE, TfidfFeatures, fit_logistic_regression

    texts = ["开办企业要什么材料", "公司注册流程", "退休手续怎么办", "养老金领取", "几点开门", "周六上班吗"]
    texts *= 3
    labels = ["kaiban", "kaiban", "tuixiu", "tuixiu", "hours", "hours"] * 3
    features = TfidfFeatures(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True).fit_transform(texts)
    model = fit_logistic_regression(features, labels, 30.0, "balanced")
    assert model.coef_.dtype == np.float64 and model.intercept_.dtype == np.float64
    double = LogisticRegression(
        C=30.0, class_weight="balanced", solver="newton-cg", tol=TOLERANCE, max_iter=3000
    )
    double.fit(sp.csr_matrix(features, dtype=np.float64), labels)
    asked = (
        TfidfFeatures(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        .fit(texts)
        .transform(["企业开办需要啥", "退休了咋办"])
    )
    assert np.abs(model.predict_proba(asked) - double.predict_proba(asked)).max() < 1e-3
    assert list(model.predict(asked)) == ["kaiban", "tuixiu"]


@pytest.mark.parametrize(
    ("text", "decided"),
    [
        ("就业这块的", "ask_service_guide"),  # a subject and words that only point at it
        ("想了解一下住房方面的事", "ask_service_guide"),
        ("开办一件事", "ask_service_guide"),  # 开办: the subject of the four 开办… items
        ("社保？", "ask_service_guide"),
        ("就业这块咋弄", "ask_service_guide"),  # wanting to do it (咋弄) asks no aspect of its own
        ("变更怎么办", "ask_service_guide"),
        ("变更要几天", None),  # an aspect asked: the model reads it
        ("问一下", None),  # pointing words with no subject
        ("？？", "out_of_scope"),
    ],
)
def test_a_message_naming_only_a_subject_is_a_guide_question(
    classifier: NgramIntentClassifier, text: str, decided: str | None
) -> None:
    assert classifier.decided_by_form(Message(data={"text": text}), text, list(text)) == decided


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("zxcvb5678", True),  # keyboard mashing
        ("asdfgh!!", True),
        ("hello 2024", False),  # a word the training examples hold
        # numbers and single letters may answer the booking form: left to the model
        ("73519", False),
        ("1400", False),
        ("2025-03-17", False),
        ("9:30", False),
        ("y", False),
        ("停车 zxcv", False),  # Chinese
    ],
)
def test_a_message_without_chinese_or_any_known_word_is_out_of_scope(text: str, unknown: bool) -> None:
    model = IntentModel()
    texts = [*(t for examples in TEXTS.values() for t in examples), "hello"]
    labels = [*(label for label, examples in TEXTS.items() for _ in examples), "greet"]
    model.fit(texts, [[w.lower() for w in t.split()] or list(t) for t in texts], labels)
    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, model)  # type: ignore[arg-type]
    words = [w.lower() for w in re.findall(r"[A-Za-z]+|[0-9]+", text)]
    assert classifier.unknown_words(text, words) is unknown
    decided = classifier.decided_by_form(Message(data={"text": text}), text, words)
    assert (decided == "out_of_scope") is unknown


def regex_entities(text: str) -> list[dict]:
    """The entities ``RegexEntityExtractor`` reads with the patterns of data/nlu/regex.yml."""
    patterns = yaml.safe_load((SERVICES.parent / "nlu" / "regex.yml").read_text(encoding="utf-8"))["nlu"]
    return [
        {"entity": block["regex"], "start": m.start(), "end": m.end(), "value": m.group(0)}
        for block in patterns
        for pattern in block["examples"].splitlines()
        if pattern.strip()
        for m in re.finditer(pattern.strip()[2:], text)
    ]


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        # a 预约号 (its letters are no word) and a mobile after it, though the code ends in digits
        ("6T7PFHJ7 13867905678", {"appointment_code", "phone"}),
        ("6T7PFH77 138-6790-5678", {"appointment_code", "phone"}),
        ("k7m3-pq9a", {"appointment_code"}),
        ("K7M3 PQ9A, 138 6790 5678", {"appointment_code", "phone"}),
        ("zxcv5678", {"appointment_code"}),  # eight characters of the code's alphabet may be one
        ("zxcv 13867905678", {"phone"}),
        ("zxcv 11010519491231002X", {"id_number"}),
    ],
)
def test_a_message_holding_a_value_the_forms_read_is_never_out_of_scope_by_its_form(
    text: str, entities: set
) -> None:
    model = IntentModel()
    texts = [t for examples in TEXTS.values() for t in examples]
    labels = [label for label, examples in TEXTS.items() for _ in examples]
    model.fit(texts, [list(t) for t in texts], labels)
    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, model)  # type: ignore[arg-type]
    found = regex_entities(text)
    assert {e["entity"] for e in found} == entities
    words = [w.lower() for w in re.findall(r"[A-Za-z]+|[0-9]+", text)]
    decided = classifier.decided_by_form(Message(data={"text": text, "entities": found}), text, words)
    assert decided != "out_of_scope"
    # two English words or mashing in two halves hold no code, and are out of scope by their form
    for mashing in ("test test", "asdf ghjk", "hhhh hhhh"):
        assert regex_entities(mashing) == []
        decided = classifier.decided_by_form(Message(data={"text": mashing}), mashing, mashing.split())
        assert decided == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "decided"),
    [
        ("15037162288", "inform"),
        ("电话15037162288", "inform"),  # the value with what it is
        ("俺手机 150 3716 2288", "inform"),
        ("预约号是 K7M3PQ9A", "inform"),
        ("身份证号：11010519491231002X", "inform"),
        ("帮我查下 K7M3PQ9A", None),  # more than the value told: the model reads it
        ("15037162288 打不通", None),
    ],
)
def test_a_value_told_with_what_it_is_is_inform_by_its_form(
    classifier: NgramIntentClassifier, text: str, decided: str | None
) -> None:
    found = regex_entities(text)
    assert found
    message = Message(data={"text": text, "entities": found})
    assert classifier.decided_by_form(message, text, list(text)) == decided


@pytest.mark.parametrize(
    ("text", "decided"),
    [
        ("后天上午", "inform"),
        ("就下礼拜二吧", "inform"),
        ("12月9号", "inform"),
        ("下午两点", "inform"),
        ("后天能办吗", None),  # a question with a day in it
        ("后天再说", None),
        ("后天上午 谢谢", "inform"),
        ("那周一吧", "inform"),  # was read as a wish to cancel, which stopped the booking
        ("那就周一", "inform"),
        ("要不后天上午", "inform"),
        ("还是周三吧", "inform"),
        ("周一行不行", None),  # a question
        ("周一中不中", None),
        ("那算了", None),
        ("周末", None),  # alone, it asks whether the hall is open then: the model reads it
        ("中午", None),
        ("国庆节", None),
    ],
)
def test_a_day_or_a_time_alone_is_inform_by_its_form(
    classifier: NgramIntentClassifier, text: str, decided: str | None
) -> None:
    message = Message(data={"text": text, "entities": regex_entities(text)})
    assert classifier.decided_by_form(message, text, list(text)) == decided


CHALLENGE_FIRST = [
    {"name": "bot_challenge", "confidence": 0.85},
    {"name": "request_human", "confidence": 0.14},
    {"name": "faq", "confidence": 0.01},
]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("你是机器人吗 转人工", "request_human"),
        ("是自动回复吧？麻烦给我转真人", "request_human"),
        ("你是不是电脑在回 我想跟人说", "request_human"),
        ("你是机器人吗", "bot_challenge"),  # only the challenge
        ("是人在回复还是系统自动回的", "bot_challenge"),
        ("恁是机器人不 俺要找人工", "request_human"),
        ("你是个机器人吧 让人工来", "request_human"),
        ("不行就转人工 你是不是机器人", "request_human"),  # 不 of 不行 declines nothing
        ("要是真人就好了", "bot_challenge"),  # 要是: "if", no one asked for
        ("我现在是在和真人聊吗", "bot_challenge"),  # chatting with a person as a state
        ("你是人工客服吗", "bot_challenge"),  # whether one is there, not a request for one
        ("你到底是真人还是机器人 不要转人工啊", "bot_challenge"),  # a person declined
        ("俺不要人工 就问你是不是机器人", "bot_challenge"),
        ("你是机器人吗 这个需要人工审核吗", "bot_challenge"),  # a check a person makes
    ],
)
def test_a_person_asked_for_with_a_challenge_comes_first(text: str, first: str) -> None:
    ranking = person_over_challenge(CHALLENGE_FIRST, text)
    assert ranking[0]["name"] == first
    assert ranking[0]["confidence"] == 0.85  # the decision keeps the top's confidence


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("这机器人咋这么笨", "complain"),
        ("机器人说的都不对 白耽误工夫", "complain"),
        ("你这回的都是啥 净胡说", "complain"),
        ("这个智能客服一点用都没有", "complain"),
        ("你是不是机器人 说话咋恁快", "bot_challenge"),  # asks what it is, finds no fault
        ("机器人真笨 给我转人工", "request_human"),  # the person asked for comes first
        ("你是机器人对不对", "bot_challenge"),  # a question tag, no fault
        ("我没用过这种机器人 你是真人吗", "bot_challenge"),  # 没用过: never used, no fault
        ("你是机器人吗 不对 你是真人吗", "bot_challenge"),  # a self-correction
        ("你是不是机器人 傻傻分不清", "bot_challenge"),
        ("你是机器人吗 垃圾分类咋弄", "bot_challenge"),
    ],
)
def test_a_challenge_that_finds_fault_with_the_bot_is_a_complaint(text: str, first: str) -> None:
    ranking = person_over_challenge(CHALLENGE_FIRST + [{"name": "complain", "confidence": 0.005}], text)
    assert ranking[0] == {"name": first, "confidence": 0.85}


def test_a_fault_found_with_the_bot_is_a_complaint_though_the_model_did_not_rank_it() -> None:
    ranking = person_over_challenge(CHALLENGE_FIRST, "是机器人回的吧 一点用都没有")
    assert ranking[0] == {"name": "complain", "confidence": 0.85}
    assert {"name": "bot_challenge", "confidence": 0.0} in ranking


def test_a_person_asked_for_changes_nothing_but_a_challenge() -> None:
    greeting = [{"name": "greet", "confidence": 0.6}, {"name": "request_human", "confidence": 0.3}]
    assert person_over_challenge(greeting, "你好 转人工") == greeting
    # a person asked for whom the model did not rank is added, and takes the top's confidence
    alone = [{"name": "bot_challenge", "confidence": 0.9}, {"name": "faq", "confidence": 0.1}]
    read = person_over_challenge(alone, "你是机器人吗 转人工")
    assert read[0] == {"name": "request_human", "confidence": 0.9}
    assert {"name": "bot_challenge", "confidence": 0.0} in read


@pytest.mark.parametrize(
    ("ranking", "text", "hours"),
    [
        (_ranking(("faq", 0.2), ("ask_office_hours", 0.1)), "这会儿还开着门吗", True),
        (_ranking(("faq", 0.3), ("greet", 0.1)), "今儿个还营业不", True),  # added where not ranked
        (_ranking(("faq", 0.7), ("ask_office_hours", 0.2)), "这会儿还开着门吗", False),  # the model is sure
        (_ranking(("faq", 0.2), ("ask_office_hours", 0.1)), "现在网上还让弄不", False),  # not the hall open
        (_ranking(("ask_hall_location", 0.3), ("ask_office_hours", 0.2)), "现在开着门的那个入口在哪", False),
        (_ranking(("out_of_scope", 0.3), ("ask_office_hours", 0.2)), "现在上班族社保怎么交", False),
        (_ranking(("ask_window", 0.4), ("ask_office_hours", 0.2)), "今天开着几个窗口", False),
        (_ranking(("faq", 0.3), ("ask_office_hours", 0.2)), "今天营业执照能领不", False),
        # the hall's address read, its hours asked in words, however sure the model is
        (_ranking(("ask_hall_location", 0.9), ("ask_office_hours", 0.05)), "服务大厅的上班时间", True),
        (_ranking(("ask_hall_location", 0.6), ("faq", 0.2)), "政务中心几点开门", True),  # added
        (_ranking(("ask_hall_location", 0.9), ("ask_office_hours", 0.05)), "大厅工作时间和地址", False),
        (_ranking(("ask_hall_location", 0.9), ("ask_office_hours", 0.05)), "几点开门 坐几路车能到", False),
        (_ranking(("faq", 0.9), ("ask_office_hours", 0.05)), "中午服务时间有人没", False),  # not the address
        (_ranking(("ask_hall_location", 0.9), ("ask_office_hours", 0.05)), "中心上班时间跟具体地点", False),
    ],
)
def test_an_unsure_reading_of_whether_the_hall_is_open_now_is_an_hours_question(
    ranking: list, text: str, hours: bool
) -> None:
    read = read_as_hours_question(ranking, text)
    if not hours:
        assert read == ranking
        return
    assert read[0] == {"name": "ask_office_hours", "confidence": ranking[0]["confidence"]}


@pytest.mark.parametrize(
    ("ranking", "text", "first"),
    [
        # an overview reading of a question that words one aspect: that aspect
        (
            _ranking(("ask_service_guide", 0.5), ("ask_process", 0.2)),
            "闺女要上小学了 报名流程给讲讲",
            "ask_process",
        ),
        (_ranking(("ask_service_guide", 0.4), ("faq", 0.2)), "饭店要开张了 营业执照得带啥", "ask_materials"),
        # an aspect the model guessed, the words asking for a condition
        (
            _ranking(("ask_materials", 0.5), ("ask_eligibility", 0.3)),
            "开饭店必须得有健康证吗",
            "ask_eligibility",
        ),
        # online or in person, whatever aspect of the three the model read
        (_ranking(("ask_process", 0.9), ("ask_online", 0.05)), "是在手机上报还是得跑现场", "ask_online"),
        # kept: no aspect worded, a sure aspect, not a guide intent, a button's payload
        (_ranking(("ask_service_guide", 0.5), ("ask_process", 0.2)), "想开个小饭店", "ask_service_guide"),
        (
            _ranking(("ask_materials", 0.9), ("ask_eligibility", 0.05)),
            "开饭店必须得有健康证吗",
            "ask_materials",
        ),
        (_ranking(("faq", 0.5), ("ask_process", 0.2)), "报名流程给讲讲", "faq"),
        (
            _ranking(("ask_service_guide", 0.5), ("ask_process", 0.2)),
            "/ask_service_guide",
            "ask_service_guide",
        ),
    ],
)
def test_a_guide_reading_says_the_aspect_the_guide_answers(ranking: list, text: str, first: str) -> None:
    read = read_as_aspect_question(ranking, text)
    assert read[0]["name"] == first
    assert read[0]["confidence"] == ranking[0]["confidence"]
    if first == ranking[0]["name"]:
        assert read == ranking


@pytest.mark.parametrize(
    ("ranking", "text", "process"),
    [
        (_ranking(("ask_window", 0.9), ("ask_process", 0.05)), "开小超市先办哪个证后办哪个证", True),
        (_ranking(("ask_window", 0.8), ("faq", 0.1)), "办居住证先去派出所还是先去社区", True),
        (
            _ranking(("ask_service_guide", 0.6), ("ask_process", 0.2)),
            "孩子落户跟办医保的先后顺序咋安排",
            True,
        ),
        (_ranking(("ask_online", 0.7), ("ask_process", 0.2)), "先在手机上填还是先跑窗口", True),
        (_ranking(("ask_materials", 0.8), ("ask_process", 0.1)), "开饭店的证是个啥顺序", True),
        (_ranking(("ask_service_guide", 0.4), ("ask_process", 0.3)), "开面馆具体先整啥后整啥", True),
        # which window first; 先后 and 顺序 in another sense; another aspect worded
        (_ranking(("ask_window", 0.9), ("ask_process", 0.05)), "办营业执照先找哪个口递材料", False),
        (_ranking(("ask_materials", 0.8), ("ask_process", 0.1)), "材料要按顺序排好吗", False),
        (
            _ranking(("ask_eligibility", 0.9), ("ask_process", 0.05)),
            "我先后在两家公司交过社保 能合并吗",
            False,
        ),
        (_ranking(("ask_materials", 0.9), ("ask_process", 0.05)), "办居住证首先得准备啥再去派出所", False),
        # not a guide reading the order replaces, or asks no order
        (_ranking(("book_appointment", 0.9), ("ask_process", 0.05)), "想先约个号再过去", False),
        (_ranking(("faq", 0.6), ("ask_window", 0.2)), "到了以后先去哪拿号", False),
        (_ranking(("ask_window", 0.9), ("ask_process", 0.05)), "办居住证去哪", False),
    ],
)
def test_a_guide_question_asking_the_order_of_the_steps_is_the_process(
    ranking: list, text: str, process: bool
) -> None:
    read = read_as_aspect_question(ranking, text)
    if not process:
        assert read == ranking
        return
    assert read[0] == {"name": "ask_process", "confidence": ranking[0]["confidence"]}


def test_which_comes_first_online_or_in_person_is_no_online_question() -> None:
    from bot.guide import asks_online_or_in_person, guide_intent_read

    assert asks_online_or_in_person("先在郑好办上填还是先跑现场") is False
    assert guide_intent_read("ask_process", 0.95, "先在郑好办上填还是先跑现场") == "ask_process"
    assert asks_online_or_in_person("在郑好办上填还是跑现场") is True


@pytest.mark.parametrize(
    ("ranking", "text", "rating"),
    [
        (_ranking(("faq", 0.9), ("rate_service", 0.05)), "给那个窗口的大姐打个好评", True),
        (_ranking(("faq", 0.5), ("complain", 0.2)), "差评", True),  # added where not ranked
        (_ranking(("faq", 0.8), ("rate_service", 0.1)), "想给今天的办事员点个赞", True),
        # what a rating does, where to give one, or not an FAQ reading
        (_ranking(("faq", 0.9), ("rate_service", 0.05)), "打了差评以后谁来管", False),
        (_ranking(("faq", 0.9), ("rate_service", 0.05)), "评了好评会不会有啥用", False),
        (_ranking(("faq", 0.9), ("rate_service", 0.05)), "在哪给窗口打差评", False),
        (_ranking(("faq", 0.8), ("rate_service", 0.05)), "给差评工作人员扣钱", False),
        (_ranking(("faq", 0.8), ("rate_service", 0.05)), "打个差评投诉他", False),
        (_ranking(("complain", 0.9), ("rate_service", 0.05)), "态度太差了 给差评", False),
    ],
)
def test_an_faq_reading_that_only_gives_a_rating_is_a_rating(ranking: list, text: str, rating: bool) -> None:
    read = read_as_rating(ranking, text)
    if not rating:
        assert read == ranking
        return
    assert read[0] == {"name": "rate_service", "confidence": ranking[0]["confidence"]}


@pytest.mark.parametrize(
    ("ranking", "text", "booking"),
    [
        (_ranking(("faq", 0.55), ("book_appointment", 0.2)), "预约", True),
        (_ranking(("faq", 0.4), ("book_appointment", 0.35)), "给俺约个号 办个居住证", True),
        (_ranking(("faq", 0.35), ("book_appointment", 0.3)), "我要排个开饭店的号", True),
        (_ranking(("faq", 0.35), ("book_appointment", 0.3)), "帮我约个号 个体户执照", True),
        # about booking, not a request for one
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "预约方式", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "预约电话", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "预约失败", False),
        # sure of the FAQ, booking not next, no booking word, a question, or about a booking made
        (_ranking(("faq", 0.7), ("book_appointment", 0.2)), "预约", False),
        (_ranking(("faq", 0.5), ("cancel_appointment", 0.3)), "预约", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "想弄个居住证", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "预约在哪弄", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "约好了去晚了还算数不", False),
        (_ranking(("faq", 0.5), ("book_appointment", 0.3)), "取了号得等多久", False),
    ],
)
def test_an_unsure_faq_reading_of_a_booking_request_is_the_booking(
    classifier: NgramIntentClassifier, ranking: list, text: str, booking: bool
) -> None:
    read = classifier.read_as_booking(ranking, text)
    if not booking:
        assert read == ranking
        return
    assert read[0] == {"name": "book_appointment", "confidence": ranking[0]["confidence"]}


@pytest.mark.parametrize(
    ("ranking", "text", "first"),
    [
        (
            _ranking(("greet", 0.4), ("ask_service_guide", 0.3)),
            "您好，想问问取公积金的事",
            "ask_service_guide",
        ),
        (_ranking(("greet", 0.5), ("ask_online", 0.3)), "你好 居住证能在网上办不", "ask_online"),
        (_ranking(("greet", 0.6), ("faq", 0.01)), "hi 开个小饭馆咋弄", "ask_service_guide"),  # added
        # a statement after the greeting, a booking asked for after it
        (_ranking(("greet", 0.7), ("inform", 0.05)), "你好 俺是新乡户口", "inform"),
        (_ranking(("greet", 0.8), ("book_appointment", 0.1)), "你好 社保卡约个号", "book_appointment"),
        # a greeting alone, or with no matter
        (_ranking(("greet", 0.9), ("faq", 0.05)), "你好 在不在", "greet"),
        (_ranking(("greet", 0.5), ("ask_service_guide", 0.3)), "你好 问个事", "greet"),
        (_ranking(("greet", 0.5), ("ask_service_guide", 0.3)), "/greet", "greet"),
    ],
)
def test_a_greeting_that_comes_with_a_matter_is_the_question(
    classifier: NgramIntentClassifier, ranking: list, text: str, first: str
) -> None:
    read = classifier.read_past_greeting(ranking, text)
    assert read[0] == {"name": first, "confidence": ranking[0]["confidence"]}


@pytest.mark.parametrize(
    ("ranking", "text", "first"),
    [
        (_ranking(("faq", 0.58), ("inform", 0.39)), "138123456", "inform"),
        (_ranking(("faq", 0.58), ("out_of_scope", 0.30)), "５２０１３１４", "out_of_scope"),
        (_ranking(("ask_fee", 0.5), ("goodbye", 0.2)), "88", "goodbye"),
        (_ranking(("book_appointment", 0.5), ("ask_fee", 0.3)), "0371-6799 1108", "inform"),
        (_ranking(("faq", 0.5), ("inform", 0.3)), "(0371) 67991108", "inform"),
        # not a number alone, or not answered as a service: as it was
        (_ranking(("faq", 0.58), ("inform", 0.39)), "12345热线", None),
        (_ranking(("faq", 0.58), ("inform", 0.39)), "...", None),
        (_ranking(("inform", 0.58), ("faq", 0.39)), "138123456", None),
    ],
)
def test_a_number_alone_is_never_answered_as_a_service(ranking: list, text: str, first: str | None) -> None:
    read = read_as_a_number(ranking, text)
    if first is None:
        assert read == ranking
        return
    assert read[0] == {"name": first, "confidence": ranking[0]["confidence"]}
    assert {r["name"] for r in read} >= {r["name"] for r in ranking}


def test_the_catalogues_terms_typed_in_pinyin_are_read_as_the_linker_reads_them() -> None:
    from rasa.nlu.tokenizers.tokenizer import Token

    from bot.nlu.intent_classifier import ITEM_PLACEHOLDER

    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, None)  # type: ignore[arg-type]
    named = Message(data={"text": "shebaoka丢了咋办", "text_tokens": [Token("shebaoka", 0), Token("丢", 8)]})
    assert classifier.masked(named) == (f"{ITEM_PLACEHOLDER}丢了咋办", [ITEM_PLACEHOLDER, "丢"])
    # an everyday term is read as its characters, not masked: it describes the item, it does not name it
    described = Message(
        data={"text": "gongjijin能网上提不", "text_tokens": [Token("gongjijin", 0), Token("能", 9)]}
    )
    assert classifier.masked(described) == ("公积金能网上提不", ["公积金", "能"])


def test_the_rules_read_a_question_typed_in_pinyin_as_the_model_does() -> None:
    from rasa.nlu.tokenizers.tokenizer import Token

    from bot.nlu.intent_classifier import ITEM_PLACEHOLDER

    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, None)  # type: ignore[arg-type]
    classifier.model = _fitted()
    classifier.model.pinyin = PinyinReader.of_terms({})
    assert classifier.read_text(Message(data={"text": "keyi yuyue ma"})) == "可以预约吗"
    assert classifier.read_text(Message(data={"text": "请问 ji dian kaimen"})) == "请问 几点开门"
    # an item typed in pinyin stays as it is typed; the question around it is read
    assert classifier.read_text(Message(data={"text": "shebaoka zenme ban"})) == "shebaoka 怎么办"
    # a message without Latin letters, and a name after 我叫, are the rules' as they are
    assert classifier.read_text(Message(data={"text": "可以预约吗"})) == "可以预约吗"
    assert classifier.read_text(Message(data={"text": "wo jiao ma ling"})) == "我叫 ma ling"
    # the words the model is given are read the same way, once each
    tokens = [Token("shebaoka", 0), Token("zenme", 9), Token("ban", 15)]
    text, words = classifier.masked(Message(data={"text": "shebaoka zenme ban", "text_tokens": tokens}))
    assert (text, words) == (f"{ITEM_PLACEHOLDER} 怎么办", [ITEM_PLACEHOLDER, "怎么", "办"])


def test_the_latin_words_are_read_once_a_turn() -> None:
    from bot.nlu.pinyin import LATIN_READINGS

    classifier = NgramIntentClassifier({"catalogue_dir": str(SERVICES)}, None, None, None)  # type: ignore[arg-type]
    classifier.model = _fitted()
    classifier.model.pinyin = PinyinReader.of_terms({})
    message = Message(data={"text": "keyi yuyue ma"})
    classifier.masked(message)
    assert message.get(LATIN_READINGS) == [(0, 13, "可以预约吗")]
    # the rules read what `masked` left on the message; they do not read the letters again
    message.set(LATIN_READINGS, [(0, 4, "可以")])
    assert classifier.read_text(message) == "可以 yuyue ma"
    # a message without Latin letters carries no readings
    chinese = Message(data={"text": "可以预约吗"})
    classifier.masked(chinese)
    assert chinese.get(LATIN_READINGS) is None


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("结婚登记要预约吗", True),
        ("办社保卡需要预约吗", True),
        ("用不用提前预约", True),
        ("不预约能办不", True),
        ("我要预约办社保卡", False),  # a request: the booking form
        ("帮我约个号", False),
        ("可以预约吗", False),
    ],
)
def test_a_question_whether_booking_is_needed_is_the_faq(text: str, asks: bool) -> None:
    from bot.nlu.intent_classifier import read_as_booking_rule_question

    ranking = [{"name": "book_appointment", "confidence": 0.7}, {"name": "ask_online", "confidence": 0.2}]
    read = read_as_booking_rule_question(ranking, text)
    assert read[0]["name"] == ("faq" if asks else "book_appointment")
    assert read[0]["confidence"] == 0.7
