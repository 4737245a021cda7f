// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
/**
 * What the store relies on from every dialect, checked against a real database of the backend
 * under test: numbers come back as JS numbers, doubles round-trip exactly, metric JSON is
 * byte-identical to the SQLite path's, batch inserts pass the drivers' parameter limits, errors
 * are translated, transactions roll back and concurrent conflicting ones still succeed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isMlflowError, MAX_DOUBLE } from "@mlflow-ts/protocol";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "../sql/database.js";
import { openDatabase } from "../sql/open-database.js";
import { createScratchDatabase, type ScratchDatabase } from "../testing/test-databases.js";
import { sqliteDialect } from "./sqlite.js";

let scratch: ScratchDatabase;
let db: Database;
before(async () => {
  scratch = await createScratchDatabase();
  db = await openDatabase(scratch.uri);
  await db.execScript(
    [
      "CREATE TABLE kv (k VARCHAR(50) NOT NULL, n BIGINT, d FLOAT, b BOOLEAN, CONSTRAINT kv_pk PRIMARY KEY (k))",
      "CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL)",
      "CREATE TABLE wide (a INTEGER NOT NULL, b VARCHAR(20), c FLOAT, CONSTRAINT wide_pk PRIMARY KEY (a))",
      "CREATE TABLE counter (id INTEGER NOT NULL, n INTEGER NOT NULL, CONSTRAINT counter_pk PRIMARY KEY (id))",
    ]
      .map(db.dialect.ddl)
      .join(";\n"),
  );
});
after(async () => {
  await db?.close();
  await scratch?.drop();
});

/** Values whose SQLite rendering is the shortest round-trip form (byte-identical on every dialect). */
const EXACT = [
  0.1,
  5,
  5.5,
  -0,
  -2.75,
  1234.5678,
  1e15,
  1e16,
  1e17,
  1e20,
  1e21,
  1.5e-7,
  1e-5,
  1e-4,
  0.001,
  123456789.123,
  MAX_DOUBLE,
  -MAX_DOUBLE,
  2.5e-300,
  0.30000000000000004,
  1600000000000.5,
  -1e-10,
];
/** Values SQLite renders with 17 digits where shorter ones round-trip: the same double either way. */
const ROUND_TRIP_ONLY = [1 / 3, 5e-324, 12345678901234567000, Math.PI, 2 / 3];

describe(`dialect contract (${process.env.MLFLOW_TS_TEST_BACKEND ?? "sqlite"})`, () => {
  it("returns BIGINT and counts as numbers and doubles exactly", async () => {
    const values = [...EXACT, ...ROUND_TRIP_ONLY];
    await db.insertMany(
      "kv",
      ["k", "n", "d", "b"],
      values.map((v, i) => [`k${i}`, 1_700_000_000_000 + i, v, i % 2]),
    );
    const rows = await db.all<{ k: string; n: number; d: number; b: number }>("SELECT k, n, d, b FROM kv ORDER BY n");
    assert.equal(rows.length, values.length);
    rows.forEach((r, i) => {
      assert.equal(typeof r.n, "number");
      assert.equal(r.n, 1_700_000_000_000 + i);
      assert.ok(Object.is(r.d, values[i] === 0 ? r.d : values[i]), `${values[i]} came back as ${r.d}`);
      assert.equal(r.b, i % 2);
    });
    const count = await db.get<{ c: number; s: number }>("SELECT count(*) AS c, sum(n) AS s FROM kv");
    assert.equal(count?.c, values.length);
    assert.equal(typeof count?.s, "number");
    const raw = await db.allRaw("SELECT n, d FROM kv WHERE k = ?", ["k0"]);
    assert.deepEqual(raw, [[1_700_000_000_000, 0.1]]);
  });

  it("renders metric JSON byte-identical to the SQLite path (and round-trip exact)", async () => {
    const values = [...EXACT, ...ROUND_TRIP_ONLY];
    await db.insertMany(
      "metrics",
      ["key", "value", "timestamp", "step", "is_nan", "run_uuid"],
      [...values.map((v, i) => [`m"${i}\\é`, v, 1_600_000_000_000 + i, i, 0, "r1"]), ["nan", 0, 5, 0, 1, "r1"]],
    );
    const expr = db.dialect.metricJsonExpr(true);
    const ours = await db.allRaw(
      `SELECT ${expr} FROM metrics WHERE run_uuid = ? ORDER BY timestamp, step, key LIMIT 1000`,
      ["r1"],
    );
    const lite = new BetterSqlite3(":memory:");
    try {
      const expected = lite
        .prepare(
          `SELECT ${sqliteDialect.metricJsonExpr(true)} FROM (SELECT ? AS key, ? AS value, ? AS timestamp, ? AS step, ? AS is_nan, ? AS run_uuid)`,
        )
        .raw(true);
      const all = [
        ["nan", 0, 5, 0, 1, "r1"],
        ...values.map((v, i) => [`m"${i}\\é`, v, 1_600_000_000_000 + i, i, 0, "r1"]),
      ];
      all.forEach((row, i) => {
        const text = ours[i]?.[0] as string;
        // timestamp and step are INTEGERs in the table: bind them as such
        const bound = [row[0], row[1], BigInt(row[2] as number), BigInt(row[3] as number), row[4], row[5]];
        const want = (expected.get(...bound) as unknown[])[0] as string;
        const v = row[1] as number;
        if (i === 0 || EXACT.includes(v)) assert.equal(text, want, `value ${v}`);
        const parsed = JSON.parse(text);
        assert.deepEqual(parsed, JSON.parse(want), `value ${v}`);
        if (i === 0) assert.equal(parsed.value, "NaN");
        else assert.ok(parsed.value === v || (v === 0 && parsed.value === 0), `value ${v} → ${parsed.value}`);
      });
    } finally {
      lite.close();
    }
    const agg = await db.allRaw(
      `SELECT ${db.dialect.orderedStringAgg(db.dialect.metricJsonExpr(false))} FROM (SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? ORDER BY step DESC, timestamp LIMIT 3) page`,
      ["r1"],
    );
    const steps = (JSON.parse(`[${agg[0]?.[0] as string}]`) as { step: number }[]).map((m) => m.step);
    assert.deepEqual(steps, [values.length - 1, values.length - 2, values.length - 3]);
  });

  it("allColumn returns the first column of every row as one flat array, in order", async () => {
    await db.insertMany(
      "kv",
      ["k", "n", "d", "b"],
      [3, 1, 2].map((i) => [`col${i}`, 9_000_000_000_000 + i, i / 2, 0]),
    );
    assert.deepEqual(
      await db.allColumn("SELECT n, k FROM kv WHERE k LIKE ? ORDER BY n DESC", ["col%"]),
      [9_000_000_000_003, 9_000_000_000_002, 9_000_000_000_001],
    );
    assert.deepEqual(await db.allColumn("SELECT n FROM kv WHERE k = ?", ["none"]), []);
    await db.run("DELETE FROM kv WHERE k LIKE ?", ["col%"]);
  });

  it("inserts and upserts batches beyond the driver's bind-parameter limit", async () => {
    const rows = Array.from({ length: 25_000 }, (_, i) => [i, `v${i}`, i / 7]);
    assert.equal(await db.insertMany("wide", ["a", "b", "c"], rows), 25_000);
    assert.equal(await db.insertMany("wide", ["a", "b", "c"], rows.slice(0, 10), { onConflict: "ignore" }), 0);
    // ignored conflicts inside and across multi-row chunks: 150 present, 101 new (one repeated), sizes off the chunk size
    const mixed = [
      ...rows.slice(24_850),
      ...Array.from({ length: 100 }, (_, i) => [30_000 + i, "n", 0]),
      [30_000, "n", 0],
      [40_000, "n", 0],
    ];
    assert.equal(await db.insertMany("wide", ["a", "b", "c"], mixed, { onConflict: "ignore" }), 101);
    assert.equal((await db.get<{ c: number }>("SELECT count(*) AS c FROM wide WHERE a >= 30000"))?.c, 101);
    await db.run("DELETE FROM wide WHERE a >= 30000");
    await db.upsertMany(
      "wide",
      ["a", "b", "c"],
      ["a"],
      ["b"],
      rows.map(([a]) => [a as number, "x", 0]),
    );
    const r = await db.get<{ n: number; c: number }>("SELECT count(*) AS n, sum(c) AS c FROM wide WHERE b = 'x'");
    assert.equal(r?.n, 25_000);
    assert.ok(Math.abs((r?.c ?? 0) - rows.reduce((s, x) => s + (x[2] as number), 0)) < 1e-6);
  });

  it("translates a unique violation and rolls the whole transaction back", async () => {
    await db.run("INSERT INTO counter (id, n) VALUES (?, ?)", [1, 0]);
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("UPDATE counter SET n = 99 WHERE id = 1");
        await tx.run("INSERT INTO counter (id, n) VALUES (?, ?)", [1, 5]);
      }),
      (e: unknown) => isMlflowError(e) && e.errorCode === "RESOURCE_ALREADY_EXISTS",
    );
    assert.equal((await db.get<{ n: number }>("SELECT n FROM counter WHERE id = 1"))?.n, 0);
  });

  it("keeps concurrent read-then-write transactions correct (row locks / retries)", async () => {
    await db.run("INSERT INTO counter (id, n) VALUES (?, ?)", [2, 0]);
    await Promise.all(
      Array.from({ length: 16 }, () =>
        db.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>(`SELECT n FROM counter WHERE id = 2${db.dialect.forUpdate}`);
          await tx.run("UPDATE counter SET n = ? WHERE id = 2", [(row?.n ?? 0) + 1]);
        }),
      ),
    );
    assert.equal((await db.get<{ n: number }>("SELECT n FROM counter WHERE id = 2"))?.n, 16);
  });

  it("is case-sensitive for =, != and LIKE, and not for ILIKE", async () => {
    const d = db.dialect;
    const q = async (op: "=" | "!=" | "LIKE" | "ILIKE", v: string) =>
      (await db.all<{ k: string }>(`SELECT k FROM kv WHERE ${d.compareString("k", op)} ORDER BY k`, [v])).length;
    await db.run("INSERT INTO kv (k) VALUES ('CaseKey')");
    assert.equal(await q("=", "casekey"), 0);
    assert.equal(await q("=", "CaseKey"), 1);
    assert.equal(await q("LIKE", "case%"), 0);
    assert.equal(await q("LIKE", "Case%"), 1);
    assert.equal(await q("ILIKE", "case%"), 1);
    assert.ok((await q("!=", "casekey")) > 1);
  });
});
