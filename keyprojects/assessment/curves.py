"""Scoring curves: how an indicator's value becomes points out of its weight.

- linear (线性): 0 at or below LOW, the full weight at or above HIGH, in proportion between.
- step (分档): the fraction of the first step whose threshold the value reaches (steps high to low).
- rank (按名次): the first of the units with a value gets the full weight, the last LAST × weight,
  those between in proportion to their place; equal values share the better place. Points then depend
  on the other units' values: that is what a rank-based indicator means.
- per_item (按件扣分): the weight less PER_ITEM for each item counted, never below 0.

Points are rounded half up to the hundredth. A person types the parameters as short text
(`params_from_text`), shown back by `params_to_text`.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

LINEAR, STEP, RANK, PER_ITEM = "linear", "step", "rank", "per_item"
CENT = Decimal("0.01")
ONE = Decimal(1)


def plain(value) -> str:
    """A number as people write it: 20, 0.8, 95.5 (not 20.00, 8E-1)."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _d(value) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None
    if not result.is_finite():
        raise ValueError(value)
    return result


def fraction(curve: str, params: dict, value: Decimal, *, rank: int = 1, count: int = 1) -> Decimal:
    """The share of the weight VALUE earns (0 to 1) on CURVE; RANK among COUNT units for a rank curve."""
    if curve == LINEAR:
        low, high = _d(params["low"]), _d(params["high"])
        if value >= high:
            return ONE
        if value <= low:
            return Decimal(0)
        return (value - low) / (high - low)
    if curve == STEP:
        for threshold, share in params["steps"]:
            if value >= _d(threshold):
                return _d(share)
        return Decimal(0)
    if curve == RANK:
        if count <= 1:
            return ONE
        last = _d(params["last"])
        return last + (ONE - last) * Decimal(count - rank) / Decimal(count - 1)
    raise ValueError(curve)


def points(curve: str, params: dict, weight: Decimal, value, *, rank: int = 1, count: int = 1) -> Decimal:
    """The points VALUE earns out of WEIGHT. VALUE None (nothing was due) earns the full weight."""
    if value is None:
        return cents(weight)
    if curve == PER_ITEM:
        return cents(max(Decimal(0), weight - _d(params["per_item"]) * Decimal(value)))
    return cents(weight * fraction(curve, params, Decimal(value), rank=rank, count=count))


def ranks(values: dict) -> dict:
    """Place of each key by value, highest first; equal values share the better place; None has none."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first = {}
    for index, value in enumerate(ordered, start=1):
        first.setdefault(value, index)
    return {key: first.get(value) for key, value in values.items()}


# Parameters as typed


def params_errors(curve: str, params: dict) -> list[str]:
    """What is wrong with PARAMS for CURVE, as messages (empty when they are usable)."""
    try:
        if curve == LINEAR:
            low, high = _d(params["low"]), _d(params["high"])
            if high <= low:
                return [
                    _("线性计分的满分阈值（%(high)s）应大于零分阈值（%(low)s）。")
                    % {"high": high, "low": low}
                ]
        elif curve == STEP:
            steps = [(_d(t), _d(s)) for t, s in params["steps"]]
            if not steps:
                return [_("分档计分至少需要一档。")]
            if any(not 0 <= s <= 1 for _t, s in steps):
                return [_("分档的得分比例应在 0 到 1 之间。")]
            if [t for t, _s in steps] != sorted((t for t, _s in steps), reverse=True):
                return [_("分档应按阈值从高到低排列。")]
        elif curve == RANK:
            if not 0 <= _d(params["last"]) <= 1:
                return [_("按名次计分的末名得分比例应在 0 到 1 之间。")]
        elif curve == PER_ITEM:
            if _d(params["per_item"]) <= 0:
                return [_("每件扣分应大于 0。")]
        else:
            return [_("未知的计分方式“%(curve)s”。") % {"curve": curve}]
    except (KeyError, TypeError, ValueError):
        return [_("计分参数不完整或不是数字。")]
    return []


def params_from_text(curve: str, text: str) -> dict:
    """Parameters from what a person types: linear "60,100"; step "100:1, 90:0.8, 80:0.6"; rank "0.6"
    (the last place's share); per_item "1" (points per item). ValueError if it cannot be read."""
    text = (text or "").replace("，", ",").replace("：", ":").replace(" ", "")
    if curve == LINEAR:
        low, high = text.split(",")
        params = {"low": str(_d(low)), "high": str(_d(high))}
    elif curve == STEP:
        params = {
            "steps": [[str(_d(t)), str(_d(s))] for t, s in (p.split(":") for p in text.split(",") if p)]
        }
    elif curve == RANK:
        params = {"last": str(_d(text))}
    elif curve == PER_ITEM:
        params = {"per_item": str(_d(text))}
    else:
        raise ValueError(curve)
    return params


def params_to_text(curve: str, params: dict) -> str:
    if curve == LINEAR:
        return f"{params['low']},{params['high']}"
    if curve == STEP:
        return ", ".join(f"{t}:{s}" for t, s in params["steps"])
    if curve == RANK:
        return str(params["last"])
    if curve == PER_ITEM:
        return str(params["per_item"])
    return ""


def describe(curve: str, params: dict) -> str:
    """The curve in words, as the scheme page and the score page show it."""
    if curve == LINEAR:
        return _("≤%(low)s 得 0 分，≥%(high)s 得满分，之间按比例") % params
    if curve == STEP:
        steps = "；".join(_("≥%(t)s 得 %(s)s 倍权重") % {"t": t, "s": s} for t, s in params["steps"])
        return steps + _("；其余 0 分")
    if curve == RANK:
        return _("第一名得满分，末名得 %(last)s 倍权重，之间按名次等差") % params
    if curve == PER_ITEM:
        return _("每件扣 %(per_item)s 分，扣完为止") % params
    return ""


def working(curve: str, params: dict, weight: Decimal, value, pts: Decimal, *, rank=None, count=None) -> str:
    """How POINTS came from VALUE, with the numbers: "(83.3 − 60) ÷ (100 − 60) × 10 = 5.83"."""
    w = plain(weight)
    if value is None:
        return _("无应考核事项，得满分 %(w)s 分") % {"w": w}
    value = Decimal(value)
    if curve == LINEAR:
        low, high = _d(params["low"]), _d(params["high"])
        if value >= high:
            return _("%(v)s ≥ %(high)s，得满分 %(w)s 分") % {"v": value, "high": plain(high), "w": w}
        if value <= low:
            return _("%(v)s ≤ %(low)s，得 0 分") % {"v": value, "low": plain(low)}
        return f"({value} − {plain(low)}) ÷ ({plain(high)} − {plain(low)}) × {w} = {pts}"
    if curve == STEP:
        for threshold, share in params["steps"]:
            if value >= _d(threshold):
                return _("%(v)s ≥ %(t)s，%(s)s × %(w)s = %(p)s") % {
                    "v": value,
                    "t": plain(threshold),
                    "s": plain(share),
                    "w": w,
                    "p": pts,
                }
        return _("%(v)s 未达最低一档，得 0 分") % {"v": value}
    if curve == RANK:
        last = _d(params["last"])
        if not count or count <= 1:
            return _("仅一个单位参与排名，得满分 %(w)s 分") % {"w": w}
        return _(
            "第 %(r)s 名 / 共 %(n)s 名："
            "[%(last)s + (1 − %(last)s) × (%(n)s − %(r)s) ÷ (%(n)s − 1)] × %(w)s = %(p)s"
        ) % {
            "r": rank,
            "n": count,
            "last": plain(last),
            "w": w,
            "p": pts,
        }
    if curve == PER_ITEM:
        return f"{w} − {plain(params['per_item'])} × {int(value)} = {pts}" + (
            _("（扣完为止）") if pts == 0 else ""
        )
    return ""
