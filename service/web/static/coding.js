// Start a coding job (POST /waves/{id}/coding-jobs) and follow GET /jobs/{id} with a progress bar.
(function () {
  var form = document.getElementById("job-form");
  if (!form) return;
  var bar = document.getElementById("job-progress"), text = document.getElementById("job-text");
  var names = JSON.parse(form.dataset.stateNames || "{}");  // the server's one mapping (pages.JOB_STATES)
  var timer = null;

  function render(job) {
    bar.max = Math.max(1, job.total); bar.value = job.done;
    var eta = job.eta_seconds ? " – ca. " + Math.ceil(job.eta_seconds) + " s igjen" : "";
    text.textContent = "Jobb " + job.id + ": " + (names[job.state] || job.state) + " (" + job.done + " av " + job.total + ")" + eta;
    form.dataset.state = job.state;
  }
  function poll(id) {
    clearTimeout(timer);
    tmApi("GET", "/jobs/" + id).then(function (job) {
      render(job);
      if (job.state === "queued" || job.state === "running") timer = setTimeout(function () { poll(id); }, 700);
      else if (job.state === "failed") text.textContent += ": " + (job.error || "");
    }).catch(function (e) { text.textContent = "Feil: " + e.message; });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { force: document.getElementById("job-force").checked };
    var cb = document.getElementById("job-codebook").value;
    if (cb) body.codebook_id = Number(cb);
    text.textContent = "Starter …";
    tmApi("POST", "/waves/" + form.dataset.wave + "/coding-jobs", body)
      .then(function (job) { form.dataset.job = job.id; render(job); poll(job.id); })
      .catch(function (e) { text.textContent = "Kunne ikke starte: " + e.message; });
  });
  if (form.dataset.job && (form.dataset.state === "queued" || form.dataset.state === "running")) poll(form.dataset.job);
})();
