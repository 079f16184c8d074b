// Keel's table view (GET /projects/{id}/table): edit a cell in place, and a
// view form that offers only the operators a column allows. Hand-written, no
// dependencies, an ES module allowed by the page's `script-src 'self'`.
//
// The page works without this script: the view form is a plain GET form, and
// every editable cell has an Edit link that opens a small form in the cell
// (POST /projects/{id}/table/cell with csrf, task, col, version, value…,
// back). This module sends the same request, form-encoded with
// `Accept: application/json`; the answer is {task, version, text, href,
// value, message} or {error: {code, message}} in the reader's language. A refusal
// because someone else changed the task (409) puts the cell back as it was
// and says so: nothing is ever saved over another person's change.
//
// Stable hooks, kept for the browser tests (change them together):
//   body.table-ready           set once this script has wired the page
//   table#table                data-project-id, data-csrf, data-back, data-save, data-cancel,
//                              data-msg-{session,error}
//   tr#row-{id}                data-task-id, data-key, data-version
//   td.editable                data-col, data-editor (a <template> id), data-value;
//                              class "editing" while its editor is open, "saving", "stale"
//   form.cell-editor           the editor in a cell (select / input / checkboxes named value)
//   #table-message             live region; class "error" after a refusal
//   .filter-row                select.filter-column (options carry data-ops, data-list),
//                              select.filter-op, input.filter-value, input.filter-value2

const table = document.getElementById("table");
const message = document.getElementById("table-message");

function say(words, failed) {
  if (!message) return;
  message.textContent = words;
  message.classList.toggle("error", !!failed);
}

// ---------------------------------------------------------------------------
// The view form: operators and value inputs that fit the chosen column.

function fitFilterRow(row) {
  const column = row.querySelector(".filter-column");
  const op = row.querySelector(".filter-op");
  const value = row.querySelector(".filter-value");
  const value2 = row.querySelector(".filter-value2");
  if (!column || !op || !value || !value2) return;
  const chosen = column.selectedOptions[0];
  const ops = (chosen?.dataset.ops || "").split(" ").filter(Boolean);
  for (const option of op.options) {
    option.hidden = ops.length > 0 && !ops.includes(option.value);
    option.disabled = option.hidden;
  }
  if (ops.length && !ops.includes(op.value)) op.value = ops[0];
  const list = chosen?.dataset.list || "";
  if (list) value.setAttribute("list", list);
  else value.removeAttribute("list");
  const needsNone = op.value === "empty" || op.value === "not_empty";
  value.hidden = needsNone || !column.value;
  value2.hidden = op.value !== "between" || !column.value;
  op.hidden = !column.value;
}

for (const row of document.querySelectorAll(".filter-row")) {
  fitFilterRow(row);
  row.addEventListener("change", () => fitFilterRow(row));
}

// ---------------------------------------------------------------------------
// Editing a cell in place.

function cellText(text, href) {
  // Built from plain text (never as HTML); a link only where the server gave one.
  const span = document.createElement("span");
  span.className = "cell-text";
  if (text && href) {
    const a = document.createElement("a");
    a.href = href;
    if (!href.startsWith("/")) {
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
    }
    a.textContent = text;
    span.append(a);
  } else {
    span.textContent = text;
  }
  return span;
}

function setValue(form, value) {
  const values = value.split("\n");
  for (const input of form.querySelectorAll("[name=value]")) {
    if (input.type === "checkbox") input.checked = input.value === "on" ? value === "on" : values.includes(input.value);
    else if (input.tagName === "SELECT") input.value = value;
    else input.value = value;
  }
}

function close(td, saved) {
  const kept = td._kept;
  td.classList.remove("editing", "saving");
  td.replaceChildren(...(saved || kept || []));
  td._kept = null;
}

function open(td) {
  if (!table || td.classList.contains("editing")) return;
  const template = document.getElementById(td.dataset.editor);
  if (!template) return;
  for (const other of table.querySelectorAll("td.editing")) close(other);
  td._kept = Array.from(td.childNodes);
  const form = document.createElement("form");
  form.className = "cell-editor";
  form.append(template.content.cloneNode(true));
  const save = document.createElement("button");
  save.type = "submit";
  save.className = "primary";
  save.textContent = table.dataset.save || "Save";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "link";
  cancel.textContent = table.dataset.cancel || "Cancel";
  cancel.addEventListener("click", () => close(td));
  form.append(save, " ", cancel);
  setValue(form, td.dataset.value || "");
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close(td);
      td.querySelector("a.cell-edit")?.focus();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(td, form);
  });
  td.classList.add("editing");
  td.replaceChildren(form);
  form.querySelector("input:not([type=hidden]), select")?.focus();
}

async function submit(td, form) {
  const row = td.closest("tr");
  const body = new URLSearchParams();
  body.set("csrf", table.dataset.csrf);
  body.set("task", row.dataset.taskId);
  body.set("col", td.dataset.col);
  body.set("version", row.dataset.version);
  body.set("back", table.dataset.back || "");
  const values = [];
  for (const input of form.querySelectorAll("[name=value]")) {
    if (input.type === "checkbox" && !input.checked) continue;
    values.push(input.value);
  }
  if (values.length === 0) body.append("value", "");
  for (const v of values) body.append("value", v);
  td.classList.add("saving");
  let answer = null;
  let status = 0;
  try {
    const response = await fetch("/projects/" + table.dataset.projectId + "/table/cell", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body,
      credentials: "same-origin",
    });
    status = response.status;
    answer = await response.json().catch(() => null);
  } catch {
    status = 0;
  }
  td.classList.remove("saving");
  if (status === 200 && answer) {
    row.dataset.version = String(answer.version);
    td.dataset.value = answer.value ?? "";
    const kept = (td._kept || []).filter((n) => n.nodeType === 1 && n.classList.contains("cell-edit"));
    close(td, [cellText(answer.text ?? "", answer.href || ""), ...kept]);
    say(answer.message || "", false);
    return;
  }
  const words =
    answer?.error?.message || (status === 401 ? table.dataset.msgSession : table.dataset.msgError) || "";
  if (status === 409) {
    // Someone else changed the task: keep their change, show ours was not saved.
    close(td);
    row.classList.add("stale");
    td.classList.add("stale");
    say(words, true);
    return;
  }
  // Anything else: the editor stays open with what was typed, and the reason.
  say(words, true);
}

if (table) {
  table.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const td = target.closest("td.editable");
    if (!td || td.classList.contains("editing")) return;
    const link = target.closest("a");
    if (link && !link.classList.contains("cell-edit")) return; // the task or a URL: follow it
    event.preventDefault();
    open(td);
  });
}

document.body.classList.add("table-ready");
