/* Acceptance-criteria editor on the item page: add, remove, move up and down, keeping the
   textareas' labels numbered ("Criterion N"); Ctrl/Cmd+Enter in a criterion submits its form.
   Without this script the server's textareas (existing criteria plus two empty ones) still
   work, and the CSS hides the buttons that need it. Plain ES2017, no globals. */
(function () {
  'use strict';

  // The item page swaps its forms in place (htmx), so the editor is set up again on each swap.
  function setup() {
    const list = document.getElementById('criteria-editor');
    if (!list || list.classList.contains('is-enhanced')) return;
    const template = document.getElementById('criterion-template');
    const form = list.closest('form');
    const addButtons = form
      ? form.querySelectorAll('[data-action="add-criterion"]')
      : document.querySelectorAll('[data-action="add-criterion"]');

    function items() {
      return Array.prototype.filter.call(list.children, function (el) {
        return el.classList.contains('criterion');
      });
    }

    function renumber() {
      items().forEach(function (li, i) {
        const area = li.querySelector('textarea');
        if (area) area.setAttribute('aria-label', 'Criterion ' + (i + 1));
      });
    }

    function blankItem() {
      if (template && template.content && template.content.firstElementChild) {
        return template.content.firstElementChild.cloneNode(true);
      }
      // No template: copy an existing row and empty it.
      const first = items()[0];
      if (!first) return null;
      const li = first.cloneNode(true);
      const area = li.querySelector('textarea');
      if (area) { area.value = ''; area.textContent = ''; }
      return li;
    }

    function focusArea(li) {
      const area = li && li.querySelector('textarea');
      if (area) area.focus();
    }

    function add() {
      const li = blankItem();
      if (!li) return;
      list.appendChild(li);
      renumber();
      focusArea(li);
    }

    function remove(li) {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      if (!items().length) { add(); return; }
      renumber();
      if (next) focusArea(next);
      else if (addButtons[0]) addButtons[0].focus();
    }

    /* Keep focus on the same button after a move, unless it is now hidden at an end of the list;
       then fall back to the textarea. */
    function move(li, dir, button) {
      if (dir < 0 && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
      else if (dir > 0 && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
      else return;
      renumber();
      if (button && button.offsetParent !== null && getComputedStyle(button).visibility !== 'hidden') button.focus();
      else focusArea(li);
    }

    list.addEventListener('click', function (e) {
      const button = e.target.closest('button[data-action]');
      if (!button || !list.contains(button)) return;
      const li = button.closest('li.criterion');
      if (!li) return;
      const action = button.getAttribute('data-action');
      if (action === 'remove') remove(li);
      else if (action === 'up') move(li, -1, button);
      else if (action === 'down') move(li, 1, button);
    });

    Array.prototype.forEach.call(addButtons, function (button) {
      button.addEventListener('click', add);
    });

    list.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
      if (!e.target.matches('textarea')) return;
      const owner = e.target.form || form;
      if (!owner) return;
      e.preventDefault();
      if (typeof owner.requestSubmit === 'function') owner.requestSubmit();
      else owner.submit();
    });

    renumber();
    list.classList.add('is-enhanced');
  }

  setup();
  document.addEventListener('htmx:afterSettle', setup);
})();
