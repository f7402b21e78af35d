"""ECharts options built on the server, handed to the page as JSON (no functions, so
tooltips use ECharts' rich-text mode, which needs no inline HTML styles under our CSP)."""

from typing import Any

from django.utils.translation import gettext as _

from samphan.core.dates import format_month

PALETTE = ["#0f766e", "#f59e0b", "#6366f1", "#e11d48", "#0891b2"]


def pareto_chart(pareto: list[Any], measure_label: str) -> dict[str, Any]:
    """Cumulative share of the measure against the share of customers, best first, with
    the diagonal an even spread would follow."""
    points = [[x, round(y * 100, 1)] for x, y in pareto]
    return {
        "color": PALETTE,
        "grid": {"left": 48, "right": 16, "top": 32, "bottom": 48},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0, "data": [measure_label, _("Even spread")]},
        "xAxis": {
            "type": "value",
            "min": 0,
            "max": 100,
            "name": _("Share of customers, best first"),
            "nameLocation": "middle",
            "nameGap": 28,
            "axisLabel": {"formatter": "{value}%"},
        },
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": measure_label,
                "type": "line",
                "data": points,
                "showSymbol": False,
                "areaStyle": {"opacity": 0.15},
            },
            {
                "name": _("Even spread"),
                "type": "line",
                "data": [[0, 0], [100, 100]],
                "showSymbol": False,
                "lineStyle": {"type": "dashed", "width": 1},
                "color": "#94a3b8",
            },
        ],
    }


def weekday_hour_chart(weekdays: list[str], hours_by_day: list[list[int]]) -> dict[str, Any]:
    """A weekday × hour heatmap (rows Monday … Sunday, columns 0 … 23 h)."""
    data = [
        [hour, day, count] for day, row in enumerate(hours_by_day) for hour, count in enumerate(row)
    ]
    top = max((count for _h, _d, count in data), default=0)
    return {
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 64, "containLabel": True},
        "tooltip": {"renderMode": "richText"},
        "xAxis": {"type": "category", "data": [f"{hour:02d}" for hour in range(24)]},
        "yAxis": {"type": "category", "data": weekdays, "inverse": True},
        "visualMap": {
            "min": 0,
            "max": max(top, 1),
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "itemHeight": 120,
            "inRange": {"color": ["#f0fdfa", "#0f766e"]},
        },
        "series": [{"type": "heatmap", "data": data}],
    }


def segments_chart(rows: list[Any]) -> dict[str, Any]:
    """Share of customers and of revenue per RFM segment, as horizontal bars."""
    labels = [row.label for row in rows]
    return {
        "color": [PALETTE[0], PALETTE[1]],
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0, "data": [_("Customers"), _("Revenue")]},
        "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": labels, "inverse": True},
        "series": [
            {
                "name": _("Customers"),
                "type": "bar",
                "data": [round(row.share_of_customers * 100, 1) for row in rows],
            },
            {
                "name": _("Revenue"),
                "type": "bar",
                "data": [round(row.share_of_revenue * 100, 1) for row in rows],
            },
        ],
    }


def revenue_trend_chart(months: list[tuple[Any, Any]]) -> dict[str, Any]:
    """Revenue per month as bars, the last 24 months."""
    return {
        "color": PALETTE,
        "grid": {"left": 8, "right": 8, "top": 16, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "xAxis": {"type": "category", "data": [format_month(month) for month, _ in months]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("Revenue"), "type": "bar", "data": [float(total) for _, total in months]}
        ],
    }


def funnel_chart(steps: list[tuple[str, int]]) -> dict[str, Any]:
    """A funnel of labelled counts, widest first."""
    top = max((count for _, count in steps), default=0)
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "renderMode": "richText"},
        "series": [
            {
                "type": "funnel",
                "left": "5%",
                "width": "90%",
                "min": 0,
                "max": max(top, 1),
                "sort": "none",
                "gap": 2,
                # The last steps hold a tenth of the first or less: at their true width
                # their labels overflowed onto each other. The table beside has the counts.
                "minSize": "35%",
                "label": {"show": True, "position": "inside", "formatter": "{b}: {c}"},
                "data": [{"name": label, "value": count} for label, count in steps],
            }
        ],
    }


def forecast_chart(history: list[tuple[Any, Any]], months: list[Any]) -> dict[str, Any]:
    """Revenue by month as bars, then the forecast months as a line with its 80% band
    (the band drawn as a stacked area from the low to the high value)."""
    labels = [format_month(month) for month, _ in history] + [
        format_month(forecast.month) for forecast in months
    ]
    gap = [None] * len(history)
    return {
        "color": PALETTE,
        "grid": {"left": 8, "right": 8, "top": 32, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 0, "data": [_("Revenue"), _("Forecast"), _("Likely range")]},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("Revenue"),
                "type": "bar",
                "data": [float(total) for _, total in history] + [None] * len(months),
            },
            {
                "name": _("Forecast"),
                "type": "line",
                "data": gap + [float(forecast.expected) for forecast in months],
                "lineStyle": {"type": "dashed"},
            },
            {
                "name": "low",
                "type": "line",
                "stack": "band",
                "data": gap + [float(forecast.low) for forecast in months],
                "lineStyle": {"opacity": 0},
                "showSymbol": False,
                "tooltip": {"show": False},
            },
            {
                "name": _("Likely range"),
                "type": "line",
                "stack": "band",
                "data": gap + [float(forecast.high - forecast.low) for forecast in months],
                "lineStyle": {"opacity": 0},
                "areaStyle": {"opacity": 0.25},
                "showSymbol": False,
                "color": PALETTE[1],
            },
        ],
    }
