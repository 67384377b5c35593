"""Response and body models of the routes the seed's web client also calls (api-contract.md).

Text the seed always filled (labels, names, titles, sentences) is a string
here, never null; each field that can be null says when, so the OpenAPI
schema documents it. `extra="allow"`: the answers may carry more fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .schemas import Timeframe

Num = Union[float, None]
_NULL_VALUE = "null when the file has no data for it in the window (the table is named in notes)"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- domain pages ---------------------------------------------------------------------
class DomainKpiItem(_Open):
    key: str
    label: str
    value: Num = Field(description=_NULL_VALUE)
    unit: Union[str, None] = Field(description="currency symbol, 'mo', 'days', 'hours', 'points', "
                                               "'per year'; null for ratios and counts")
    format: str = Field(description="currency | ratio | multiple | months | days | hours | number | int")


class BreakdownShare(_Open):
    name: str = Field(description="the group; '(none)' for rows without one")
    value: Num = Field(description="the group's value (for counted breakdowns, the count)")
    count: Union[int, None] = Field(None, description="present for counted breakdowns")
    share: Num = Field(description="0-1 share of the total; null when the total is 0")


class SeriesPoint(_Open):
    period: str = Field(description="YYYY-MM, or YYYY-Qn by quarter")
    partial: Union[bool, None] = Field(None, description="by quarter: the quarter is only partly in the window")


class DomainKpiDetail(_Open):
    timeframe: Timeframe
    metric: str = Field(description="the KPI key")
    label: str
    value: Num = Field(description="over the window; " + _NULL_VALUE)
    unit: Union[str, None] = Field(description="null for ratios and counts")
    format: str
    column: str = Field(description="the name of the value's column in `series`")
    series: list[dict[str, Any]] = Field(description="{period, <column>: number, partial?} per month or quarter "
                                                     "with a value; empty for a table without periods")
    by: str
    breakdown_basis: str = Field(description="what the breakdown's values are")
    breakdown: list[BreakdownShare]
    notes: list[str]


class _Overview(_Open):
    timeframe: Timeframe
    kpis: list[DomainKpiItem]
    notes: list[str]


Row = dict[str, Any]


class FinanceOverview(_Overview):
    revenueTrend: list[Row] = Field(description="{period, recognized, booked, backlog}: the dashboard's trend")


class SalesOverview(_Overview):
    pipelineTrend: list[Row] = Field(description="{period, leads, mql, sql, won} (stage value on the "
                                                 "period's last day; a stage without a row is null)")
    winrateTrend: list[Row] = Field(description="{period, win_rate_pct (0-1), sales_cycle_days}")
    topProducts: list[Row] = Field(description="{name, revenue, share}")
    topCustomers: list[Row] = Field(description="{name, revenue}: order amount in the window")


class MarketingOverview(_Overview):
    visitsTrend: list[Row] = Field(description="{period, visits}")
    funnelTrend: list[Row] = Field(description="{period, leads, mql, sql}")
    npsTrend: list[Row] = Field(description="{period, nps}")
    csatTrend: list[Row] = Field(description="{period, csat}")
    breakdown: list[BreakdownShare] = Field(description="page visits by page")


class SupplyOverview(_Overview):
    leadTimeTrend: list[Row] = Field(description="{period, lead_time_days}")
    inventoryTurnsTrend: list[Row] = Field(description="{period, turns_per_year}")
    cogsVarianceTrend: list[Row] = Field(description="{period, variance_pct (0-1)}")
    cogsBreakdown: list[BreakdownShare]


class ManufacturingOverview(_Overview):
    qualityTrend: list[Row] = Field(description="{period, doa, defect, warranty} (0-1)")
    reliabilityTrend: list[Row] = Field(description="{period, mtbf, mttr} (hours)")
    costTrend: list[Row] = Field(description="{period, cost_per_device}")
    breakdown: list[BreakdownShare] = Field(description="devices with a fault, by fault type")


DOMAIN_OVERVIEW_MODELS = {"finance": FinanceOverview, "sales": SalesOverview,
                          "marketing": MarketingOverview, "supply": SupplyOverview,
                          "manufacturing": ManufacturingOverview}


# -- the offline summary, asked for by POST -------------------------------------------------
class _In(BaseModel):
    # strict: a JSON string is not a number, 0 is not false (the schema says what is accepted)
    model_config = ConfigDict(extra="allow", strict=True)


Finite = Union[Annotated[float, Field(allow_inf_nan=False)], None]
Text = Union[str, None]  # no maxLength: the 64 KiB body cap bounds it


class KpiIn(_In):
    key: Text = None
    label: Text = None
    value: Finite = None
    unit: Text = None
    delta: Finite = None
    direction: Text = None
    better: Union[Literal["up", "down"], None] = None
    format: Text = None


class TrendIn(_In):
    period: Text = None
    recognized: Finite = None
    booked: Finite = None
    backlog: Finite = None


class AlertIn(_In):
    id: Union[int, Text] = None
    type: Text = None
    title: Text = None
    description: Text = None
    severity: Text = None
    created_at: Text = None


class RiskIn(_In):
    id: Union[int, Text] = None
    title: Text = None
    owner: Text = None
    due: Text = None
    mitigation: Text = None
    status: Text = None
    overdue: Union[bool, None] = None


class TimeframeIn(_In):
    range: Text = None
    granularity: Text = None
    start_date: Text = None
    end_date: Text = None
    as_of: Text = None


class PayloadMetaIn(_In):
    currency: Union[str, None] = None


class DashboardIn(_In):
    """What the summary reads of a posted dashboard payload; every part optional."""

    executiveKpis: list[KpiIn] = Field(default_factory=list)
    revenueTrend: list[TrendIn] = Field(default_factory=list)
    alerts: list[AlertIn] = Field(default_factory=list)
    risks: list[RiskIn] = Field(default_factory=list)
    timeframe: Union[TimeframeIn, None] = None
    meta: Union[PayloadMetaIn, None] = None


class SummaryRequest(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, json_schema_extra={"examples": [
        {"data": {"executiveKpis": [], "revenueTrend": [], "alerts": [], "risks": []}, "question": "Why?"}]})
    data: Union[DashboardIn, None] = Field(
        None, description="a dashboard payload as GET /api/executive-dashboard answers; "
                          "absent or null: the data file's, for range and as_of")
    question: Union[str, None] = Field(None, description="recorded in meta; the offline "
                                                                         "summary answers the same")
    provider: Union[str, None] = Field(None, description="ignored offline: no model is called")


class SummaryAnswer(_Open):
    source: Literal["heuristic"] = Field(description="offline: written by fixed rules, no model")
    summary: str = Field(description="the 'now' sentences; '' when the payload has no KPI values")
    highlights: list[str]
    cautions: list[str]
    actions: list[str]
    meta: dict[str, Any]


# -- around the pages ---------------------------------------------------------------------
class UserMe(_Open):
    id: str = Field(description="the local account name")
    name: str = Field(description="the OS user's full name when known, else the account name")
    email: Union[str, None] = Field(description="null: a desktop app knows no e-mail address")
    avatar_url: Union[str, None] = Field(description="null: no avatar")
    role: str
    department: Union[str, None] = Field(description="null: not known to the app")
    phone: Union[str, None] = Field(description="null: not known to the app")
    timezone: str = Field(description="the machine's time zone")
    created_at: Union[str, None] = Field(description="null: a local user has no account record")
    updated_at: Union[str, None] = Field(description="null: a local user has no account record")


class UserSettings(_Open):
    theme: Literal["system", "light", "dark"]
    notifications_enabled: bool
    email_notifications: bool
    language: str
    date_format: str
    time_format: str


class UnreadCount(BaseModel):
    count: int


class SearchHit(_Open):
    id: str
    title: str
    description: str
    type: Literal["page", "kpi", "dashboard"]
    url: str = Field(description="the web client's route for it")
    category: str
    api: str = Field(description="the API route that answers its data")


class Message(_Open):
    """The seed's message (the desktop app has none: the list is always empty)."""

    id: str
    subject: str
    body: str
    sender: str
    read: bool
    archived: bool
    created_at: str


class Meeting(_Open):
    """The seed's meeting (the desktop app has none: the list is always empty)."""

    id: str
    title: str
    start_time: str
    end_time: str
    location: Union[str, None] = Field(None, description="null when none was given")
    attendees: list[str]
