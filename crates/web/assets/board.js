// Keel's kanban board (GET /projects/{id}/board): drag a card to another
// column to change its status. Hand-written, no dependencies, an ES module
// allowed by the page's `script-src 'self'`.
//
// The board works without this script: every card someone may move carries
// a small form (POST /tasks/{id}/status with csrf, version, status and next)
// usable from the keyboard and on touch screens. This module adds HTML5 drag
// and drop over the same request, sent form-encoded with
// `Accept: application/json`; the answer is the task's new
// {id, status, label, category, version}, or {error: {code, message}} with
// the message in the reader's language. On success the card (and its copies
// in other swimlanes) moves, and the column counts and WIP marks follow; on a
// refusal (403, 409, 422, a lost session) the card goes back where it was and
// the reason shows on the card and in #board-message. Submitting a card's
// form is handled the same way (no page reload) while this script runs.
//
// Stable hooks, kept for the browser tests (change them together):
//   body.board-ready            set once this script has wired the board
//   #board                      the board: data-project-id, data-csrf,
//                               data-lanes ("" | "assignee" | "kr"),
//                               data-workflows (JSON: project id -> [[status, category], ...]),
//                               data-msg-{count,wip,over,moved,failed,forbidden,conflict,
//                               invalid,session,error}: texts, "{}" are placeholders
//   #board-message              live region (role=status); class "error" after a failed move
//   #board-hint                 how to move cards (only when the viewer may move one)
//   #board-lanes a[data-lanes]  swimlane switch; the current one has .on and aria-current="page"
//   #board-archived             link showing / hiding archived tasks (?archived=1)
//   #board-wip > #wip-form      WIP limits (only for those who may edit the project):
//                               #wip-version, inputs #wip-{i} named wip-{i}; #wip-error on a refusal
//   .board-col-head#col-{i}     column header: data-col, data-status, data-category,
//                               data-wip ("" = no limit); class "over-wip" when over the limit
//     .col-title, .wip-count    the count, "3" or "3/2", with an aria-label in words
//   section.board-lane#lane-{lane}  data-lane: "all" | "user-{id}" | "unassigned" | "kr-{id}" | "nokr"
//     .lane-title, .lane-count
//   ul.board-cell               one per column per lane: data-col, data-status
//   li.board-card#card-{lane}-{task}  data-task-id, data-project-id, data-status (the task's own),
//                               data-category, data-version, data-progress; draggable="true" when
//                               the viewer may move it; classes cat-{todo|doing|done}, blocked,
//                               archived, pending (request in flight), dragging, move-failed
//     .key, .card-title, .card-parent a[data-parent-key], .card-status (the task's own status
//     when the column has another name), .card-assignee, .card-due .overdue,
//     .card-progress-row .card-progress, .card-labels .label, .card-error (why a move failed)
//     form.move-form            the fallback: select[name=status], input[name=version], input[name=next]
//   ul.board-cell.drop-ok       a column the dragged card may go to; .drop-over under the pointer

const board = document.getElementById("board");
if (board) wire(board);

function wire(board) {
  const message = document.getElementById("board-message");
  let workflows = {};
  try {
    workflows = JSON.parse(board.dataset.workflows || "{}");
  } catch {
    workflows = {};
  }
  let dragged = null;

  const text = (name) => board.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || "";
  const fill = (template, ...args) => {
    let i = 0;
    return template.replace(/\{\}/g, () => String(args[i++] ?? ""));
  };
  const same = (a, b) => (a || "").toLowerCase() === (b || "").toLowerCase();
  const laneOf = (el) => el.closest(".board-lane");
  const cellsOf = (lane) => Array.from(lane.querySelectorAll(".board-cell"));
  const headOf = (cell) => document.getElementById("col-" + cell.dataset.col);
  const element = (target) => (target instanceof Element ? target : null);

  // The statuses of the card's own project: [[name, category], ...], or null if unknown.
  const statusesOf = (card) => {
    const list = workflows[card.dataset.projectId];
    return Array.isArray(list) ? list : null;
  };
  const allowed = (card, status) => {
    const list = statusesOf(card);
    return !list || list.some(([name]) => same(name, status));
  };
  const categoryOf = (card, status) => {
    const hit = (statusesOf(card) || []).find(([name]) => same(name, status));
    return hit ? hit[1] : null;
  };

  // Where a status stands on the board, by the server's rule: the column of
  // that name, else the first of the same category, else the first.
  const columnFor = (lane, status, category) => {
    const cells = cellsOf(lane);
    return (
      cells.find((c) => same(c.dataset.status, status)) ||
      cells.find((c) => headOf(c)?.dataset.category === category) ||
      cells[0]
    );
  };

  const canDrop = (card, cell) =>
    !!card && !!cell && laneOf(cell) === laneOf(card) && cell !== card.parentElement && allowed(card, cell.dataset.status);

  const say = (words, failed) => {
    if (!message) return;
    message.textContent = words;
    message.classList.toggle("error", !!failed);
  };

  // Column counts: each task once, archived cards left out; "n" or "n/limit".
  const recount = () => {
    for (const head of board.querySelectorAll(".board-col-head")) {
      const ids = new Set();
      for (const card of board.querySelectorAll(`.board-cell[data-col="${head.dataset.col}"] > .board-card`)) {
        if (!card.classList.contains("archived")) ids.add(card.dataset.taskId);
      }
      // Cards over the per-column cap are counted by the server, not shown.
      const n = ids.size + Number(head.dataset.hidden || 0);
      const limit = head.dataset.wip === "" || head.dataset.wip === undefined ? null : Number(head.dataset.wip);
      const over = limit !== null && n > limit;
      head.classList.toggle("over-wip", over);
      const badge = head.querySelector(".wip-count");
      if (!badge) continue;
      badge.textContent = limit === null ? String(n) : `${n}/${limit}`;
      badge.setAttribute(
        "aria-label",
        limit === null ? fill(text("count"), n) : fill(text(over ? "over" : "wip"), n, limit),
      );
    }
  };

  const clearError = (card) => {
    card.classList.remove("move-failed");
    card.querySelectorAll(".card-error").forEach((p) => p.remove());
  };
  const showError = (card, words) => {
    clearError(card);
    const p = document.createElement("p");
    p.className = "card-error";
    p.textContent = words;
    card.append(p);
    card.classList.add("move-failed");
  };

  const place = (card, status, category) => {
    const lane = laneOf(card);
    const cell = lane && columnFor(lane, status, category);
    if (cell && card.parentElement !== cell) cell.append(card);
  };

  // The card as the server now has it: status, version, and what follows from done.
  const update = (card, task) => {
    card.dataset.status = task.status;
    card.dataset.category = task.category;
    card.dataset.version = String(task.version);
    card.classList.remove("cat-todo", "cat-doing", "cat-done");
    card.classList.add("cat-" + task.category);
    const form = card.querySelector("form.move-form");
    if (form) {
      form.elements.version.value = String(task.version);
      const select = form.elements.status;
      const option = Array.from(select.options).find((o) => same(o.value, task.status));
      if (option) select.value = option.value;
    }
    const note = card.querySelector(".card-status");
    if (note) {
      const column = card.parentElement?.dataset.status;
      note.hidden = same(column, task.status);
      const label = note.querySelector(".card-status-label");
      if (label) label.textContent = task.label || task.status;
    }
    const done = task.category === "done";
    const row = card.querySelector(".card-progress-row");
    const figure = card.querySelector(".card-progress");
    if (row && figure) {
      const shown = done ? "100%" : card.dataset.progress || "";
      figure.textContent = shown;
      row.hidden = shown === "";
    }
    card.querySelectorAll(".overdue").forEach((o) => {
      o.hidden = done;
    });
  };

  const reason = (status) =>
    ({ 401: "session", 403: "forbidden", 409: "conflict", 422: "invalid" })[status] || "error";

  async function move(card, status, refocus) {
    const id = card.dataset.taskId;
    const copies = Array.from(board.querySelectorAll(`.board-card[data-task-id="${CSS.escape(id)}"]`));
    if (copies.some((c) => c.classList.contains("pending"))) return;
    const places = copies.map((c) => [c, c.parentElement, c.nextElementSibling]);
    const category = categoryOf(card, status) || card.dataset.category;
    for (const c of copies) {
      clearError(c);
      c.classList.add("pending");
      c.setAttribute("aria-busy", "true");
      place(c, status, category);
    }
    recount();
    let task = null;
    let failure = "";
    try {
      const body = new URLSearchParams({ csrf: board.dataset.csrf || "", status, version: card.dataset.version || "" });
      const res = await fetch(`/tasks/${encodeURIComponent(id)}/status`, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
      if (res.type === "opaqueredirect" || res.status === 0) {
        // Sent to the login page: the session is gone.
        failure = text("session");
      } else {
        const data = await res.json().catch(() => null);
        if (res.ok && data && typeof data.version === "number") task = data;
        else failure = data?.error?.message || text(reason(res.status));
      }
    } catch {
      failure = text("error");
    }
    for (const c of copies) {
      c.classList.remove("pending");
      c.removeAttribute("aria-busy");
    }
    if (task) {
      for (const c of copies) {
        place(c, task.status, task.category);
        update(c, task);
      }
      recount();
      say(fill(text("moved"), card.querySelector(".key")?.textContent || "", task.label || task.status), false);
    } else {
      for (const [c, parent, next] of places) {
        parent.insertBefore(c, next && next.parentElement === parent ? next : null);
        showError(c, failure);
      }
      const form = card.querySelector("form.move-form");
      if (form) {
        const option = Array.from(form.elements.status.options).find((o) => same(o.value, card.dataset.status));
        if (option) form.elements.status.value = option.value;
      }
      recount();
      say(`${text("failed")} ${failure}`.trim(), true);
    }
    if (refocus && document.contains(refocus)) refocus.focus();
  }

  const cleanup = () => {
    dragged?.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".drop-ok, .drop-over").forEach((c) => c.classList.remove("drop-ok", "drop-over"));
  };

  board.addEventListener("dragstart", (e) => {
    const card = element(e.target)?.closest(".board-card[draggable='true']");
    if (!card || card.classList.contains("pending")) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    // Firefox starts a drag only with some data.
    e.dataTransfer.setData("text/plain", card.querySelector(".key")?.textContent || card.dataset.taskId);
    for (const cell of cellsOf(laneOf(card))) {
      if (canDrop(card, cell)) cell.classList.add("drop-ok");
    }
  });

  board.addEventListener("dragover", (e) => {
    const cell = element(e.target)?.closest(".board-cell");
    if (!canDrop(dragged, cell)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("drop-over")) {
      board.querySelectorAll(".drop-over").forEach((c) => c.classList.remove("drop-over"));
      cell.classList.add("drop-over");
    }
  });

  board.addEventListener("dragleave", (e) => {
    const cell = element(e.target)?.closest(".board-cell");
    if (cell && !cell.contains(element(e.relatedTarget))) cell.classList.remove("drop-over");
  });

  board.addEventListener("drop", (e) => {
    const cell = element(e.target)?.closest(".board-cell");
    if (!canDrop(dragged, cell)) return;
    e.preventDefault();
    const card = dragged;
    cleanup();
    move(card, cell.dataset.status, null);
  });

  board.addEventListener("dragend", cleanup);

  // The fallback form, without a page reload while the script runs.
  board.addEventListener("submit", (e) => {
    const form = element(e.target)?.closest("form.move-form");
    const card = form?.closest(".board-card");
    if (!form || !card) return;
    e.preventDefault();
    const select = form.elements.status;
    if (same(select.value, card.dataset.status)) return;
    move(card, select.value, select);
  });

  document.body.classList.add("board-ready");
}
