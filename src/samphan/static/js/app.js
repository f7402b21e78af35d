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

  // Lists marked data-keys (the support inbox), as in Gmail and Zendesk: j and k move
  // between the rows' links, Enter opens the one in focus, x ticks its row.
  document.addEventListener("keydown", function (event) {
    var list = document.querySelector("[data-keys]");
    if (!list || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a[data-row-link]"));
    var index = links.indexOf(document.activeElement);
    if ((event.key === "j" || event.key === "k") && links.length) {
      event.preventDefault();
      var next = index === -1 ? 0 : index + (event.key === "j" ? 1 : -1);
      links[Math.max(0, Math.min(links.length - 1, next))].focus();
    } else if (event.key === "x" && index !== -1) {
      var box = links[index].closest("tr").querySelector("input[type=checkbox]");
      if (box) {
        event.preventDefault();
        box.click();
      }
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

  // A field that only matters for one choice of another (data-shown-when="expiry=months")
  // hides while that choice is not made; it still posts its value.
  function shownWhen() {
    document.querySelectorAll("[data-shown-when]").forEach(function (box) {
      var rule = box.dataset.shownWhen.split("=");
      var field = box.closest("form") && box.closest("form").elements[rule[0]];
      if (field) box.hidden = field.value !== rule[1];
    });
  }
  document.addEventListener("change", shownWhen);
  document.addEventListener("DOMContentLoaded", shownWhen);

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

// Date fields (core/forms.py DateInput): typed as day/month/year in the reader's era; the
// calendar button opens the browser's own picker and writes the chosen day back as text.
(function () {
  "use strict";
  var BE = 543;

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // "23/05/2526 14:30" or "2026-05-23" → "2026-05-23" / "2026-05-23T14:30" (A.D.), or "".
  function toIso(text, withTime) {
    var match = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})(?:[ T](\d{1,2})[:.](\d{2}))?/.exec(text);
    var iso = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(text);
    var year, month, day, hour, minute;
    if (match) {
      day = +match[1]; month = +match[2]; year = +match[3]; hour = match[4]; minute = match[5];
    } else if (iso) {
      year = +iso[1]; month = +iso[2]; day = +iso[3]; hour = iso[4]; minute = iso[5];
    } else {
      return "";
    }
    if (year >= 2400) year -= BE;
    var value = year + "-" + pad(month) + "-" + pad(day);
    if (withTime) value += "T" + pad(+(hour || 0)) + ":" + (minute || "00");
    return value;
  }

  function fromIso(iso, era) {
    var match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
    if (!match) return "";
    var year = +match[1] + (era === "be" ? BE : 0);
    var text = match[3] + "/" + match[2] + "/" + year;
    if (match[4]) text += " " + match[4] + ":" + match[5];
    return text;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-date-picker-button]");
    if (!button) return;
    var box = button.closest("[data-date-input]");
    var text = box.querySelector("input[type=text]");
    var picker = box.querySelector("[data-date-picker]");
    picker.value = toIso(text.value, picker.type === "datetime-local");
    if (picker.showPicker) picker.showPicker();
    else picker.focus();
  });

  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker.matches("[data-date-picker]")) return;
    var box = picker.closest("[data-date-input]");
    var text = box.querySelector("input[type=text]");
    text.value = fromIso(picker.value, box.dataset.era);
    text.dispatchEvent(new Event("change", { bubbles: true }));
    text.focus();
  });
})();

// Customer pickers (customers/forms.py CustomerPicker): the box shows a name; the hidden
// input beside it carries the id of the suggestion whose name was chosen. A name that is
// no suggestion is refused by the browser before the form is sent, never saved as "none".
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches("[data-picker-name]")) return;
    var hidden = box.closest("[data-picker]").querySelector("[data-picker-id]");
    var text = box.value.trim();
    var chosen = null;
    box.list.querySelectorAll("option").forEach(function (option) {
      if (option.value === box.value) chosen = option;
    });
    if (chosen) {
      hidden.value = chosen.dataset.id;
      box.setCustomValidity("");
    } else if (!text) {
      hidden.value = "";
      box.setCustomValidity("");
    } else {
      box.setCustomValidity(box.dataset.pickerUnknown);
    }
  });
})();

// A canned reply (support/ticket_detail.html) chosen from its list goes into the reply box
// at the cursor, already filled in for the ticket; the list goes back to its prompt.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var list = event.target;
    if (!list.matches("select[data-canned]")) return;
    var option = list.selectedOptions[0];
    var box = document.getElementById(list.dataset.canned);
    if (!option || !option.dataset.body || !box) return;
    var at = box.selectionStart || box.value.length;
    box.value = box.value.slice(0, at) + option.dataset.body + box.value.slice(box.selectionEnd || at);
    list.selectedIndex = 0;
    box.focus();
  });
})();

// A "tick all" box (the support inbox's bulk changes) ticks every box of its form.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches("input[data-check-all]")) return;
    document.querySelectorAll('input[type=checkbox][form="' + all.dataset.checkAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
