// Plain JavaScript for two things: the print button of the recovery codes,
// and the keypad call page, which polls the challenge status and completes
// the step as soon as the call has been answered with the right digits.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var poll = document.querySelector("[data-poll]");
  if (!poll) { return; }
  var form = document.getElementById(poll.getAttribute("data-form"));
  function tick() {
    fetch(poll.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.state === "approved") {
          poll.textContent = poll.getAttribute("data-approved");
          form.submit();
        } else if (j.state === "pending") {
          setTimeout(tick, 1000);
        } else {
          poll.textContent = poll.getAttribute("data-expired");
          poll.className = "error";
        }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
