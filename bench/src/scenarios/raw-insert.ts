import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, SqlTrackingStore, type SqlValue } from "@mlflow-ts/store";
import { pointTimestamp } from "./log-batch.js";

/**
 * The raw limit: the storage work of the log-batch scenario and nothing else. The same 50 x 1000
 * metric rows go into the same schema through the store's own SQL layer (the server's
 * connection pragmas, prepared 100-row INSERT statements, the latest_metrics upserts, the
 * background WAL checkpointer), one transaction per 1000, without HTTP, JSON or validation. The
 * rows are built before the clock starts.
 */
export async function rawInsertMetricsPerSec(requests = 50): Promise<number> {
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
    const columns = ["key", "value", "timestamp", "step", "is_nan", "run_uuid"];
    const t0 = performance.now();
    for (const { rows, latest } of batches) {
      await db.transaction(async (tx) => {
        await tx.insertMany("metrics", columns, rows, { onConflict: "ignore" });
        for (const row of latest) await tx.run(db.dialect.upsertLatestMetricSql, row);
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    return (requests * 1000) / seconds;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
