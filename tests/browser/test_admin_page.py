"""The staff page in a real Chromium: FAQ, guides, tickets and ratings, each seen from the chat page too."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.catalogue.edits import hall_today
from bot.db import make_engine
from bot.staff import PasswordSignIn, StaffStore
from bot.unanswered import UnansweredReason, UnansweredStore
from tests.browser.conftest import ChatPage, axe_violations
from tests.conftest import Stack

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

PASSWORD = "Browser-Test-2026"
MARK = "雨衣测试条目"
QUESTION = "大厅能借雨衣吗"
PHONE = "13867905678"


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
        UnansweredStore(engine).record("车停哪儿不要钱", best_match="parking", reason=UnansweredReason.UNSURE)
    finally:
        engine.dispose()
    page.click("button[data-tab='unanswered']")
    row = page.locator("#unanswered-rows tr", has_text="自动售货机")
    expect(row).to_contain_text("138****5678")
    expect(row).to_contain_text("未能回答")
    unsure = page.locator("#unanswered-rows tr", has_text="车停哪儿不要钱")
    expect(unsure).to_contain_text("已回答，但把握不大（答的是「")
    assert PHONE not in page.content()
    page.screenshot(path=str(screenshots / "admin_unanswered.png"))
    row.locator("button", has_text="转为新条目").click()
    row.locator("textarea.to-faq-answer").fill("大厅一楼东侧有自动售货机。")
    row.locator("button", has_text="发布").click()
    expect(page.locator("#notice")).to_contain_text("已发布新条目")
    expect(page.locator("#unanswered-rows")).not_to_contain_text("自动售货机")


GUIDE_ITEM, GUIDE_ITEM_ID = "开办餐饮店一件事", "restaurant"
GUIDE_FEE_MARK = "浏览器收费测试"
GUIDE_QUESTION = f"{GUIDE_ITEM}收费吗"


def test_staff_edit_a_guide_field_and_the_chat_shows_it(page: Page, stack: Stack, screenshots: Path) -> None:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_with_password(stack, "browser.guide")
    page.goto(stack.api + "/admin")
    page.fill("#login-username", "browser.guide")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_contain_text("王小明")

    page.click("button[data-tab='services']")
    row = page.locator("#services-rows tr", has_text=GUIDE_ITEM)
    expect(row).to_be_visible()
    old_fee = row.locator("td.answer").inner_text().strip()
    row.locator("button", has_text="编辑").click()
    expect(page.locator("#service-editor-title")).to_contain_text(GUIDE_ITEM)
    expect(page.locator("#service-fee")).to_have_value(old_fee)
    assert axe_violations(page) == []  # every field of the editor has its label

    # a bad value is refused with the reason, and nothing is published
    page.fill("#service-window-number", "99")
    page.click("#service-save")
    expect(page.locator("#service-error")).to_contain_text("窗口号")
    page.locator("#service-editor").screenshot(path=str(screenshots / "admin_guide_refused.png"))

    new_fee = f"按标准收取工本费10元（{GUIDE_FEE_MARK}）<b>不是HTML</b>"
    page.click("#service-cancel")
    row.locator("button", has_text="编辑").click()
    page.fill("#service-fee", new_fee)
    page.click("#service-save")
    published = time.monotonic()
    expect(page.locator("#notice")).to_contain_text("已保存并发布")
    expect(row).to_contain_text("已修改")
    expect(row.locator("td.answer")).to_contain_text("<b>不是HTML</b>")  # shown as text, not markup
    page.screenshot(path=str(screenshots / "admin_guide.png"))

    chat_page = page.context.new_page()
    chat = ChatPage(chat_page)
    chat_page.goto(stack.api + "/")
    chat.wait_for_greeting()
    try:
        while True:
            reply = chat.ask(GUIDE_QUESTION)
            if GUIDE_FEE_MARK in reply:
                break
            assert time.monotonic() - published < 60, reply
            chat_page.wait_for_timeout(2500)  # the chat allows 30 messages a minute
        print(f"\nguide edit publish-to-live in the browser: {time.monotonic() - published:.1f} s")
        assert "<b>不是HTML</b>" in reply  # the citizen sees the text as written, not markup
        assert f"指南核对日期：{hall_today().isoformat()}" in reply, reply
        chat_page.screenshot(path=str(screenshots / "chat_guide_edited.png"))

        page.click("button[data-tab='audit']")
        expect(page.locator("#audit-rows tr").first).to_contain_text("办事指南")
        expect(page.locator("#audit-rows tr").first).to_contain_text("收费")
    finally:
        # back to the file, so that the other tests on this stack see the seed
        page.click("button[data-tab='services']")
        row.locator("button", has_text="编辑").click()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#service-revert")
        expect(page.locator("#notice")).to_contain_text("已恢复为指南文件内容")
    expect(row.locator("td.answer")).to_have_text(old_fee)
    reverted = time.monotonic()
    while GUIDE_FEE_MARK in chat.ask(GUIDE_QUESTION):
        assert time.monotonic() - reverted < 60
        chat_page.wait_for_timeout(2500)
    assert not chat.errors and not errors


def test_staff_answer_a_ticket_and_read_the_ratings_on_the_page(
    page: Page, stack: Stack, screenshots: Path
) -> None:
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # a citizen rates a guide answer, then asks for a person
    chat_page = page.context.new_page()
    chat = ChatPage(chat_page)
    chat_page.goto(stack.api + "/")
    chat.wait_for_greeting()
    assert "退休一件事" in chat.ask("办退休需要多长时间")
    rating = chat_page.locator(".rating.open")
    rating.get_by_role("button", name="满意", exact=True).click()
    expect(chat_page.locator(".rating .done")).to_be_visible()
    reply = chat.ask(f"转人工，我的电话是{PHONE}")
    found = re.search(r"工单号\s*(RG[A-Z0-9]+)", reply)
    assert found, reply
    number = found.group(1)

    staff_with_password(stack, "browser.tickets")
    page.goto(stack.api + "/admin")
    page.fill("#login-username", "browser.tickets")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_contain_text("王小明")
    page.click("button[data-tab='tickets']")
    row = page.locator(f"#tickets-rows tr[data-number='{number}']")
    expect(row).to_contain_text("待处理")
    expect(row).to_contain_text("转人工")
    expect(row).to_contain_text("138****5678")  # the transcript is masked
    assert PHONE not in page.content()

    row.get_by_role("button", name="接单").click()
    expect(page.locator("#notice")).to_contain_text("已接单")
    expect(row).to_contain_text("处理中")
    row.get_by_role("button", name="答复").click()
    row.locator("textarea.ticket-answer").fill("请携带身份证到3号窗口，工作人员为您办理。<b>不是HTML</b>")
    row.get_by_role("button", name="发送答复").click()
    expect(page.locator("#notice")).to_contain_text("已答复")
    expect(row).to_contain_text("已答复")
    expect(row.locator(".staff-answer")).to_contain_text("<b>不是HTML</b>")
    page.screenshot(path=str(screenshots / "admin_tickets.png"))
    assert axe_violations(page) == []
    # the answer appears in the citizen's chat
    staff_bubble = chat_page.locator(".row.staff .bubble").last
    expect(staff_bubble).to_contain_text("请携带身份证到3号窗口", timeout=60_000)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="关闭").click()
    expect(row).to_contain_text("已关闭")
    expect(row.get_by_role("button", name="答复")).to_have_count(0)

    page.click("button[data-tab='ratings']")
    expect(page.locator("#ratings-head")).to_contain_text("非常满意")
    retirement = page.locator("#ratings-rows tr", has_text="退休一件事").first
    expect(retirement).to_be_visible()
    head = [t.strip() for t in page.locator("#ratings-head th").all_inner_texts()]
    cells = [t.strip() for t in retirement.locator("td").all_inner_texts()]
    assert int(cells[head.index("满意")]) >= 1 and int(cells[head.index("评价数")]) >= 1
    expect(page.locator("#ratings-total")).to_contain_text("条评价")
    page.screenshot(path=str(screenshots / "admin_ratings.png"))
    assert not errors and not chat.errors
