// «Tren ny modell» (analysts only; the panel is in the page only for them): POST /models starts a training job on
// the stored corrections, polled (GET /training-jobs/{id}) until it is done, failed or cancelled. The page never
// waits on it: the calls are asynchronous and the button is aria-disabled while a training runs (it keeps focus, and
// a second press starts nothing). Progress shows in the panel; the start, the end and the quality figures the
// API returns (held-out, out-of-fold F1 and exact match), before → after, are told in the page's one polite live
// region (data-live). «Before» is the codebook's newest trained model, else the default model (pages.py), then the
// model trained here. A training of the codebook queued or running when the page loads (pages.training_boot's
// active_job_id: after a reload) is followed the same way, the button disabled.
(function () {
  var panel = document.getElementById("train");
  if (!panel || !window.tmApi) return;
  var boot = JSON.parse(panel.dataset.train);
  var button = document.getElementById("train-start");
  var live = document.getElementById(panel.dataset.live);
  var messageEl = document.getElementById("train-message");
  var resultEl = document.getElementById("train-result");
  var progressBox = document.getElementById("train-progress");
  var bar = document.getElementById("train-bar");
  var progressText = document.getElementById("train-progress-text");
  var POLL_MS = Number(panel.dataset.pollMs || 2000);
  var RETRIES = 5;  // polls in a row that may fail on a network blip or a busy server before the page gives up
  var running = false, lastState = null, misses = 0;

  // the figures compared (pages.TRAINING_FIGURES), as the page names them; exact match is a share of comments
  var FIGURES = [
    { key: "oof_macro_f1", name: "Makro-F1 (snitt over temaene)", share: false },
    { key: "oof_micro_f1", name: "Mikro-F1 (alle koder samlet)", share: false },
    { key: "oof_exact_match", name: "Helt riktig kodede kommentarer", share: true }
  ];
  var CORRECTIONS_ONLY = "Modellen er trent bare på rettelsene, fordi standardmodellens treningsdata ikke kunne " +
    "brukes. En slik modell koder ofte mye dårligere enn standardmodellen: sammenlign den på svar du kjenner før " +
    "du tar den i bruk.";

  function num(x, digits) { return x.toFixed(digits).replace(".", ",").replace("-", "\u2212"); }
  function fmt(f, x) { return f.share ? num(x * 100, 1) + "\u00a0%" : num(x, 3); }
  function fmtDiff(f, d) {  // a change that rounds to nothing is 0 (never «−0,000»)
    var digits = f.share ? 1 : 3, x = f.share ? d * 100 : d;
    if (Math.abs(x) < 0.5 * Math.pow(10, -digits)) x = 0;
    return (x > 0 ? "+" : "") + num(x, digits) + (f.share ? " prosentpoeng" : "");
  }
  function figures(metrics) {
    var out = {};
    FIGURES.forEach(function (f) { if (metrics && typeof metrics[f.key] === "number") out[f.key] = metrics[f.key]; });
    return out;
  }

  // the panel's own line (stays) and the live region (announced once)
  function note(text) { messageEl.textContent = text; if (live) live.textContent = text; }

  function setRunning(on) {
    running = on;
    button.setAttribute("aria-disabled", on ? "true" : "false");
    panel.setAttribute("aria-busy", on ? "true" : "false");
    progressBox.hidden = !on;
  }

  function minutes(seconds) {
    if (seconds < 60) return "under ett minutt igjen";
    var m = Math.round(seconds / 60);
    return "omtrent " + m + (m === 1 ? " minutt" : " minutter") + " igjen";
  }

  function showProgress(job) {
    if (job.state === "queued") {
      bar.removeAttribute("value");
      progressText.textContent = "I kø: venter på at en annen trening blir ferdig.";
      return;
    }
    if (job.total > 0) { bar.max = job.total; bar.value = Math.min(job.done, job.total); }
    else bar.removeAttribute("value");
    progressText.textContent = "Trener" + (job.total > 0 ? ": steg " + job.done + " av " + job.total : " …") +
      (typeof job.eta_seconds === "number" && job.eta_seconds > 0 ? ", " + minutes(job.eta_seconds) : "") + ".";
  }

  function start() {
    if (running) return;
    setRunning(true);
    resultEl.textContent = "";
    lastState = null; misses = 0;
    bar.removeAttribute("value");
    progressText.textContent = "Starter …";
    note("Starter treningen …");
    tmApi("POST", "/models", { codebook_id: boot.codebook_id }).then(function (job) {
      note(job.created === false ? "En trening på de samme rettelsene pågår allerede; følger den."
                                 : "Treningen er startet. Den tar noen minutter; du kan arbeide videre imens.");
      watch(job);
    }).catch(refused);
  }

  // one look at the job: show it, end on a final state, else look again in POLL_MS
  function watch(job) {
    misses = 0;
    showProgress(job);
    if (job.state === "running" && lastState === "queued") note("Treningen er i gang.");
    lastState = job.state;
    if (job.state === "done") return finished(job.model);
    if (job.state === "failed" || job.state === "cancelled") {
      setRunning(false);
      note(job.state === "failed" ? "Treningen feilet; ingen ny modell er lagret." + (job.error ? " Tjenestens melding: " : "")
                                  : "Treningen ble avbrutt; ingen ny modell er lagret.");
      if (job.state === "failed" && job.error) {  // a short, value-free message in English (the API's)
        var why = document.createElement("span"); why.lang = "en"; why.textContent = job.error;
        messageEl.appendChild(why);
        if (live) live.textContent = messageEl.textContent;
      }
      return;
    }
    window.setTimeout(function () { poll(job.id); }, POLL_MS);
  }

  function poll(id) {
    tmApi("GET", "/training-jobs/" + id).then(watch).catch(function (e) {
      if ((e.status === 0 || e.status === 429 || e.status === 503) && ++misses <= RETRIES) {
        window.setTimeout(function () { poll(id); }, POLL_MS * 2);
        return;
      }
      setRunning(false);
      tmApi.showError(messageEl, "Fikk ikke vite hvordan treningen gikk: ", e);
      if (live) live.textContent = messageEl.textContent;
    });
  }

  // POST /models refused (before any job exists): say why, in the page's words
  function refused(e) {
    setRunning(false);
    var d = e.details || {};
    if (e.code === "not_enough_corrections" && typeof d.needed === "number") {
      note("For få rettede svar til å trene en ny modell: " + (d.found || 0) + " er lagret, minst " + d.needed +
           " trengs. Rett flere kommentarer i gjennomgangen først.");
      return;
    }
    if (e.code === "too_few_theme_examples" && d.themes) {  // «telefon (Telefon og tilgjengelighet): 1 av 3»
      var labels = d.labels || {};
      note("For få rettelser for noen temaer til å trene en modell på rettelsene alene (minst " + d.needed +
           " per tema): " + Object.keys(d.themes).map(function (t) {
             return t + (labels[t] ? " (" + labels[t] + ")" : "") + ": " + d.themes[t] + " av " + d.needed;
           }).join(", ") + ". Rett flere kommentarer med disse temaene først.");
      return;
    }
    tmApi.showError(messageEl, "Treningen ble ikke startet: ", e);
    if (live) live.textContent = messageEl.textContent;
  }

  // the new model: before → after for each figure both have (a table, and one sentence for the live region)
  function finished(model) {
    setRunning(false);
    if (!model) { note("Treningen er ferdig, men tjenesten sa ikke noe om modellen. Last inn siden på nytt."); return; }
    var after = figures(model.metrics), base = boot.baseline, before = base ? figures(base.metrics) : {};
    var beforeName = base ? (base.source === "default" ? "standardmodellen" : "modell «" + base.name + "»") : "";
    var parts = [], table = document.createElement("table"), body = document.createElement("tbody");
    var caption = document.createElement("caption");
    caption.textContent = "Kvalitet målt på data holdt utenfor treningen (kryssvalidering)" +
      (beforeName ? ": " + beforeName + " mot den nye modellen" : "");
    table.appendChild(caption);
    var head = document.createElement("thead"), hr = document.createElement("tr");
    ["Mål", "Før", "Etter", "Endring"].forEach(function (h, i) {
      var th = document.createElement("th"); th.scope = "col"; th.textContent = h; if (i) th.className = "num";
      hr.appendChild(th);
    });
    head.appendChild(hr); table.appendChild(head);
    FIGURES.forEach(function (f) {
      if (!(f.key in after)) return;
      var has = f.key in before, tr = document.createElement("tr"), th = document.createElement("th");
      th.scope = "row"; th.textContent = f.name; tr.appendChild(th);
      [has ? fmt(f, before[f.key]) : "–", fmt(f, after[f.key]), has ? fmtDiff(f, after[f.key] - before[f.key]) : "–"]
        .forEach(function (text) { var td = document.createElement("td"); td.className = "num"; td.textContent = text; tr.appendChild(td); });
      body.appendChild(tr);
      parts.push(f.name + " " + (has ? fmt(f, before[f.key]) + " \u2192 " : "") + fmt(f, after[f.key]) +
                 (has ? " (" + fmtDiff(f, after[f.key] - before[f.key]) + ")" : ""));
    });
    table.appendChild(body);
    var text = "Ny modell «" + model.name + "» er ferdig, trent på " + model.n_training + " rettede svar. ";
    if (parts.length) {
      text += (beforeName ? "Før \u2192 etter, sammenlignet med " + beforeName + ": " : "Ingen tidligere modell å " +
               "sammenligne med. ") + parts.join("; ") + ".";
      resultEl.appendChild(table);
    } else {
      text += "Tjenesten oppga ingen kvalitetstall for modellen.";
    }
    var onlyCorrections = (model.warnings || []).length && !(model.metrics || {}).n_base_examples;
    if (onlyCorrections) {
      var warn = document.createElement("p"); warn.className = "error"; warn.textContent = CORRECTIONS_ONLY;
      resultEl.appendChild(warn);
      text += " " + CORRECTIONS_ONLY;
    }
    note(text);
    boot.baseline = { source: "model", name: model.name, metrics: after };  // the next training compares with this
  }

  // a training of this codebook already queued or running when the page loads (a reload): follow it
  function resume(id) {
    setRunning(true);
    lastState = null; misses = 0;
    bar.removeAttribute("value");
    progressText.textContent = "Henter status …";
    note("En trening for denne kodeboka pågår allerede; følger den.");
    poll(id);
  }

  button.addEventListener("click", function (ev) { ev.preventDefault(); start(); });
  if (typeof boot.active_job_id === "number") resume(boot.active_job_id);
  panel.hidden = false;  // shown only where the script runs (the button needs it)
})();
