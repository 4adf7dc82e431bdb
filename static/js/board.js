/* Sprint board: cards move between columns by drag and drop (SortableJS) or by keyboard
   (j/k to select a card, h/l to move it a column left/right, Enter to open it). Each move is
   POSTed to the board's data-move-url as item=<key>&status=<column>; the answer's text (WIP
   warnings, or why the move was refused) is shown in #toast, and a refused move is undone. */
(function () {
  'use strict';

  const board = document.getElementById('board');
  if (!board || !board.hasAttribute('data-can-move')) return;
  const moveUrl = board.getAttribute('data-move-url');
  const lists = Array.prototype.slice.call(board.querySelectorAll('.cards'));
  const toastEl = document.getElementById('toast');
  let toastTimer = 0;

  function toast(message, isError) {
    if (!toastEl || !message) return;
    toastEl.textContent = message;
    toastEl.classList.toggle('toast-error', !!isError);
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastEl.hidden = true; }, isError ? 5000 : 2500);
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function syncCard(card, status) {
    const select = card.querySelector('select[name="status"]');
    if (select) select.value = status;
  }

  /* Moves go out one at a time, in the order they were made. */
  let queue = Promise.resolve();

  function send(card, from, fromNext) {
    const list = card.parentElement;
    const status = list.getAttribute('data-status');
    const key = card.getAttribute('data-key');
    const body = new URLSearchParams();
    body.set('item', key);
    body.set('status', status);
    board.setAttribute('aria-busy', 'true');
    queue = queue.then(async function () {
      let text = '';
      let ok = false;
      try {
        const res = await fetch(moveUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
            'X-CSRF-Token': csrfToken(),
            'Accept': 'text/plain'
          },
          body: body
        });
        ok = res.ok && !res.redirected;
        text = (await res.text()).trim();
        if (!ok && (!text || text.charAt(0) === '<')) text = 'Could not move ' + key + ' (HTTP ' + res.status + ').';
      } catch (e) {
        text = 'Could not reach the server; ' + key + ' was not moved.';
      }
      if (ok) {
        syncCard(card, status);
        toast(text || (key + ' moved.'), false);
      } else {
        from.insertBefore(card, fromNext);
        syncCard(card, from.getAttribute('data-status'));
        toast(text, true);
      }
      board.removeAttribute('aria-busy');
    });
  }

  if (window.Sortable) {
    lists.forEach(function (list) {
      window.Sortable.create(list, {
        group: 'board',
        animation: 120,
        forceFallback: true,
        filter: 'a, select, button, input',
        preventOnFilter: false,
        onEnd: function (ev) {
          if (ev.from === ev.to) return;
          const fromNext = ev.from.children[ev.oldIndex] || null;
          send(ev.item, ev.from, fromNext);
        }
      });
    });
    board.classList.add('is-sortable');
  }

  function cards() { return Array.prototype.slice.call(board.querySelectorAll('.card')); }

  function inFormField(el) {
    return !!el && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(el.tagName);
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (inFormField(e.target)) return;
    const all = cards();
    const current = document.activeElement && document.activeElement.classList.contains('card') ? document.activeElement : null;
    if (e.key === 'j' || e.key === 'k') {
      if (!all.length) return;
      let i = current ? all.indexOf(current) : -1;
      i = e.key === 'j' ? Math.min(all.length - 1, i + 1) : Math.max(0, i - 1);
      all[i].focus();
      e.preventDefault();
    } else if ((e.key === 'h' || e.key === 'l') && current) {
      const from = current.parentElement;
      const at = lists.indexOf(from);
      const to = lists[at + (e.key === 'l' ? 1 : -1)];
      if (!to) return;
      const fromNext = current.nextElementSibling;
      to.appendChild(current);
      current.focus();
      send(current, from, fromNext);
      e.preventDefault();
    } else if (e.key === 'Enter' && current) {
      const link = current.querySelector('a.key');
      if (link) { window.location.assign(link.href); e.preventDefault(); }
    }
  });
})();
