import { SqlTrackingStore } from "@mlflow-ts/store";
import pg from "pg";
import { pointTimestamp } from "./log-batch.js";

/**
 * The raw limit on PostgreSQL: the same 50 x 1000 metric rows as the SQLite figure, inserted into
 * the same schema (created by the store in `uri`, a fresh database) through one connection, one
 * transaction per 1000 rows: a prepared multi-row INSERT ... ON CONFLICT DO NOTHING for the
 * metrics and one multi-row latest_metrics upsert, without HTTP, JSON or validation.
 */
export async function rawInsertMetricsPerSecPostgres(uri: string, requests = 50): Promise<number> {
  const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
  const run = await store.createRun({ experiment_id: "0" });
  await store.close();
  const runId = run.info.run_id;
  const client = new pg.Client({ connectionString: uri.replace(/^postgres(?:ql)?(?:\+\w+)?:/i, "postgresql:") });
  await client.connect();
  const values = (rows: number) =>
    Array.from(
      { length: rows },
      (_, r) => `(${Array.from({ length: 6 }, (_, c) => `$${r * 6 + c + 1}`).join(", ")})`,
    ).join(", ");
  const insert = {
    name: "raw_metrics",
    text: `INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ${values(1000)} ON CONFLICT DO NOTHING`,
  };
  const latest = {
    name: "raw_latest",
    text: `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES ${values(10)}
    ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
    WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
  };
  try {
    const t0 = performance.now();
    for (let r = 0; r < requests; r++) {
      const rows: unknown[] = [];
      const last: unknown[] = [];
      for (let k = 0; k < 10; k++) {
        for (let s = 0; s < 100; s++) rows.push(`m${k}`, Math.sin(s + k), pointTimestamp(r, s), r * 100 + s, 0, runId);
        last.push(`m${k}`, Math.sin(99 + k), pointTimestamp(r, 99), r * 100 + 99, 0, runId);
      }
      await client.query("BEGIN");
      await client.query({ ...insert, values: rows });
      await client.query({ ...latest, values: last });
      await client.query("COMMIT");
    }
    const seconds = (performance.now() - t0) / 1000;
    return (requests * 1000) / seconds;
  } finally {
    await client.end();
  }
}
