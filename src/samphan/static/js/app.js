// Small behaviours shared by every page. No inline scripts: the CSP allows only our own files.
(function () {
  "use strict";

  // "/" focuses the search box, as in most web apps; Escape leaves it.
  document.addEventListener("keydown", function (event) {
    var search = document.querySelector("[data-search]");
    if (!search) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && document.activeElement === search) {
      search.blur();
    }
  });

  // Filter panels start open on wide screens and folded on phones.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(min-width: 760px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
        details.open = true;
      });
    }
  });

  // Buttons with data-confirm ask before submitting (archive, remove).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Forms with data-autosubmit (filters) submit when a select changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      // An HTMX form swaps its results in; a plain one (no hx-get) reloads the page.
      if (window.htmx && form.hasAttribute("hx-get")) window.htmx.trigger(form, "submit");
      else form.requestSubmit();
    }
  });

  // The desk's look-up box is empty and focused again once a customer is checked in (a
  // scanner types the next card there); otherwise the first choice or field takes focus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var lookup = document.querySelector("[data-desk-lookup] input[name=q]");
    var result = event.detail.target;
    if (!lookup || result.id !== "desk-result") return;
    if (result.querySelector(".arrival-card")) {
      lookup.value = "";
      lookup.focus();
      return;
    }
    var first = result.querySelector(".pick-card, .field-error input, form input:not([type=hidden])");
    if (first) first.focus();
  });

  // Buttons with data-print print the page (the print stylesheet hides the menus).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Phones: the "more" button opens the whole menu as a sheet (CSS shows it by .is-open).
  // Opening focuses its first link; Escape closes it and gives focus back to the button; a tap
  // outside it, or Tab moving out of it, closes it too (it is a disclosure, not a modal).
  function menuButton() {
    return document.querySelector("[data-menu-toggle]");
  }
  function menuSheet(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }
  function menuSetOpen(button, open) {
    button.setAttribute("aria-expanded", String(open));
    menuSheet(button).classList.toggle("is-open", open);
  }
  function menuIsOpen(button) {
    return button.getAttribute("aria-expanded") === "true";
  }
  document.addEventListener("click", function (event) {
    var button = menuButton();
    if (!button) return;
    if (event.target.closest("[data-menu-toggle]")) {
      menuSetOpen(button, !menuIsOpen(button));
      var first = menuIsOpen(button) && menuSheet(button).querySelector(".nav-link");
      if (first) first.focus();
    } else if (menuIsOpen(button) && !menuSheet(button).contains(event.target)) {
      menuSetOpen(button, false);
    }
  });
  document.addEventListener("keydown", function (event) {
    var button = menuButton();
    if (event.key !== "Escape" || !button || !menuIsOpen(button)) return;
    menuSetOpen(button, false);
    button.focus();
  });
  document.addEventListener("focusin", function (event) {
    var button = menuButton();
    if (!button || !menuIsOpen(button) || event.target === button) return;
    if (!menuSheet(button).contains(event.target)) menuSetOpen(button, false);
  });
  // Back to a page kept in the browser's memory: its menu starts closed again.
  window.addEventListener("pageshow", function () {
    var button = menuButton();
    if (button) menuSetOpen(button, false);
  });

  // Period pickers: editing a date chooses "custom dates" (a preset would ignore it).
  document.addEventListener("change", function (event) {
    if (!event.target.matches("input[data-period-date]")) return;
    var select = event.target.form && event.target.form.querySelector("select[data-period]");
    if (select) select.value = "custom";
  });
})();
