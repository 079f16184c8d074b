// Keel's keyboard: shortcuts on every logged-in page, and a guard on every
// page that keeps an input method's Enter from submitting a form.
// Hand-written, no dependencies, an ES module allowed by `script-src 'self'`.
//
//   /   focus the search box (#search-q on the search page, else the header's #site-search)
//   c   open this page's create form: the first of [data-shortcut="create"],
//       the new objective / task / project / cycle forms (<details>), else a
//       project's board link, else a key result's check-in form; nothing
//       when the page has none
//   ?   open the help dialog (#shortcuts, rendered by the server in the
//       page's language and hidden until opened); Esc or its button closes it
//
// Shortcuts never act while someone types in a field, while an input method
// composes, with Ctrl/Alt/Meta held, or while a dialog is open. Shift is
// allowed: "?" needs it on most keyboards.
//
// The guard: pressing Enter to confirm an input method's candidate (Chinese
// pinyin, Japanese kana …) sends a keydown for Enter with isComposing set
// (Chrome, Firefox) or with keyCode 229 (Safari, after compositionend). A
// form's implicit submission — or a page script listening for Enter — must
// not take it for "submit". The listener runs first (window, capture phase),
// cancels the key's default and keeps it from every other listener.
//
// Stable hooks for the browser tests: body.keys-ready once wired.

const CREATE = [
  '[data-shortcut="create"]',
  "details#new-objective",
  "details#new-task",
  "details#new-project",
  "details#new-cycle",
  "#check-in form",
];

function composing(event) {
  return event.isComposing || event.keyCode === 229;
}

window.addEventListener(
  "keydown",
  (event) => {
    if (event.key !== "Enter" || !composing(event)) return;
    const target = event.target;
    if (!(target instanceof Element) || !target.closest("form")) return;
    // A textarea's Enter is a new line, never a submit: leave its default to the input method.
    if (!target.closest("textarea, [contenteditable]")) event.preventDefault();
    event.stopImmediatePropagation();
  },
  { capture: true },
);

function typing(target) {
  return (
    target instanceof Element &&
    (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null)
  );
}

function firstField(root) {
  return root.querySelector(
    'input:not([type="hidden"]):not([disabled]), textarea:not([disabled]), select:not([disabled])',
  );
}

/// Opens what "c" names on this page; true when there was something.
function create() {
  for (const selector of CREATE) {
    const el = document.querySelector(selector);
    if (!el) continue;
    if (el instanceof HTMLAnchorElement) {
      location.assign(el.href);
      return true;
    }
    if (el instanceof HTMLDetailsElement) el.open = true;
    el.scrollIntoView({ block: "start" });
    const field = firstField(el);
    if (field) field.focus();
    else el.querySelector("summary")?.focus();
    return true;
  }
  return false;
}

function searchBox() {
  return document.getElementById("search-q") || document.getElementById("site-search");
}

const help = document.getElementById("shortcuts");

if (help instanceof HTMLDialogElement) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || composing(event)) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    switch (event.key) {
      case "/": {
        const box = searchBox();
        if (!box) return;
        event.preventDefault();
        box.focus();
        box.select();
        break;
      }
      case "c":
        if (create()) event.preventDefault();
        break;
      case "?":
        event.preventDefault();
        help.showModal();
        break;
    }
  });
  document.body.classList.add("keys-ready");
}
