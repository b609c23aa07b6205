// The blank template follows the year typed on the upload form.
(function () {
  const year = document.getElementById("id_year");
  const link = document.getElementById("template-link");
  if (!year || !link) return;
  year.addEventListener("input", function () {
    const url = new URL(link.href, window.location.href);
    if (/^\d{4}$/.test(year.value)) {
      url.searchParams.set("year", year.value);
      link.href = url.toString();
    }
  });
})();
