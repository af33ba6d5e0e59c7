// Registration: a text box that narrows the commune list as you type,
// ignoring Vietnamese accents ("luc ngan" finds "Xã Lục Ngạn"). The form works
// without it; this only saves scrolling through a hundred communes.
(function () {
  "use strict";
  var script = document.currentScript;
  var box = document.querySelector("[data-commune-filter]");
  if (!box) return;
  var select = box.querySelector("select");
  if (!select) return;
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  var options = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
  var keys = options.map(function (o) { return fold(o.text); });
  var input = document.createElement("input");
  input.type = "search";
  input.id = select.id + "_filter";
  input.setAttribute("aria-controls", select.id);
  var label = document.createElement("label");
  label.htmlFor = input.id;
  label.textContent = (script && script.dataset.label) || "Filter";
  label.className = "help";
  select.parentNode.insertBefore(label, select);
  select.parentNode.insertBefore(input, select);
  input.addEventListener("input", function () {
    var q = fold(input.value.trim());
    var shown = [];
    options.forEach(function (o, i) {
      var show = !q || keys[i].indexOf(q) !== -1;
      o.hidden = !show;
      o.disabled = !show && !o.selected;
      if (show) shown.push(o);
    });
    // One match left: pick it, so the user need not open the list.
    if (q && shown.length === 1) shown[0].selected = true;
  });
})();
