import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqlite, type SqliteDatabase } from "./sqlite.js";

let dir: string;
let db: SqliteDatabase;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-sqlite-"));
  db = await openSqlite(`sqlite:///${join(dir, "t.db")}`);
  await db.execScript("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("sqlite dialect group commit", () => {
  it("commits concurrent transactions together while isolating a failing one", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO t (k, v) VALUES (?, ?)", [`k${i}`, i]);
          if (i === 7) {
            await tx.run("INSERT INTO t (k, v) VALUES (?, ?)", ["extra-from-7", 7]);
            throw new Error("boom");
          }
          return i;
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 19);
    assert.equal((results[7] as PromiseRejectedResult).reason.message, "boom");
    const rows = await db.all<{ k: string }>("SELECT k FROM t ORDER BY v");
    assert.equal(rows.length, 19);
    assert.ok(!rows.some((r) => r.k === "k7" || r.k === "extra-from-7"));
  });

  it("reports a constraint violation to its own transaction only", async () => {
    const [dup, fresh] = await Promise.allSettled([
      db.transaction((tx) => tx.run("INSERT INTO t (k, v) VALUES ('k1', 1)")),
      db.transaction((tx) => tx.run("INSERT INTO t (k, v) VALUES ('new', 100)")),
    ]);
    assert.equal(dup.status, "rejected");
    assert.equal((dup as PromiseRejectedResult).reason.errorCode, "RESOURCE_ALREADY_EXISTS");
    assert.equal(fresh.status, "fulfilled");
    assert.ok(await db.get("SELECT 1 AS x FROM t WHERE k = 'new'"));
  });

  it("renders metric JSON in round-trip form", async () => {
    const row = await db.get<{ j: string }>(
      `SELECT ${db.dialect.metricJsonExpr(true)} AS j FROM (SELECT 'loss' AS key, 1.0/3 AS value, 5 AS timestamp, 2 AS step, 0 AS is_nan, 'abc' AS run_uuid)`,
    );
    const parsed = JSON.parse(row?.j as string);
    assert.deepEqual(parsed, { key: "loss", value: 1 / 3, timestamp: 5, step: 2, run_id: "abc" });
    const nan = await db.get<{ j: string }>(
      `SELECT ${db.dialect.metricJsonExpr(false)} AS j FROM (SELECT 'a"b' AS key, 0.0 AS value, 1 AS timestamp, 0 AS step, 1 AS is_nan)`,
    );
    assert.deepEqual(JSON.parse(nan?.j as string), { key: 'a"b', value: "NaN", timestamp: 1, step: 0 });
  });
});
