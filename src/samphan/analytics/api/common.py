"""The analytics API's one router and what its endpoints share: the period parameters
and the period as answered."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from samphan.api.schemas import IsoDate, OneOf
from samphan.core import periods


class AnalyticsRouter(Router):
    """Names each operation as it was when the analytics API was one module
    (`samphan_analytics_api_<view>`; ninja would add the module's name), so clients
    generated from the schema keep their method names (as ``customers.api.common``)."""

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **options: Any
    ) -> None:
        options["operation_id"] = options.get("operation_id") or (
            f"samphan_analytics_api_{view_func.__name__}"
        )
        super().add_api_operation(path, methods, view_func, **options)


router = AnalyticsRouter(tags=["analytics"])

PresetName = Annotated[str, OneOf(periods.PRESETS)]
DEFAULT_PERIOD = "last_12_months"  # when neither a preset nor dates are given


class PeriodParams(Schema):
    model_config = ConfigDict(extra="forbid")
    period: PresetName | None = Field(
        None, description="a preset around today; leave out with since and until"
    )
    since: IsoDate | None = Field(None, description="first day (Asia/Bangkok), with until")
    until: IsoDate | None = Field(None, description="last day, included")
    by: Literal["revenue", "profit"] = "revenue"

    def chosen(self) -> periods.Period:
        if self.since is None and self.until is None:
            return periods.preset_period(self.period or DEFAULT_PERIOD, timezone.localdate())
        if self.period is not None:
            raise ValidationError({"period": _("Give a preset or since and until, not both.")})
        if self.since is None or self.until is None:
            missing = "since" if self.since is None else "until"
            raise ValidationError({missing: _("Give both since and until.")})
        errors = periods.period_errors(self.since, self.until)
        if errors:
            raise ValidationError(errors)
        return periods.Period(self.since, self.until)


class PeriodOut(Schema):
    since: dt.date
    until: dt.date


def period_out(period: periods.Period) -> dict[str, Any]:
    return {"since": period.since, "until": period.until}
