// A wide table that scrolls inside its own box on a phone must be reachable by keyboard:
// it gets a tab stop while, and only while, it is wider than its box.
(function () {
  "use strict";
  function focusableWhenScrolling() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableWhenScrolling);
  window.addEventListener("resize", focusableWhenScrolling);
  document.addEventListener("htmx:afterSettle", focusableWhenScrolling);
})();

// Bulk actions on a list: a "choose everyone on this page" box, and the fields that belong
// to one action shown only while it is chosen. Without JavaScript every row is ticked by
// hand and every field stays in view; the server checks all of it either way. A list whose
// rows hold forms of their own keeps its boxes outside the bulk form, tied to it by `form=`:
// the form's elements include them.
(function () {
  "use strict";
  function setUp(form) {
    var fields = Array.prototype.slice.call(form.elements);
    var all = fields.filter(function (field) { return field.hasAttribute("data-bulk-all"); })[0];
    var boxes = fields.filter(function (field) { return field.type === "checkbox" && field.name === "ids"; });
    if (all && boxes.length) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
    }
    var action = form.querySelector("[data-bulk-action]");
    if (action) {
      var only = form.querySelectorAll("[data-bulk-only]");
      var show = function () {
        only.forEach(function (part) { part.hidden = part.getAttribute("data-bulk-only") !== action.value; });
      };
      action.addEventListener("change", show);
      show();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.bulk-form").forEach(setUp);
  });
})();

// The programme menu is a column beside the page on a wide screen, so it is open there;
// on a phone it starts closed above the content, a disclosure the person opens.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 60rem)");
  function fit() {
    document.querySelectorAll("details.programme-menu").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", fit);
  wide.addEventListener("change", fit);
})();
