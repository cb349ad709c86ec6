// Session time limits (WCAG 2.2.1): a warning before the session ends unused, with «Forleng økten» (POST
// /ui/session restarts the idle timer); the login's own time limit cannot be extended, only announced in time.
// The page gives the seconds left (body data-session-idle / data-session-left); every API call restarts the idle timer,
// and one answered 401 (api.js: «tm:session-expired») shows the end at once.
(function () {
  var body = document.body, box = document.getElementById("session-warning");
  var idle = Number(body.dataset.sessionIdle), left = Number(body.dataset.sessionLeft);
  if (!box || !(idle > 0) || !(left > 0)) return;
  var text = document.getElementById("session-warning-text"), button = document.getElementById("session-extend");
  var LEAD = Math.max(20, Math.min(120, idle / 2));  // seconds of warning: never under the 20 s WCAG asks for
  var idleEnd = 0, hardEnd = 0, timer = null, returnTo = null, ended = false;

  function now() { return Date.now() / 1000; }
  function duration(s) {
    s = Math.max(1, Math.round(s));
    if (s < 90) return s + " sekunder";
    var m = Math.round(s / 60);
    return m + (m === 1 ? " minutt" : " minutter");
  }
  function end() { return Math.min(idleEnd, hardEnd); }

  function schedule(idleLeft, totalLeft) {
    idleEnd = now() + idleLeft; hardEnd = now() + totalLeft;
    if (!box.hidden && !ended && !button.hidden) hide();  // the final warning stays
    arm();
  }
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, end() - now() - LEAD) * 1000);
  }
  function check() {
    var rest = end() - now();
    if (rest <= 0) { expired(); return; }
    if (rest > LEAD + 1) { arm(); return; }  // a timer that fired early
    warn(rest);
    clearTimeout(timer);
    timer = setTimeout(check, rest * 1000);
  }
  function warn(rest) {
    if (!box.hidden) return;
    var final = hardEnd <= idleEnd + 1;
    text.textContent = final
      ? "Økten avsluttes om " + duration(rest) + " fordi den har vart så lenge som tillatt, og kan ikke forlenges. "
        + "Lagre det du holder på med; deretter må du logge inn igjen."
      : "Økten avsluttes om " + duration(rest) + " fordi du ikke har vært aktiv. Velg «Forleng økten» for å fortsette.";
    button.hidden = final;
    returnTo = document.activeElement;
    box.hidden = false;
    (final ? box : button).focus();
  }
  function hide() {
    box.hidden = true;
    if (returnTo && returnTo.focus && document.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }
  function expired() {
    if (ended) return;
    ended = true; clearTimeout(timer);
    var login = "/ui/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    text.textContent = "Økten er avsluttet. Det du ikke har lagret, er ikke sendt. ";
    var link = document.createElement("a"); link.href = login; link.textContent = "Logg inn igjen";
    text.appendChild(link);
    button.hidden = true; box.hidden = false; link.focus();
  }

  button.addEventListener("click", function () {
    fetch("/ui/session", { method: "POST", headers: { "X-Textmine-UI": "1" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (t) { schedule(t.idle, t.left); })
      .catch(function () { expired(); });
  });
  document.addEventListener("tm:session-used", function () { if (!ended) schedule(idle, hardEnd - now()); });
  document.addEventListener("tm:session-expired", expired);  // an API call answered 401 (api.js): it has ended
  box.setAttribute("tabindex", "-1");
  schedule(idle, left);
})();
