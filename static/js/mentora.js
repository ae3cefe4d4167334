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
