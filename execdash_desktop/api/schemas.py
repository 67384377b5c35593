"""Pydantic models of every response and of the events body (api-contract.md).

The dashboard payload is served as the command line prints it (one code path,
byte-identical numbers), so these models document and test its shape rather
than re-serialise it; `extra="allow"` lets the payload carry more fields than
the contract requires.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, JsonValue, Tag,
                      ValidationInfo, field_validator, model_validator)

from ..metrics import EVENT_TYPES, MAX_META_KEY_CHARS, MAX_META_KEYS, METRIC_KEYS
from ..months import GRANULARITIES, RANGES
from ..packs.executive.kpis import KPI_KEYS

RangeName = Literal[tuple(RANGES)]  # type: ignore[valid-type]
GranularityName = Literal[tuple(GRANULARITIES)]  # type: ignore[valid-type]
KpiKey = Literal[KPI_KEYS]  # type: ignore[valid-type]
EventType = Literal[tuple(sorted(EVENT_TYPES))]  # type: ignore[valid-type]
MetricKey = Literal[METRIC_KEYS]  # type: ignore[valid-type]

# a JSON number >= 0: no strings, no booleans, no NaN/Infinity
MetricValue = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
OptNumber = Union[float, None]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- errors ----------------------------------------------------------------------
class ParameterError(BaseModel):
    loc: list[Union[str, int]] = Field(description="where: ['query', 'range'], ['body', 'meta', ...]")
    parameter: str = Field(description="the parameter or body field at fault")
    msg: str
    type: str
    input: Any = None
    accepted: str = Field(description="what would be accepted, in words")
    choices: Union[list[str], None] = Field(None, description="the accepted values, when a fixed set")


class ValidationErrorBody(BaseModel):
    error: Literal["invalid_request"] = "invalid_request"
    detail: list[ParameterError]


class ErrorBody(BaseModel):
    error: str
    detail: str
    table: Union[str, None] = Field(None, description="the missing table, for 503 on a missing table")


# -- dashboard -------------------------------------------------------------------
class HistoryPoint(_Open):
    period: str
    value: OptNumber
    partial: Union[bool, None] = None


class KpiEntry(_Open):
    key: str
    label: str
    value: OptNumber
    unit: Union[str, None]
    delta: OptNumber
    direction: Literal["up", "down", "flat"]
    better: Union[Literal["up", "down"], None] = None
    format: Union[str, None] = None
    reason: Union[str, None] = None
    history: Union[list[HistoryPoint], None] = None


class TrendRow(_Open):
    period: str
    recognized: OptNumber
    booked: OptNumber
    backlog: OptNumber
    partial: Union[bool, None] = None


_AS_STORED = "as stored in the data file; null only where the file has no value"


class Alert(_Open):
    id: Union[int, str, None] = Field(description="the row's id; " + _AS_STORED)
    type: Union[str, None] = Field(description="ops, supply, marketing...; " + _AS_STORED + " (the seed's schema "
                                               "makes it NOT NULL)")
    title: Union[str, None] = Field(description=_AS_STORED + " (NOT NULL in the seed's schema)")
    description: Union[str, None] = Field(description="null when the alert has no description")
    severity: Union[str, None] = Field(description="low, medium or high; null when not set")
    created_at: Union[str, None] = Field(description="null when not recorded (then it always shows)")


class Risk(_Open):
    id: Union[int, str, None] = Field(description="the row's id; " + _AS_STORED)
    title: Union[str, None] = Field(description=_AS_STORED + " (NOT NULL in the seed's schema)")
    owner: Union[str, None] = Field(description="null when the risk has no owner")
    due: Union[str, None] = Field(description="YYYY-MM-DD; null when the risk has no due date (such risks "
                                              "sort last and are never overdue)")
    mitigation: Union[str, None] = Field(description="null when no mitigation is recorded")
    status: Union[str, None] = Field(description="'open' when the file leaves it empty")
    overdue: Union[bool, None] = Field(None, description="past its due date at the as-of month's end")


class Timeframe(_Open):
    range: str
    granularity: str
    start_date: str = Field(description="first day of the window, YYYY-MM-DD")
    end_date: str = Field(description="last day of the as-of month, YYYY-MM-DD")
    as_of: Union[str, None] = None


class ExecutiveDashboard(_Open):
    executiveKpis: list[KpiEntry]
    revenueTrend: list[TrendRow]
    alerts: list[Alert]
    risks: list[Risk]
    timeframe: Timeframe


class BreakdownItem(_Open):
    name: Union[str, None]
    value: OptNumber


class Breakdown(_Open):
    dimension: str = Field(description="order_type, customer, ...")
    source: str = Field(description="where the numbers come from")
    items: list[BreakdownItem]


class KpiDetail(KpiEntry):
    breakdown: Union[Breakdown, None] = None
    timeframe: Timeframe


# -- drill-downs -----------------------------------------------------------------
class Column(BaseModel):
    key: str
    label: str
    format: str = Field(description="ratio | number | int | currency | days | hours | text | period")


class Drilldown(_Open):
    group: str
    metric: str
    title: str
    table: str = Field(description="the table the rows come from")
    granularity: str
    aggregation: Union[str, None] = Field(None, description="how months become quarters")
    timeframe: Timeframe
    columns: list[Column]
    rows: list[dict[str, Any]]
    summary: Union[dict[str, Any], None] = None
    extra: dict[str, list[dict[str, Any]]] = Field(default_factory=dict,
                                                    description="secondary tables by name")
    notes: list[str] = Field(default_factory=list)


# -- events ----------------------------------------------------------------------
def _timing_value(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise ValueError("a timing metric needs a finite number >= 0")
    return v


class OneMetric(BaseModel):
    """`{"metric": "ttfb_ms", "v": 123}`: one key and its value. A timing key takes a
    number >= 0; any other key any value, stored as given."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "if": {"properties": {"metric": {"enum": list(METRIC_KEYS)}}},
        "then": {"properties": {"v": {"type": "number", "minimum": 0}}}})
    metric: str = Field(min_length=1, max_length=MAX_META_KEY_CHARS)
    v: JsonValue

    @field_validator("v")
    @classmethod
    def _v(cls, v: Any, info: ValidationInfo) -> Any:
        return _timing_value(v) if info.data.get("metric") in METRIC_KEYS else v


class FlatMeta(BaseModel):
    """`{"ttfb_ms": 123, "range": "12m", "key": "revenue"}`: timing metrics and context keys.

    Every key is stored (api-contract.md): a number in `v`, anything else with
    `v` null; the pair as JSON in `raw`. The timing keys must be numbers >= 0.
    """

    model_config = ConfigDict(extra="allow", json_schema_extra={
        "maxProperties": MAX_META_KEYS,
        "propertyNames": {"minLength": 1, "maxLength": MAX_META_KEY_CHARS}})
    __pydantic_extra__: dict[str, JsonValue] = Field(init=False)  # type: ignore[assignment]
    ttfb_ms: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)
    render_total_ms: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)
    switch_latency_ms: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)
    alerts_poll_interval_ms: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)
    drilldown_duration_ms: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)
    drilldown_clicks: MetricValue = None  # type: ignore[assignment]  (absent: fine; null: 422)

    @model_validator(mode="before")
    @classmethod
    def _caps(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if len(data) > MAX_META_KEYS:
                raise ValueError(f"{len(data)} keys, at most {MAX_META_KEYS}")
            for key in data:
                if not 1 <= len(key) <= MAX_META_KEY_CHARS:
                    raise ValueError(f"key {key[:80]!r}: expected 1 to {MAX_META_KEY_CHARS} characters")
        return data


def _meta_form(meta: Any) -> str:
    """Exactly {"metric": <text>, "v": ...} is one pair; anything else is flat (client_meta_rows)."""
    if isinstance(meta, dict) and set(meta) == {"metric", "v"} and isinstance(meta["metric"], str):
        return "OneMetric"
    if isinstance(meta, (OneMetric, FlatMeta)):
        return type(meta).__name__
    return "FlatMeta"


Meta = Annotated[Union[Annotated[OneMetric, Tag("OneMetric")], Annotated[FlatMeta, Tag("FlatMeta")]],
                 Discriminator(_meta_form)]


_DT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")


def parse_event_time(value: object) -> datetime:
    """ISO-8601 / RFC 3339 date-time text only (no numbers, no bare dates)."""
    if isinstance(value, datetime):
        return value
    m = _DT_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError("expected an ISO-8601 date-time such as 2026-10-31T09:30:00Z")
    day, clock, frac, tz = m.groups()
    text = f"{day}T{clock}{(frac or '')[:7]}"
    if tz:
        text += "+00:00" if tz in "Zz" else tz
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:  # 2026-02-30, a leap second 23:59:60, offset +24:00
        raise ValueError(f"out of range: {exc}") from None


EventTime = Annotated[datetime, BeforeValidator(parse_event_time)]


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"event_type": "page_load", "meta": {"ttfb_ms": 123, "render_total_ms": 860}},
        {"event_type": "drilldown", "event_time": "2026-10-31T09:30:00Z",
         "meta": {"metric": "drilldown_clicks", "v": 2}},
    ]})
    event_type: EventType
    event_time: Union[EventTime, None] = Field(None, description="ISO-8601; default now; stored as UTC")
    meta: Union[Meta, None] = None

    def meta_dict(self) -> dict[str, Any]:
        """The meta as the client sent it (client_meta_rows stores it)."""
        if self.meta is None:
            return {}
        if isinstance(self.meta, OneMetric):
            return {"metric": self.meta.metric, "v": self.meta.v}
        return self.meta.model_dump(exclude_unset=True)


class EventLogged(BaseModel):
    status: Literal["logged"] = "logged"
    id: int


# -- health, quality gates -------------------------------------------------------
class Health(_Open):
    status: Literal["ok", "degraded"]
    version: str
    file: str
    file_bytes: int
    schema_version: int
    tables: dict[str, int] = Field(description="row count per table")
    missing_tables: list[str]
    unreadable_tables: dict[str, str] = Field(default_factory=dict, description=(
        "tables that are there but cannot be read (a damaged page, a broken view), and why"))
    packs: list[str] = Field(description="the dashboards this file holds the tables of")
    uptime_s: float
    started_at: str
    computations: int = Field(description="dashboard payloads actually computed (not served from cache)")
    source_loads: int = Field(description="times the data file was queried for the payload")
    cache: dict[str, Any]
    events: dict[str, Any]


class Gate(_Open):
    metric: str
    target: str
    comparison: str
    threshold: float
    low: OptNumber = None
    high: OptNumber = None
    unit: str
    samples_7d: int
    p95_7d: OptNumber
    samples_30d: int
    p95_30d: OptNumber
    pass_7d: Union[bool, None]
    pass_30d: Union[bool, None]


class QualityGates(_Open):
    generated_at: str
    gates: list[Gate]
    pass_7d: Union[bool, None] = Field(description="every metric with samples passes (null: no samples)")
    pass_30d: Union[bool, None]


# -- the offline summary (seed 002's "AI summary", written without a model) ----------
class SummarySentence(BaseModel):
    section: Literal["now", "reason", "action"]
    text: str
    figures: list[str] = Field(description="every number the sentence quotes, as the dashboard shows it")
    source: str = Field(description="where that number is shown: card:<kpi>, trend, alerts, risks, "
                                    "drilldown:<key>")


class UnusualMonth(BaseModel):
    series: str
    label: str
    period: str
    value: float
    median: float
    low: float
    high: float
    direction: Literal["high", "low"]
    text: str = Field(description="the month described as the window's tooltip does")


class Summary(BaseModel):
    sentences: list[SummarySentence] = Field(description="three to six when the data is there; "
                                                         "fewer, or none, when it is not")
    anomalies: list[UnusualMonth]
    timeframe: Timeframe
