/* The board: cards dragged to another column are moved through the same endpoint as the
   card's button (projects.stages.project_move_stage on the server), and the whole board is
   re-rendered from the answer, so counts, totals and messages are always the server's. A move
   that needs evidence or a reason (moving back) comes back with the stage form for it, which
   static/js/modal.js opens in place. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function onEnd(evt) {
    if (evt.from === evt.to) return;
    var card = evt.item;
    var to = evt.to.dataset.stage;
    card.classList.add("opacity-50");
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#board",
      swap: "outerHTML",
      headers: { "X-CSRFToken": csrfToken() },
      values: { to_stage: to, version: card.dataset.version },
    });
  }

  function init(root) {
    if (typeof Sortable === "undefined") return;
    var lists = (root || document).querySelectorAll(".board-cards");
    lists.forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "board",
        draggable: ".board-card[data-movable]",
        filter: "a, button, input",
        preventOnFilter: false,
        animation: 150,
        delay: 200,
        delayOnTouchOnly: true,
        ghostClass: "board-ghost",
        onEnd: onEnd,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (evt) { init(evt.target); });
})();
