/* Forms opened in place. A link with hx-get into a modal's body (the project page's stage,
   status, details, file and owner forms) shows the modal once the form has arrived; so does a
   form the server sends out of band (the board, for a move that needs evidence or a reason).
   "Cancel" inside a modal closes it instead of leaving the page. Without JavaScript the same
   links open the forms as pages. */
(function () {
  "use strict";

  function showIfModalBody(target) {
    if (!target || !target.classList || !target.classList.contains("modal-body")) return;
    var modal = target.closest(".modal");
    if (modal && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(modal).show();
      var first = target.querySelector("select, input:not([type=hidden]), textarea");
      if (first) modal.addEventListener("shown.bs.modal", function () { first.focus(); }, { once: true });
    }
  }

  document.addEventListener("htmx:afterSwap", function (evt) { showIfModalBody(evt.detail.target); });
  document.addEventListener("htmx:oobAfterSwap", function (evt) { showIfModalBody(evt.detail.target); });
  document.addEventListener("click", function (evt) {
    var cancel = evt.target.closest(".modal [data-cancel]");
    if (!cancel || !window.bootstrap) return;
    evt.preventDefault();
    window.bootstrap.Modal.getOrCreateInstance(cancel.closest(".modal")).hide();
  });
})();
