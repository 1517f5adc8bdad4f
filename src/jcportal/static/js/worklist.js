/* Inbox bulk selection (progressive enhancement): "select all on this page" also ticks the row boxes,
 * and unticking a row unticks "all". Without JavaScript the server reads "all on this page" itself. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.querySelector("[data-bulk-all]");
    if (!all) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=items][form=bulk-form]"));
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () { if (!box.checked) { all.checked = false; } });
    });
  });
})();
