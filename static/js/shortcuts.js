/* Shortcuts on every page: "/" focuses the filter, "?" opens the shortcut sheet (Escape closes it),
   "g" then "b", "s" or "r" goes to the backlog, sprints or reports. Keys typed in form fields are left alone. Plain ES2017. */
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
    } else if (e.key === 'g' && !e.shiftKey) {
      gPressedAt = now;
    } else if (afterG && (e.key === 'b' || e.key === 's' || e.key === 'r')) {
      const target = { b: 'backlog', s: 'sprints', r: 'reports' }[e.key];
      const link = document.querySelector('a[data-shortcut="' + target + '"]');
      if (link) { e.preventDefault(); window.location.assign(link.href); }
    }
  });
})();
