// Behaviour every page shares, in a file rather than in onclick="…" attributes: the Content-Security-
// Policy runs no inline script or event handler.
(function () {
  // data-kp-confirm="question" on a form or a button: ask before it submits. Capture phase, so a "no"
  // stops the event before htmx or anything else on the element sees it.
  function refuse(event, element) {
    if (element && !window.confirm(element.dataset.kpConfirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }
  document.addEventListener("click", (event) => {
    const element = event.target.closest("[data-kp-confirm]");
    if (element && element.tagName !== "FORM") refuse(event, element);
  }, true);
  document.addEventListener("submit", (event) => {
    if (event.target.matches("form[data-kp-confirm]")) refuse(event, event.target);
  }, true);

  // data-kp-autosubmit on a field: submit its form when it changes; data-kp-clear="name" empties another
  // field first (a period that no longer fits the newly chosen kind).
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-kp-autosubmit]");
    if (!field || !field.form) return;
    const clear = field.dataset.kpClear && field.form.elements.namedItem(field.dataset.kpClear);
    if (clear) clear.value = "";
    field.form.submit();
  });

  // data-kp-back on a link: back to the page before.
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-kp-back]")) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
