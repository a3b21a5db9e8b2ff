/* 高小新 embeddable chat widget.
 * Add to any page (for example the 郑好办 app's 高新分厅 webview):
 *   <script src="https://<api host>/widget.js" async></script>
 * It adds a floating button that opens the chat in a frame served by the same host. The frame is
 * loaded on the first open, so a host page that is only viewed starts no chat session.
 */
(function () {
  "use strict";
  if (window.__gxxWidget) return;
  window.__gxxWidget = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;

  var button = document.createElement("button");
  button.type = "button";
  button.id = "gxx-widget-button";
  button.setAttribute("aria-label", "打开高小新在线客服");
  button.textContent = "问高小新";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;" +
    "background:#c8161d;color:#fff;padding:12px 18px;font-size:15px;box-shadow:0 4px 12px rgba(0,0,0,.2);cursor:pointer;";

  var frame = document.createElement("iframe");
  frame.id = "gxx-widget-frame";
  frame.title = "高小新在线客服";
  frame.style.cssText = "position:fixed;right:12px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 24px));" +
    "height:min(600px,calc(100vh - 100px));border:0;border-radius:12px;box-shadow:0 6px 24px rgba(0,0,0,.25);" +
    "display:none;background:#fff;";

  button.addEventListener("click", function () {
    var open = frame.style.display === "none";
    if (open && !frame.src) frame.src = origin + "/?embed=1";
    frame.style.display = open ? "block" : "none";
    button.textContent = open ? "收起" : "问高小新";
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  function mount() { document.body.appendChild(frame); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
