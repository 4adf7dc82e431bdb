/* Shortcuts on every page: "/" focuses the filter, "?" opens the shortcut sheet (Escape closes it),
   "g" then "o", "b", "n", "s" or "r" goes to the overview, backlog, current sprint (or flow board),
   sprints or reports. Keys typed in form fields are left alone. Plain ES2017. */
(function () {
  'use strict';

  const sheet = document.getElementById('shortcuts');
  let gPressedAt = 0;

  function inFormField(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }

  function openSheet() {
    if (!sheet || sheet.open) return;
    if (typeof sheet.showModal === 'function') sheet.showModal();
    else sheet.setAttribute('open', '');
  }

  function closeSheet() {
    if (!sheet || !sheet.open) return;
    if (typeof sheet.close === 'function') sheet.close();
    else sheet.removeAttribute('open');
  }

  // "New item" (and `c`) open the creation dialog instead of following the link to the
  // backlog's form, which stays the way without JavaScript.
  const newItem = document.getElementById('new-item-dialog');
  function openDialog(d) {
    if (typeof d.showModal !== 'function') return;
    d.showModal();
    const first = d.querySelector('input:not([type=hidden]), select, textarea');
    const title = d.querySelector('input[name=title]');
    (title || first) && (title || first).focus();
  }
  document.querySelectorAll('[data-open-dialog]').forEach(function (a) {
    const d = document.getElementById(a.getAttribute('data-open-dialog'));
    if (!d || typeof d.showModal !== 'function') return;
    a.addEventListener('click', function (e) { e.preventDefault(); openDialog(d); });
  });
  document.querySelectorAll('dialog [data-close-dialog]').forEach(function (b) {
    b.addEventListener('click', function () { b.closest('dialog').close(); });
  });

  // A click on the backdrop (outside the sheet's box) closes it too.
  if (sheet) {
    sheet.addEventListener('click', function (e) {
      if (e.target !== sheet) return;
      const r = sheet.getBoundingClientRect();
      const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
      if (!inside) closeSheet();
    });
  }

  document.addEventListener('keydown', function (e) {
    if (!e.key || e.defaultPrevented) return;
    if (e.key === 'Escape') {
      if (sheet && sheet.open) { e.preventDefault(); closeSheet(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (inFormField(e.target)) return;
    if (sheet && sheet.open) return;

    const now = Date.now();
    const afterG = now - gPressedAt < 1200;
    gPressedAt = 0;

    if (e.key === '/') {
      const filter = document.getElementById('filter');
      if (filter) {
        e.preventDefault();
        filter.focus();
        if (typeof filter.select === 'function') filter.select();
      }
    } else if (e.key === '?') {
      if (sheet) { e.preventDefault(); openSheet(); }
    } else if (e.key === 'c' && !e.shiftKey && newItem) {
      e.preventDefault();
      openDialog(newItem);
    } else if (e.key === 'g' && !e.shiftKey) {
      gPressedAt = now;
    } else if (afterG && 'obnsr'.includes(e.key)) {
      const target = { o: 'overview', b: 'backlog', n: 'now', s: 'sprints', r: 'reports' }[e.key];
      const link = document.querySelector('a[data-shortcut="' + target + '"]');
      if (link) { e.preventDefault(); window.location.assign(link.href); }
    }
  });
})();
