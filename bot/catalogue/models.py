"""Typed model of one 办事指南 (procedure guide) of a "一件事一次办" service item."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Extra, Field, StrictBool, constr, root_validator, validator

NAME_SUFFIX = "一件事"
OPENING = "开办"
"""The verb of the items that open a business (开办企业, 开办药店…), said after its object as well:
the hall's notices and citizens write 企业开办, 运输企业开办, 药店开办."""
_SLUG = r"^[a-z][a-z0-9_]*$"


def name_variants(short_name: str) -> list[str]:
    """Other wordings of an item's ``short_name`` (its name without `NAME_SUFFIX`) that name it too.

    An opening item's short name with its object first: 开办运输企业 → 运输企业开办. Derived, not
    listed by staff: every opening item is named both ways. An alias is not turned round: 开办公司 of
    开办企业 would make 公司开办, found inside "运输公司开办", which is about the transport company. (A
    licence without its last character, 食品经营许可 of 食品经营许可证, was tried as a name too: a name is
    the item whatever the item in context, and a 个体户 selling cooked food asks about that licence as
    part of its own matter.)
    """
    if short_name.startswith(OPENING) and len(short_name) > len(OPENING) + 1:
        return [short_name[len(OPENING) :] + OPENING]
    return []


MAX_TEXT_CHARS = 500
"""The longest text of a guide (a fee, a condition, a step, a note), as the staff page allows; the
files' longest is about 70."""
MAX_PHRASE_CHARS = 30
"""The longest alias, everyday term or subject (the files' longest is 9)."""


if TYPE_CHECKING:
    Slug = str
    Phrase = str
    EnglishName = str
else:
    Slug = constr(regex=_SLUG)
    # A name or alias: no whitespace inside, so that it works as a jieba dictionary word.
    Phrase = constr(regex=r"^\S+$", max_length=MAX_PHRASE_CHARS)
    # An English name: Latin words joined by single spaces, hyphens or apostrophes.
    EnglishName = constr(regex=r"^[A-Za-z]+(?:[ '\-][A-Za-z]+)*$")


class _Text(str, Enum):
    """An enum whose values are the Chinese words used in the data files."""

    def __str__(self) -> str:
        return str(self.value)


class Category(_Text):
    """Who the item is for."""

    PERSONAL = "个人"
    ENTERPRISE = "企业"


class MaterialForm(_Text):
    """How a material is handed in."""

    ORIGINAL = "原件"
    COPY = "复印件"
    ORIGINAL_AND_COPY = "原件及复印件"
    ELECTRONIC = "电子件"


class Exemption(_Text):
    """What replaces bringing the material (免证办 / 电子证照 / 免提交)."""

    NO_CERTIFICATE = "免证办"
    ELECTRONIC_LICENCE = "电子证照"
    NO_SUBMISSION = "免提交"


class GuideAspect(str, Enum):
    """One aspect of a guide a person can ask about."""

    OVERVIEW = "overview"
    MATERIALS = "materials"
    PROCESS = "process"
    TIME_LIMIT = "time_limit"
    FEE = "fee"
    ELIGIBILITY = "eligibility"
    ONLINE = "online"
    WINDOW = "window"

    def __str__(self) -> str:
        return str(self.value)

    @property
    def label(self) -> str:
        """The Chinese label shown to people (概览、材料 …)."""
        return _ASPECT_LABELS[self]

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the `ServiceItem` fields that answer this aspect."""
        return _ASPECT_FIELDS[self]

    @classmethod
    def from_intent(cls, intent: str) -> GuideAspect | None:
        """Map an NLU intent such as ``ask_materials`` to its aspect; ``None`` for other intents."""
        return _INTENT_ASPECTS.get(intent)


_ASPECT_LABELS = {
    GuideAspect.OVERVIEW: "概览",
    GuideAspect.MATERIALS: "材料",
    GuideAspect.PROCESS: "流程",
    GuideAspect.TIME_LIMIT: "时限",
    GuideAspect.FEE: "收费",
    GuideAspect.ELIGIBILITY: "条件",
    GuideAspect.ONLINE: "网上办",
    GuideAspect.WINDOW: "窗口",
}
_ASPECT_FIELDS = {
    GuideAspect.OVERVIEW: ("summary", "bundled", "departments"),
    GuideAspect.MATERIALS: ("materials",),
    GuideAspect.PROCESS: ("process",),
    GuideAspect.TIME_LIMIT: ("time_limit",),
    GuideAspect.FEE: ("fee",),
    GuideAspect.ELIGIBILITY: ("conditions",),
    GuideAspect.ONLINE: ("online",),
    GuideAspect.WINDOW: ("window",),
}
_INTENT_ASPECTS = {
    "ask_service_guide": GuideAspect.OVERVIEW,
    "ask_materials": GuideAspect.MATERIALS,
    "ask_process": GuideAspect.PROCESS,
    "ask_time_limit": GuideAspect.TIME_LIMIT,
    "ask_fee": GuideAspect.FEE,
    "ask_eligibility": GuideAspect.ELIGIBILITY,
    "ask_online": GuideAspect.ONLINE,
    "ask_window": GuideAspect.WINDOW,
}


class _Model(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False
        anystr_strip_whitespace = True
        min_anystr_length = 1
        max_anystr_length = MAX_TEXT_CHARS


class Situation(_Model):
    """A 个性指南 question whose answer decides which materials are needed."""

    key: Slug
    question: str
    options: dict[Slug, str]
    says: dict[Slug, Annotated[list[Phrase], Field(max_items=30)]] = Field(default_factory=dict)
    """What citizens say for an answer besides its label's own words (option key → words): 丢了 and
    坏了 for 补办或换卡. A typed reply to the question, or a materials question telling the situation
    before it is asked, is read with them (`bot.situations`); a word listed under two options
    answers neither, so each word belongs to one."""

    @validator("options")
    def _a_real_choice(cls, value: dict[str, str]) -> dict[str, str]:  # noqa: N805
        if len(value) < 2:
            raise ValueError("options 至少要有两个选项")
        return value

    @validator("says")
    def _says_for_options(cls, value: dict[str, list[str]], values: dict[str, Any]) -> dict[str, list[str]]:  # noqa: N805
        options = values.get("options") or {}
        unknown = [key for key in value if key not in options]
        if unknown:
            raise ValueError(f"says 中的“{'、'.join(unknown)}”不是本问题的选项（{'、'.join(options)}）")
        owners: dict[str, str] = {}
        for key, words in value.items():
            for word in words:
                if owners.setdefault(word, key) != key:
                    raise ValueError(f"说法“{word}”同时列在选项 {owners[word]} 和 {key} 下，只能属于一个选项")
        return value


class Material(_Model):
    """One material (申请材料) of an item."""

    name: str
    form: MaterialForm
    count: Annotated[int, Field(ge=1, le=99)]
    exempt: Exemption | None = None
    note: str | None = None
    when: dict[Slug, Slug] = Field(default_factory=dict)
    """Needed only when every listed situation has the given answer."""

    def applies(self, answers: dict[str, str]) -> bool:
        """Whether the material is needed for these answers; unanswered questions keep it in the list."""
        return all(answers.get(key, option) == option for key, option in self.when.items())


class TimeLimit(_Model):
    """法定时限 (legal) and 承诺时限 (promised time limit), as Chinese text."""

    legal: str
    promised: str


class Window(_Model):
    """The hall window (办理窗口) that handles the item."""

    number: Annotated[str, Field(regex=r"^[1-9][0-9]?$")]
    name: str
    floor: str

    @validator("number")
    def _in_hall(cls, value: str) -> str:  # noqa: N805
        if not 1 <= int(value) <= 20:
            raise ValueError("窗口号须在 1 到 20 之间")
        return value

    @property
    def label(self) -> str:
        """Human-readable location, e.g. ``二楼 8号窗口（社会事务综合窗口）``."""
        return f"{self.floor} {self.number}号窗口（{self.name}）"


class OnlineChannel(_Model):
    """网办渠道: where the item can be handled online, and how far."""

    channels: Annotated[list[str], Field(min_items=1)]
    full_online: StrictBool
    """全程网办."""
    instant_approval: StrictBool
    """秒批."""
    note: str | None = None


class ConsistencyError(ValueError):
    """Problems that involve several fields of one item, each with its path inside the item."""

    code = "catalogue_consistency"

    def __init__(self, problems: list[tuple[tuple[Any, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


class ServiceItem(_Model):
    """One "一件事一次办" item with its whole guide."""

    id: Slug
    name: Annotated[str, Field(regex=f"^\\S+{NAME_SUFFIX}$")]
    aliases: Annotated[list[Phrase], Field(min_items=6, max_items=15)]
    english_names: list[EnglishName] = Field(default_factory=list, max_items=12)
    """English names people use for the item (open a pharmacy, company registration): a message
    holding one, in any case and however its words are inflected ("opening a pharmacy"), names the
    item as an alias does (`bot.catalogue.english`). No two items share one."""
    everyday_terms: list[Phrase] = Field(default_factory=list, max_items=80)
    """What people say when they describe the item without naming it (群众常用说法): life events
    (闺女刚满月), situations (公司干不下去了), colloquial and dialect words (胡辣汤店), common
    typos (社报卡). Search and linking use them; unlike aliases they never name the item with
    certainty, so a message holding only one of them may still be answered with choices."""
    topics: list[Phrase] = Field(default_factory=list, max_items=8)
    """Broad subjects the item falls under (住房, 开店, 孩子), the most fitting first: a vague question
    naming one ("住房方面有啥政策") is answered with the items of that subject as choices, never a
    guess; when more items list it than are offered at once (`bot.catalogue.linking.CHOICES`), those
    listing it earliest come first (`bot.catalogue.search.SearchIndex.about_topic`)."""
    specialises: list[Slug] = Field(default_factory=list, max_items=4)
    """Ids of broader items this one is a particular case of (开办运输企业 of 开办企业, 开办餐饮店 of 开办企业
    and 个体工商户登记): a message holding this item's own words ("跑运输 想成立个公司") is about it,
    whatever the broader item's general words ("成立个公司") score, unless it names the broader item
    (`bot.catalogue.linking.particular_first`). Two items never specialise each other."""
    category: Category
    summary: str
    bundled: Annotated[list[str], Field(min_items=1)]
    """The single matters joined in this item."""
    departments: Annotated[list[str], Field(min_items=1)]
    conditions: Annotated[list[str], Field(min_items=1)]
    """办理条件."""
    situations: list[Situation] = Field(default_factory=list, max_items=2)
    materials: Annotated[list[Material], Field(min_items=1)]
    process: Annotated[list[str], Field(min_items=3, max_items=7)]
    time_limit: TimeLimit
    fee: str
    tips: list[str] = Field(default_factory=list)
    """办事提示: single facts people ask about (发票网上申领, 买卖双方到场, 上门评定)."""
    window: Window
    online: OnlineChannel
    assisted: StrictBool
    """帮办代办 offered."""
    appointment: StrictBool
    """预约办 offered."""
    hotline: Annotated[str, Field(regex=r"^(0\d{2,3}-\d{7,8}|1\d{4}|400-\d{3}-\d{4})$")]
    last_checked: dt.date

    @property
    def short_name(self) -> str:
        """The name without the "一件事" suffix, e.g. 开办企业."""
        return self.name[: -len(NAME_SUFFIX)]

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every way of naming the item: name, short name, aliases, and its other wordings.

        The other wordings are those people and the hall's own notices use too (`name_variants`).
        """
        named = (self.name, self.short_name, *self.aliases)
        return (*named, *(v for v in name_variants(self.short_name) if v not in named))

    def situation(self, key: str) -> Situation | None:
        """Return the 个性指南 question with this key, if any."""
        return next((s for s in self.situations if s.key == key), None)

    def materials_for(self, answers: dict[str, str]) -> list[Material]:
        """Materials needed for these 个性指南 answers (situation key → option key)."""
        return [material for material in self.materials if material.applies(answers)]

    def materials_to_bring(self, answers: dict[str, str]) -> list[Material]:
        """What to bring to the window: ``materials_for`` the answers, without the exempt ones.

        An exemption (免提交, 电子证照, 免证办…) means the paper is not brought; a situation not
        answered yet keeps its materials, as in the guide's own list.
        """
        return [material for material in self.materials_for(answers) if material.exempt is None]

    def materials_to_bring_if(self, answers: dict[str, str]) -> list[tuple[str, list[Material]]]:
        """The part of ``materials_to_bring`` that depends on questions not answered yet, by condition.

        Returns:
            (condition, materials) pairs in the order of the materials: the condition is the labels of
            the unanswered options a material needs, joined with "且" ("委托他人代办" → 授权委托书).
            The rest of ``materials_to_bring`` is needed whatever those questions are answered.

        """
        by_condition: dict[str, list[Material]] = {}
        for material in self.materials_to_bring(answers):
            labels = [
                situation.options[option]
                for key, option in material.when.items()
                if key not in answers and (situation := self.situation(key)) is not None
            ]
            if labels:
                by_condition.setdefault("且".join(labels), []).append(material)
        return list(by_condition.items())

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        problems = consistency_problems(values)
        if problems:
            raise ConsistencyError(problems)
        return values


def consistency_problems(values: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Check the rules that span fields of one item; return (path, message) pairs."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    name: str = values["name"]
    short = name[: -len(NAME_SUFFIX)]
    seen: set[str] = set()
    for index, alias in enumerate(values["aliases"]):
        if alias in (name, short):
            problems.append((("aliases", index), f"别名“{alias}”与事项名称重复，无需列为别名"))
        elif alias in seen:
            problems.append((("aliases", index), f"别名“{alias}”重复出现"))
        seen.add(alias)
    forms = {name, short, *values["aliases"]}
    terms: set[str] = set()
    for index, term in enumerate(values.get("everyday_terms") or []):
        if term in forms:
            problems.append((("everyday_terms", index), f"说法“{term}”已是事项名称或别名，无需重复列出"))
        elif term in terms:
            problems.append((("everyday_terms", index), f"说法“{term}”重复出现"))
        terms.add(term)
    situations = {s.key: s for s in values["situations"]}
    if len(situations) != len(values["situations"]):
        problems.append((("situations",), "situations 中有重复的 key"))
    for m_index, material in enumerate(values["materials"]):
        for key, option in material.when.items():
            path = ("materials", m_index, "when", key)
            if key not in situations:
                known = "、".join(situations) or "（本事项没有 situations）"
                problems.append((path, f"when 引用了不存在的情形 “{key}”，可用的有：{known}"))
            elif option not in situations[key].options:
                known = "、".join(situations[key].options)
                problems.append((path, f"情形 “{key}” 没有选项 “{option}”，可用的有：{known}"))
    return problems
