(function () {
  // "Select all" ticks every report of this page for the batch approval.
  const all = document.getElementById("queue-select-all");
  if (!all) return;
  const boxes = () => document.querySelectorAll('input[name="report"][form="batch-approve"]');
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
})();
