"""Renders the 办事指南 of a catalogue item for one aspect (材料、流程、时限、收费、条件、网办、窗口).

Pure domain logic: it returns text for the citizen, a structured card for the web widget and
the follow-up buttons; the Rasa action only passes them on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.catalogue import Catalogue, ServiceItem, materials_for
from bot.hall import HallInfo

# aspect -> (intent that asks for it, Chinese label)
ASPECTS: Dict[str, tuple[str, str]] = {
    "overview": ("ask_service_guide", "概览"),
    "materials": ("ask_materials", "材料"),
    "process": ("ask_process", "流程"),
    "time_limit": ("ask_time_limit", "时限"),
    "fee": ("ask_fee", "收费"),
    "eligibility": ("ask_eligibility", "条件"),
    "online": ("ask_online", "网上办"),
    "window": ("ask_window", "窗口"),
}
INTENT_TO_ASPECT = {intent: aspect for aspect, (intent, _) in ASPECTS.items()}
GUIDE_INTENTS = frozenset(INTENT_TO_ASPECT)
BACK_REFERENCES = ("这个", "那个", "它", "这件事", "这事", "刚才", "上面", "该事项")


@dataclass
class GuideReply:
    """What 高小新 says: text, buttons and a card for the widget."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    custom: Optional[Dict[str, Any]] = None


def payload(intent: str, **entities: str) -> str:
    """A button payload that Rasa reads as an intent with entities."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


def aspect_buttons(item: ServiceItem, skip: str) -> List[Dict[str, str]]:
    """Buttons for the other aspects of the same item, and booking when the item offers it."""
    buttons = [
        {"title": label, "payload": payload(intent, service=item.name)}
        for aspect, (intent, label) in ASPECTS.items()
        if aspect not in (skip, "overview")
    ]
    if item.appointment:
        buttons.append({"title": "预约", "payload": payload("book_appointment", service=item.name)})
    return buttons


def _material_line(material: Any) -> str:
    line = f"{material.name}（{material.form}{material.count}份）"
    exempt = str(material.exempt) if getattr(material, "exempt", None) else ""
    if exempt == "免提交":
        line += "【免提交】"
    elif exempt == "电子证照":
        line += "【可调取电子证照，免交纸质件】"
    elif exempt:
        line += f"【{exempt}，无需携带】"
    if getattr(material, "note", None):
        line += f"：{material.note}"
    return line


def pending_situation(item: ServiceItem, answers: Mapping[str, str]) -> Optional[Any]:
    """The first 个性指南 question whose answer decides the materials and is not known yet."""
    for situation in item.situations or []:
        if situation.key not in answers:
            return situation
    return None


def situation_buttons(item: ServiceItem, situation: Any, intent: str) -> List[Dict[str, str]]:
    """One button per option of a 个性指南 question."""
    return [
        {"title": label, "payload": payload(intent, service=item.name, situation=f"{situation.key}={option}")}
        for option, label in situation.options.items()
    ]


def render(
    item: ServiceItem, aspect: str, hall: HallInfo, answers: Mapping[str, str] | None = None
) -> GuideReply:
    """The reply for one aspect of an item; for materials it may first ask a 个性指南 question."""
    answers = dict(answers or {})
    label = ASPECTS[aspect][1]
    sections: List[Dict[str, Any]] = []
    lines: List[str]
    if aspect == "overview":
        lines = [
            f"【{item.name}】{item.summary}",
            f"一次办好：{'、'.join(item.bundled)}。",
            f"联办部门：{'、'.join(item.departments)}。",
            "您想了解哪方面？",
        ]
        sections.append({"title": "包含事项", "items": list(item.bundled)})
    elif aspect == "materials":
        situation = pending_situation(item, answers)
        if situation is not None:
            return GuideReply(
                text=f"为了只列出办理{item.name}您需要带的材料，请先告诉我：{situation.question}",
                buttons=situation_buttons(item, situation, "ask_materials"),
                custom={
                    "type": "guide_question",
                    "item_id": item.id,
                    "aspect": aspect,
                    "question": situation.key,
                },
            )
        chosen = materials_for(item, answers)
        checklist = [_material_line(m) for m in chosen]
        known = [s.options[answers[s.key]] for s in item.situations or [] if answers.get(s.key) in s.options]
        intro = f"办理{item.name}" + (f"（{'、'.join(known)}）" if known else "") + "需要准备以下材料："
        exempt = [m.name for m in chosen if getattr(m, "exempt", None)]
        lines = [intro, *(f"□ {line}" for line in checklist)]
        if exempt:
            lines.append(
                f"其中{'、'.join(exempt)}可通过免证办/电子证照调取，做到“免证明办理、免证件服务、免复印提交”。"
            )
        sections.append({"title": "材料清单", "items": checklist, "checklist": True})
    elif aspect == "process":
        steps = [f"{i}. {step}" for i, step in enumerate(item.process, start=1)]
        lines = [f"{item.name}的办理流程：", *steps]
        sections.append({"title": "办理流程", "items": list(item.process)})
    elif aspect == "time_limit":
        lines = [
            f"{item.name}的法定办结时限为{item.time_limit.legal}，我们承诺{item.time_limit.promised}办结。"
        ]
        sections.append(
            {
                "title": "办理时限",
                "items": [f"法定时限：{item.time_limit.legal}", f"承诺时限：{item.time_limit.promised}"],
            }
        )
    elif aspect == "fee":
        lines = [f"{item.name}的收费标准：{item.fee}。"]
        sections.append({"title": "收费", "items": [item.fee]})
    elif aspect == "eligibility":
        lines = [f"办理{item.name}需要符合以下条件：", *(f"· {c}" for c in item.conditions)]
        sections.append({"title": "办理条件", "items": list(item.conditions)})
    elif aspect == "online":
        online = item.online
        mode = (
            "支持全程网办，足不出户即可办理" if online.full_online else "可在网上申报，部分环节需到窗口办理"
        )
        if online.instant_approval:
            mode += "，符合条件的可“秒批”"
        lines = [f"{item.name}{mode}。办理渠道：{'、'.join(online.channels)}。"]
        if online.note:
            lines.append(online.note)
        sections.append({"title": "网办渠道", "items": list(online.channels)})
    else:  # window
        window = item.window
        floor = f"{window.floor}" if getattr(window, "floor", None) else ""
        lines = [
            f"{item.name}在{hall.name}{floor}{window.number}号窗口（{window.name}）办理。",
            f"大厅地址：{hall.address}",
            f"办公时间：{hall.hours_text()}。",
        ]
        if item.assisted:
            lines.append("如需帮办代办，可到大厅服务台找帮办代办专员。")
        sections.append(
            {"title": "办理窗口", "items": [f"{window.number}号窗口 {window.name}", hall.address]}
        )
    lines.append(f"咨询电话：{item.hotline}。（以上为样例指南，请以窗口工作人员答复为准）")
    return GuideReply(
        text="\n".join(lines),
        buttons=aspect_buttons(item, skip=aspect),
        custom={
            "type": "guide",
            "item_id": item.id,
            "item": item.name,
            "aspect": aspect,
            "label": label,
            "sections": sections,
            "last_checked": str(item.last_checked),
        },
    )


def did_you_mean(candidates: Sequence[ServiceItem], intent: str) -> GuideReply:
    """Ask which of a few close items the citizen means."""
    return GuideReply(
        text="您是想办理以下哪个事项？请点击选择：",
        buttons=[{"title": item.name, "payload": payload(intent, service=item.name)} for item in candidates],
    )


def ask_which_item(catalogue: Catalogue, hall: HallInfo, intent: str) -> GuideReply:
    """Nothing matched: offer the popular items staff listed and the hall's consultation number."""
    items = [item for item in (catalogue.get(name) for name in hall.popular_items) if item is not None]
    return GuideReply(
        text=(
            "抱歉，暂时没有找到与您描述相符的事项。您可以说得具体一些（比如“开公司”“宝宝出生上户口”），"
            f"或者从下面选择；也可以拨打大厅咨询电话{hall.consultation_phone}。"
        ),
        buttons=[{"title": item.name, "payload": payload(intent, service=item.name)} for item in items],
    )


def parse_situation(value: Optional[str]) -> Optional[tuple[str, str]]:
    """Read a ``key=option`` situation answer sent by a button."""
    if not value or "=" not in value:
        return None
    key, option = value.split("=", 1)
    return key.strip(), option.strip()
