import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqlite } from "./sqlite.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-ckpt-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const blob = "x".repeat(2000);

describe("sqlite background checkpoints", () => {
  it("a worker thread checkpoints the WAL once it passes 4 MB; data and integrity hold", async () => {
    const file = join(dir, "big.db");
    const db = await openSqlite(`sqlite:///${file}`);
    await db.execScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    const ckpt = db.checkpointer;
    assert.ok(ckpt);
    // ~12 MB in 60 commits, some of them concurrent (group commit)
    for (let b = 0; b < 20; b++) {
      await Promise.all(
        [0, 1, 2].map((j) =>
          db.insertMany(
            "t",
            ["id", "v"],
            Array.from({ length: 100 }, (_, i) => [(b * 3 + j) * 100 + i, blob]),
          ),
        ),
      );
    }
    await until(() => ckpt.stats.runs > 0 && ckpt.stats.lastCheckpointedFrames > 0);
    assert.equal(ckpt.stats.lastError, undefined);
    assert.equal((await db.get<{ c: number }>("SELECT count(*) AS c FROM t"))?.c, 6000);
    await db.close();
    const again = await openSqlite(`sqlite:///${file}`);
    try {
      assert.equal((await again.get<{ integrity_check: string }>("PRAGMA integrity_check"))?.integrity_check, "ok");
      assert.equal((await again.get<{ c: number }>("SELECT count(*) AS c FROM t"))?.c, 6000);
    } finally {
      await again.close();
    }
  });

  it("a database that writes little never starts the worker", async () => {
    const db = await openSqlite(`sqlite:///${join(dir, "small.db")}`);
    try {
      await db.execScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      for (let i = 0; i < 50; i++) await db.run("INSERT INTO t (id, v) VALUES (?, ?)", [i, "small"]);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(db.checkpointer?.stats.runs, 0);
    } finally {
      await db.close();
    }
  });

  it("in-memory databases have no checkpointer", async () => {
    const db = await openSqlite("sqlite:///:memory:");
    try {
      assert.equal(db.checkpointer, undefined);
    } finally {
      await db.close();
    }
  });
});
