// The header's <details> menus (the notifications bell): Escape or a click outside closes an open
// one, as a menu does. Without this file they still open and close from their summary.
(function () {
  "use strict";
  function openMenus() {
    return document.querySelectorAll("details.notif-menu[open]");
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
