/* In-place updates (UI.md 2): forms marked hx-post swap their own section (htmx); the server
   names the outcome in an HX-Trigger "toast" event, shown here in #toast. Without JavaScript
   the same forms post and come back to their section. Plain ES2017, no globals. */
(function () {
  'use strict';
  // Save buttons that only matter without JavaScript (a select saves on change) hide on `.js`.
  document.documentElement.classList.add('js');
  const toastEl = document.getElementById('toast');
  let timer = 0;
  function show(message, isError) {
    if (!toastEl || !message) return;
    toastEl.textContent = message;
    toastEl.classList.toggle('toast-error', !!isError);
    toastEl.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { toastEl.hidden = true; }, isError ? 6000 : 2500);
  }
  // The item's title is a one-line field that wraps: Enter saves it instead of a new line.
  document.addEventListener('keydown', function (e) {
    const t = e.target;
    if (e.key !== 'Enter' || !t.matches || !t.matches('textarea.title-input')) return;
    e.preventDefault();
    if (t.form && typeof t.form.requestSubmit === 'function') t.form.requestSubmit();
  });
  document.body.addEventListener('toast', function (e) {
    const d = e.detail || {};
    show(d.message || d.value, d.error);
  });
  // A refusal without a toast of its own (a lost session, a server error) still says so.
  document.body.addEventListener('htmx:responseError', function (e) {
    const xhr = e.detail && e.detail.xhr;
    if (xhr && !xhr.getResponseHeader('HX-Trigger')) {
      show('Not saved (HTTP ' + xhr.status + '). Reload the page and try again.', true);
    }
  });
  document.body.addEventListener('htmx:sendError', function () {
    show('Not saved: the server did not answer.', true);
  });
})();
