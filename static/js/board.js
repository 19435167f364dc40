/* The board: cards dragged to another column are moved through the same endpoint as the
   card's button (projects.stages.project_move_stage on the server), and the whole board is
   re-rendered from the answer, so counts, totals and messages are always the server's. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function moveBack(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
  }

  function onEnd(evt) {
    if (evt.from === evt.to) return;
    var board = document.getElementById("board");
    var stages = board.dataset.stages.split(",");
    var card = evt.item;
    var from = evt.from.dataset.stage;
    var to = evt.to.dataset.stage;
    var note = "";
    if (stages.indexOf(to) < stages.indexOf(from)) {
      note = window.prompt(board.dataset.backPrompt || "", "");
      if (note === null || !note.trim()) {
        moveBack(evt);
        return;
      }
    }
    card.classList.add("opacity-50");
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#board",
      swap: "outerHTML",
      headers: { "X-CSRFToken": csrfToken() },
      values: { to_stage: to, version: card.dataset.version, note: note },
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
