/* 高小新 chat page (full page, and inside the widget's frame). Plain JavaScript, no build step.
 * Every text from the bot or the citizen is drawn with textContent, never as HTML; links come only
 * from structured payloads and only with http(s) addresses. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var hash = new URLSearchParams(location.hash.slice(1));
  var embed = params.get("embed") === "1";
  var channel = embed ? "widget" : "web";
  var openItem = (params.get("item") || "").trim().slice(0, 40);
  var OFFLINE = "网络开小差了，请稍后再试。";
  var LEVELS = [[5, "非常满意"], [4, "满意"], [3, "基本满意"], [2, "不满意"], [1, "非常不满意"]];
  var POLL_MS = 15000;

  var log = document.getElementById("log");
  var input = document.getElementById("input");
  var send = document.getElementById("send");
  var status = document.getElementById("status");
  var elderlyButton = document.getElementById("elderly");
  var humanButton = document.getElementById("human");
  if (embed) document.body.classList.add("embed");

  // A frame on another site (the widget) may be denied localStorage: keep things in memory then.
  var memory = {};
  var store = {
    get: function (key) { try { return localStorage.getItem(key); } catch (e) { return memory[key] || null; } },
    set: function (key, value) { try { localStorage.setItem(key, value); } catch (e) { memory[key] = value; } },
    remove: function (key) { try { localStorage.removeItem(key); } catch (e) { delete memory[key]; } }
  };

  // ---- options passed by the widget: title, colour, elderly default, signed host user ----
  var title = (params.get("title") || "").trim().slice(0, 20);
  if (title) { document.getElementById("title").textContent = title; document.title = title; }
  function luminance(hex) {
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  var color = params.get("color") || "";
  if (/^#[0-9a-fA-F]{6}$/.test(color)) {
    // the colour is used only where it keeps 4.5:1 against white (buttons, borders) or black (header text)
    var lum = luminance(color);
    if (1.05 / (lum + 0.05) >= 4.5) {
      document.documentElement.style.setProperty("--brand", color);
      document.documentElement.style.setProperty("--brand-text", "#ffffff");
    }
  }
  var signed = null;
  if (hash.get("user") && hash.get("sig")) {
    signed = { user: hash.get("user"), expires: parseInt(hash.get("exp") || "0", 10), signature: hash.get("sig") };
    try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* ignore */ }
  }
  var KEY = "gxx.sender" + (signed ? "." + signed.user : "");

  // ---- 长辈模式 (适老化): one tap, remembered ----
  var canSpeak = "speechSynthesis" in window && typeof SpeechSynthesisUtterance === "function";
  function setElderly(on, remember) {
    document.body.classList.toggle("elderly", on);
    elderlyButton.setAttribute("aria-pressed", on ? "true" : "false");
    elderlyButton.textContent = on ? "长辈模式已开" : "长辈模式";
    if (remember) store.set("gxx.elderly", on ? "1" : "0");
  }
  var savedElderly = store.get("gxx.elderly");
  setElderly(savedElderly ? savedElderly === "1" : params.get("elderly") === "1", false);
  elderlyButton.addEventListener("click", function () {
    var on = !document.body.classList.contains("elderly");
    setElderly(on, true);
    announce(on ? "已开启长辈模式：大字、高对比，可点击“朗读”听回复" : "已关闭长辈模式");
  });

  // ---- drawing ----
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function announce(text) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 30); }
  function notice(text) { log.appendChild(el("div", "notice", text)); scroll(); }
  function safeUrl(url) {
    try { var u = new URL(url); return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null; }
    catch (e) { return null; }
  }

  function speakButton(text) {
    if (!canSpeak || !text) return null;
    var b = el("button", "speak", "朗读");
    b.type = "button";
    b.setAttribute("aria-label", "朗读这条回复");
    b.addEventListener("click", function () {
      window.speechSynthesis.cancel();
      var u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN"; u.rate = 0.9;
      window.speechSynthesis.speak(u);
    });
    return b;
  }

  function renderSections(custom, bubble) {
    if (!custom.sections) return;
    var card = el("div", "card");
    custom.sections.forEach(function (section) {
      if (section.title) card.appendChild(el("strong", "", section.title));
      var list = el("ul");
      (section.items || []).forEach(function (item) { list.appendChild(el("li", "", item)); });
      card.appendChild(list);
    });
    bubble.appendChild(card);
  }

  function renderBooking(custom, bubble) {
    var card = el("div", "card booking");
    card.appendChild(el("div", "", "预约号"));
    card.appendChild(el("div", "code", custom.code || ""));
    if (typeof custom.qr === "string" && custom.qr.indexOf("data:image/svg+xml") === 0) {
      var img = el("img", "qr");
      img.src = custom.qr;
      img.alt = "预约号" + (custom.code || "") + "的二维码，到窗口出示即可";
      card.appendChild(img);
    }
    var when = [custom.date, custom.start && custom.end ? custom.start + "-" + custom.end : ""].join(" ").trim();
    if (when) card.appendChild(el("div", "", "时间：" + when));
    if (custom.window) card.appendChild(el("div", "", "窗口：" + custom.window + "号窗口"));
    if (custom.status) card.appendChild(el("div", "", "状态：" + custom.status));
    bubble.appendChild(card);
  }

  function renderLinks(custom, bubble) {
    if (!Array.isArray(custom.links)) return;
    var box = null;
    custom.links.forEach(function (link) {
      var url = link && safeUrl(link.url);
      if (!url || typeof link.title !== "string") return;
      if (!box) { box = el("div", "card links"); bubble.appendChild(box); }
      var a = el("a", "", link.title);
      a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      box.appendChild(a); box.appendChild(document.createTextNode(" "));
    });
  }

  function addMeta(custom, bubble) {
    var parts = [];
    if (custom.type === "faq" && custom.source) parts.push("来源：" + custom.source);
    if (custom.last_checked) parts.push((custom.type === "faq" ? "核对日期：" : "指南核对日期：") + custom.last_checked);
    if (parts.length) bubble.insertBefore(el("div", "meta", parts.join(" · ")), bubble.querySelector(".buttons"));
  }

  function addButtons(buttons, bubble) {
    if (!buttons || !buttons.length) return;
    var box = el("div", "buttons");
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var button = el("button", "", b.title);
      button.type = "button";
      button.addEventListener("click", function () { say(String(b.payload || b.title), b.title); });
      box.appendChild(button);
    });
    bubble.appendChild(box);
  }

  function renderCustom(custom, bubble, withCard) {
    if (custom.type === "booking") renderBooking(custom, bubble);
    else if (custom.type === "handoff" && custom.ticket) {
      var t = el("div", "card");
      t.appendChild(el("div", "", "工单号"));
      t.appendChild(el("div", "code", custom.ticket));
      bubble.appendChild(t);
    } else if (withCard) renderSections(custom, bubble);
    renderLinks(custom, bubble);
    addMeta(custom, bubble);
  }

  // withCard: the turn had no text, so a payload's sections are the only thing to read
  function addBot(message, withCard, role) {
    var row = el("div", "row " + (role === "staff" ? "bot staff" : "bot"));
    var custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    if (role === "staff") row.appendChild(el("div", "who", "人工客服" + (custom && custom.ticket ? "（工单" + custom.ticket + "）" : "")));
    var bubble = el("div", "bubble", message.text || "");
    addButtons(message.buttons, bubble);
    if (custom && role !== "staff") renderCustom(custom, bubble, withCard);
    row.appendChild(bubble);
    var speak = speakButton(message.text);
    if (speak) row.appendChild(speak);
    log.appendChild(row);
    scroll();
    return bubble;
  }

  function addMe(text) {
    var row = el("div", "row me");
    row.appendChild(el("div", "bubble", text));
    log.appendChild(row);
    scroll();
    return row;
  }

  // Rasa sends a payload as its own message after the text it belongs to: it is drawn inside the
  // bubble before it (the QR code of a booking, a ticket number, the date a guide was checked). A
  // reply's text already carries what the payload's sections say, so sections are drawn as a card
  // only when the turn has no text at all.
  function addTurn(replies, live) {
    var hasText = replies.some(function (m) { return m.text; });
    var rateFor = null;
    var lastBubble = null;
    replies.forEach(function (message) {
      var custom = message.custom && typeof message.custom === "object" ? message.custom : {};
      if (message.text || (message.buttons && message.buttons.length)) lastBubble = addBot(message, !hasText);
      else if (lastBubble && message.custom) renderCustom(custom, lastBubble, false);
      else if (!hasText && (custom.sections || custom.type === "booking")) lastBubble = addBot(message, true);
      if (["guide", "faq", "booking"].indexOf(custom.type) >= 0) rateFor = custom;
      if (custom.type === "rating_prompt") rateFor = { type: "general", title: "高小新在线服务", id: String(Date.now()) };
      if (custom.ticket && custom.type === "handoff") startPolling();
    });
    if (live && rateFor) offerRating(rateFor);  // the log is a live region: new replies are read out
  }

  // ---- 好差评: after a finished matter, once per matter ----
  function ratingContext(custom) {
    if (custom.type === "booking") return custom.status === "已预约" || !custom.status ? "booking:" + custom.code : null;
    if (custom.type === "faq") return "faq:" + custom.id;
    if (custom.type === "general") return "general:" + custom.id;
    return "guide:" + (custom.item_id || custom.item || "");
  }
  function offerRating(custom) {
    var context = ratingContext(custom);
    if (!context) return;
    var rated = (store.get("gxx.rated") || "").split("|");
    if (rated.indexOf(context) >= 0) return;
    Array.prototype.forEach.call(log.querySelectorAll(".rating.open"), function (old) { old.remove(); });
    var box = el("div", "rating open");
    box.setAttribute("role", "group");
    var prompt = el("p", "", "本次服务您满意吗？请为“" + (custom.item || custom.title || "本次咨询") + "”评价（政务服务好差评）");
    prompt.id = "rate-" + Date.now();
    box.setAttribute("aria-labelledby", prompt.id);
    box.appendChild(prompt);
    var levels = el("div", "levels");
    LEVELS.forEach(function (pair) {
      var b = el("button", "", pair[1]);
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        Array.prototype.forEach.call(levels.children, function (x) { x.setAttribute("aria-pressed", "false"); });
        b.setAttribute("aria-pressed", "true");
        if (pair[0] <= 2) askWhy(box, pair, custom, context);
        else submitRating(box, pair, custom, context, "");
      });
      levels.appendChild(b);
    });
    box.appendChild(levels);
    log.appendChild(box);
    scroll();
  }
  function askWhy(box, pair, custom, context) {
    var old = box.querySelector("form");
    if (old) old.remove();
    var form = el("form");
    var id = "why-" + Date.now();
    var label = el("label", "", "很抱歉让您" + pair[1] + "，请告诉我们哪里做得不好，工作人员会跟进处理：");
    label.htmlFor = id;
    var area = el("textarea");
    area.id = id; area.maxLength = 500; area.required = true;
    var submit = el("button", "", "提交评价");
    submit.type = "submit";
    form.appendChild(label); form.appendChild(area); form.appendChild(submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!area.value.trim()) { area.focus(); return; }
      submitRating(box, pair, custom, context, area.value.trim());
    });
    box.appendChild(form);
    area.focus();
  }
  async function submitRating(box, pair, custom, context, comment) {
    var id = await sender().catch(function () { return null; });
    if (!id) { notice(OFFLINE); return; }
    try {
      var res = await fetch("/api/rating", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: id, level: pair[0], item: custom.item || custom.title || null,
          topic: custom.type, context: context, comment: comment || null, channel: channel })
      });
      var data = await res.json().catch(function () { return {}; });
      if (!res.ok && res.status !== 409) { notice(typeof data.detail === "string" ? data.detail : OFFLINE); return; }
      var rated = (store.get("gxx.rated") || "").split("|").filter(Boolean).slice(-50);
      rated.push(context);
      store.set("gxx.rated", rated.join("|"));
      box.classList.remove("open");
      box.textContent = "";
      var done = el("p", "done", res.ok ? data.message + "（您的评价：" + pair[1] + "）" : data.detail);
      box.appendChild(done);
      if (data.ticket) {
        var code = el("div", "card");
        code.appendChild(el("div", "", "回访工单号"));
        code.appendChild(el("div", "code", data.ticket));
        box.appendChild(code);
        startPolling();
      }
      announce(done.textContent);
    } catch (e) { notice(OFFLINE); }
  }

  // ---- session, history, staff answers ----
  function failure(text) { var err = new Error(text); err.shown = text; return err; }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function newId() {
    if (window.crypto && crypto.getRandomValues) {
      var a = new Uint8Array(16); crypto.getRandomValues(a);
      return Array.prototype.map.call(a, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    }
    return String(Date.now()) + String(Math.random()).slice(2, 12);
  }
  async function postJson(path, body) {
    var res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    var data = await res.json().catch(function () { return {}; });
    return { res: res, data: data };
  }
  async function newSession() {
    var r;
    try { r = await postJson("/api/session", signed || {}); } catch (e) { throw failure("暂时无法连接高小新，请稍后刷新页面重试。"); }
    if (!r.res.ok) {
      if (signed && r.res.status < 500 && r.res.status !== 429) {
        notice((typeof r.data.detail === "string" ? r.data.detail : "用户身份校验未通过") + "（已为您切换为游客咨询）");
        signed = null; KEY = "gxx.sender";
        return store.get(KEY) || newSession();
      }
      throw failure(typeof r.data.detail === "string" ? r.data.detail : "暂时无法连接高小新，请稍后刷新页面重试。");
    }
    store.set(KEY, r.data.sender);
    historyNext = 0;
    return r.data.sender;
  }
  async function sender() { return store.get(KEY) || newSession(); }

  var historyNext = 0;
  var polling = null;
  function startPolling() {
    if (polling) return;
    polling = setInterval(function () { if (!document.hidden) poll(); }, POLL_MS);
  }
  async function poll() {
    var id = store.get(KEY);
    if (!id) return;
    try {
      var r = await postJson("/api/history", { sender: id, after: historyNext });
      if (!r.res.ok) return;
      (r.data.messages || []).forEach(function (entry) {
        if (entry.role === "staff") addBot(entry, false, "staff");
      });
      historyNext = r.data.next || historyNext;
    } catch (e) { /* try again at the next tick */ }
  }

  // Shows the stored conversation; returns false when there is none (a new citizen).
  async function restore() {
    var id = store.get(KEY);
    if (!id) return false;
    var r;
    try { r = await postJson("/api/history", { sender: id, after: 0 }); } catch (e) { return false; }
    if (r.res.status === 403) { store.remove(KEY); return false; }
    if (!r.res.ok || !r.data.messages || !r.data.messages.length) return false;
    var pendingBot = [];
    function flush() { if (pendingBot.length) { addTurn(pendingBot, false); pendingBot = []; } }
    r.data.messages.forEach(function (entry) {
      if (entry.role === "me") { flush(); addMe(entry.text); }
      else if (entry.role === "staff") { flush(); addBot(entry, false, "staff"); }
      else pendingBot.push(entry);
      if (entry.custom && entry.custom.type === "handoff") startPolling();
    });
    flush();
    historyNext = r.data.next || 0;
    notice("已为您恢复之前的对话");
    return true;
  }

  // One message: a stable id, so a retry after a lost response is answered once, never twice.
  async function post(msg) {
    var renewed = false;
    for (var attempt = 0; attempt < 4; attempt++) {
      var id = await sender();
      var res;
      try {
        res = await fetch("/api/chat", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ sender: id, message: msg.text, channel: channel, message_id: msg.id, display: msg.text.charAt(0) === "/" ? msg.display || null : null })
        });
      } catch (e) {  // the network failed: the same id is sent again, the api answers it only once
        if (attempt < 2) { await sleep(700 * (attempt + 1)); continue; }
        throw failure(OFFLINE);
      }
      if (res.status === 403 && !renewed) { renewed = true; store.remove(KEY); continue; }
      if (res.status === 409) { await sleep(1200); continue; }
      var data = await res.json().catch(function () { return {}; });
      if (!res.ok) throw failure(typeof data.detail === "string" ? data.detail : OFFLINE);
      return data;
    }
    throw failure(OFFLINE);
  }

  var busy = false;
  var failed = null;  // {msg, row}: the last message that could not be sent
  function markFailed(msg, row, reason) {
    row.classList.add("failed");
    var state = el("div", "sendstate");
    state.appendChild(el("span", "", "未发送"));
    var retry = el("button", "", "重新发送");
    retry.type = "button";
    retry.setAttribute("aria-label", "重新发送：" + msg.display);
    retry.addEventListener("click", function () { resend(); });
    state.appendChild(retry);
    row.appendChild(state);
    failed = { msg: msg, row: row };
    if (!input.value && !/^\//.test(msg.text)) input.value = msg.text;
    notice(reason);
    announce("消息未发送：" + reason);
  }
  function clearFailed() {
    if (!failed) return;
    failed.row.classList.remove("failed");
    var state = failed.row.querySelector(".sendstate");
    if (state) state.remove();
    failed = null;
  }
  function resend() {
    if (!failed || busy) return;
    var f = failed;
    clearFailed();
    if (input.value === f.msg.text) input.value = "";
    deliver(f.msg, f.row);
  }

  async function deliver(msg, row) {
    busy = true; send.disabled = true;
    var typing = el("div", "typing", "高小新正在输入…");
    typing.setAttribute("aria-hidden", "true");
    log.appendChild(typing); scroll();
    try {
      addTurn(await post(msg), true);
    } catch (err) {
      // only our own explanations are shown; the browser's errors (failed fetch…) are in English
      var reason = err && err.shown ? err.shown : OFFLINE;
      if (row) markFailed(msg, row, reason); else notice(reason);
    } finally {
      typing.remove(); busy = false; send.disabled = false;
      if (!document.querySelector(".rating form textarea:focus")) input.focus({ preventScroll: true });
    }
  }

  function say(text, shown) {
    if (busy || !text) return;
    var msg = { text: text, display: shown || "", id: newId() };
    var row = shown ? addMe(shown) : null;
    return deliver(msg, row);
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;  // keep what was typed while a reply is on its way
    if (failed && failed.msg.text === text) { input.value = ""; resend(); return; }
    clearFailed();
    input.value = "";
    say(text, text);
  });
  humanButton.addEventListener("click", function () { say("/request_human", "转人工"); });

  // the host page may pass its signed user later (postMessage from the widget)
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "gxx:user") return;
    var d = event.data;
    if (typeof d.user !== "string" || typeof d.signature !== "string") return;
    if (signed && signed.user === d.user) return;
    signed = { user: d.user, expires: parseInt(d.expires, 10) || 0, signature: d.signature };
    KEY = "gxx.sender." + d.user;
    newSession().catch(function (e) { notice(e.shown || OFFLINE); });
  });

  async function start() {
    notice("您好，高小新为您提供“一件事一次办”咨询与预约服务");
    var restored = await restore();
    if (!restored) await say("/greet", null);
    if (openItem && (!restored || store.get("gxx.opened") !== openItem)) {
      store.set("gxx.opened", openItem);
      await say("/ask_service_guide" + JSON.stringify({ service: openItem }), openItem);
    }
  }
  start();
})();
