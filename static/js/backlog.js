/* Backlog ordering: drag and drop (SortableJS) and the keyboard (j/k, Enter/o, Shift+J/K, x).
   Each move is POSTed to the table's data-move-url as key=<moved>&after=<prev> (or before=<next>
   when the row is first); a refused move is shown in #toast and undone. Plain ES2017, no globals. */
(function () {
  'use strict';

  const table = document.getElementById('backlog');
  const tbody = table && table.tBodies[0];
  if (!tbody) return;
  const moveUrl = table.getAttribute('data-move-url');
  const toastEl = document.getElementById('toast');
  let toastTimer = 0;

  function toast(message, isError) {
    if (!toastEl) return;
    toastEl.textContent = message;
    toastEl.classList.toggle('toast-error', !!isError);
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastEl.hidden = true; }, isError ? 5000 : 1800);
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function isRow(el) { return !!el && el.classList.contains('item-row'); }
  function rows() { return Array.prototype.filter.call(tbody.children, isRow); }
  function keyOf(row) { return row.getAttribute('data-key'); }

  function prevRow(row) {
    let el = row.previousElementSibling;
    while (el && !isRow(el)) el = el.previousElementSibling;
    return el;
  }
  function nextRow(row) {
    let el = row.nextElementSibling;
    while (el && !isRow(el)) el = el.nextElementSibling;
    return el;
  }

  /* Text for a refused move: the server answers with plain text; anything else gets a
     generic message so an HTML error page never lands in the toast. */
  async function failureMessage(res, key) {
    if (res.redirected) return 'Your session has ended. Reload the page to sign in again.';
    let text = '';
    try { text = (await res.text()).trim(); } catch (e) { text = ''; }
    const type = res.headers.get('content-type') || '';
    if (!text || /html/i.test(type) || text.charAt(0) === '<') {
      text = 'Could not move ' + key + ' (HTTP ' + res.status + ').';
    }
    return text.length > 300 ? text.slice(0, 300) + '…' : text;
  }

  /* The strict-mode refusal (UI.md, Alignment): a dialog that names the two items and their
     priorities and asks for the reason the PM will see; resolves to the reason, or null. */
  const exemptDialog = document.getElementById('exemption-dialog');
  function askExemption(message) {
    if (!exemptDialog || typeof exemptDialog.showModal !== 'function') {
      return Promise.resolve(window.prompt(message + '\n\nReason for the exemption:'));
    }
    const text = exemptDialog.querySelector('.exemption-why');
    const field = exemptDialog.querySelector('textarea');
    text.textContent = message;
    field.value = '';
    return new Promise(function (resolve) {
      exemptDialog.addEventListener('close', function onClose() {
        exemptDialog.removeEventListener('close', onClose);
        resolve(exemptDialog.returnValue === 'place' ? field.value : null);
      });
      exemptDialog.returnValue = '';
      exemptDialog.showModal();
      field.focus();
    });
  }

  /* Moves are sent one at a time, in order, so quick Shift+J presses arrive as made. */
  let queue = Promise.resolve();
  let pending = 0;

  /* row is already at its new place in the DOM; undo() puts it back. */
  function sendMove(row, undo, announce) {
    const key = keyOf(row);
    const prev = prevRow(row);
    const next = nextRow(row);
    if (!prev && !next) return;
    const body = new URLSearchParams();
    body.set('key', key);
    if (prev) body.set('after', keyOf(prev));
    else body.set('before', keyOf(next));
    pending += 1;
    queue = queue.then(async function () {
      let failure = null;
      const post = function () {
        return fetch(moveUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
            'X-CSRF-Token': csrfToken(),
            'Accept': 'text/plain'
          },
          body: body.toString()
        });
      };
      try {
        let res = await post();
        if (!res.ok || res.redirected) failure = await failureMessage(res, key);
        /* Strict tier order: the PO may place the item anyway by giving a reason, which is
           recorded as an exemption the PM can see and revoke. */
        if (failure && res.status === 409 && failure.indexOf('record an exemption') >= 0) {
          const reason = await askExemption(failure);
          if (reason && reason.trim()) {
            body.set('exemption', reason.trim());
            res = await post();
            failure = (!res.ok || res.redirected) ? await failureMessage(res, key) : null;
          }
        }
      } catch (e) {
        failure = 'Could not move ' + key + ': the server did not answer.';
      }
      pending -= 1;
      if (failure) {
        toast(failure, true);
        if (pending > 0) {
          // Later moves were made on top of this one: reload to show the true order.
          setTimeout(function () { window.location.reload(); }, 2500);
        } else {
          undo();
        }
      } else if (announce) {
        toast('Moved ' + key + (prev ? ' after ' + keyOf(prev) : ' to the top') + '.');
      }
    });
  }

  function placeBack(row, parent, nextSibling) {
    if (nextSibling && nextSibling.parentNode === parent) parent.insertBefore(row, nextSibling);
    else parent.appendChild(row);
  }

  /* Drag and drop. */
  if (typeof window.Sortable === 'function' && moveUrl) {
    let origNext = null;
    window.Sortable.create(tbody, {
      handle: '.handle',
      draggable: '.item-row',
      animation: 120,
      // Pointer-event dragging behaves the same in every browser and under WebDriver.
      forceFallback: true,
      ghostClass: 'dragging',
      onStart: function (evt) {
        origNext = evt.item.nextElementSibling;
        table.classList.add('is-dragging');
      },
      onEnd: function (evt) {
        table.classList.remove('is-dragging');
        const row = evt.item;
        const before = origNext;
        if (evt.oldIndex === evt.newIndex) return;
        select(row, false);
        sendMove(row, function () { placeBack(row, tbody, before); }, false);
      }
    });
    table.classList.add('is-sortable');
  }

  /* Keyboard selection. */
  let selected = null;

  function select(row, scroll) {
    if (selected && selected !== row) {
      selected.classList.remove('selected');
      selected.removeAttribute('aria-selected');
    }
    selected = row;
    if (!row) return;
    row.classList.add('selected');
    row.setAttribute('aria-selected', 'true');
    if (scroll) {
      row.scrollIntoView({ block: 'nearest' });
      announce(row);
    }
  }

  /* Focus stays in the page while j/k move the selection, so a screen reader hears the row
     through a polite live region instead. */
  let live = null;
  function announce(row) {
    if (!live) {
      live = document.createElement('div');
      live.id = 'backlog-selection';
      live.className = 'visually-hidden';
      live.setAttribute('role', 'status');
      table.after(live);
    }
    const all = rows();
    const key = row.querySelector('td.key') ? row.querySelector('td.key').textContent.trim() : '';
    const title = row.querySelector('td.title') ? row.querySelector('td.title').textContent.trim().split('\n')[0] : '';
    live.textContent = key + ' ' + title + ', ' + (all.indexOf(row) + 1) + ' of ' + all.length;
  }

  function step(dir) {
    const all = rows();
    if (!all.length) return;
    if (!selected || selected.parentNode !== tbody) {
      select(all[0], true);
      return;
    }
    const target = dir > 0 ? nextRow(selected) : prevRow(selected);
    if (target) select(target, true);
  }

  function moveSelected(dir) {
    if (!moveUrl) return;
    const row = selected;
    if (!row || row.parentNode !== tbody) { step(dir); return; }
    const other = dir > 0 ? nextRow(row) : prevRow(row);
    if (!other) return;
    const origNextSibling = row.nextElementSibling;
    if (dir > 0) tbody.insertBefore(other, row);
    else tbody.insertBefore(row, other);
    row.scrollIntoView({ block: 'nearest' });
    sendMove(row, function () { placeBack(row, tbody, origNextSibling); }, true);
  }

  function inFormField(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }

  document.addEventListener('keydown', function (e) {
    if (!e.key || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (inFormField(e.target)) return;
    if (document.querySelector('dialog[open]')) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;

    if (key === 'j' || key === 'k') {
      e.preventDefault();
      if (e.shiftKey) moveSelected(key === 'j' ? 1 : -1);
      else step(key === 'j' ? 1 : -1);
    } else if ((key === 'Enter' || key === 'o') && !e.shiftKey) {
      if (!selected || selected.parentNode !== tbody) return;
      // Enter on a focused link or button keeps its own meaning.
      if (key === 'Enter' && e.target.closest && e.target.closest('a, button, summary')) return;
      const link = selected.querySelector('td.key a') || selected.querySelector('a[href]');
      if (link) { e.preventDefault(); window.location.assign(link.href); }
    } else if (key === 'x' && !e.shiftKey) {
      if (!selected || selected.parentNode !== tbody) return;
      const box = selected.querySelector('td.sel input[type="checkbox"]');
      if (box) {
        e.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  });

  /* A click in a row (outside its links and checkbox) selects it too, so j/k go on from there. */
  tbody.addEventListener('click', function (e) {
    const row = e.target.closest('tr');
    if (!isRow(row) || e.target.closest('a, input, button, label')) return;
    select(row, false);
  });
})();
