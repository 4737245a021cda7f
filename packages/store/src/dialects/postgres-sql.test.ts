import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { postgresConfigFromUri } from "./postgres.js";
import { numberedPlaceholders, postgresDdl } from "./postgres-sql.js";

describe("postgres SQL rewriting (no database)", () => {
  it("numbers ? placeholders outside literals, quoted names and comments", () => {
    assert.equal(
      numberedPlaceholders(`SELECT '?' AS a, "we?rd" FROM t WHERE x = ? AND y IN (?, ?) -- why?\nAND z = ?`),
      `SELECT '?' AS a, "we?rd" FROM t WHERE x = $1 AND y IN ($2, $3) -- why?\nAND z = $4`,
    );
    assert.equal(numberedPlaceholders("SELECT 'it''s ?' WHERE a = ?"), "SELECT 'it''s ?' WHERE a = $1");
  });

  it("turns MLflow's portable DDL into its PostgreSQL shape", () => {
    const ddl = postgresDdl(`CREATE TABLE metrics (
  value FLOAT NOT NULL,
  is_nan BOOLEAN DEFAULT '0' NOT NULL,
  CONSTRAINT metric_pk PRIMARY KEY (value),
  CHECK (is_nan IN (0, 1))
)`);
    assert.match(ddl, /value DOUBLE PRECISION NOT NULL/);
    assert.match(ddl, /is_nan BOOLEAN DEFAULT false NOT NULL/);
    assert.doesNotMatch(ddl, /CHECK/);
    assert.match(
      postgresDdl("CREATE TABLE experiments (\n  experiment_id INTEGER NOT NULL,\n  name VARCHAR(256) NOT NULL\n)"),
      /experiment_id SERIAL NOT NULL/,
    );
    assert.match(
      postgresDdl(
        "CREATE TABLE IF NOT EXISTS mlflowts_webhook_events (\n  id INTEGER NOT NULL,\n  x INTEGER NOT NULL\n)",
      ),
      /id SERIAL NOT NULL,\n {2}x INTEGER NOT NULL/,
    );
  });

  it("reads MLflow's PostgreSQL URIs", () => {
    for (const uri of [
      "postgresql://bob:s%40cret@db.example:6543/mlflow?sslmode=require",
      "postgresql+psycopg2://bob:s%40cret@db.example:6543/mlflow?sslmode=require",
      "postgres://bob:s%40cret@db.example:6543/mlflow?sslmode=require",
    ]) {
      const c = postgresConfigFromUri(uri);
      assert.equal(c.host, "db.example");
      assert.equal(c.port, 6543);
      assert.equal(c.user, "bob");
      assert.equal(c.password, "s@cret");
      assert.equal(c.database, "mlflow");
      assert.deepEqual(c.ssl, { rejectUnauthorized: false });
      assert.match(String(c.options), /extra_float_digits=3/);
    }
    const local = postgresConfigFromUri("postgresql:///mlflow?host=/var/run/postgresql");
    assert.equal(local.host, "/var/run/postgresql");
    assert.equal(local.database, "mlflow");
  });
});
