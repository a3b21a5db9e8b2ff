/* 高小新 embeddable chat widget.
 * Add to any page (for example the 郑好办 app's 高新分厅 webview) with one tag:
 *   <script src="https://<api host>/widget.js" async></script>
 * Options (all optional) as data-* attributes on that tag:
 *   data-title="问高小新"      button label and chat title
 *   data-color="#c8161d"       main colour (#rrggbb; ignored where it would be hard to read)
 *   data-position="right"      right | left (bottom corner)
 *   data-item="退休一件事"      open the chat on this item's guide
 *   data-elderly="true"        start in 长辈模式 (large text, high contrast) unless the citizen chose otherwise
 *   data-open="true"           open at once
 *   data-user, data-expires, data-signature   the host's signed user (HMAC-SHA256 of "user.expires")
 * The host may also call window.postMessage({type: "gxx:user", user, expires, signature}, "*").
 * The button and the frame live in a Shadow DOM, and the chat itself in a frame served by this host,
 * so the host page's styles and scripts cannot break them, nor they the page. The frame is loaded on
 * the first open: a host page that is only viewed starts no chat session.
 */
(function () {
  "use strict";
  if (window.__gxxWidget) return;
  window.__gxxWidget = true;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var origin = script ? new URL(script.src, location.href).origin : location.origin;
  var data = (script && script.dataset) || {};
  var label = (data.title || "问高小新").slice(0, 12);
  var color = /^#[0-9a-fA-F]{6}$/.test(data.color || "") ? data.color : "#c8161d";
  var left = /left/.test(data.position || "");

  function luminance(hex) {
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  // white text where it keeps 4.5:1, else black
  var ink = 1.05 / (luminance(color) + 0.05) >= 4.5 ? "#ffffff" : "#000000";
  var side = left ? "left" : "right";

  var css =
    ":host{all:initial}" +
    "button{all:initial;box-sizing:border-box;position:fixed;" + side + ":16px;bottom:calc(20px + env(safe-area-inset-bottom));" +
    "z-index:2147483000;border-radius:24px;background:" + color + ";color:" + ink + ";padding:12px 18px;min-height:48px;" +
    "font:15px/1.4 'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;box-shadow:0 4px 12px rgba(0,0,0,.25);" +
    "cursor:pointer;border:2px solid #fff}" +
    "button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}" +
    "iframe{position:fixed;" + side + ":12px;bottom:calc(80px + env(safe-area-inset-bottom));z-index:2147483000;" +
    "width:min(400px,calc(100vw - 24px));height:min(640px,calc(100vh - 110px));border:0;border-radius:12px;" +
    "box-shadow:0 6px 24px rgba(0,0,0,.3);background:#fff;display:none}" +
    "iframe.open{display:block}" +
    "@media (max-width:480px){iframe{" + side + ":0;bottom:76px;width:100vw;height:calc(100vh - 84px);border-radius:0}}";

  var host = document.createElement("div");
  host.id = "gxx-widget";
  host.setAttribute("data-gxx", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  if (root !== host && "adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) { addStyle(); }
  } else addStyle();
  function addStyle() { var style = document.createElement("style"); style.textContent = css; root.appendChild(style); }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "gxx-widget-button";
  button.setAttribute("aria-label", "打开" + label + "在线客服");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "gxx-widget-frame");
  button.textContent = label;

  var frame = document.createElement("iframe");
  frame.id = "gxx-widget-frame";
  frame.title = label + "在线客服";
  frame.setAttribute("allow", "clipboard-write");

  function frameUrl() {
    var q = new URLSearchParams({ embed: "1" });
    if (data.item) q.set("item", data.item.slice(0, 40));
    if (data.title) q.set("title", label);
    if (data.color) q.set("color", color);
    if (data.elderly === "true" || data.elderly === "1") q.set("elderly", "1");
    var url = origin + "/?" + q.toString();
    if (data.user && data.signature) {
      // the fragment never reaches a server log; the page moves it into the session and drops it
      url += "#" + new URLSearchParams({ user: data.user, exp: data.expires || "", sig: data.signature }).toString();
    }
    return url;
  }
  var pendingUser = null;
  function forwardUser(message) {
    if (frame.src && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
    else pendingUser = message;
  }
  window.addEventListener("message", function (event) {
    var d = event.data;
    if (event.source !== window || !d || d.type !== "gxx:user") return;
    forwardUser({ type: "gxx:user", user: String(d.user || ""), expires: d.expires, signature: String(d.signature || "") });
  });
  frame.addEventListener("load", function () {
    if (pendingUser) { frame.contentWindow.postMessage(pendingUser, origin); pendingUser = null; }
  });

  function toggle() {
    var open = !frame.classList.contains("open");
    if (open && !frame.src) frame.src = frameUrl();
    frame.classList.toggle("open", open);
    button.textContent = open ? "收起" : label;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.setAttribute("aria-label", (open ? "收起" : "打开") + label + "在线客服");
    if (open) { try { frame.focus(); } catch (e) { /* ignore */ } }
  }
  button.addEventListener("click", toggle);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && frame.classList.contains("open")) { toggle(); button.focus(); }
  });

  function mount() {
    root.appendChild(frame);
    root.appendChild(button);
    document.body.appendChild(host);
    if (data.open === "true") toggle();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
