// 高小新 staff page: sign in, FAQ entries, unanswered questions, audit log and undo.
// Plain JavaScript, no build step. Every text from the server (entries, citizens' questions, names)
// is inserted as text (textContent / text nodes), never parsed as HTML.
(function () {
  "use strict";

  var API = "/api/admin";
  var state = { me: null, csrf: "", entries: [], editing: null, tab: "faq" };
  var RANK = { viewer: 0, staff: 1, admin: 2 };

  function $(id) { return document.getElementById(id); }

  // el("td", {className: "x"}, "text", child, ...): strings become text nodes.
  function el(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "dataset") {
        Object.keys(props.dataset).forEach(function (d) { node.dataset[d] = props.dataset[d]; });
      } else if (key.indexOf("-") >= 0) {
        node.setAttribute(key, props[key]);
      } else if (key.slice(0, 2) === "on") {
        node.addEventListener(key.slice(2), props[key]);
      } else {
        node[key] = props[key];
      }
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function can(role) { return state.me && RANK[state.me.role] >= RANK[role]; }

  function notice(text, bad) {
    var box = $("notice");
    box.textContent = text;
    box.className = bad ? "bad" : "";
    box.hidden = !text;
    if (text && !bad) {
      clearTimeout(notice.timer);
      notice.timer = setTimeout(function () { box.hidden = true; }, 6000);
    }
  }

  function when(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  // fetch with the session cookie; the CSRF token goes with every change.
  function call(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    return fetch(API + path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401 && path !== "/login" && path !== "/me") {
          showLogin("登录已过期，请重新登录。");
        }
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { detail: "网络连接异常，请检查网络后重试。" } };
    });
  }

  function reason(result) {
    var detail = result.data && result.data.detail;
    return typeof detail === "string" ? detail : "操作未成功，请稍后重试。";
  }

  // -- sign in ------------------------------------------------------------------------------------

  function showLogin(message) {
    state.me = null;
    state.csrf = "";
    $("app-view").hidden = true;
    $("who").hidden = true;
    $("login-view").hidden = false;
    $("login-error").textContent = message || "";
    $("login-username").focus();
  }

  function showApp(me) {
    state.me = me;
    if (me.csrf_token) state.csrf = me.csrf_token;
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("who").hidden = false;
    $("who-name").textContent = (me.display_name || me.username) + "（" + (me.role_text || me.role) + "）";
    Array.prototype.forEach.call(document.querySelectorAll(".needs-staff"), function (node) {
      node.hidden = !can("staff");
    });
    selectTab(state.tab);
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-submit").disabled = true;
    $("login-error").textContent = "";
    call("POST", "/login", { username: $("login-username").value.trim(), password: $("login-password").value })
      .then(function (result) {
        $("login-submit").disabled = false;
        if (!result.ok) {
          $("login-error").textContent = reason(result);
          return;
        }
        $("login-password").value = "";
        showApp(result.data);
        notice("登录成功，欢迎您，" + (result.data.display_name || result.data.username) + "。");
      });
  });

  $("logout").addEventListener("click", function () {
    call("POST", "/logout", {}).then(function () { showLogin("您已退出登录。"); });
  });

  // -- tabs ---------------------------------------------------------------------------------------

  function selectTab(name) {
    state.tab = name;
    Array.prototype.forEach.call(document.querySelectorAll(".tabs button"), function (button) {
      button.setAttribute("aria-selected", button.dataset.tab === name ? "true" : "false");
    });
    ["faq", "unanswered", "audit"].forEach(function (tab) { $("tab-" + tab).hidden = tab !== name; });
    ({ faq: loadFaq, unanswered: loadUnanswered, audit: loadAudit })[name]();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".tabs button"), function (button) {
    button.addEventListener("click", function () { selectTab(button.dataset.tab); });
  });

  // -- FAQ entries --------------------------------------------------------------------------------

  function loadFaq() {
    return call("GET", "/faq").then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      state.entries = result.data.entries;
      renderFaq();
    });
  }

  function renderFaq() {
    var needle = $("faq-search").value.trim().toLowerCase();
    var rows = state.entries.filter(function (entry) {
      if (!needle) return true;
      return (entry.title + "\n" + entry.answer + "\n" + entry.questions.join("\n")).toLowerCase().indexOf(needle) >= 0;
    }).map(function (entry) {
      var ops = el("td", { className: "ops" });
      if (can("staff")) {
        ops.appendChild(el("button", { type: "button", className: "plain", onclick: function () { openEditor(entry); } }, "编辑"));
        ops.appendChild(el("button", { type: "button", className: "danger", onclick: function () { removeEntry(entry); } }, "删除"));
      }
      var shown = entry.questions.slice(0, 3).join("；") + (entry.questions.length > 3 ? "……" : "");
      return el("tr", { dataset: { id: entry.id } },
        el("td", {}, el("strong", {}, entry.title), el("div", { className: "small" }, entry.id)),
        el("td", {}, el("div", {}, shown), el("div", { className: "small" }, "共" + entry.questions.length + "种问法")),
        el("td", { className: "answer" }, el("div", { className: "clamp", title: entry.answer }, entry.answer)),
        el("td", {}, el("div", {}, when(entry.updated_at)), el("div", { className: "small" }, entry.updated_by === "seed" ? "初始导入" : entry.updated_by || "")),
        ops);
    });
    if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: 5, className: "hint" }, "暂无条目。"))];
    $("faq-rows").replaceChildren.apply($("faq-rows"), rows);
  }

  $("faq-search").addEventListener("input", renderFaq);
  $("faq-new").addEventListener("click", function () { openEditor(null); });
  $("faq-cancel").addEventListener("click", function () { $("faq-editor").hidden = true; });

  function openEditor(entry, preset) {
    state.editing = entry;
    preset = preset || {};
    $("faq-editor-title").textContent = entry ? "编辑常见问题：" + entry.title : "新增常见问题";
    $("faq-title").value = entry ? entry.title : preset.title || "";
    $("faq-questions").value = entry ? entry.questions.join("\n") : (preset.questions || []).join("\n");
    $("faq-answer").value = entry ? entry.answer : "";
    $("faq-source").value = entry ? entry.source || "" : "";
    $("faq-checked").value = entry ? entry.last_checked || "" : "";
    $("faq-error").textContent = "";
    $("faq-clashes").replaceChildren();
    $("faq-editor").hidden = false;
    $("faq-questions").focus();
  }

  function showClashes(result) {
    $("faq-error").textContent = reason(result);
    var items = (result.data.clashes || []).map(function (clash) {
      return el("li", {}, "“" + clash.question + "”已属于“" + clash.entry_title + "”");
    });
    $("faq-clashes").replaceChildren.apply($("faq-clashes"), items);
  }

  $("faq-editor").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      title: $("faq-title").value.trim() || null,
      questions: $("faq-questions").value.split("\n").map(function (q) { return q.trim(); }).filter(Boolean),
      answer: $("faq-answer").value.trim(),
      source: $("faq-source").value.trim() || null,
      last_checked: $("faq-checked").value || null
    };
    var editing = state.editing;
    $("faq-save").disabled = true;
    var request = editing ? call("PUT", "/faq/" + encodeURIComponent(editing.id), body) : call("POST", "/faq", body);
    request.then(function (result) {
      $("faq-save").disabled = false;
      if (!result.ok) return showClashes(result);
      $("faq-editor").hidden = true;
      notice((editing ? "已保存修改：" : "已发布新条目：") + result.data.title + "。约1分钟内市民即可得到这条答案。");
      loadFaq();
    });
  });

  function removeEntry(entry) {
    if (!window.confirm("确定删除“" + entry.title + "”吗？删除后市民将不再得到这条答案，管理员可在操作记录中撤销。")) return;
    call("DELETE", "/faq/" + encodeURIComponent(entry.id)).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      notice("已删除：" + entry.title + "。");
      loadFaq();
    });
  }

  // -- unanswered questions -----------------------------------------------------------------------

  function loadUnanswered() {
    var entriesReady = state.entries.length ? Promise.resolve() : loadFaq();
    return entriesReady.then(function () { return call("GET", "/unanswered"); }).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      var rows = result.data.groups.map(unansweredRow);
      if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: 5, className: "hint" }, "暂无待处理的问题。"))];
      $("unanswered-rows").replaceChildren.apply($("unanswered-rows"), rows);
    });
  }

  function unansweredRow(group) {
    var ops = el("td", { className: "ops" });
    var examples = el("ul", { className: "examples" });
    group.examples.forEach(function (example) { examples.appendChild(el("li", {}, example)); });
    if (can("staff")) {
      var place = el("div");
      ops.appendChild(el("button", { type: "button", onclick: function () { toFaqForm(group, place); } }, "转为新条目"));
      ops.appendChild(el("button", { type: "button", className: "plain", onclick: function () { addQuestionForm(group, place); } }, "加为已有条目的问法"));
      ops.appendChild(el("button", { type: "button", className: "plain", onclick: function () { ignore(group); } }, "忽略"));
      ops.appendChild(place);
    }
    return el("tr", { dataset: { id: String(group.id) } },
      el("td", {}, group.text),
      el("td", {}, String(group.count)),
      el("td", {}, examples),
      el("td", {}, when(group.last_seen)),
      ops);
  }

  function toFaqForm(group, place) {
    var answer = el("textarea", { rows: 4, placeholder: "请填写答案", className: "to-faq-answer" });
    var questions = el("textarea", { rows: 3, value: [group.text].concat(group.examples.filter(function (e) { return e !== group.text; })).join("\n") });
    var error = el("p", { className: "error" });
    var form = el("form", { className: "inline-form" },
      el("label", {}, "问法（每行一种）", questions),
      el("label", {}, "答案", answer),
      error,
      el("button", { type: "submit" }, "发布"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        answer: answer.value.trim(),
        questions: questions.value.split("\n").map(function (q) { return q.trim(); }).filter(Boolean)
      };
      call("POST", "/unanswered/" + group.id + "/to-faq", body).then(function (result) {
        if (!result.ok) {
          error.textContent = reason(result);
          return;
        }
        notice("已发布新条目：" + result.data.title + "。约1分钟内市民即可得到这条答案。");
        state.entries = [];
        loadUnanswered();
      });
    });
    place.replaceChildren(form);
    answer.focus();
  }

  function addQuestionForm(group, place) {
    var select = el("select", { className: "add-question-target", "aria-label": "选择条目" });
    state.entries.forEach(function (entry) {
      select.appendChild(el("option", { value: entry.id, selected: entry.id === group.best_match }, entry.title));
    });
    var error = el("p", { className: "error" });
    var form = el("form", { className: "inline-form" },
      el("label", {}, "加入到条目", select), error, el("button", { type: "submit" }, "加入"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      call("POST", "/unanswered/" + group.id + "/add-question", { faq_id: select.value }).then(function (result) {
        if (!result.ok) {
          error.textContent = reason(result);
          return;
        }
        notice("已把“" + group.text + "”加为“" + result.data.title + "”的问法。");
        state.entries = [];
        loadUnanswered();
      });
    });
    place.replaceChildren(form);
    select.focus();
  }

  function ignore(group) {
    call("POST", "/unanswered/" + group.id + "/ignore", {}).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      notice("已忽略该问题；如市民继续询问，它会再次出现。");
      loadUnanswered();
    });
  }

  // -- audit log ----------------------------------------------------------------------------------

  function summary(record) {
    var after = record.after || {};
    var before = record.before || {};
    if (record.target_type === "faq") return (after.title || before.title || "") + (after.deleted ? "（已删除）" : "");
    return after.status ? "状态：" + after.status : "";
  }

  function loadAudit() {
    return call("GET", "/audit?limit=200").then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      var rows = result.data.records.map(function (record) {
        var last = el("td", { className: "ops" });
        if (record.undone_by) {
          last.appendChild(el("span", { className: "undone" }, "已撤销"));
        } else if (record.target_type === "faq" && can("admin")) {
          last.appendChild(el("button", { type: "button", className: "plain", onclick: function () { undo(record); } }, "撤销"));
        }
        return el("tr", { dataset: { id: String(record.id) } },
          el("td", {}, when(record.at)),
          el("td", {}, record.actor),
          el("td", {}, record.action_text),
          el("td", {}, (record.target_type === "faq" ? "常见问题 " : "未答问题 ") + record.target_id),
          el("td", {}, summary(record)),
          last);
      });
      if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: 6, className: "hint" }, "暂无操作记录。"))];
      $("audit-rows").replaceChildren.apply($("audit-rows"), rows);
    });
  }

  function undo(record) {
    if (!window.confirm("确定撤销这次“" + record.action_text + "”吗？")) return;
    call("POST", "/audit/" + record.id + "/undo", {}).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      notice("已撤销。");
      state.entries = [];
      loadAudit();
    });
  }

  // -- start --------------------------------------------------------------------------------------

  call("GET", "/me").then(function (result) {
    if (result.ok) showApp(result.data);
    else showLogin("");
  });
})();
