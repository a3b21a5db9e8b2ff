"""The chat page and the widget in a real Chromium, against the whole running stack."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TURN_TIMEOUT_MS, ChatPage, HostPages
from tests.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration]

BOGUS_SENDER = "expired-session-0000000000000000"


def open_chat(page: Page, stack: Stack) -> ChatPage:
    chat = ChatPage(page)
    page.goto(stack.api + "/")
    chat.wait_for_greeting()
    return chat


def platform_fonts(page: Page, selector: str) -> List[Dict[str, object]]:
    """The fonts Chromium really used to draw the text of the first element matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_greeting_buttons_typed_question_and_checklist(page: Page, stack: Stack, screenshots: Path) -> None:
    chat = open_chat(page, stack)
    suggestions = chat.bot_bubbles().first.locator(".buttons button")
    assert suggestions.count() >= 3

    hours = chat.click("大厅几点上班")
    assert "09:00" in hours
    expect(chat.root.locator(".row.me .bubble").last).to_have_text("大厅几点上班")

    reply = chat.ask("开公司要带什么材料")
    expect(chat.root.locator(".row.me .bubble").last).to_have_text("开公司要带什么材料")
    questions = 0
    while "□" not in reply and questions < 4:  # 个性指南: answer each question with its first option
        options = chat.bot_bubbles().last.locator(".buttons button")
        assert options.count() >= 2, f"neither a checklist nor a question: {reply}"
        questions += 1
        reply = chat.turn(options.first.click)
    assert "开办企业一件事" in reply
    assert reply.count("□") >= 3
    assert "指南核对日期" in reply  # the guide's date, taken from the card payload
    # every reply bubble carries something to read: no empty bubbles from payload-only messages
    assert all(text.strip() for text in chat.bot_bubbles().all_inner_texts())

    page.screenshot(path=str(screenshots / "chat.png"))
    fonts = platform_fonts(page, ".row.bot .bubble")
    families = {str(font["familyName"]) for font in fonts}
    assert any("CJK" in family for family in families), f"Chinese is drawn with {families}"
    assert page.evaluate("""() => document.fonts.check('16px "Noto Sans CJK SC"', '高小新')""")
    assert chat.errors == []


def test_widget_on_a_host_page(page: Page, stack: Stack, host_pages: HostPages) -> None:
    host_html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>郑好办 · 高新分厅</title></head>"
        "<body><h1>高新分厅</h1><p>欢迎使用郑好办。</p>"
        f'<script src="{stack.api}/widget.js" async></script></body></html>'
    )
    address = host_pages.add("/fenting.html", host_html)
    assert address.split("/")[2] != stack.api.split("/")[2]  # the widget lives on another site
    sessions: List[str] = []
    page.on("request", lambda req: sessions.append(req.url) if "/api/session" in req.url else None)
    page.goto(address)

    button = page.locator("#gxx-widget-button")
    expect(button).to_be_visible()
    expect(button).to_have_text("问高小新")
    expect(page.locator("#gxx-widget-frame")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    assert sessions == [], "the widget started a chat before anyone opened it"

    button.click()
    expect(page.locator("#gxx-widget-frame")).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    chat = ChatPage(page, page.frame_locator("#gxx-widget-frame"))
    assert "高小新" in chat.wait_for_greeting()
    expect(chat.root.locator("body")).to_have_class("embed")
    assert "09:00" in chat.ask("大厅几点上班")
    assert len(sessions) == 1

    button.click()
    expect(page.locator("#gxx-widget-frame")).to_be_hidden()
    expect(button).to_have_text("问高小新")
    button.click()  # reopening keeps the conversation
    expect(chat.bot_bubbles().filter(has_text="09:00")).to_have_count(1)
    assert chat.errors == []


def test_mobile_viewport(browser: Browser, stack: Stack, screenshots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(TURN_TIMEOUT_MS)
    try:
        page = context.new_page()
        chat = open_chat(page, stack)
        for control in (chat.input, chat.send_button):
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375
            assert box["y"] >= 0 and box["y"] + box["height"] <= 667
            assert box["height"] >= 32, "too small to tap"

        chat.input.tap()
        chat.input.fill("政务服务中心在哪里")
        assert "地址" in chat.turn(chat.send_button.tap)
        reply = chat.ask("开公司要带什么材料")  # a long reply with many buttons
        assert reply
        page.screenshot(path=str(screenshots / "chat-mobile.png"))

        widths = page.evaluate(
            """() => ({doc: document.documentElement.scrollWidth, inner: innerWidth,
                      log: document.getElementById('log').scrollWidth,
                      logClient: document.getElementById('log').clientWidth})"""
        )
        assert widths["doc"] <= widths["inner"], widths
        assert widths["log"] <= widths["logClient"], widths
        assert chat.errors == []
    finally:
        context.close()


def test_input_limit_and_expired_session(page: Page, stack: Stack) -> None:
    chat = open_chat(page, stack)
    chat.input.click()
    page.keyboard.insert_text("请问开办企业需要哪些材料" * 50)  # 600 characters
    assert chat.input.input_value() == ("请问开办企业需要哪些材料" * 50)[:500]
    reply = chat.turn(lambda: chat.input.press("Enter"))
    assert reply
    assert len(chat.root.locator(".row.me .bubble").last.inner_text()) == 500

    chat_statuses: List[int] = []
    history_statuses: List[int] = []
    page.on("response", lambda r: chat_statuses.append(r.status) if r.url.endswith("/api/chat") else None)
    page.on(
        "response", lambda r: history_statuses.append(r.status) if r.url.endswith("/api/history") else None
    )

    # a session the api never issued (or one that expired), found in storage when the page loads:
    # its history is refused, and the page starts a new conversation without an error
    page.evaluate(f"() => localStorage.setItem('gxx.sender', '{BOGUS_SENDER}')")
    page.reload()
    chat.wait_for_greeting()
    assert chat.notices()[1:] == []
    assert 403 in history_statuses
    renewed = page.evaluate("() => localStorage.getItem('gxx.sender')")
    assert renewed and renewed != BOGUS_SENDER

    # the session expires in the middle of a conversation: the typed message is still answered
    chat_statuses.clear()
    page.evaluate(f"() => localStorage.setItem('gxx.sender', '{BOGUS_SENDER}')")
    assert "09:00" in chat.ask("大厅几点上班")
    assert chat_statuses[0] == 403 and chat_statuses[-1] == 200
    assert page.evaluate("() => localStorage.getItem('gxx.sender')") not in (None, BOGUS_SENDER)
    # the refused requests are the only console errors
    assert [error for error in chat.errors if "status of 403" not in error] == []


def test_network_failure_is_explained_in_chinese(page: Page, stack: Stack) -> None:
    chat = open_chat(page, stack)
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    chat.input.fill("大厅几点上班")
    chat.input.press("Enter")
    notice = chat.root.locator(".notice").last
    expect(notice).to_have_text("网络开小差了，请稍后再试。")
    chat.wait_idle()
    expect(chat.send_button).to_be_enabled()
    # the message stays: marked as not sent, with a retry button, and back in the input box
    failed = chat.root.locator(".row.me.failed")
    expect(failed).to_have_count(1)
    expect(failed.locator("button", has_text="重新发送")).to_be_visible()
    expect(chat.input).to_have_value("大厅几点上班")

    page.unroute("**/api/chat")
    assert "09:00" in chat.turn(failed.locator("button", has_text="重新发送").click)
    expect(chat.root.locator(".row.me.failed")).to_have_count(0)
    expect(chat.root.locator(".row.me .bubble", has_text="大厅几点上班")).to_have_count(1)
