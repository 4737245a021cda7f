/**
 * Tables whose key the database generates, and the generated column. SQLite generates them as
 * INTEGER PRIMARY KEY rowids; PostgreSQL as SERIAL (what MLflow's autoincrement Integer key is
 * there) and reports them with RETURNING; MySQL as AUTO_INCREMENT.
 */
export const AUTO_INCREMENT_COLUMNS: Readonly<Record<string, string>> = {
  experiments: "experiment_id",
  mlflowts_registry_audit: "id",
  mlflowts_webhook_events: "id",
  mlflowts_webhook_deliveries: "id",
  mlflowts_webhook_delivery_attempts: "id",
};

/** The table an `INSERT INTO <table> ...` statement writes to, lower-cased. */
export function insertTarget(sql: string): string | undefined {
  return /^\s*INSERT\s+INTO\s+(\w+)/i.exec(sql)?.[1]?.toLowerCase();
}

/** `CREATE TABLE [IF NOT EXISTS] <name>` → name. */
export function createdTable(ddl: string): string | undefined {
  return /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i.exec(ddl)?.[1]?.toLowerCase();
}
