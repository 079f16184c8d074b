// Keel's Gantt chart (GET /projects/{id}/gantt): drag a bar to move a task
// (start and due date shift by whole days), drag its right end to change the
// due date. Hand-written, no dependencies, an ES module allowed by the page's
// `script-src 'self'`.
//
// The chart works without this script: every task someone may move has a
// small form under "Change dates" (POST /tasks/{id}/dates with csrf, version,
// start_date, due_date, and view/zoom/page for the way back). This module
// sends the same request, form-encoded with `Accept: application/json`; the
// answer is {id, key, version, start_date, due_date, message} or
// {error: {code, message}} with the message in the reader's language (a
// start before a predecessor's due date names the predecessor). On success
// the chart is fetched again, so the critical path, arrows and axis follow;
// on a refusal the bar snaps back and the reason shows in #gantt-message.
// Submitting a row's form is handled the same way while this script runs.
//
// Stable hooks, kept for the browser tests (change them together):
//   body.gantt-ready            set once this script has wired the chart
//   #gantt                      data-project-id, data-csrf, data-zoom, data-page,
//                               data-px (pixels per day), data-axis-start (YYYY-MM-DD),
//                               data-msg-{saved,failed,forbidden,conflict,session,error}
//   #gantt-view                 everything replaced after a change (chart, legend, forms)
//   #gantt-message              live region; class "error" after a refusal
//   g.gantt-task#bar-{id}       data-task-id, data-version, data-start, data-due (own days);
//                               classes critical, overdue, done, movable, pushed,
//                               dragging, pending, move-failed
//     rect.gantt-bar, rect.gantt-fill, rect.gantt-handle (right end), text.gantt-bar-label
//   path.gantt-dep              data-from (predecessor), data-to (successor); class critical
//   form.gantt-dates-form#dates-{id}  inputs start_date, due_date, version

const main = document.getElementById("main");
if (main && document.getElementById("gantt-view")) wire(main);

function wire(main) {
  const DAY = 86400000;
  const message = document.getElementById("gantt-message");
  const chart = () => document.getElementById("gantt");
  const element = (target) => (target instanceof Element ? target : null);
  const text = (name) => chart()?.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || "";
  const fill = (template, ...args) => {
    let i = 0;
    return template.replace(/\{\}/g, () => String(args[i++] ?? ""));
  };
  const parse = (s) => {
    const [y, m, d] = String(s).split("-").map(Number);
    return Date.UTC(y, m - 1, d);
  };
  const format = (t) => new Date(t).toISOString().slice(0, 10);
  const addDays = (s, n) => format(parse(s) + n * DAY);
  const num = (el, name) => Number(el?.getAttribute(name) || 0);

  const say = (words, failed) => {
    if (!message) return;
    message.textContent = words;
    message.classList.toggle("error", !!failed);
  };

  // Where the parts of a bar are, to move them and to put them back.
  const partsOf = (group) => {
    const bar = group.querySelector(".gantt-bar");
    const fillRect = group.querySelector(".gantt-fill");
    const handle = group.querySelector(".gantt-handle");
    const label = group.querySelector(".gantt-bar-label");
    return {
      bar,
      fillRect,
      handle,
      label,
      x: num(bar, "x"),
      w: num(bar, "width"),
      fillW: num(fillRect, "width"),
      handleX: num(handle, "x"),
      labelX: num(label, "x"),
    };
  };

  const draw = (p, dx, dw) => {
    const w = Math.max(p.w + dw, 1);
    p.bar.setAttribute("x", String(p.x + dx));
    p.bar.setAttribute("width", String(w));
    if (p.fillRect) {
      p.fillRect.setAttribute("x", String(p.x + dx));
      p.fillRect.setAttribute("width", String(p.w > 0 ? Math.round((w * p.fillW) / p.w) : 0));
    }
    if (p.handle) p.handle.setAttribute("x", String(p.handleX + dx + dw));
    if (p.label) p.label.setAttribute("x", String(p.labelX + dx + dw));
  };

  const reason = (status) =>
    ({ 401: "session", 403: "forbidden", 409: "conflict" })[status] || (status === 422 ? "" : "error");

  // POSTs new dates; resolves to {task} or {failure}.
  async function send(id, start, due, version) {
    const g = chart();
    const body = new URLSearchParams({
      csrf: g?.dataset.csrf || "",
      version: String(version || ""),
      start_date: start || "",
      due_date: due || "",
      view: g?.dataset.projectId || "",
      zoom: g?.dataset.zoom || "",
      page: g?.dataset.page || "",
    });
    try {
      const res = await fetch(`/tasks/${encodeURIComponent(id)}/dates`, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
      if (res.type === "opaqueredirect" || res.status === 0) return { failure: text("session") };
      const data = await res.json().catch(() => null);
      if (res.ok && data && typeof data.version === "number") return { task: data };
      return { failure: data?.error?.message || text(reason(res.status) || "error") };
    } catch {
      return { failure: text("error") };
    }
  }

  // The chart as the server now draws it (critical path, arrows, axis).
  async function refresh(focusId) {
    const g = chart();
    if (!g) return;
    const scroll = document.getElementById("gantt-scroll");
    const left = scroll ? scroll.scrollLeft : 0;
    const open = document.getElementById("gantt-dates")?.open;
    const query = new URLSearchParams({ zoom: g.dataset.zoom || "", page: g.dataset.page || "1" });
    try {
      const res = await fetch(`/projects/${encodeURIComponent(g.dataset.projectId)}/gantt?${query}`, {
        credentials: "same-origin",
        redirect: "manual",
      });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.getElementById("gantt-view");
      const old = document.getElementById("gantt-view");
      if (!fresh || !old) return;
      old.replaceWith(document.adoptNode(fresh));
      const again = document.getElementById("gantt-scroll");
      if (again) again.scrollLeft = left;
      const dates = document.getElementById("gantt-dates");
      if (dates && open) dates.open = true;
      if (focusId) document.getElementById(focusId)?.focus();
    } catch {
      // The saved change stands; the chart catches up on the next load.
    }
  }

  const showFormError = (form, words) => {
    form.querySelectorAll(".gantt-form-error").forEach((p) => p.remove());
    if (!words) return;
    const p = document.createElement("p");
    p.className = "error gantt-form-error";
    p.setAttribute("role", "alert");
    p.textContent = words;
    form.append(p);
  };

  // Dragging: pointer events on the bars, listened to on <main> (the chart
  // itself is replaced after every change).
  let drag = null;

  main.addEventListener("pointerdown", (e) => {
    const target = element(e.target);
    const group = target?.closest(".gantt-task.movable");
    if (!group || e.button !== 0 || group.classList.contains("pending")) return;
    const px = Number(chart()?.dataset.px) || 1;
    const start = group.dataset.start;
    const due = group.dataset.due;
    drag = {
      group,
      mode: target.closest(".gantt-handle") ? "resize" : "move",
      x0: e.clientX,
      px,
      days: 0,
      length: Math.round((parse(due) - parse(start)) / DAY) + 1,
      parts: partsOf(group),
    };
    group.classList.remove("move-failed");
    group.classList.add("dragging");
    try {
      group.setPointerCapture(e.pointerId);
    } catch {
      // Not capturable (a synthetic event): moves still reach <main>.
    }
    e.preventDefault();
  });

  main.addEventListener("pointermove", (e) => {
    if (!drag) return;
    let days = Math.round((e.clientX - drag.x0) / drag.px);
    // A task keeps at least one day.
    if (drag.mode === "resize") days = Math.max(days, 1 - drag.length);
    if (days === drag.days) return;
    drag.days = days;
    const dx = drag.mode === "move" ? days * drag.px : 0;
    const dw = drag.mode === "resize" ? days * drag.px : 0;
    draw(drag.parts, dx, dw);
  });

  const drop = async (cancelled) => {
    const d = drag;
    drag = null;
    if (!d) return;
    d.group.classList.remove("dragging");
    if (cancelled || d.days === 0) {
      draw(d.parts, 0, 0);
      return;
    }
    const g = d.group;
    const start = d.mode === "move" ? addDays(g.dataset.start, d.days) : g.dataset.start;
    const due = addDays(g.dataset.due, d.days);
    g.classList.add("pending");
    g.setAttribute("aria-busy", "true");
    const result = await send(g.dataset.taskId, start, due, g.dataset.version);
    g.classList.remove("pending");
    g.removeAttribute("aria-busy");
    if (result.task) {
      g.dataset.version = String(result.task.version);
      g.dataset.start = start;
      g.dataset.due = due;
      say(result.task.message || "", false);
      await refresh(null);
    } else {
      draw(d.parts, 0, 0);
      g.classList.add("move-failed");
      say(`${text("failed")} ${result.failure}`.trim(), true);
    }
  };

  main.addEventListener("pointerup", () => drop(false));
  main.addEventListener("pointercancel", () => drop(true));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && drag) drop(true);
  });

  // The per-row forms, without a page reload while the script runs.
  main.addEventListener("submit", async (e) => {
    const form = element(e.target)?.closest("form.gantt-dates-form");
    if (!form) return;
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    const id = form.dataset.taskId;
    const result = await send(id, form.elements.start_date.value, form.elements.due_date.value, form.elements.version.value);
    if (button) button.disabled = false;
    if (result.task) {
      form.elements.version.value = String(result.task.version);
      showFormError(form, "");
      say(result.task.message || "", false);
      await refresh(`start-${id}`);
    } else {
      showFormError(form, result.failure);
      say(result.failure, true);
    }
  });

  // Today in view on arrival: a third of the way into the chart's box.
  const scroll = document.getElementById("gantt-scroll");
  const todayLine = document.querySelector("#gantt-today line");
  if (scroll && todayLine) {
    scroll.scrollLeft = Math.max(0, num(todayLine, "x1") - scroll.clientWidth / 3);
  }

  document.body.classList.add("gantt-ready");
}
