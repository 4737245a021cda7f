/**
 * Tables of our own (registry audit history, webhooks and their outbox), created with
 * IF NOT EXISTS on every open, next to the extra indexes. Their names carry an `mlflowts_` prefix
 * so they never collide with a table a later MLflow migration adds (MLflow 3 has `webhooks` and
 * `webhook_events`); MLflow ignores tables it does not know, so a database stays MLflow's.
 */
export const EXTRA_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS mlflowts_registry_audit (
  id INTEGER NOT NULL,
  timestamp BIGINT NOT NULL,
  user_id VARCHAR(256),
  action VARCHAR(32) NOT NULL,
  name VARCHAR(256) NOT NULL,
  version INTEGER,
  alias VARCHAR(256),
  from_value VARCHAR(256),
  to_value VARCHAR(256),
  CONSTRAINT mlflowts_registry_audit_pk PRIMARY KEY (id)
)`,
  `CREATE TABLE IF NOT EXISTS mlflowts_webhooks (
  id VARCHAR(36) NOT NULL,
  name VARCHAR(256) NOT NULL,
  description VARCHAR(1000),
  url VARCHAR(2000) NOT NULL,
  events VARCHAR(2000) NOT NULL,
  secret VARCHAR(1000),
  status VARCHAR(20) NOT NULL,
  creation_time BIGINT NOT NULL,
  last_updated_time BIGINT NOT NULL,
  CONSTRAINT mlflowts_webhooks_pk PRIMARY KEY (id)
)`,
  `CREATE TABLE IF NOT EXISTS mlflowts_webhook_events (
  id INTEGER NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  payload TEXT NOT NULL,
  creation_time BIGINT NOT NULL,
  CONSTRAINT mlflowts_webhook_events_pk PRIMARY KEY (id)
)`,
  `CREATE TABLE IF NOT EXISTS mlflowts_webhook_deliveries (
  id INTEGER NOT NULL,
  webhook_id VARCHAR(36) NOT NULL,
  event_id INTEGER NOT NULL,
  status VARCHAR(20) NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_time BIGINT,
  last_attempt_time BIGINT,
  response_status INTEGER,
  error_message VARCHAR(1000),
  creation_time BIGINT NOT NULL,
  completed_time BIGINT,
  CONSTRAINT mlflowts_webhook_deliveries_pk PRIMARY KEY (id),
  CONSTRAINT mlflowts_webhook_deliveries_webhook_fk FOREIGN KEY(webhook_id) REFERENCES mlflowts_webhooks (id) ON DELETE CASCADE,
  CONSTRAINT mlflowts_webhook_deliveries_event_fk FOREIGN KEY(event_id) REFERENCES mlflowts_webhook_events (id)
)`,
  `CREATE TABLE IF NOT EXISTS mlflowts_webhook_delivery_attempts (
  id INTEGER NOT NULL,
  delivery_id INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  timestamp BIGINT NOT NULL,
  response_status INTEGER,
  error_message VARCHAR(1000),
  duration_ms INTEGER NOT NULL,
  CONSTRAINT mlflowts_webhook_delivery_attempts_pk PRIMARY KEY (id),
  CONSTRAINT mlflowts_webhook_delivery_attempts_fk FOREIGN KEY(delivery_id) REFERENCES mlflowts_webhook_deliveries (id) ON DELETE CASCADE
)`,
];

export const EXTRA_TABLE_INDEXES: readonly string[] = [
  "CREATE INDEX IF NOT EXISTS ix_mlflowts_registry_audit_name ON mlflowts_registry_audit (name, id)",
  "CREATE INDEX IF NOT EXISTS ix_mlflowts_webhook_deliveries_due ON mlflowts_webhook_deliveries (status, next_attempt_time)",
  "CREATE INDEX IF NOT EXISTS ix_mlflowts_webhook_deliveries_webhook ON mlflowts_webhook_deliveries (webhook_id, id)",
  "CREATE INDEX IF NOT EXISTS ix_mlflowts_webhook_delivery_attempts_delivery ON mlflowts_webhook_delivery_attempts (delivery_id, id)",
];
