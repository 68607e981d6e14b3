// Plain JavaScript for four things: the focus on a form's problems, the
// print button of the recovery codes, the keypad call page, which polls the challenge status and
// completes the step as soon as the call has been answered with the right
// digits, and the pages that wait for the phone app (below).
(function () {
  "use strict";
  // A list of problems with a form (sign-up) takes the focus, so that a
  // screen reader reads it first.
  var problems = document.querySelector("[data-focus]");
  if (problems) { problems.focus(); }
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
        } else if (j.state === "pending" || j.state === "delivered") {
          setTimeout(tick, 1000);
        } else {
          // A delivery receipt said the call did not get through, or the
          // code expired: say so instead of waiting.
          poll.textContent = poll.getAttribute(j.state === "undelivered" ? "data-undelivered" : "data-expired");
          poll.className = "error";
        }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();

// The phone app: the setup page waits until the app has registered, the
// login page until the request on the phone was answered. Both poll a
// status ({"state", "message"}) and post their form once it reaches the
// state in data-done; an end without it is announced in the live region.
(function () {
  "use strict";
  var poll = document.querySelector("[data-push-poll]");
  if (!poll) { return; }
  var form = document.getElementById(poll.getAttribute("data-form"));
  function tick() {
    fetch(poll.getAttribute("data-push-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.state === poll.getAttribute("data-done")) {
          poll.textContent = poll.getAttribute("data-done-text");
          form.submit();
        } else if (j.state === "pending") {
          setTimeout(tick, 1000);
        } else {
          poll.textContent = j.message;
          poll.className = "error";
        }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
