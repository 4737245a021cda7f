import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database as StoreDatabase, openDatabase, SqlTrackingStore, type SqlValue } from "@mlflow-ts/store";
import Database from "better-sqlite3";
import { pointTimestamp } from "./log-batch.js";

const COLUMNS = ["key", "value", "timestamp", "step", "is_nan", "run_uuid"];
const INSERT_ONE = `INSERT OR IGNORE INTO metrics (${COLUMNS.join(", ")}) VALUES (?, ?, ?, ?, ?, ?)`;
const UPSERT_LATEST = `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
  WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;

/** One log-batch's storage work, as the server does it: 100-row INSERTs and the latest_metrics upserts in one transaction. */
export function writeMetricBatch(
  db: StoreDatabase,
  rows: readonly (readonly SqlValue[])[],
  latest: Iterable<readonly SqlValue[]>,
): Promise<void> {
  return db.transaction(async (tx) => {
    await tx.insertMany("metrics", COLUMNS, rows, { onConflict: "ignore" });
    for (const row of latest) await tx.run(db.dialect.upsertLatestMetricSql, row);
  });
}

/**
 * The raw limit as the benchmark's issue defines it: the same 50 x 1000 metric rows inserted with
 * one prepared INSERT per row (better-sqlite3, synchronous) into the same schema with SQLite's WAL,
 * synchronous=NORMAL and foreign keys on, one transaction per 1000 (metrics rows + latest_metrics
 * upserts), without HTTP, JSON or validation.
 */
export async function rawInsertMetricsPerSec(requests = 50): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-raw-"));
  const file = join(dir, "raw.db");
  const store = await SqlTrackingStore.open(`sqlite:///${file}`, { defaultArtifactRoot: "mlflow-artifacts:/" });
  const runId = (await store.createRun({ experiment_id: "0" })).info.run_id;
  await store.close();
  const db = new Database(file);
  try {
    for (const p of ["journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"]) db.pragma(p);
    const insert = db.prepare(INSERT_ONE);
    const latest = db.prepare(UPSERT_LATEST);
    const batch = db.transaction((r: number) => {
      for (let k = 0; k < 10; k++) {
        for (let s = 0; s < 100; s++) insert.run(`m${k}`, Math.sin(s + k), pointTimestamp(r, s), r * 100 + s, 0, runId);
        latest.run(`m${k}`, Math.sin(99 + k), pointTimestamp(r, 99), r * 100 + 99, 0, runId);
      }
    });
    const t0 = performance.now();
    for (let r = 0; r < requests; r++) batch(r);
    return (requests * 1000) / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The engine's best: the storage work of the one-run log-batch scenario done the way the server
 * does it, through the store's own SQL layer (the server's connection pragmas, prepared 100-row
 * INSERTs, the latest_metrics upserts, the background WAL checkpointer), one transaction per
 * 1000, without HTTP, JSON or validation; the rows are built before the clock starts.
 */
export async function engineBestMetricsPerSec(requests = 50): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-raw-"));
  const uri = `sqlite:///${join(dir, "raw.db")}`;
  const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
  const runId = (await store.createRun({ experiment_id: "0" })).info.run_id;
  await store.close();
  const db = await openDatabase(uri);
  try {
    const batches = Array.from({ length: requests }, (_, r) => {
      const rows: SqlValue[][] = [];
      for (let k = 0; k < 10; k++) {
        for (let s = 0; s < 100; s++)
          rows.push([`m${k}`, Math.sin(s + k), pointTimestamp(r, s), r * 100 + s, 0, runId]);
      }
      const latest = Array.from({ length: 10 }, (_, k) => rows[k * 100 + 99] as SqlValue[]);
      return { rows, latest };
    });
    const t0 = performance.now();
    for (const { rows, latest } of batches) await writeMetricBatch(db, rows, latest);
    return (requests * 1000) / ((performance.now() - t0) / 1000);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
