-- Executive Dashboard schema (seed 000), the embedded data file's schema.
-- Every table, column, type, key, CHECK, DEFAULT and index of the seed.
-- The schema version lives in PRAGMA user_version (see execdash_desktop/store.py).
PRAGMA foreign_keys = ON;

-- Executive -----------------------------------------------------------------
CREATE TABLE IF NOT EXISTS timeframe_window (
    id          INTEGER PRIMARY KEY,
    range       TEXT UNIQUE,
    start_date  DATE,
    end_date    DATE,
    granularity TEXT CHECK (granularity IN ('month', 'quarter'))
);

CREATE TABLE IF NOT EXISTS executive_kpis (
    key       TEXT PRIMARY KEY,
    label     TEXT,
    value     REAL,
    unit      TEXT,
    delta     REAL,
    direction TEXT CHECK (direction IN ('up', 'down', 'flat'))
);

CREATE TABLE IF NOT EXISTS revenue_trend (
    period     TEXT PRIMARY KEY,
    recognized REAL NOT NULL DEFAULT 0,
    booked     REAL NOT NULL DEFAULT 0,
    backlog    REAL NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS pipeline_stages (
    stage_name TEXT PRIMARY KEY,
    value      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS pipeline_stages_daily (
    period     DATE,
    stage_name TEXT CHECK (stage_name IN ('Leads', 'MQL', 'SQL', 'Won')),
    value      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, stage_name)
);

CREATE TABLE IF NOT EXISTS pipeline_winrate (
    period           TEXT PRIMARY KEY,
    win_rate_pct     REAL NOT NULL,
    sales_cycle_days INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS retention_nrr (
    period      TEXT PRIMARY KEY,
    nrr         REAL NOT NULL,
    gross_churn REAL NOT NULL,
    expansion   REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS retention_at_risk (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT NOT NULL,
    mrr      REAL NOT NULL,
    risk     REAL NOT NULL,
    reason   TEXT
);

CREATE TABLE IF NOT EXISTS alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT,
    severity    TEXT CHECK (severity IN ('low', 'medium', 'high')),
    created_at  DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS risks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    owner      TEXT,
    due        DATE,
    mitigation TEXT,
    status     TEXT DEFAULT 'open'
);

-- Operations ----------------------------------------------------------------
CREATE TABLE IF NOT EXISTS ops_uptime (
    period TEXT PRIMARY KEY,
    uptime REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS ops_reliability (
    period     TEXT PRIMARY KEY,
    mtbf_hours REAL NOT NULL,
    mttr_hours REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS ops_quality (
    period       TEXT PRIMARY KEY,
    doa_pct      REAL NOT NULL,
    defect_pct   REAL NOT NULL,
    warranty_pct REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS ops_service_cost (
    period          TEXT PRIMARY KEY,
    cost_per_device REAL NOT NULL
);

-- Supply chain --------------------------------------------------------------
CREATE TABLE IF NOT EXISTS supply_cogs_breakdown (
    id        INTEGER PRIMARY KEY,
    component TEXT NOT NULL,
    cost      REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS supply_cogs_variance (
    period       TEXT PRIMARY KEY,
    variance_pct REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS supply_lead_time (
    period         TEXT PRIMARY KEY,
    lead_time_days REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS supply_inventory_turns (
    period         TEXT PRIMARY KEY,
    turns_per_year REAL NOT NULL
);

-- Telemetry -----------------------------------------------------------------
CREATE TABLE IF NOT EXISTS telemetry_utilization (
    period               TEXT PRIMARY KEY,
    avg_hours_per_device REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS telemetry_consumption (
    period          TEXT PRIMARY KEY,
    grams_per_cycle REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS telemetry_active_devices (
    period         TEXT PRIMARY KEY,
    active_devices INTEGER NOT NULL
);

-- Products ------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS top_products_daily (
    period  DATE NOT NULL,
    name    TEXT NOT NULL,
    revenue REAL NOT NULL,
    PRIMARY KEY (period, name)
);

CREATE TABLE IF NOT EXISTS top_products (
    name    TEXT PRIMARY KEY,
    revenue REAL NOT NULL
);

-- Customers and feedback ----------------------------------------------------
CREATE TABLE IF NOT EXISTS customers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    industry   TEXT,
    source     TEXT,
    created_at DATE DEFAULT (DATE('now'))
);

CREATE TABLE IF NOT EXISTS deals (
    id   INTEGER PRIMARY KEY,
    type TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    amount      REAL NOT NULL,
    profit      REAL NOT NULL,
    order_date  DATE NOT NULL,
    type        TEXT
);

CREATE TABLE IF NOT EXISTS expenses (
    id   INTEGER PRIMARY KEY,
    cost REAL NOT NULL,
    date DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS devices (
    id         INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    fault_type TEXT
);

CREATE TABLE IF NOT EXISTS repurchases (
    id              INTEGER PRIMARY KEY,
    device_type     TEXT NOT NULL,
    repurchase_rate REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS user_events (
    id         INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,
    event_time DATETIME NOT NULL
);

CREATE TABLE IF NOT EXISTS page_visits (
    id         INTEGER PRIMARY KEY,
    visit_date DATE NOT NULL,
    page_name  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS product_feedback (
    id         INTEGER PRIMARY KEY,
    category   TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS feedback_scores (
    id         INTEGER PRIMARY KEY,
    aspect     TEXT NOT NULL,
    score      REAL NOT NULL,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    type        TEXT NOT NULL,
    message     TEXT,
    created_at  DATETIME DEFAULT CURRENT_TIMESTAMP
);

-- RUM side table ------------------------------------------------------------
CREATE TABLE IF NOT EXISTS user_event_meta (
    event_id INTEGER NOT NULL REFERENCES user_events(id) ON DELETE CASCADE,
    metric   TEXT NOT NULL,
    v        REAL,
    raw      TEXT,
    PRIMARY KEY (event_id, metric)
);

-- Indexes -------------------------------------------------------------------
CREATE INDEX IF NOT EXISTS idx_orders_order_date            ON orders(order_date);
CREATE INDEX IF NOT EXISTS idx_orders_customer_id           ON orders(customer_id);
CREATE INDEX IF NOT EXISTS idx_expenses_date                ON expenses(date);
CREATE INDEX IF NOT EXISTS idx_user_events_time             ON user_events(event_time);
CREATE INDEX IF NOT EXISTS idx_page_visits_date             ON page_visits(visit_date);
CREATE INDEX IF NOT EXISTS idx_product_feedback_created     ON product_feedback(created_at);
CREATE INDEX IF NOT EXISTS idx_top_products_daily_period    ON top_products_daily(period);
CREATE INDEX IF NOT EXISTS idx_pipeline_stages_daily_period ON pipeline_stages_daily(period);
CREATE INDEX IF NOT EXISTS idx_eventmeta_metric             ON user_event_meta(metric);
