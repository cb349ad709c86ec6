// Codebook editor: rename, add and merge themes locally; "Lagre" posts a new version to POST /codebooks. Unsaved
// changes are not lost silently (the browser asks before leaving); an invalid field is marked, described and focused,
// also when the API refuses the save (a version that exists: #cb-version; personal data in a theme's name: its field).
(function () {
  var root = document.getElementById("cb-editor");
  if (!root) return;
  var boot = JSON.parse(root.dataset.boot);
  var canEdit = root.dataset.canEdit === "1";
  var content = JSON.parse(JSON.stringify(boot.content));
  var status = document.getElementById("cb-status");
  var tbody = document.querySelector("#cb-table tbody");
  var dirty = false;

  window.addEventListener("beforeunload", function (ev) {
    if (!dirty) return;
    ev.preventDefault(); ev.returnValue = "";  // the browser asks «Vil du forlate siden?»
  });
  function changed(message) { dirty = true; status.textContent = message; }

  function invalid(input, message) {
    var id = input.id + "-error", msg = document.getElementById(id);
    if (!msg) {
      msg = document.createElement("p"); msg.id = id; msg.className = "error";
      input.insertAdjacentElement("afterend", msg);
    }
    msg.textContent = message; msg.hidden = false;
    input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", id);
    status.textContent = message;
    input.focus();
  }
  function valid(input) {
    var msg = document.getElementById(input.id + "-error");
    if (msg) { msg.hidden = true; msg.textContent = ""; }
    input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby");
  }

  function bump(v) {
    var m = /^(.*?)(\d+)$/.exec(String(v || "1.0"));
    return m ? m[1] + (Number(m[2]) + 1) : String(v) + ".1";
  }

  function draw() {
    tbody.innerHTML = "";
    content.themes.forEach(function (t, i) {
      var tr = document.createElement("tr");
      var c0 = document.createElement("td"), box = document.createElement("input");
      box.type = "checkbox"; box.value = t.id; box.id = "sel-" + t.id; box.disabled = !canEdit;
      var lab0 = document.createElement("label"); lab0.htmlFor = box.id; lab0.className = "sr-only"; lab0.textContent = "Velg " + t.label;
      c0.appendChild(box); c0.appendChild(lab0);
      var c1 = document.createElement("td"); c1.textContent = t.id;
      var c2 = document.createElement("td"), inp = document.createElement("input");
      inp.value = t.label; inp.id = "label-" + t.id; inp.disabled = !canEdit; inp.setAttribute("aria-label", "Navn på " + t.id);
      inp.addEventListener("input", function () { t.label = inp.value; dirty = true; });
      c2.appendChild(inp);
      var c3 = document.createElement("td"); c3.textContent = t.description || "";
      tr.appendChild(c0); tr.appendChild(c1); tr.appendChild(c2); tr.appendChild(c3);
      tbody.appendChild(tr);
    });
    var into = document.getElementById("merge-into");
    if (into) {
      into.innerHTML = "";
      content.themes.forEach(function (t) { var o = document.createElement("option"); o.value = t.id; o.textContent = t.label + " (" + t.id + ")"; into.appendChild(o); });
    }
  }

  function on(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }

  on("cb-add", function () {
    var idInput = document.getElementById("new-id");
    var id = idInput.value.trim(), label = document.getElementById("new-label").value.trim();
    if (!/^[a-z0-9][a-z0-9_]*$/.test(id)) { invalid(idInput, "Ugyldig id: bruk små bokstaver, tall og _, og begynn med en bokstav eller et tall."); return; }
    if (content.themes.some(function (t) { return t.id === id; })) { invalid(idInput, "Id-en «" + id + "» finnes fra før. Velg en annen id."); return; }
    valid(idInput);
    content.themes.push({ id: id, label: label || id, description: document.getElementById("new-desc").value.trim(), keywords: [] });
    changed("La til «" + (label || id) + "». Husk å lagre."); draw();
  });

  on("cb-merge", function () {
    var into = document.getElementById("merge-into").value;
    var chosen = Array.prototype.filter.call(tbody.querySelectorAll("input[type=checkbox]"), function (b) { return b.checked && b.value !== into; })
      .map(function (b) { return b.value; });
    if (!chosen.length) { status.textContent = "Velg temaene som skal slås inn i «" + into + "»."; return; }
    var target = content.themes.find(function (t) { return t.id === into; });
    content.themes.forEach(function (t) {
      if (chosen.indexOf(t.id) >= 0) {
        target.keywords = Array.from(new Set((target.keywords || []).concat(t.keywords || [])));
        target.examples = (target.examples || []).concat(t.examples || []);
        if (!target.examples.length) delete target.examples;
      }
    });
    content.themes = content.themes.filter(function (t) { return chosen.indexOf(t.id) < 0; })
      .map(function (t) { if (chosen.indexOf(t.parent) >= 0) t.parent = into; return t; });
    changed("Slo sammen " + chosen.join(", ") + " med " + into + ". Husk å lagre."); draw();
  });

  on("cb-save", function () {
    var verInput = document.getElementById("cb-version"), v = verInput.value.trim();
    if (!v) { invalid(verInput, "Oppgi en ny versjon, for eksempel 1.1."); return; }
    valid(verInput);
    tbody.querySelectorAll("input[aria-invalid]").forEach(valid);  // a name the last refusal marked
    var body = JSON.parse(JSON.stringify(content)); body.version = v;
    status.textContent = "Lagrer …";
    tmApi("POST", "/codebooks", body).then(function (row) {
      status.textContent = "Lagret som versjon " + row.version + ".";
      dirty = false;
      window.location.href = "/ui/codebooks/" + row.id;
    }).catch(function (e) {
      var field = fieldOf(e);
      if (field) invalid(field, "Ikke lagret: " + e.message);
      else tmApi.showError(status, "Ikke lagret: ", e);
    });
  });

  // the input a refused save is about: the version (409 codebook_version_exists, or personal data in it) or a
  // theme's name (personal data: details.field «label of theme ID»); null when the editor has no field for it
  function fieldOf(e) {
    var details = e.details || {};
    if (e.code === "codebook_version_exists") return document.getElementById("cb-version");
    if (!/^personal_data_in_/.test(e.code || "")) return null;
    var field = String(details.field || "");
    if (field === "version") return document.getElementById("cb-version");
    var m = /^label of theme (.+)$/.exec(field);
    return m ? document.getElementById("label-" + m[1]) : null;
  }

  var ver = document.getElementById("cb-version"); if (ver) ver.value = bump(content.version);
  draw();
})();
