"""What every benchmark shares: interleaved paired runs, ratio statistics, result checks, and the
machine-readable rows `bench/run_all.py` (`make bench`) collects into one summary table.

A bench measures a figure as the ratio of the code under test to its baseline (hand-written SQL, a
bare read, the same server's trivial endpoint). Both sides run in the same round, in an order that
rotates from round to round, so a busy machine slows them alike; the ratio is taken per round (paired)
and reported as the median with the min–max over the rounds. Both sides' results are compared in every
round, so a baseline that does less work fails loudly instead of flattering the figure.

The interface to the runner (see bench/README.md): a bench prints, besides its own report, one line

    BENCH-ROW {"figure": …, "goal": "≤ 2×", "limit": 2.0, "ratios": [...], "detail": …}

per figure (`emit`). The runner sets KP_BENCH_SIZE=small for benches it has no options for.
"""

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

MIN_REPEAT = 5
PREFIX = "BENCH-ROW "


@dataclass
class Row:
    figure: str
    goal: str  # as the issue words it, e.g. "≤ 2×"
    limit: float | None  # the ratio the goal allows; None: shown, not judged
    ratios: list[float] = field(default_factory=list)
    detail: str = ""
    error: str = ""
    # A goal that is a floor (throughput ≥ 0.5× the trivial endpoint) rather than a ceiling.
    at_least: bool = False

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        if self.limit is None or self.median is None:
            return "—"
        ok = self.median >= self.limit if self.at_least else self.median <= self.limit
        return "ok" if ok else "MISSED"

    def ratio_text(self) -> str:
        if self.median is None:
            return "—"
        return f"{self.median:.2f}× ({min(self.ratios):.2f}–{max(self.ratios):.2f}, n={len(self.ratios)})"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Row":
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def emit(row: Row) -> Row:
    """Print ROW for the reader and as the runner's machine-readable line."""
    print(f"figure    {row.figure}: {row.ratio_text()}  goal {row.goal}  {row.verdict}  {row.detail}")
    print(PREFIX + row.to_json(), flush=True)
    return row


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleave(
    sides: dict[str, Callable[[], object]],
    *,
    repeat: int,
    warmup: int = 1,
    check: Callable[[dict[str, object]], None] | None = None,
) -> dict[str, list[float]]:
    """Run every side once per round, WARMUP untimed rounds then REPEAT (at least MIN_REPEAT) timed
    ones, the order rotating each round; CHECK(results by side) runs after every round and raises when
    the sides disagree. Returns the seconds per side, index i being round i (so they pair)."""
    repeat = max(repeat, MIN_REPEAT)
    names = list(sides)
    samples = {name: [] for name in names}
    for i in range(warmup + repeat):
        order = names[i % len(names) :] + names[: i % len(names)]
        results = {}
        for name in order:
            seconds, results[name] = timed(sides[name])
            if i >= warmup:
                samples[name].append(seconds)
        if check is not None:
            check(results)
    return samples


def paired(numerator: list[float], denominator: list[float]) -> list[float]:
    """Ratios of the same rounds."""
    assert len(numerator) == len(denominator), (len(numerator), len(denominator))
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


def same(results: dict[str, object]) -> None:
    """CHECK for interleave: every side returned an equal value."""
    values = list(results.items())
    first_name, first = values[0]
    for name, value in values[1:]:
        assert value == first, f"{name} returned another result than {first_name}: {value!r} != {first!r}"


EMPTY_PAGE = "/bench/empty/"


def install_empty_page() -> str:
    """Serve EMPTY_PAGE: an authenticated page rendering base.html with no content (menu, session,
    middleware: the floor every page pays), next to the real URLs. Call after django.setup()."""
    import sys
    import types

    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import clear_url_caches, include, path

    template = engines["django"].from_string('{% extends "base.html" %}')

    @login_required
    def empty(request):
        return HttpResponse(template.render({}, request))

    module = types.ModuleType("kp_bench_urls")
    module.urlpatterns = [path(EMPTY_PAGE.strip("/") + "/", empty), path("", include(settings.ROOT_URLCONF))]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    return EMPTY_PAGE
