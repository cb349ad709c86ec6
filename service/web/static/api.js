// Tiny client for the public JSON API through the UI proxy (/ui/api/…): the browser holds only an HttpOnly session cookie.
// A failed call rejects with an Error whose message is Norwegian (tmApi.describe: the API's error code mapped, else a
// generic text naming the code); status, code, details and the API's own message (apiMessage) ride along. A 401 also
// tells session.js («tm:session-expired»), which shows «Økten er avsluttet» with a login link.
(function () {
  var EXPIRED = "Økten er avsluttet. Logg inn igjen; det du ikke har lagret, er ikke sendt.";
  var TEXTS = {
    unauthenticated: EXPIRED,
    invalid_api_key: EXPIRED,
    forbidden: "Du har ikke tilgang til dette.",
    csrf: "Forespørselen ble avvist. Last inn siden på nytt og prøv igjen.",
    not_found: "Fant ikke det du ba om. Det kan være slettet; last inn siden på nytt.",
    correction_conflict: "Kommentaren er rettet av noen andre (eller i en annen fane) etter at du åpnet den.",
    codebook_version_exists: "Versjonen finnes fra før med annet innhold. Oppgi en ny versjon, for eksempel neste nummer.",
    personal_data_in_name: "Teksten ser ut til å inneholde personopplysninger. Fjern dem; lesere ser denne teksten.",
    unknown_theme: "Et av temaene finnes ikke i kodeboka. Last inn siden på nytt.",
    unknown_type: "Kommentartypen finnes ikke i kodeboka. Velg en av typene i lista.",
    exclusive_theme: "Et tema som må stå alene (for eksempel «Annet»), kan ikke kombineres med andre temaer.",
    invalid_codebook: "Kodeboka er ikke gyldig. Sjekk id-er og navn på temaene.",
    not_enough_corrections: "For få rettede svar til å trene en ny modell. Rett flere kommentarer først.",
    too_few_theme_examples: "For få rettelser for noen temaer til å trene en ny modell. Rett flere kommentarer først.",
    validation_error: "Et felt har en ugyldig verdi.",
    payload_too_large: "Det som ble sendt, er for stort.",
    busy: "Tjenesten er opptatt. Prøv igjen om litt.",
    too_many_requests: "For mange forespørsler. Vent litt og prøv igjen.",
    unavailable: "Tjenesten er utilgjengelig akkurat nå. Prøv igjen om litt.",
    database_unavailable: "Tjenesten er utilgjengelig akkurat nå. Prøv igjen om litt."
  };
  var OFFLINE = "Fikk ikke kontakt med tjenesten. Sjekk nettverket og prøv igjen.";

  // the Norwegian text for an API error code (HTTP status when the body had none)
  function describe(code, status) {
    if (TEXTS[code]) return TEXTS[code];
    if (status === 401) return EXPIRED;
    return "Noe gikk galt (feilkode " + (code || "HTTP " + status) + ").";
  }

  // the login page, back to this page afterwards (as session.js's link)
  function loginUrl() {
    return "/ui/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  // show a failed call in ``el`` as «prefix + Norwegian text»; after a 401, with a «Logg inn igjen» link
  function showError(el, prefix, err) {
    el.textContent = (prefix || "") + (err && err.message ? err.message : OFFLINE);
    if (err && err.status === 401) {
      var link = document.createElement("a"); link.href = loginUrl(); link.textContent = "Logg inn igjen";
      el.appendChild(document.createTextNode(" ")); el.appendChild(link);
    }
  }

  function tmApi(method, path, body) {
    var opts = { method: method, headers: { "X-Textmine-UI": "1" }, credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch("/ui/api" + path, opts).catch(function () {
      var err = new Error(OFFLINE); err.status = 0; err.code = "offline"; throw err;
    }).then(function (r) {
      return r.text().then(function (t) {
        var data = null; try { data = t ? JSON.parse(t) : null; } catch (e) { data = { raw: t }; }
        if (!r.ok) {
          var info = (data && data.error) || {};
          var err = new Error(describe(info.code, r.status));
          err.status = r.status; err.code = info.code || null; err.details = info.details || {};
          err.apiMessage = info.message || null; err.data = data;
          if (r.status === 401) document.dispatchEvent(new CustomEvent("tm:session-expired"));
          throw err;
        }
        document.dispatchEvent(new CustomEvent("tm:session-used"));  // the server restarted the idle timer (session.js)
        return data;
      });
    });
  }
  tmApi.describe = describe;
  tmApi.showError = showError;
  tmApi.loginUrl = loginUrl;
  window.tmApi = tmApi;
})();
