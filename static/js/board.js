/* Sprint and flow boards: cards move between columns by drag and drop (SortableJS), by
   keyboard (j/k to select a card, h/l to move it a column left/right, m for its menu of
   columns, Enter to open it) or by each card's "Move" menu. Each move is
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
        filter: 'a, select, button, input, .card-menu',
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

  /* The card menu: the other columns by name; Escape or a click elsewhere closes it. */
  let menu = null;

  function closeMenu(refocus) {
    if (!menu) return;
    const card = menu.parentElement && menu.parentElement.closest('.card');
    menu.remove();
    menu = null;
    if (refocus && card) card.focus();
  }

  function moveTo(card, list) {
    const from = card.parentElement;
    if (from === list) return;
    const fromNext = card.nextElementSibling;
    list.appendChild(card);
    card.focus();
    send(card, from, fromNext);
  }

  function openMenu(card) {
    closeMenu(false);
    const key = card.getAttribute('data-key');
    menu = document.createElement('div');
    menu.className = 'card-menu';
    menu.setAttribute('role', 'menu');
    menu.setAttribute('aria-label', 'Move ' + key + ' to');
    lists.forEach(function (list) {
      if (list === card.parentElement) return;
      const item = document.createElement('button');
      item.type = 'button';
      item.className = 'card-menu-item';
      item.setAttribute('role', 'menuitem');
      item.textContent = list.getAttribute('data-title') || list.getAttribute('data-status');
      item.addEventListener('click', function (e) {
        e.stopPropagation();
        closeMenu(false);
        moveTo(card, list);
      });
      menu.appendChild(item);
    });
    menu.addEventListener('keydown', function (e) {
      const items = Array.prototype.slice.call(menu.querySelectorAll('.card-menu-item'));
      const at = items.indexOf(document.activeElement);
      if (e.key === 'Escape') { closeMenu(true); e.preventDefault(); }
      else if (e.key === 'ArrowDown' || e.key === 'j') { items[Math.min(items.length - 1, at + 1)].focus(); e.preventDefault(); }
      else if (e.key === 'ArrowUp' || e.key === 'k') { items[Math.max(0, at - 1)].focus(); e.preventDefault(); }
      e.stopPropagation();
    });
    (card.querySelector('.card-foot') || card).appendChild(menu);
    const first = menu.querySelector('.card-menu-item');
    if (first) first.focus();
  }

  cards().forEach(function (card) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-small btn-ghost card-menu-button';
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-keyshortcuts', 'm');
    button.setAttribute('aria-label', 'Move ' + card.getAttribute('data-key'));
    button.textContent = 'Move';
    button.addEventListener('click', function (e) {
      e.stopPropagation();
      if (menu && menu.parentElement && menu.parentElement.closest('.card') === card) closeMenu(true);
      else openMenu(card);
    });
    (card.querySelector('.card-foot') || card).appendChild(button);
  });
  document.addEventListener('click', function (e) {
    if (menu && !menu.contains(e.target)) closeMenu(false);
  });

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
    } else if (e.key === 'm' && current) {
      openMenu(current);
      e.preventDefault();
    } else if (e.key === 'Enter' && current) {
      const link = current.querySelector('a.key');
      if (link) { window.location.assign(link.href); e.preventDefault(); }
    }
  });
})();
