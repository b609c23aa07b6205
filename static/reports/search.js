// The header search box: htmx fills the dropdown as one types; Escape or a click elsewhere closes it,
// arrow keys move through its links.
(function () {
  const form = document.getElementById("global-search");
  const input = document.getElementById("global-search-input");
  const dropdown = document.getElementById("global-search-dropdown");
  if (!form || !input || !dropdown) return;

  function close() { dropdown.innerHTML = ""; }
  function links() { return Array.from(dropdown.querySelectorAll("a")); }

  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) close();
  });
  form.addEventListener("keydown", (event) => {
    const items = links();
    const at = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      close();
      input.focus();
    } else if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      items[Math.min(at + 1, items.length - 1)].focus();
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      if (at <= 0) input.focus();
      else items[at - 1].focus();
    }
  });
  input.addEventListener("input", () => {
    if (!input.value.trim()) close();
  });
})();
