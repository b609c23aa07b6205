"""Charts for Word documents, drawn on the server as PNG with Pillow (matplotlib is not installed, and a
Word file cannot run ECharts). Labels need a font with Chinese glyphs: KP_CHART_FONT names one, else
the usual system fonts are tried; without any, the chart is drawn with Pillow's own font, whose boxes
stand in for the characters it lacks."""

import math
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)
COLOURS = ("#c23531", "#2f4554", "#61a0a8", "#d48265")
INK, GRID, REFERENCE = "#333333", "#dddddd", "#e6a23c"


@cache
def font_path() -> str | None:
    configured = getattr(settings, "KP_CHART_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _font(size: int):
    path = font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at least RAW: axis ticks people read at a glance."""
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def bar_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list]],
    *,
    unit: str = "%",
    reference: tuple[str, float] | None = None,
    width: int = 1500,
) -> bytes:
    """A horizontal bar chart as PNG bytes: one row per label, one bar per series ((name, values); a
    value None draws no bar), an optional vertical REFERENCE line ((name, value), e.g. 序时进度)."""
    rows, bars = max(len(labels), 1), max(len(series), 1)
    bar_h, gap = 26, 18
    top, bottom, left, right = 110, 60, 300, 120
    height = top + bottom + rows * (bars * bar_h + gap)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font, small = _font(40), _font(26), _font(22)
    draw.text((width // 2, 20), title, fill=INK, font=title_font, anchor="ma")
    values = [float(v) for _name, vals in series for v in vals if v is not None]
    top_value = max([*values, float(reference[1]) if reference else 0.0, 1.0])
    step = _nice_step(top_value * 1.05 / 5)
    axis_max = step * 5
    scale = (width - left - right) / axis_max
    # The legend.
    x = left
    for n, (name, _vals) in enumerate(series):
        draw.rectangle((x, 75, x + 28, 95), fill=COLOURS[n % len(COLOURS)])
        draw.text((x + 36, 85), name, fill=INK, font=small, anchor="lm")
        x += 60 + int(draw.textlength(name, font=small))
    for tick in range(0, 6):
        tx = left + int(tick * (width - left - right) / 5)
        draw.line((tx, top - 8, tx, height - bottom), fill=GRID, width=1)
        draw.text(
            (tx, height - bottom + 8),
            f"{step * tick:g}{unit}",
            fill=INK,
            font=small,
            anchor="ma",
        )
    y = top
    for i, label in enumerate(labels):
        block = bars * bar_h
        draw.text((left - 12, y + block // 2), label, fill=INK, font=label_font, anchor="rm")
        for n, (_name, vals) in enumerate(series):
            value = vals[i] if i < len(vals) else None
            if value is None:
                continue
            x1 = left + max(int(float(value) * scale), 1)
            by = y + n * bar_h
            draw.rectangle((left, by + 3, x1, by + bar_h - 3), fill=COLOURS[n % len(COLOURS)])
            draw.text((x1 + 8, by + bar_h // 2), f"{value}{unit}", fill=INK, font=small, anchor="lm")
        y += block + gap
    if reference is not None:
        name, value = reference
        rx = left + int(float(value) * scale)
        draw.line((rx, top - 10, rx, height - bottom), fill=REFERENCE, width=3)
        draw.text((rx, top - 14), f"{name} {value}{unit}", fill=REFERENCE, font=small, anchor="md")
    draw.line((left, top - 8, left, height - bottom), fill=INK, width=2)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
