// SQLite: a page of runs loads its metrics, params and tags from covering indexes (no table visit
// per row), the statements as hydrateRuns (row-mappers.ts) sends them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { SqlTrackingStore } from "../sql-tracking-store.js";

let dir: string;
let file: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-run-page-"));
  file = join(dir, "t.db");
  const store = await SqlTrackingStore.open(`sqlite:///${file}`, { defaultArtifactRoot: "mlflow-artifacts:/" });
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("run page loading on SQLite", () => {
  it("reads latest metrics, params and tags by run id from covering indexes", () => {
    const db = new Database(file, { readonly: true });
    try {
      const ids = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(32));
      const inList = `(${ids.map(() => "?").join(", ")})`;
      const plans = {
        latest_metrics: `SELECT key, value, timestamp, step, is_nan, run_uuid FROM latest_metrics WHERE run_uuid IN ${inList}`,
        params: `SELECT key, value, run_uuid FROM params WHERE run_uuid IN ${inList}`,
        tags: `SELECT key, value, run_uuid FROM tags WHERE run_uuid IN ${inList}`,
      };
      for (const [table, sql] of Object.entries(plans)) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...ids) as { detail: string }[])
          .map((r) => r.detail)
          .join("; ");
        assert.match(plan, new RegExp(`SEARCH ${table} USING COVERING INDEX ix_mlflowts_\\w+_run_cov`), plan);
      }
    } finally {
      db.close();
    }
  });
});
