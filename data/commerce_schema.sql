-- The Commerce Operations dashboard's tables: seed 004 ("Hot Rod AN" data dictionary) in
-- SQLite, every column with its seed name (design/commerce-pack.md "Tables").
-- uuid -> TEXT; numeric -> REAL; bigint/int -> INTEGER; int[]/text[] -> JSON text (query with
-- json_each); timestamptz -> ISO-8601 UTC text; date -> YYYY-MM-DD text.
-- No CHECK on enums: the app reads files written by others and tolerates messy values
-- (upper-case statuses, 'yes' booleans, text numbers); the readers normalise them.
-- Every statement is idempotent (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS product_categories (
  id TEXT PRIMARY KEY,
  shopify_product_id INTEGER UNIQUE,
  category_l1 TEXT,
  category_l2 TEXT,
  category_l3 TEXT,
  fits_vehicle_years TEXT NOT NULL DEFAULT '[]',   -- JSON array of years (int[])
  fits_makes TEXT NOT NULL DEFAULT '[]',           -- JSON array (text[])
  fits_models TEXT NOT NULL DEFAULT '[]',          -- JSON array (text[])
  is_performance_part INTEGER,
  is_restoration_part INTEGER,
  is_custom_fabrication INTEGER,
  avg_order_value REAL,
  margin_pct REAL,
  inventory_velocity TEXT,                         -- fast / medium / slow
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_product_categories_shopify_id ON product_categories (shopify_product_id);
CREATE INDEX IF NOT EXISTS idx_product_categories_category_l1 ON product_categories (category_l1);
-- the seed's GIN index on fits_vehicle_years has no SQLite form: json_each scans the arrays

CREATE TABLE IF NOT EXISTS customer_segments (
  id TEXT PRIMARY KEY,
  shopify_customer_id INTEGER UNIQUE,
  primary_segment TEXT,
  segment_confidence REAL,
  total_orders INTEGER,
  total_revenue REAL,
  avg_order_value REAL,
  days_since_first_order INTEGER,
  days_since_last_order INTEGER,
  top_category_l1 TEXT,
  top_category_l2 TEXT,
  prefers_performance INTEGER,
  prefers_restoration INTEGER,
  primary_vehicle_year INTEGER,
  primary_vehicle_make TEXT,
  primary_vehicle_model TEXT,
  support_tickets_count INTEGER,
  review_count INTEGER,
  avg_review_rating REAL,
  lifecycle_stage TEXT,                            -- new / active / at_risk / churned / reactivated
  segmented_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_customer_segments_shopify_id ON customer_segments (shopify_customer_id);
CREATE INDEX IF NOT EXISTS idx_customer_segments_segment ON customer_segments (primary_segment);
CREATE INDEX IF NOT EXISTS idx_customer_segments_lifecycle ON customer_segments (lifecycle_stage);

CREATE TABLE IF NOT EXISTS sales_metrics_daily (
  id TEXT PRIMARY KEY,
  date TEXT UNIQUE,
  total_revenue REAL,
  total_orders INTEGER,
  avg_order_value REAL,
  revenue_vs_last_week_pct REAL,
  orders_vs_last_week_pct REAL,
  orders_fulfilled INTEGER,
  fulfillment_rate_pct REAL,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_sales_metrics_date ON sales_metrics_daily (date DESC);

CREATE TABLE IF NOT EXISTS sku_performance (
  id TEXT PRIMARY KEY,
  shopify_product_id INTEGER,
  shopify_variant_id INTEGER,
  sku TEXT,
  revenue_30d REAL,
  units_sold_30d INTEGER,
  orders_30d INTEGER,
  current_inventory INTEGER,
  days_of_inventory INTEGER,
  is_trending INTEGER,
  trend_direction TEXT,                            -- up / down / stable
  last_sale_at TEXT,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_sku_performance_sku ON sku_performance (sku);
CREATE INDEX IF NOT EXISTS idx_sku_performance_trending ON sku_performance (is_trending) WHERE is_trending = 1;

CREATE TABLE IF NOT EXISTS inventory_snapshots (
  id TEXT PRIMARY KEY,
  shopify_product_id INTEGER,
  shopify_variant_id INTEGER,
  sku TEXT,
  snapshot_date TEXT,
  quantity_available INTEGER,
  quantity_reserved INTEGER,
  quantity_incoming INTEGER,
  units_sold_7d INTEGER,
  units_sold_30d INTEGER,
  avg_daily_sales REAL,
  days_of_cover INTEGER,
  reorder_point INTEGER,
  stock_status TEXT,                               -- in_stock / low_stock / out_of_stock / overstock
  velocity_tier TEXT,                              -- fast / medium / slow / stagnant
  created_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_inventory_snapshots_date ON inventory_snapshots (snapshot_date DESC);
CREATE INDEX IF NOT EXISTS idx_inventory_snapshots_sku ON inventory_snapshots (sku);
CREATE INDEX IF NOT EXISTS idx_inventory_alerts ON inventory_snapshots (snapshot_date, sku)
  WHERE stock_status IN ('low_stock', 'out_of_stock');

CREATE TABLE IF NOT EXISTS fulfillment_tracking (
  id TEXT PRIMARY KEY,
  shopify_order_id INTEGER UNIQUE,
  order_number TEXT,
  fulfillment_status TEXT,                         -- unfulfilled / partial / fulfilled / cancelled
  days_to_fulfill INTEGER,
  is_sla_breach INTEGER,
  sla_threshold_days INTEGER DEFAULT 2,
  customer_segment TEXT,
  is_priority_customer INTEGER,
  has_issue INTEGER,
  issue_type TEXT,      -- delayed_shipping / missing_items / damaged_goods / wrong_address / inventory_shortage
  issue_severity TEXT,                             -- low / medium / high / critical
  order_created_at TEXT,
  fulfilled_at TEXT,
  sla_deadline TEXT,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_fulfillment_order_id ON fulfillment_tracking (shopify_order_id);
CREATE INDEX IF NOT EXISTS idx_fulfillment_status ON fulfillment_tracking (fulfillment_status);
CREATE INDEX IF NOT EXISTS idx_fulfillment_issues ON fulfillment_tracking (order_created_at) WHERE has_issue = 1;

CREATE TABLE IF NOT EXISTS cx_conversations (
  id TEXT PRIMARY KEY,
  chatwoot_conversation_id INTEGER UNIQUE,
  shopify_order_id INTEGER,
  customer_segment TEXT,
  first_response_time_minutes INTEGER,
  resolution_time_hours REAL,
  sla_target_minutes INTEGER DEFAULT 120,
  is_sla_breach INTEGER,
  priority TEXT,                                   -- low / medium / high / urgent
  sentiment TEXT,                                  -- positive / neutral / negative / very_negative
  is_escalated INTEGER,
  escalation_reason TEXT,
  escalated_at TEXT,
  status TEXT,                                     -- open / pending / resolved / closed
  conversation_created_at TEXT,
  first_response_at TEXT,
  resolved_at TEXT,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_cx_conversations_chatwoot_id ON cx_conversations (chatwoot_conversation_id);
CREATE INDEX IF NOT EXISTS idx_cx_conversations_status ON cx_conversations (status);
CREATE INDEX IF NOT EXISTS idx_cx_escalations ON cx_conversations (conversation_created_at) WHERE is_escalated = 1;

CREATE TABLE IF NOT EXISTS shop_activation_metrics (
  id TEXT PRIMARY KEY,
  date TEXT UNIQUE,
  total_shops INTEGER,
  shops_activated INTEGER,
  activation_rate_pct REAL,
  activation_rate_7d_avg REAL,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_shop_activation_date ON shop_activation_metrics (date DESC);

CREATE TABLE IF NOT EXISTS operator_sla_resolution (
  id TEXT PRIMARY KEY,
  operator_id INTEGER,
  date TEXT,
  sla_breaches_detected INTEGER,
  sla_breaches_resolved INTEGER,
  median_response_time REAL,
  p90_response_time REAL,
  p95_response_time REAL,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_operator_sla_date ON operator_sla_resolution (date DESC);
CREATE INDEX IF NOT EXISTS idx_operator_sla_operator ON operator_sla_resolution (operator_id);

CREATE TABLE IF NOT EXISTS ceo_time_savings (
  id TEXT PRIMARY KEY,
  date TEXT UNIQUE,
  time_saved_order_processing INTEGER,
  time_saved_inventory_checks INTEGER,
  time_saved_customer_support INTEGER,
  time_saved_manual_reporting INTEGER,
  time_saved_data_entry INTEGER,
  automation_actions_count INTEGER,
  manual_actions_avoided INTEGER,
  created_at TEXT,
  updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_ceo_time_savings_date ON ceo_time_savings (date DESC);
