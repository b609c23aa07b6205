// The monthly curve's running sum beside the annual plan, so the difference shows while typing.
// Counted in whole yuan (万元 × 10,000) to stay exact; the server checks the same rule again.
(function () {
  const sum = document.getElementById("month-sum");
  const planned = document.getElementById("id_planned_investment");
  if (!sum || !planned) return;
  const say = sum.dataset; // the messages, translated by the template
  const months = Array.from({ length: 12 }, (_, i) => document.getElementById("id_m" + (i + 1)));

  function yuan(text) {
    const value = (text || "").trim().replace(/[,，]/g, "");
    if (!/^\d+(\.\d{1,4})?$/.test(value)) return null;
    const [whole, fraction = ""] = value.split(".");
    return BigInt(whole) * 10000n + BigInt((fraction + "0000").slice(0, 4));
  }
  function wan(amount) {
    const negative = amount < 0n;
    const abs = negative ? -amount : amount;
    const whole = (abs / 10000n).toLocaleString("zh-CN");
    const fraction = (abs % 10000n).toString().padStart(4, "0").replace(/0+$/, "");
    return (negative ? "-" : "") + whole + (fraction ? "." + fraction : "");
  }
  function update() {
    const filled = months.filter(m => m.value.trim() !== "");
    if (filled.length === 0) {
      sum.textContent = say.even;
      sum.className = "small mt-2 text-muted";
      return;
    }
    let total = 0n;
    for (const m of filled) {
      const v = yuan(m.value);
      if (v === null) { sum.textContent = ""; return; }
      total += v;
    }
    const plan = yuan(planned.value);
    let text = say.total.replace("{total}", wan(total));
    let ok = false;
    if (plan !== null) {
      const diff = total - plan;
      ok = diff === 0n && filled.length === 12;
      if (diff === 0n) text += say.equal;
      else text += (diff > 0n ? say.more : say.less).replace("{diff}", wan(diff > 0n ? diff : -diff));
    }
    if (filled.length < 12) text += say.missing.replace("{n}", 12 - filled.length);
    sum.textContent = text;
    sum.className = "small mt-2 " + (ok ? "text-success" : "text-danger");
  }
  months.forEach(m => m && m.addEventListener("input", update));
  planned.addEventListener("input", update);
  update();
})();
