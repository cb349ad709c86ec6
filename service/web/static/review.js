// Review queue: one comment at a time; number keys toggle themes, t goes to the comment type (Esc back), Enter
// accepts (themes and type), j/k move, s skips. The keys work
// inside the review region only; Enter never overrides a link, <summary>, button or form field, and the
// single-key shortcuts (digits, letters) can be turned off (WCAG 2.1.4), remembered in localStorage.
(function () {
  var root = document.getElementById("review");
  if (!root) return;
  var boot = JSON.parse(root.dataset.boot);
  var items = boot.items, total = boot.total, pos = 0;
  var countEl = document.getElementById("review-count");
  var statusEl = document.getElementById("review-status");
  var themesEl = document.getElementById("review-themes");
  var typeEl = document.getElementById("review-type");
  var DEFAULT_TYPES = ["klage", "\u00f8nske", "ros"];  // a codebook that lists no types has these (as the API)
  var busy = false;
  var SHORTCUTS_KEY = "textmine.review.singleKeys";
  var switchEl = document.getElementById("review-shortcuts");

  function codebookFor(item) { return boot.codebooks[String(item.job_id)] || boot.default_codebook; }
  function keyLabel(i) { return i < 9 ? String(i + 1) : (i === 9 ? "0" : "Alt+" + ((i - 10 + 1) % 10)); }
  function fmtPct(x) { return Math.round(x * 100) + "\u00a0%"; }
  function typesOf(cb) { return cb.types && cb.types.length ? cb.types : DEFAULT_TYPES; }

  // why the item is queued (the API's reason), in the page's words: "rare theme: X" names the theme's label
  function reasonText(reason, cb) {
    var words = boot.reasons || {};
    if (!reason) return "";
    var m = /^rare theme: (.+)$/.exec(reason);
    if (m) {
      var theme = cb.themes.filter(function (t) { return t.id === m[1]; })[0];
      return (words["rare theme"] || "rare theme") + ": \u00ab" + (theme ? theme.label : m[1]) + "\u00bb";
    }
    return words[reason] || reason;
  }

  // the type control: the codebook's types, the machine's type chosen (case ignored, as the API takes it)
  function showType(item, cb) {
    var types = typesOf(cb), machine = item.type || "";
    var match = types.filter(function (t) { return t.toLowerCase() === machine.toLowerCase(); })[0] || "";
    typeEl.innerHTML = "";
    [""].concat(types).forEach(function (t) {
      var opt = document.createElement("option");
      opt.value = t; opt.textContent = t || "(ingen type)";
      typeEl.appendChild(opt);
    });
    typeEl.value = match;
    document.getElementById("review-type-machine").textContent = machine
      ? "Modellens forslag: " + machine + (match ? "" : " (ikke en type i kodeboka)") : "Modellen ga ingen type.";
  }

  function show() {
    var empty = pos >= items.length;
    document.getElementById("review-empty").hidden = !empty;
    document.getElementById("review-item").hidden = empty;
    countEl.textContent = String(total);
    if (empty) { return; }
    var item = items[pos];
    document.getElementById("review-meta").textContent =
      "Kommentar " + (pos + 1) + " av " + items.length + " lastet · spørsmål " + item.question + " · svar-id " + item.response_id;
    var textEl = document.getElementById("review-text");
    textEl.textContent = item.text;
    var lang = (boot.langs || {})[item.language] || "";  // another language than the page's (nynorsk, English)
    if (lang) textEl.setAttribute("lang", lang); else textEl.removeAttribute("lang");
    document.getElementById("review-conf").value = item.confidence;
    document.getElementById("review-conf-text").textContent = fmtPct(item.confidence);
    themesEl.innerHTML = "";
    var cb = codebookFor(item);
    var reason = reasonText(item.reason, cb);
    document.getElementById("review-reason").textContent = reason;
    document.getElementById("review-reason-line").hidden = !reason;
    showType(item, cb);
    var suggested = new Set(item.themes);
    // stable codebook order: the same key always toggles the same theme (muscle memory)
    cb.themes.forEach(function (t, i) {
      var label = document.createElement("label");
      label.className = "theme-opt" + (suggested.has(t.id) ? " suggested" : "");
      var box = document.createElement("input");
      box.type = "checkbox"; box.value = t.id; box.checked = suggested.has(t.id);
      box.id = "theme-" + t.id; box.dataset.index = String(i);
      var kbd = document.createElement("kbd"); kbd.textContent = keyLabel(i);
      var name = document.createElement("span"); name.className = "name"; name.textContent = t.label;
      var score = document.createElement("span"); score.className = "score";
      var sc = item.scores[t.id];
      if (sc !== undefined) score.textContent = (sc >= 0 && sc <= 1) ? fmtPct(sc) : sc.toFixed(2).replace(".", ",");
      score.title = "Modellens skår for temaet";
      label.appendChild(box); label.appendChild(kbd); label.appendChild(name); label.appendChild(score);
      themesEl.appendChild(label);
    });
    statusEl.textContent = "";
  }

  function selected() {
    return Array.prototype.filter.call(themesEl.querySelectorAll("input[type=checkbox]"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
  }

  function accept() {
    if (busy || pos >= items.length) return;
    var item = items[pos];
    var cb = codebookFor(item);
    busy = true;
    statusEl.textContent = "Lagrer …";
    tmApi("POST", "/responses/" + item.response_id + "/codes",
          { themes: selected(), type: typeEl.value || null, codebook_id: cb.id })
      .then(function () {
        items.splice(pos, 1);
        total = Math.max(0, total - 1);
        show();
        statusEl.textContent = "Lagret. " + total + " igjen.";
        if (items.length - pos < 5 && total > items.length) refill();
      })
      .catch(function (e) { statusEl.textContent = "Kunne ikke lagre: " + e.message; })
      .finally(function () { busy = false; root.focus(); });
  }

  function refill() {
    var q = "/review-queue?limit=50" + (boot.wave_id ? "&wave_id=" + boot.wave_id : "");
    tmApi("GET", q).then(function (page) {
      var have = new Set(items.map(function (i) { return i.response_id; }));
      page.items.forEach(function (i) { if (!have.has(i.response_id)) { i.scores = i.scores || {}; items.push(i); } });
      total = page.total; show();
    }).catch(function () {});
  }

  // an exclusive theme ("annet") stands alone: choosing it clears the others, choosing another clears it
  function keepExclusiveAlone(box) {
    if (!box.checked) return;
    var themes = codebookFor(items[pos]).themes;
    var exclusive = new Set(themes.filter(function (t) { return t.exclusive; }).map(function (t) { return t.id; }));
    themesEl.querySelectorAll("input[type=checkbox]").forEach(function (b) {
      if (b !== box && b.checked && (exclusive.has(box.value) || exclusive.has(b.value))) b.checked = false;
    });
  }

  function toggle(i) {
    var box = themesEl.querySelector('input[data-index="' + i + '"]');
    if (box) {
      box.checked = !box.checked; keepExclusiveAlone(box);
      var name = box.parentNode.querySelector(".name").textContent;
      statusEl.textContent = (box.checked ? "Valgt: " : "Fjernet: ") + "«" + name + "» (tast " + keyLabel(i) + ").";
    }
  }
  themesEl.addEventListener("change", function (ev) { if (ev.target.type === "checkbox") keepExclusiveAlone(ev.target); });

  function singleKeysOn() { return !switchEl || switchEl.checked; }
  function rememberSwitch() {
    try { window.localStorage.setItem(SHORTCUTS_KEY, switchEl.checked ? "on" : "off"); } catch (e) { /* private mode */ }
  }
  if (switchEl) {
    try { switchEl.checked = window.localStorage.getItem(SHORTCUTS_KEY) !== "off"; } catch (e) { switchEl.checked = true; }
    switchEl.addEventListener("change", rememberSwitch);
  }

  // elements whose own Enter (follow, open, press, submit) or typing must never become a review action
  function ownsKeys(t) {
    return /^(A|SUMMARY|BUTTON|INPUT|TEXTAREA|SELECT|OPTION)$/.test(t.tagName || "") || t.isContentEditable;
  }

  root.addEventListener("keydown", function (ev) {
    var t = ev.target || root;
    if (ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
    if (ev.key === "Escape" && t === typeEl) { root.focus(); ev.preventDefault(); return; }
    if (ev.key === "Enter") {
      if (ev.altKey || ev.shiftKey || ownsKeys(t)) return;
      accept(); ev.preventDefault(); return;
    }
    var box = t.tagName === "INPUT" && t.type === "checkbox";  // a theme box: keys still work there
    if (!singleKeysOn() || (ownsKeys(t) && !box)) return;
    if (/^[0-9]$/.test(ev.key)) {
      var n = ev.key === "0" ? 9 : Number(ev.key) - 1;
      if (ev.altKey) n = ev.key === "0" ? 19 : Number(ev.key) + 9;
      toggle(n); ev.preventDefault(); return;
    }
    if (ev.altKey || ev.shiftKey) return;
    if (ev.key === "a") { accept(); ev.preventDefault(); }
    else if (ev.key === "t") { typeEl.focus(); ev.preventDefault(); }
    else if (ev.key === "j" || ev.key === "s") { if (pos < items.length - 1) { pos++; show(); } ev.preventDefault(); }
    else if (ev.key === "k") { if (pos > 0) { pos--; show(); } ev.preventDefault(); }
  });
  document.getElementById("review-accept").addEventListener("click", accept);
  document.getElementById("review-skip").addEventListener("click", function () { if (pos < items.length - 1) { pos++; show(); } });
  show();
  root.focus();
})();
