/* The running total on a ballot. The server checks everything; this only helps while choosing. */
(function () {
  "use strict";
  var form = document.querySelector("[data-ballot]");
  if (!form) { return; }
  var style = form.getAttribute("data-style");
  var pot = parseInt(form.getAttribute("data-pot"), 10);
  var points = parseInt(form.getAttribute("data-points"), 10);
  var out = form.querySelector("[data-ballot-total]");
  var lang = document.documentElement.lang || "da";
  var fmt = new Intl.NumberFormat(lang === "da" ? "da-DK" : "en-GB");
  var words = lang === "da"
    ? { spent: "Valgt for", left: "tilbage af", over: "Over puljen med", chosen: "Valgt", given: "Point givet", of: "af", kr: "kr." }
    : { spent: "Chosen for", left: "left of", over: "Over the pot by", chosen: "Chosen", given: "Points given", of: "of", kr: "DKK" };
  function money(n) { return lang === "da" ? fmt.format(n) + " " + words.kr : words.kr + " " + fmt.format(n); }
  function update() {
    var text = "";
    if (style === "knapsack") {
      var total = 0;
      form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
        total += parseInt(box.getAttribute("data-cost"), 10);
      });
      text = total > pot
        ? words.over + " " + money(total - pot) + "."
        : words.spent + " " + money(total) + ", " + money(pot - total) + " " + words.left + " " + money(pot) + ".";
      form.querySelectorAll("input[type=checkbox]:not(:checked)").forEach(function (box) {
        box.closest(".ballot-project").classList.toggle("does-not-fit", total + parseInt(box.getAttribute("data-cost"), 10) > pot);
      });
    } else if (style === "approval") {
      text = words.chosen + ": " + form.querySelectorAll("input[type=checkbox]:checked").length + ".";
    } else if (style === "cumulative") {
      var given = 0;
      form.querySelectorAll("input[type=number]").forEach(function (input) { given += parseInt(input.value || "0", 10) || 0; });
      text = words.given + ": " + given + " " + words.of + " " + points + ".";
    }
    // "… 100.000 kr." already ends the sentence; never print "kr..".
    out.textContent = text.replace(/\.\.$/, ".");
    out.hidden = !text;
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
  var errors = document.getElementById("ballot-errors");
  if (errors) { errors.focus(); }
})();
