// Asks before leaving a page whose form holds typing that was not saved: a link, the back
// button, a reload or closing the tab would otherwise lose it (pages are never cached).
// Progressive enhancement: every form works without it. A form opts in with the attribute
// data-unsaved-guard; a page that shows a refused submission (a message beside a field or
// above the form) starts out unsaved, since what it shows was typed but not stored.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-guard]");
  if (forms.length === 0) {
    return;
  }
  var unsaved = document.querySelector(".field-error, p.error[role=alert]") !== null;
  var leavingBySave = false;
  var typed = function () {
    unsaved = true;
  };
  forms.forEach(function (form) {
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    // Saving is not losing: the server keeps or refuses with the values shown again.
    form.addEventListener("submit", function () {
      leavingBySave = true;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved && !leavingBySave) {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    }
  });
})();
