/* Quarterly priorities: drag and drop (SortableJS). Each drop is POSTed to
   <data-move-url>/<id>/move as after=<prev id> (or before=<next id> when first), with the reason
   typed in #move-reason; a refused move is shown in #toast and the page reloads to the saved order.
   Plain ES2017, no globals. */
(function () {
  'use strict';
  const list = document.getElementById('priorities');
  const url = list && list.getAttribute('data-move-url');
  if (!url || typeof Sortable === 'undefined') return;
  const toastEl = document.getElementById('toast');
  function toast(message) {
    if (!toastEl) return;
    toastEl.textContent = message;
    toastEl.classList.add('toast-error');
    toastEl.hidden = false;
  }
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  function renumber() {
    Array.prototype.forEach.call(list.querySelectorAll('.tier'), function (el, i) { el.textContent = String(i + 1); });
  }
  list.classList.add('is-sortable');
  Sortable.create(list, {
    animation: 120,
    draggable: '.priority',
    filter: 'details, input, button, a',
    preventOnFilter: false,
    onEnd: async function (ev) {
      if (ev.oldIndex === ev.newIndex) return;
      const row = ev.item;
      const prev = row.previousElementSibling;
      const next = row.nextElementSibling;
      const body = new URLSearchParams();
      if (prev) body.set('after', prev.getAttribute('data-id'));
      else if (next) body.set('before', next.getAttribute('data-id'));
      const reason = document.getElementById('move-reason');
      if (reason && reason.value) body.set('reason', reason.value);
      renumber();
      let failure = null;
      try {
        const res = await fetch(url + '/' + row.getAttribute('data-id') + '/move', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', 'X-CSRF-Token': csrfToken(), 'Accept': 'text/plain' },
          body: body
        });
        if (!res.ok) {
          const text = (await res.text()).trim();
          failure = text && text.charAt(0) !== '<' ? text.slice(0, 300) : 'Could not move the priority (HTTP ' + res.status + ').';
        }
      } catch (e) {
        failure = 'Could not reach the server; the order was not saved.';
      }
      if (failure) {
        toast(failure);
        setTimeout(function () { window.location.reload(); }, 2500);
      } else {
        list.setAttribute('data-saved', String(Date.now()));
      }
    }
  });
})();
