// Keel live pages: follows the topics in <body data-watch="task:12,project:3">
// over server-sent events (/events) and reloads the page when one of them
// changes after the one the page was drawn at (data-seen). While someone is typing in a form the reload waits, and a notice
// says the page is out of date instead, so nothing typed is lost.

const watch = document.body.dataset.watch;

function typing() {
  const active = document.activeElement;
  if (active && active.matches("input, textarea, select") && active.type !== "hidden") return true;
  return Array.from(document.querySelectorAll("input, textarea")).some(
    (el) => el.type !== "hidden" && el.type !== "checkbox" && el.type !== "radio" && el.value !== el.defaultValue,
  );
}

function notice() {
  let bar = document.getElementById("live-stale");
  if (!bar) {
    bar = document.createElement("p");
    bar.id = "live-stale";
    bar.className = "live-stale";
    bar.setAttribute("role", "status");
    const link = document.createElement("a");
    link.href = location.pathname + location.search;
    link.textContent = document.body.dataset.staleText || "Reload";
    bar.append(link);
    document.querySelector("main")?.prepend(bar);
  }
}

if (watch && "EventSource" in window) {
  let pending = null;
  const seen = encodeURIComponent(document.body.dataset.seen || "0");
  const source = new EventSource("/events?watch=" + encodeURIComponent(watch) + "&after=" + seen);
  source.addEventListener("change", () => {
    // Several changes in a row (an import, a move) make one reload.
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (typing()) notice();
      else location.reload();
    }, 300);
  });
}
