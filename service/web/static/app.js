// Dashboard helpers (progressive enhancement only; every page works without JavaScript).
// The segment filter is applied with its "Vis" button (no change of context on select, WCAG 3.2.2).
document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
  sel.addEventListener("change", function () { sel.form.submit(); });
});
