// Dashboard: change the segment filter without pressing the button (the button stays for no-JS/keyboard users).
document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
  sel.addEventListener("change", function () { sel.form.submit(); });
});
