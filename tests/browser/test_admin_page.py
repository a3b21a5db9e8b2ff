"""The staff page in a real Chromium: sign in, publish an entry, and see the chat page answer it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.db import make_engine
from bot.staff import PasswordSignIn, StaffStore
from bot.unanswered import UnansweredStore
from tests.browser.conftest import ChatPage
from tests.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

PASSWORD = "Browser-Test-2026"
MARK = "雨衣测试条目"
QUESTION = "大厅能借雨衣吗"
PHONE = "13812345678"


def staff_with_password(stack: Stack, username: str) -> None:
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        StaffStore(engine).create(username=username, display_name="王小明", role="staff")
        PasswordSignIn(engine).set_password(username, PASSWORD)
    finally:
        engine.dispose()


def test_sign_in_publish_and_the_chat_answers(page: Page, stack: Stack, screenshots: Path) -> None:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_with_password(stack, "browser.staff")
    page.goto(stack.api + "/admin")
    page.fill("#login-username", "browser.staff")
    page.fill("#login-password", "wrong-password-1")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_contain_text("王小明")
    expect(page.locator("#faq-rows tr").first).to_be_visible()

    page.click("#faq-new")
    page.fill("#faq-title", "借用雨衣")
    page.fill("#faq-questions", f"{QUESTION}\n下雨了大厅有雨衣借吗")
    page.fill("#faq-answer", f"咨询台可免费借用雨衣，用后请归还。<b>不是HTML</b>（{MARK}）")
    page.click("#faq-save")
    published = time.monotonic()
    expect(page.locator("#notice")).to_contain_text("已发布新条目")
    row = page.locator("#faq-rows tr", has_text="借用雨衣")
    expect(row).to_be_visible()
    expect(row.locator("td.answer")).to_contain_text("<b>不是HTML</b>")  # shown as text, not markup
    page.screenshot(path=str(screenshots / "admin_faq.png"))

    # a clash is refused with the other entry named
    page.click("#faq-new")
    page.fill("#faq-questions", QUESTION)
    page.fill("#faq-answer", "重复的问法")
    page.click("#faq-save")
    expect(page.locator("#faq-error")).to_contain_text("借用雨衣")

    chat_page = page.context.new_page()
    chat = ChatPage(chat_page)
    chat_page.goto(stack.api + "/")
    chat.wait_for_greeting()
    while True:
        reply = chat.ask(QUESTION)
        if MARK in reply:
            break
        assert time.monotonic() - published < 60, reply
        chat_page.wait_for_timeout(2500)  # the chat allows 30 messages a minute
    print(f"\npublish-to-live in the browser: {time.monotonic() - published:.1f} s")
    assert not chat.errors and not errors

    page.click("button[data-tab='audit']")
    expect(page.locator("#audit-rows tr").first).to_contain_text("新增")
    # a question 高小新 could not answer becomes a new entry: one click, the answer, one click
    engine = make_engine(stack.env["DATABASE_URL"])
    try:
        UnansweredStore(engine).record(f"大厅有没有自动售货机，我手机号{PHONE}")
    finally:
        engine.dispose()
    page.click("button[data-tab='unanswered']")
    row = page.locator("#unanswered-rows tr", has_text="自动售货机")
    expect(row).to_contain_text("138****5678")
    assert PHONE not in page.content()
    page.screenshot(path=str(screenshots / "admin_unanswered.png"))
    row.locator("button", has_text="转为新条目").click()
    row.locator("textarea.to-faq-answer").fill("大厅一楼东侧有自动售货机。")
    row.locator("button", has_text="发布").click()
    expect(page.locator("#notice")).to_contain_text("已发布新条目")
    expect(page.locator("#unanswered-rows")).not_to_contain_text("自动售货机")
