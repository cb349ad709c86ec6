// Tiny client for the public JSON API through the UI proxy (/ui/api/…): the browser holds only an HttpOnly session cookie.
window.tmApi = function (method, path, body) {
  var opts = { method: method, headers: { "X-Textmine-UI": "1" }, credentials: "same-origin" };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  return fetch("/ui/api" + path, opts).then(function (r) {
    return r.text().then(function (t) {
      var data = null; try { data = t ? JSON.parse(t) : null; } catch (e) { data = { raw: t }; }
      if (!r.ok) {
        var msg = data && data.error ? data.error.message : ("HTTP " + r.status);
        var err = new Error(msg); err.status = r.status; err.data = data; throw err;
      }
      document.dispatchEvent(new CustomEvent("tm:session-used"));  // the server restarted the idle timer (session.js)
      return data;
    });
  });
};
