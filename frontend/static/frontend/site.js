/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }

  /* A grant application's budget: the totals follow the lines as they are typed. Without this,
     the server shows the totals of the saved lines. */
  function budgetTotals(box) {
    var form = box.closest("form");
    var number = new Intl.NumberFormat(document.documentElement.lang || "da", {
      maximumFractionDigits: 0,
    });
    var money = function (amount) {
      return box.dataset.pattern.replace("%(amount)s", number.format(amount));
    };
    var update = function () {
      var sums = { expense: 0, income: 0 };
      form.querySelectorAll("[data-budget-line]").forEach(function (line) {
        var kind = line.querySelector("select[name$='-kind']");
        var amount = parseInt(line.querySelector("input[name$='-amount']").value, 10);
        if (kind && kind.value in sums && amount > 0) {
          sums[kind.value] += amount;
        }
      });
      var applied = Math.max(0, sums.expense - sums.income);
      box.querySelector("[data-total=expense]").textContent = money(sums.expense);
      box.querySelector("[data-total=income]").textContent = money(sums.income);
      box.querySelector("[data-total=applied]").textContent = money(applied);
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-budget-totals]").forEach(budgetTotals);
})();
