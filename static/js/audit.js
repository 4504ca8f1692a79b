// The audit page saves each answer as it is given (htmx, on each question's form). A change
// lives only in the browser until its save answers, so this script keeps count of what has
// not reached the server yet and asks before the person leaves with it.
(() => {
  "use strict";

  const QUESTION = "form.audit-question";
  // Per question form: edits made, edits sent with the latest save, saves in flight.
  const state = new WeakMap();
  let leaving = false; // the person already said yes to leaving: do not ask twice

  const of = (form) => {
    if (!state.has(form)) state.set(form, { edits: 0, sent: 0, saved: 0, inFlight: 0 });
    return state.get(form);
  };
  const pending = () =>
    [...document.querySelectorAll(QUESTION)].some((form) => {
      const s = of(form);
      return s.inFlight > 0 || s.edits > s.saved;
    });

  document.addEventListener("input", (event) => {
    const form = event.target.closest(QUESTION);
    if (form) of(form).edits += 1;
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.target.closest(QUESTION);
    if (!form) return;
    const s = of(form);
    s.inFlight += 1;
    s.sent = s.edits; // htmx has read the fields by now: this is what the save carries
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest(QUESTION);
    if (!form) return;
    const s = of(form);
    s.inFlight -= 1;
    // Only a 200 stored it: a refused (422) or stale (409) save leaves the change unsaved.
    if (event.detail.xhr && event.detail.xhr.status === 200) s.saved = Math.max(s.saved, s.sent);
  });

  // Following a link to another dimension (or anywhere else) drops what is not saved: say
  // so in words of our own first; the browser's own prompt below covers reloads and closing.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.getAttribute("href").startsWith("#")) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || link.target) return; // a new tab
    if (!pending()) return;
    const leave = window.confirm(
      "An answer on this page is not saved yet (or is still saving). Leave it anyway?",
    );
    if (leave) leaving = true;
    else event.preventDefault();
  });

  window.addEventListener("beforeunload", (event) => {
    if (leaving || !pending()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
})();
