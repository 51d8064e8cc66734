// Copy buttons on code blocks and the wrap-up checklist. Plain DOM on purpose: these
// need no reactive state, so they cost no wasm.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button.copy");
    if (!btn) return;
    var fig = btn.closest("figure");
    var code = fig && fig.querySelector("pre code, pre");
    if (!code || !navigator.clipboard) return;
    navigator.clipboard.writeText(code.innerText.replace(/\n$/, "")).then(function () {
      var old = btn.textContent;
      btn.textContent = "복사됨";
      btn.classList.add("copied");
      setTimeout(function () { btn.textContent = old; btn.classList.remove("copied"); }, 1500);
    });
  });

  // Task-list boxes are saved per learner; the page carries the ticked ones.
  function wireChecklist() {
    var article = document.querySelector("article[data-checklist]");
    var ticked = article ? article.dataset.checklist.split(",") : [];
    var boxes = document.querySelectorAll(".md li input[type=checkbox]");
    boxes.forEach(function (box, index) {
      box.disabled = false;
      box.checked = ticked.indexOf(String(index)) >= 0;
      box.setAttribute("aria-label", "완료 표시");
      box.addEventListener("change", function () {
        fetch("/api/checklist", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ index: index, checked: box.checked }),
          credentials: "same-origin"
        }).then(function (r) { if (!r.ok) throw new Error(); })
          .catch(function () { box.checked = !box.checked; alert("체크 상태를 저장하지 못했습니다."); });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireChecklist);
  else wireChecklist();
})();
