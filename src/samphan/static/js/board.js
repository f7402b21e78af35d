// Kanban board: drag a deal card to another stage (mouse or touch). The move is sent with
// the stage the card came from, so a deal a colleague moved meanwhile is not dragged back;
// whatever the answer, the board is reloaded from the server so totals stay true.
(function () {
  "use strict";

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function say(board, text) {
    var box = board.querySelector(".board-message");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  function reload(board, text) {
    var url = board.dataset.boardUrl;
    window.htmx.ajax("GET", url, { target: "#board", swap: "outerHTML" }).then(function () {
      if (text) say(document.getElementById("board"), text);
    });
  }

  function move(event) {
    var board = document.getElementById("board");
    var card = event.item;
    var from = event.from.dataset.stage;
    var to = event.to.dataset.stage;
    if (from === to) return;
    var body = new FormData();
    body.append("stage", to);
    body.append("expected_stage", from);
    if (event.to.dataset.outcome === "lost") {
      var question = document.getElementById("lost-reason-prompt").textContent;
      var reason = window.prompt(question);
      if (!reason) return reload(board);
      body.append("reason", reason);
    }
    card.classList.add("deal-moving");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        if (response.ok) return reload(board);
        return response.json().then(function (data) {
          reload(board, data.detail || response.statusText);
        });
      })
      .catch(function () {
        reload(board, board.dataset.offline || "Network error");
      });
  }

  function init() {
    if (!window.Sortable) return;
    document.querySelectorAll("#board .board-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "deals",
        draggable: "[data-draggable]",
        animation: 120,
        delay: 180,
        delayOnTouchOnly: true, // a short press starts a drag; a swipe still scrolls
        ghostClass: "deal-ghost",
        onEnd: move,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "board") init();
  });
  document.addEventListener("htmx:afterSettle", init);

  // The pipeline switcher navigates to the chosen board.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-navigate]")) window.location = event.target.value;
  }, true);
})();
