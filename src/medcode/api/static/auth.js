// Bearer token for a shared server: asks once (on the first 401), keeps it for this tab,
// and adds it to every fetch the page makes. Load before the page's own scripts.
"use strict";
(function () {
  const KEY = "medcode-token";
  const plain = window.fetch.bind(window);
  function withToken(init, token) {
    const headers = new Headers((init && init.headers) || {});
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return Object.assign({}, init || {}, { headers });
  }
  window.fetch = async function (input, init) {
    let token = sessionStorage.getItem(KEY);
    let resp = await plain(input, withToken(init, token));
    if (resp.status === 401) {
      const given = window.prompt("This medcode server needs its access token:");
      if (given && given.trim()) {
        token = given.trim();
        sessionStorage.setItem(KEY, token);
        resp = await plain(input, withToken(init, token));
        if (resp.status === 401) sessionStorage.removeItem(KEY);
      }
    }
    return resp;
  };
})();
