import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqlTrackingStore } from "@mlflow-ts/store";
import { pointTimestamp } from "./log-batch.js";

/**
 * The raw limit: the same 50 x 1000 metric rows inserted with prepared statements into the same
 * SQLite schema and pragmas, one transaction per 1000 (metrics rows + latest_metrics upserts),
 * without HTTP, JSON or validation.
 */
export async function rawInsertMetricsPerSec(requests = 50): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-raw-"));
  const file = join(dir, "raw.db");
  const store = await SqlTrackingStore.open(`sqlite:///${file}`, { defaultArtifactRoot: "mlflow-artifacts:/" });
  const run = await store.createRun({ experiment_id: "0" });
  await store.close();
  const db = new Database(file);
  for (const p of ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"]) db.pragma(p);
  const insert = db.prepare(
    "INSERT OR IGNORE INTO metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const latest =
    db.prepare(`INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
    WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`);
  const runId = run.info.run_id;
  const batch = db.transaction((r: number) => {
    for (let k = 0; k < 10; k++) {
      for (let s = 0; s < 100; s++) insert.run(`m${k}`, Math.sin(s + k), pointTimestamp(r, s), r * 100 + s, 0, runId);
      latest.run(`m${k}`, Math.sin(99 + k), pointTimestamp(r, 99), r * 100 + 99, 0, runId);
    }
  });
  const t0 = performance.now();
  for (let r = 0; r < requests; r++) batch(r);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return (requests * 1000) / seconds;
}
