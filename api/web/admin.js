// 高小新 staff page: sign in, FAQ entries, guide items (办事指南), unanswered questions, hand-over tickets,
// 好差评 ratings, audit log and undo.
// Plain JavaScript, no build step. Every text from the server (entries, citizens' questions, names)
// is inserted as text (textContent / text nodes), never parsed as HTML.
(function () {
  "use strict";

  var API = "/api/admin";
  var state = { me: null, csrf: "", entries: [], editing: null, tab: "faq", services: [], service: null };
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
    ["faq", "services", "unanswered", "tickets", "ratings", "audit"].forEach(function (tab) {
      $("tab-" + tab).hidden = tab !== name;
    });
    ({
      faq: loadFaq, services: loadServices, unanswered: loadUnanswered, tickets: loadTickets,
      ratings: loadRatings, audit: loadAudit
    })[name]();
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

  // -- guide items (办事指南) ------------------------------------------------------------------------

  var FIELD_TEXT = {
    materials: "材料", time_limit: "时限", fee: "收费", conditions: "条件", window: "窗口",
    online: "网办", aliases: "别名", last_checked: "核对日期"
  };
  var EDITABLE = ["materials", "time_limit", "fee", "conditions", "window", "online", "aliases"];
  var FORMS = ["原件", "复印件", "原件及复印件", "电子件"];
  var EXEMPTIONS = ["免证办", "电子证照", "免提交"];

  // JSON with sorted keys: two values are the same edit when their texts are equal.
  function canon(value) {
    if (Array.isArray(value)) return "[" + value.map(canon).join(",") + "]";
    if (value && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ":" + canon(value[key]);
      }).join(",") + "}";
    }
    return JSON.stringify(value === undefined ? null : value);
  }

  function lines(id) {
    return $(id).value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
  }

  function loadServices() {
    return call("GET", "/services").then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      state.services = result.data.items;
      renderServices();
    });
  }

  function renderServices() {
    var needle = $("services-search").value.trim().toLowerCase();
    var rows = state.services.filter(function (item) {
      return !needle || (item.name + "\n" + item.aliases.join("\n")).toLowerCase().indexOf(needle) >= 0;
    }).map(function (item) {
      var edited = item.edited_fields.length
        ? el("span", { className: "badge", title: "工作人员修改过：" + item.edited_fields.map(function (f) { return FIELD_TEXT[f]; }).join("、") }, "已修改")
        : null;
      var shown = item.aliases.slice(0, 4).join("、") + (item.aliases.length > 4 ? "……" : "");
      return el("tr", { dataset: { id: item.id } },
        el("td", {}, el("strong", {}, item.name), edited, el("div", { className: "small" }, item.id)),
        el("td", {}, el("div", {}, shown), el("div", { className: "small" }, "共" + item.aliases.length + "个别名")),
        el("td", { className: "answer" }, el("div", { className: "clamp" }, item.fee)),
        el("td", {}, item.last_checked),
        el("td", {}, el("div", {}, when(item.updated_at)), el("div", { className: "small" }, item.updated_by || "")),
        el("td", { className: "ops" }, el("button", { type: "button", className: "plain", onclick: function () { openService(item.id); } }, can("staff") ? "编辑" : "查看")));
    });
    if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: 6, className: "hint" }, "没有找到事项。"))];
    $("services-rows").replaceChildren.apply($("services-rows"), rows);
  }

  $("services-search").addEventListener("input", renderServices);
  $("service-cancel").addEventListener("click", function () { $("service-editor").hidden = true; });
  $("service-add-material").addEventListener("click", function () {
    var row = materialRow({ name: "", form: "原件", count: 1, exempt: null, note: null, when: {} });
    $("service-materials").appendChild(row);
    row.querySelector("input").focus();
  });

  function openService(id) {
    call("GET", "/services/" + encodeURIComponent(id)).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      fillService(result.data);
      $("service-editor").hidden = false;
      $("service-aliases").focus();
    });
  }

  function fillService(item) {
    state.service = item;
    var v = item.values;
    $("service-editor-title").textContent = (can("staff") ? "编辑办事指南：" : "查看办事指南：") + item.name;
    var edited = item.edited_fields.map(function (f) { return FIELD_TEXT[f]; }).join("、");
    $("service-editor-meta").textContent = "指南核对日期：" + v.last_checked +
      (edited ? "。工作人员修改过：" + edited + "（" + (item.updated_by || "") + "，" + when(item.updated_at) + "）" : "。内容与指南文件一致");
    $("service-aliases").value = v.aliases.join("\n");
    $("service-fee").value = v.fee;
    $("service-legal").value = v.time_limit.legal;
    $("service-promised").value = v.time_limit.promised;
    $("service-conditions").value = v.conditions.join("\n");
    $("service-window-number").value = v.window.number;
    $("service-window-name").value = v.window.name;
    $("service-window-floor").value = v.window.floor;
    $("service-channels").value = v.online.channels.join("\n");
    $("service-full-online").checked = !!v.online.full_online;
    $("service-instant").checked = !!v.online.instant_approval;
    $("service-online-note").value = v.online.note || "";
    $("service-materials").replaceChildren.apply($("service-materials"), v.materials.map(materialRow));
    $("service-error").textContent = "";
    $("service-clashes").replaceChildren();
    $("service-revert").hidden = !can("staff") || !item.edited_fields.length;
    Array.prototype.forEach.call($("service-editor").querySelectorAll("input, textarea, select, button.danger, #service-add-material"), function (node) {
      node.disabled = !can("staff");
    });
  }

  function choice(options, selected, blank) {
    var select = el("select");
    if (blank) select.appendChild(el("option", { value: "" }, blank));
    options.forEach(function (option) {
      var value = Array.isArray(option) ? option[0] : option;
      var text = Array.isArray(option) ? option[1] : option;
      select.appendChild(el("option", { value: value, selected: value === selected }, text));
    });
    return select;
  }

  function materialRow(material) {
    var name = el("input", { value: material.name, className: "material-name", maxLength: 200 });
    var form = choice(FORMS, material.form);
    form.className = "material-form";
    var count = el("input", { value: String(material.count), className: "material-count", inputMode: "numeric", maxLength: 3 });
    var exempt = choice(EXEMPTIONS, material.exempt || "", "无");
    exempt.className = "material-exempt";
    var note = el("input", { value: material.note || "", className: "material-note", maxLength: 500 });
    var whenBox = el("div", { className: "row" });
    ((state.service && state.service.situations) || []).forEach(function (situation) {
      var options = Object.keys(situation.options).map(function (key) { return [key, situation.options[key]]; });
      var select = choice(options, (material.when || {})[situation.key] || "", "所有情形都需要");
      select.dataset.situation = situation.key;
      select.className = "material-when";
      whenBox.appendChild(el("label", {}, "适用情形：" + situation.question, select));
    });
    var row = el("div", { className: "material" },
      el("div", { className: "row" },
        el("label", { className: "wide" }, "材料名称", name),
        el("label", {}, "提交形式", form),
        el("label", {}, "份数", count),
        el("label", {}, "免提交方式", exempt),
        el("button", { type: "button", className: "danger", onclick: function () { row.remove(); } }, "删除")),
      el("label", {}, "说明（可不填）", note),
      whenBox);
    return row;
  }

  function collectMaterials() {
    return Array.prototype.map.call($("service-materials").querySelectorAll(".material"), function (row) {
      var countText = row.querySelector(".material-count").value.trim();
      var count = /^\d+$/.test(countText) ? Number(countText) : countText;
      var conditions = {};
      Array.prototype.forEach.call(row.querySelectorAll(".material-when"), function (select) {
        if (select.value) conditions[select.dataset.situation] = select.value;
      });
      return {
        name: row.querySelector(".material-name").value.trim(),
        form: row.querySelector(".material-form").value,
        count: count,
        exempt: row.querySelector(".material-exempt").value || null,
        note: row.querySelector(".material-note").value.trim() || null,
        when: conditions
      };
    });
  }

  function collectService() {
    return {
      materials: collectMaterials(),
      time_limit: { legal: $("service-legal").value.trim(), promised: $("service-promised").value.trim() },
      fee: $("service-fee").value.trim(),
      conditions: lines("service-conditions"),
      window: {
        number: $("service-window-number").value.trim(),
        name: $("service-window-name").value.trim(),
        floor: $("service-window-floor").value.trim()
      },
      online: {
        channels: lines("service-channels"),
        full_online: $("service-full-online").checked,
        instant_approval: $("service-instant").checked,
        note: $("service-online-note").value.trim() || null
      },
      aliases: lines("service-aliases")
    };
  }

  function serviceProblem(result) {
    $("service-error").textContent = reason(result);
    var items = (result.data.clashes || []).map(function (clash) {
      return el("li", {}, "“" + clash.alias + "”已被“" + clash.item_name + "”使用");
    });
    $("service-clashes").replaceChildren.apply($("service-clashes"), items);
  }

  function servicePublished(result, text) {
    fillService(result.data);
    notice(text + result.data.name + "。约1分钟内市民即可看到新内容。");
    loadServices();
  }

  $("service-editor").addEventListener("submit", function (event) {
    event.preventDefault();
    var item = state.service;
    if (!item) return;
    var now = collectService();
    var changes = {};
    EDITABLE.forEach(function (field) {
      if (canon(now[field]) !== canon(item.values[field])) changes[field] = now[field];
    });
    if (!Object.keys(changes).length) {
      $("service-error").textContent = "没有需要保存的修改。";
      return;
    }
    $("service-save").disabled = true;
    call("PATCH", "/services/" + encodeURIComponent(item.id), changes).then(function (result) {
      $("service-save").disabled = false;
      if (!result.ok) return serviceProblem(result);
      servicePublished(result, "已保存并发布：");
    });
  });

  $("service-revert").addEventListener("click", function () {
    var item = state.service;
    if (!item || !window.confirm("确定放弃工作人员对“" + item.name + "”的全部修改、恢复为指南文件中的内容吗？管理员可在操作记录中撤销。")) return;
    call("DELETE", "/services/" + encodeURIComponent(item.id) + "/edits").then(function (result) {
      if (!result.ok) return serviceProblem(result);
      servicePublished(result, "已恢复为指南文件内容：");
    });
  });

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
    var answered = state.entries.find(function (entry) { return entry.id === group.best_match; });
    var why = (group.reason === "unsure" || group.reason === "poor_rating") && answered ? group.reason_text + "（答的是「" + answered.title + "」）" : group.reason_text;
    return el("tr", { dataset: { id: String(group.id) } },
      el("td", {}, group.text, el("div", { className: "small reason" }, why || "")),
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

  // -- hand-over tickets (转人工 / 差评回访) -----------------------------------------------------------

  var ROLE_TEXT = { citizen: "市民", bot: "高小新", staff: "工作人员" };

  // The tickets' times are the hall's wall-clock time: shown as written.
  function wallTime(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }

  function loadTickets() {
    var status = $("tickets-status").value;
    return call("GET", "/tickets" + (status ? "?status=" + encodeURIComponent(status) : "")).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      var rows = result.data.map(ticketRow);
      if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: 6, className: "hint" }, "暂无工单。"))];
      $("tickets-rows").replaceChildren.apply($("tickets-rows"), rows);
    });
  }

  $("tickets-status").addEventListener("change", loadTickets);
  $("tickets-refresh").addEventListener("click", loadTickets);

  function ticketRow(ticket) {
    var content = el("td", {});
    if (ticket.note) content.appendChild(el("div", {}, ticket.note));
    var lines = el("ul", { className: "transcript" });
    ticket.transcript.forEach(function (line) {
      lines.appendChild(el("li", {}, el("span", { className: "role" }, (ROLE_TEXT[line.role] || line.role) + "："), line.text));
    });
    content.appendChild(lines);
    if (ticket.answer) {
      content.appendChild(el("div", { className: "staff-answer" }, "答复（" + (ticket.answered_by || "") + "，" + wallTime(ticket.answered_at) + "）：" + ticket.answer));
    }
    var ops = el("td", { className: "ops" });
    if (can("staff") && ticket.status !== "closed") {
      var place = el("div");
      if (ticket.status === "open") {
        ops.appendChild(el("button", { type: "button", onclick: function () { ticketAction(ticket, "take", "已接单：", {}); } }, "接单"));
      }
      ops.appendChild(el("button", { type: "button", className: "plain", onclick: function () { answerForm(ticket, place); } }, "答复"));
      ops.appendChild(el("button", { type: "button", className: "danger", onclick: function () {
        if (window.confirm("确定关闭工单 " + ticket.number + " 吗？")) ticketAction(ticket, "close", "已关闭工单：", {});
      } }, "关闭"));
      ops.appendChild(place);
    }
    return el("tr", { dataset: { number: ticket.number } },
      el("td", {}, el("strong", {}, ticket.number), el("div", { className: "small" }, ticket.kind_text + (ticket.within_hours ? "" : "（非办公时间）"))),
      el("td", {}, el("span", { className: "status " + ticket.status }, ticket.status_text), el("div", { className: "small" }, ticket.taken_by || "")),
      el("td", {}, ticket.item || ""),
      el("td", {}, wallTime(ticket.created_at)),
      content,
      ops);
  }

  function ticketAction(ticket, action, done, body, error) {
    return call("POST", "/tickets/" + encodeURIComponent(ticket.number) + "/" + action, body).then(function (result) {
      if (!result.ok) {
        if (error) error.textContent = reason(result);
        else notice(reason(result), true);
        return;
      }
      notice(done + ticket.number + "。");
      loadTickets();
    });
  }

  function answerForm(ticket, place) {
    var text = el("textarea", { rows: 3, maxLength: 1000, className: "ticket-answer", placeholder: "答复内容将显示在市民的对话中" });
    var error = el("p", { className: "error" });
    var form = el("form", { className: "inline-form" }, el("label", {}, "答复", text), error, el("button", { type: "submit" }, "发送答复"));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      ticketAction(ticket, "answer", "已答复工单：", { answer: text.value.trim() }, error);
    });
    place.replaceChildren(form);
    text.focus();
  }

  // -- 好差评 ratings -------------------------------------------------------------------------------

  function isoDay(d) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function loadRatings() {
    if (!$("ratings-from").value) {
      var start = new Date();
      start.setDate(start.getDate() - 30);
      $("ratings-from").value = isoDay(start);
    }
    var query = [];
    if ($("ratings-from").value) query.push("from=" + $("ratings-from").value);
    if ($("ratings-to").value) query.push("to=" + $("ratings-to").value);
    return call("GET", "/ratings" + (query.length ? "?" + query.join("&") : "")).then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      var levels = result.data.levels;
      var head = ["日期", "事项", "评价数"].concat(levels, ["平均分（5分制）", "满意率", "差评"]);
      $("ratings-head").replaceChildren.apply($("ratings-head"), head.map(function (text) { return el("th", {}, text); }));
      var total = 0, satisfied = 0;
      var rows = result.data.days.map(function (day) {
        total += day.count;
        satisfied += Math.round(day.satisfied_share * day.count);
        var cells = [el("td", {}, day.day), el("td", {}, day.item), el("td", { className: "num" }, String(day.count))];
        levels.forEach(function (level) { cells.push(el("td", { className: "num" }, String(day.by_level[level] || 0))); });
        cells.push(el("td", { className: "num" }, day.average.toFixed(2)));
        cells.push(el("td", { className: "num" }, Math.round(day.satisfied_share * 100) + "%"));
        cells.push(el("td", { className: "num" }, String(day.poor)));
        return rowOf(cells);
      });
      $("ratings-total").textContent = total
        ? "所选期间共" + total + "条评价，满意及以上占" + Math.round(satisfied / total * 100) + "%。"
        : "所选期间暂无评价。";
      if (!rows.length) rows = [el("tr", {}, el("td", { colSpan: head.length, className: "hint" }, "暂无评价。"))];
      $("ratings-rows").replaceChildren.apply($("ratings-rows"), rows);
    });
  }

  function rowOf(cells) {
    var row = el("tr");
    cells.forEach(function (cell) { row.appendChild(cell); });
    return row;
  }

  $("ratings-form").addEventListener("submit", function (event) {
    event.preventDefault();
    loadRatings();
  });

  // -- audit log ----------------------------------------------------------------------------------

  var TARGET_TEXT = { faq: "常见问题 ", service: "办事指南 ", unanswered: "未答问题 " };
  var UNDOABLE = { faq: true, service: true };

  function summary(record) {
    var after = record.after || {};
    var before = record.before || {};
    if (record.target_type === "faq") return (after.title || before.title || "") + (after.deleted ? "（已删除）" : "");
    if (record.target_type === "service") {
      var changed = Object.keys(FIELD_TEXT).filter(function (field) {
        return field !== "last_checked" && canon((after.values || {})[field]) !== canon((before.values || {})[field]);
      }).map(function (field) { return FIELD_TEXT[field]; });
      return (after.name || before.name || "") + (changed.length ? "：" + changed.join("、") : "");
    }
    return after.status ? "状态：" + after.status : "";
  }

  function loadAudit() {
    return call("GET", "/audit?limit=200").then(function (result) {
      if (!result.ok) return notice(reason(result), true);
      var rows = result.data.records.map(function (record) {
        var last = el("td", { className: "ops" });
        if (record.undone_by) {
          last.appendChild(el("span", { className: "undone" }, "已撤销"));
        } else if (UNDOABLE[record.target_type] && can("admin")) {
          last.appendChild(el("button", { type: "button", className: "plain", onclick: function () { undo(record); } }, "撤销"));
        }
        return el("tr", { dataset: { id: String(record.id) } },
          el("td", {}, when(record.at)),
          el("td", {}, record.actor),
          el("td", {}, record.action_text),
          el("td", {}, (TARGET_TEXT[record.target_type] || "") + record.target_id),
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
      state.services = [];
      loadAudit();
    });
  }

  // -- start --------------------------------------------------------------------------------------

  call("GET", "/me").then(function (result) {
    if (result.ok) showApp(result.data);
    else showLogin("");
  });
})();
