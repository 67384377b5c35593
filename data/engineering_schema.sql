-- The Engineering (CTO) dashboard's tables: seed 003 in SQLite, named in snake_case
-- as its as-built PostgreSQL schema names them (design/engineering-pack.md), so a
-- snapshot of a real CTO-dashboard database needs no renaming.
-- UUIDs are TEXT; enums TEXT with CHECK; arrays and JSON are JSON text;
-- timestamps ISO-8601 text in UTC. Every statement is idempotent (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'engineer'
    CHECK (role IN ('cto', 'manager', 'engineer', 'senior_engineer', 'qa_engineer')),
  password_hash TEXT,
  avatar_url TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  github_url TEXT UNIQUE,
  demo_url TEXT,
  language TEXT,
  tags TEXT NOT NULL DEFAULT '[]',               -- JSON array
  stars INTEGER NOT NULL DEFAULT 0,
  forks INTEGER NOT NULL DEFAULT 0,
  last_commit TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'shipped', 'deferred', 'cancelled')),
  complexity INTEGER CHECK (complexity >= 1 AND complexity <= 5),
  client_appeal INTEGER CHECK (client_appeal >= 0 AND client_appeal <= 10),
  current_milestone INTEGER NOT NULL DEFAULT 0,
  total_milestones INTEGER NOT NULL DEFAULT 0,
  arr REAL,
  year1_revenue REAL,
  year3_revenue REAL,
  roi_score REAL,
  dcf_valuation REAL,
  tam REAL,
  sam REAL,
  som_year3 REAL,
  traction_mrr REAL,
  margin_percent REAL,
  monthly_infra_cost REAL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS bugs (
  id TEXT PRIMARY KEY,
  bug_number TEXT NOT NULL UNIQUE,               -- BUG-1001
  title TEXT NOT NULL,
  description TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'in_progress', 'verified', 'shipped', 'closed', 'deferred')),
  assigned_to TEXT REFERENCES users(id) ON DELETE SET NULL,
  project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
  sla_hours INTEGER NOT NULL DEFAULT 0,          -- set from severity by a trigger when 0
  business_impact TEXT,
  revenue_impact_daily REAL,
  is_blocker INTEGER NOT NULL DEFAULT 0 CHECK (is_blocker IN (0, 1)),
  priority_score INTEGER NOT NULL DEFAULT 50 CHECK (priority_score >= 0 AND priority_score <= 100),
  estimated_hours REAL,
  actual_hours REAL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  resolved_at TEXT,
  created_by TEXT REFERENCES users(id) ON DELETE SET NULL
);

CREATE TABLE IF NOT EXISTS bug_history (
  id TEXT PRIMARY KEY,
  bug_id TEXT NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
  field_changed TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  changed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS project_metrics (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  commits_count INTEGER NOT NULL DEFAULT 0,
  contributors INTEGER NOT NULL DEFAULT 0,
  lines_of_code INTEGER NOT NULL DEFAULT 0,
  tech_stack TEXT NOT NULL DEFAULT '[]',         -- JSON array
  health_score INTEGER CHECK (health_score >= 0 AND health_score <= 100),
  date TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (project_id, date)
);

CREATE TABLE IF NOT EXISTS monthly_metrics (
  id TEXT PRIMARY KEY,
  month TEXT NOT NULL UNIQUE,                    -- YYYY-MM (a date in the month is read as its month)
  total_bugs INTEGER NOT NULL DEFAULT 0,
  critical_bugs INTEGER NOT NULL DEFAULT 0,
  high_bugs INTEGER NOT NULL DEFAULT 0,
  medium_bugs INTEGER NOT NULL DEFAULT 0,
  low_bugs INTEGER NOT NULL DEFAULT 0,
  eng_hours REAL NOT NULL DEFAULT 0,
  total_cost REAL NOT NULL DEFAULT 0,
  revenue_impact_daily REAL NOT NULL DEFAULT 0,
  avg_resolution_days REAL NOT NULL DEFAULT 0,
  bugs_created INTEGER NOT NULL DEFAULT 0,
  bugs_resolved INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS portfolio_metrics (
  id TEXT PRIMARY KEY,
  total_projects INTEGER NOT NULL DEFAULT 0,
  shipped_projects INTEGER NOT NULL DEFAULT 0,
  year3_revenue_total REAL,
  portfolio_dcf_total REAL,
  monthly_deps_cost REAL,
  snapshot_date TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS import_logs (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('csv', 'xlsx', 'ods', 'postgresql', 'github', 'manual')),  -- seed 003's three, and the app's imports and snapshots (data-in.md)
  records_imported INTEGER NOT NULL DEFAULT 0,
  records_failed INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',             -- JSON array
  metadata TEXT,                                 -- JSON
  timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT PRIMARY KEY,
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  entity_type TEXT,
  entity_id TEXT,
  details TEXT,                                  -- JSON
  ip_address TEXT,
  user_agent TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Performance indexes (seed 003, "Index Strategy")
CREATE INDEX IF NOT EXISTS idx_bugs_severity ON bugs(severity);
CREATE INDEX IF NOT EXISTS idx_bugs_status ON bugs(status);
CREATE INDEX IF NOT EXISTS idx_bugs_assigned_to ON bugs(assigned_to);
CREATE INDEX IF NOT EXISTS idx_bugs_project_id ON bugs(project_id);
CREATE INDEX IF NOT EXISTS idx_bugs_created_by ON bugs(created_by);
CREATE INDEX IF NOT EXISTS idx_bugs_created_at ON bugs(created_at DESC);
CREATE INDEX IF NOT EXISTS idx_bugs_priority_score ON bugs(priority_score DESC);
CREATE INDEX IF NOT EXISTS idx_bugs_blocker ON bugs(is_blocker) WHERE is_blocker = 1;
CREATE INDEX IF NOT EXISTS idx_projects_status ON projects(status);
CREATE INDEX IF NOT EXISTS idx_projects_language ON projects(language);
CREATE INDEX IF NOT EXISTS idx_projects_complexity ON projects(complexity);
CREATE INDEX IF NOT EXISTS idx_projects_client_appeal ON projects(client_appeal);
CREATE INDEX IF NOT EXISTS idx_projects_roi_score ON projects(roi_score DESC);
CREATE INDEX IF NOT EXISTS idx_bug_history_bug_id ON bug_history(bug_id);
CREATE INDEX IF NOT EXISTS idx_bug_history_changed_by ON bug_history(changed_by);
CREATE INDEX IF NOT EXISTS idx_bug_history_changed_at ON bug_history(changed_at DESC);
CREATE INDEX IF NOT EXISTS idx_project_metrics_date ON project_metrics(date DESC);
CREATE INDEX IF NOT EXISTS idx_monthly_metrics_month ON monthly_metrics(month DESC);
CREATE INDEX IF NOT EXISTS idx_portfolio_metrics_snapshot_date ON portfolio_metrics(snapshot_date DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_created_at ON audit_log(created_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_log_user_id ON audit_log(user_id);
CREATE INDEX IF NOT EXISTS idx_audit_log_entity ON audit_log(entity_type, entity_id);

-- Lifecycle triggers (seed 003, "Bug Lifecycle")
-- SLA hours from severity when none is given (critical 4, high 24, medium 72, low 720).
CREATE TRIGGER IF NOT EXISTS trg_bugs_sla_on_insert AFTER INSERT ON bugs
WHEN NEW.sla_hours IS NULL OR NEW.sla_hours <= 0
BEGIN
  UPDATE bugs SET sla_hours = CASE lower(trim(NEW.severity))
      WHEN 'critical' THEN 4 WHEN 'high' THEN 24 WHEN 'medium' THEN 72 WHEN 'low' THEN 720 ELSE 0 END
  WHERE id = NEW.id;
END;

-- A severity change resets the SLA and is written to the history.
CREATE TRIGGER IF NOT EXISTS trg_bugs_severity_change AFTER UPDATE OF severity ON bugs
WHEN NEW.severity IS NOT OLD.severity
BEGIN
  UPDATE bugs SET sla_hours = CASE lower(trim(NEW.severity))
      WHEN 'critical' THEN 4 WHEN 'high' THEN 24 WHEN 'medium' THEN 72 WHEN 'low' THEN 720 ELSE 0 END
  WHERE id = NEW.id;
  INSERT INTO bug_history (id, bug_id, field_changed, old_value, new_value, changed_by, changed_at)
  VALUES (NEW.id || ':' || (SELECT count(*) FROM bug_history WHERE bug_id = NEW.id), NEW.id, 'severity',
          OLD.severity, NEW.severity, NULL,
          CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at
               ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END);
END;

CREATE TRIGGER IF NOT EXISTS trg_bugs_status_change AFTER UPDATE OF status ON bugs
WHEN NEW.status IS NOT OLD.status
BEGIN
  INSERT INTO bug_history (id, bug_id, field_changed, old_value, new_value, changed_by, changed_at)
  VALUES (NEW.id || ':' || (SELECT count(*) FROM bug_history WHERE bug_id = NEW.id), NEW.id, 'status',
          OLD.status, NEW.status, NULL,
          CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at
               ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END);
  -- shipped or closed sets resolved_at (when not given)
  UPDATE bugs SET resolved_at = CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at
                                     ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END
  WHERE id = NEW.id AND NEW.resolved_at IS NULL AND NEW.status IN ('shipped', 'closed');
END;

CREATE TRIGGER IF NOT EXISTS trg_bugs_assignee_change AFTER UPDATE OF assigned_to ON bugs
WHEN NEW.assigned_to IS NOT OLD.assigned_to
BEGIN
  INSERT INTO bug_history (id, bug_id, field_changed, old_value, new_value, changed_by, changed_at)
  VALUES (NEW.id || ':' || (SELECT count(*) FROM bug_history WHERE bug_id = NEW.id), NEW.id, 'assigned_to',
          OLD.assigned_to, NEW.assigned_to, NULL,
          CASE WHEN NEW.updated_at IS NOT OLD.updated_at THEN NEW.updated_at
               ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END);
END;

-- updated_at on any change that does not set it itself (not for the triggers' own sla_hours and
-- resolved_at updates, which keep the statement's time).
CREATE TRIGGER IF NOT EXISTS trg_bugs_updated_at AFTER UPDATE OF title, description, severity, status,
  assigned_to, project_id, business_impact, revenue_impact_daily, is_blocker, priority_score,
  estimated_hours, actual_hours ON bugs
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE bugs SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS trg_projects_updated_at AFTER UPDATE ON projects
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE projects SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id;
END;

CREATE TRIGGER IF NOT EXISTS trg_users_updated_at AFTER UPDATE ON users
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE users SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id;
END;
