// Review queue: one comment at a time; number keys toggle themes, t goes to the comment type (Esc back), Enter
// accepts (themes and type; on a theme box too, where Space toggles it), j/k move, s skips (past the last loaded
// comment it loads more, or says there are none). The keys work
// inside the review region only; Enter never overrides a link, <summary>, button or other form field, and the
// single-key shortcuts (digits, letters) can be turned off (WCAG 2.1.4), remembered in localStorage. Alt+digit
// (themes 11-20) goes by the key's place (event.code Digit1…), so Option+digit works on a Mac, where it types «¡».
// A suggested theme says so in text («(foreslått)», in its box's name too), not by its colour alone (WCAG 1.4.1).
// One polite live region (#review-status, outside the item) announces each move, save and error once (WCAG 4.1.3).
// A save names the latest correction the page saw (seen_correction_id): one stored since by another tab or coder
// is a 409 correction_conflict, told with the stored codes; Enter then replaces them deliberately.
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
  var busy = false, loading = false;
  var SHORTCUTS_KEY = "textmine.review.singleKeys";
  var switchEl = document.getElementById("review-shortcuts");

  function codebookFor(item) { return boot.codebooks[String(item.job_id)] || boot.default_codebook; }
  function codebookById(id, fallback) {
    var all = Object.keys(boot.codebooks || {}).map(function (k) { return boot.codebooks[k]; }).concat([boot.default_codebook]);
    return all.filter(function (cb) { return cb && cb.id === id; })[0] || fallback;
  }
  var ALT = /Mac|iPhone|iPad/.test(navigator.platform || "") ? "Option+" : "Alt+";
  function keyLabel(i) { return i < 9 ? String(i + 1) : (i === 9 ? "0" : ALT + ((i - 10 + 1) % 10)); }
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

  // the live region's text (role=status: polite); the same text twice is not announced again by every reader
  function say(text) { statusEl.textContent = text; }
  function where() {
    return "Kommentar " + (pos + 1) + " av " + Math.max(total, items.length) + ": " + items[pos].text;
  }
  function meta() {
    var item = items[pos];
    document.getElementById("review-meta").textContent =
      "Kommentar " + (pos + 1) + " av " + items.length + " lastet · spørsmål " + item.question + " · svar-id " + item.response_id;
  }

  // draw the comment at ``pos`` (or the empty state); ``announce``: say which comment it is (a move)
  function show(announce) {
    var empty = pos >= items.length;
    document.getElementById("review-empty").hidden = !empty;
    document.getElementById("review-item").hidden = empty;
    countEl.textContent = String(total);
    if (empty) { return; }
    var item = items[pos];
    meta();
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
      var hint = null;
      if (suggested.has(t.id)) {  // text, read with the box's name, besides the border and background
        hint = document.createElement("span"); hint.className = "suggested-text"; hint.textContent = "(foreslått)";
      }
      var score = document.createElement("span"); score.className = "score";
      var sc = item.scores[t.id];
      if (sc !== undefined) score.textContent = (sc >= 0 && sc <= 1) ? fmtPct(sc) : sc.toFixed(2).replace(".", ",");
      score.title = "Modellens skår for temaet";
      label.appendChild(box); label.appendChild(kbd); label.appendChild(name);
      if (hint) label.appendChild(hint);
      label.appendChild(score);
      themesEl.appendChild(label);
    });
    say(announce ? where() : "");
  }

  function selected() {
    return Array.prototype.filter.call(themesEl.querySelectorAll("input[type=checkbox]"), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
  }

  function accept() {
    if (busy || pos >= items.length) return;
    var item = items[pos];
    var cb = codebookFor(item);
    var refocus = true;
    busy = true;
    say("Lagrer …");
    tmApi("POST", "/responses/" + item.response_id + "/codes",
          { themes: selected(), type: typeEl.value || null, codebook_id: cb.id,
            seen_correction_id: item.latest_correction_id == null ? null : item.latest_correction_id })
      .then(function () {
        items.splice(pos, 1);
        total = Math.max(0, total - 1);
        if (pos >= items.length && total <= items.length) pos = 0;  // back to the comments skipped earlier
        show(false);
        say("Lagret. " + total + " igjen." + (pos < items.length ? " " + where() : ""));
        if (items.length - pos < 5 && total > items.length) refill(false);
      })
      .catch(function (e) {
        if (e.code === "correction_conflict") { clash(item, e.details || {}); return; }
        if (e.status === 401) refocus = false;  // session.js has moved focus to its «Logg inn igjen»
        tmApi.showError(statusEl, "Ikke lagret: ", e);
      })
      .finally(function () { busy = false; if (refocus) root.focus(); });
  }

  // another tab or coder corrected the comment after the page loaded it: say when and what is stored; the coder's
  // own choices stay on screen, and accepting again replaces the stored codes (the page has now seen them)
  function clash(item, d) {
    var cb = codebookById(d.codebook_id, codebookFor(item));
    var names = (d.themes || []).map(function (id) {
      var t = cb.themes.filter(function (x) { return x.id === id; })[0];
      return "\u00ab" + (t ? t.label : id) + "\u00bb";
    });
    var when = d.latest_at ? new Date(d.latest_at) : null;
    var at = when && !isNaN(when.getTime())
      ? " " + when.toLocaleString("nb-NO", { dateStyle: "short", timeStyle: "short" }) : "";
    if (d.latest_id != null) item.latest_correction_id = d.latest_id;
    say("Ikke lagret: kommentaren ble rettet" + at + " av noen andre eller i en annen fane. Lagrede koder: "
        + (names.length ? names.join(", ") : "ingen temaer") + (d.type ? "; type " + d.type : "") + ". "
        + "Dine valg står her fortsatt: velg «Godta» (Enter) for å lagre dem i stedet, eller «Hopp over».");
  }

  // the next comment; past the last loaded one, load more (refill) or say there are none
  function next() {
    if (pos >= items.length) return;
    if (pos < items.length - 1) { pos++; show(true); return; }
    if (total > items.length) { say("Henter flere kommentarer \u2026"); refill(true); return; }
    say(noMore());
  }
  function noMore() {
    return "Ingen flere kommentarer å hoppe til: dette er den siste av " + items.length + ". Godta den, eller gå tilbake (k).";
  }

  // load the queue's head again (the ranking moves as corrections arrive; skipped items stay in it), adding the
  // comments not loaded yet; the comment on screen is not redrawn (the coder's choices stay). ``advance``: a skip
  // past the end asked for it: move to the first new comment, or say there are none
  function refill(advance) {
    if (loading) return;
    loading = true;
    var before = items.length, from = pos;
    var limit = Math.min(500, before + 50), offset = Math.max(0, before + 50 - 500);
    var q = "/review-queue?limit=" + limit + "&offset=" + offset + (boot.wave_id ? "&wave_id=" + boot.wave_id : "");
    tmApi("GET", q).then(function (page) {
      var have = new Set(items.map(function (i) { return i.response_id; }));
      page.items.forEach(function (i) { if (!have.has(i.response_id)) { i.scores = i.scores || {}; items.push(i); } });
      total = page.total;
      countEl.textContent = String(total);
      if (pos >= before) { if (pos >= items.length) pos = 0; show(true); }  // the empty state was on screen
      else meta();
      if (advance && pos === from) {
        if (items.length > before) { pos = before; show(true); } else say(noMore());
      }
    }).catch(function (e) {
      if (advance) tmApi.showError(statusEl, "Kunne ikke hente flere kommentarer: ", e);
    }).finally(function () { loading = false; });
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
  // a theme box: Space toggles it (its own key); Enter accepts, and the shortcuts work, as in the region
  function isThemeBox(t) { return t.tagName === "INPUT" && t.type === "checkbox" && themesEl.contains(t); }

  // the digit a key press means: the typed digit, or with Alt the digit key's place (event.code), as Option+1
  // types «¡» on a Mac; null for any other key
  function digitOf(ev) {
    if (ev.altKey && /^Digit[0-9]$/.test(ev.code || "")) return Number(ev.code.slice(5));
    return /^[0-9]$/.test(ev.key) ? Number(ev.key) : null;
  }

  root.addEventListener("keydown", function (ev) {
    var t = ev.target || root;
    if (ev.ctrlKey || ev.metaKey || ev.defaultPrevented) return;
    if (ev.key === "Escape" && t === typeEl) { root.focus(); ev.preventDefault(); return; }
    if (ev.key === "Enter") {
      if (ev.altKey || ev.shiftKey || (ownsKeys(t) && !isThemeBox(t))) return;
      accept(); ev.preventDefault(); return;
    }
    if (!singleKeysOn() || (ownsKeys(t) && !isThemeBox(t))) return;
    var digit = digitOf(ev);
    if (digit !== null) {
      var n = digit === 0 ? 9 : digit - 1;
      if (ev.altKey) n = digit === 0 ? 19 : digit + 9;
      toggle(n); ev.preventDefault(); return;
    }
    if (ev.altKey || ev.shiftKey) return;
    if (ev.key === "a") { accept(); ev.preventDefault(); }
    else if (ev.key === "t") { typeEl.focus(); ev.preventDefault(); }
    else if (ev.key === "j" || ev.key === "s") { next(); ev.preventDefault(); }
    else if (ev.key === "k") { if (pos > 0 && items.length) { pos = Math.min(pos, items.length) - 1; show(true); } ev.preventDefault(); }
  });
  document.getElementById("review-accept").addEventListener("click", accept);
  document.getElementById("review-skip").addEventListener("click", next);
  show(false);
  root.focus();
})();
