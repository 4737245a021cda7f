import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SqlTrackingStore } from "@mlflow-ts/store";
import { startCliServer } from "./test-support/spawn-cli.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-durability-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("durability and concurrency", () => {
  it("kill -9 during a log-batch load loses no acknowledged write and the database opens cleanly", async () => {
    const uri = `sqlite:///${join(dir, "kill.db")}`;
    const s = await startCliServer(["--backend-store-uri", uri, "--artifacts-destination", join(dir, "a")]);
    const runIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = (await (await post(s.url, "runs/create", { experiment_id: "0" })).json()) as {
        run: { info: { run_id: string } };
      };
      runIds.push(r.run.info.run_id);
    }
    const acked = new Map<string, number>(runIds.map((id) => [id, 0]));
    let stop = false;
    const writers = runIds.map(async (runId) => {
      for (let batch = 0; !stop && batch < 10_000; batch++) {
        const metrics = Array.from({ length: 200 }, (_, i) => ({
          key: "m",
          value: i,
          timestamp: 1,
          step: batch * 200 + i,
        }));
        try {
          const res = await post(s.url, "runs/log-batch", { run_id: runId, metrics });
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          await res.arrayBuffer();
          acked.set(runId, (acked.get(runId) ?? 0) + 200);
        } catch {
          return; // the server died mid-request: that write was never acknowledged
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    s.child.kill("SIGKILL");
    stop = true;
    await Promise.all(writers);
    const total = [...acked.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 1000, `expected a real load before the kill, got ${total} points`);

    const store = await SqlTrackingStore.open(uri, { defaultArtifactRoot: "mlflow-artifacts:/" });
    try {
      const check = await store.db.get<{ integrity_check: string }>("PRAGMA integrity_check");
      assert.equal(check?.integrity_check, "ok");
      for (const runId of runIds) {
        const { metrics } = await store.getMetricHistoryPage(runId, "m");
        assert.ok(
          metrics.length >= (acked.get(runId) ?? 0),
          `run ${runId}: ${metrics.length} stored < ${acked.get(runId)} acknowledged`,
        );
      }
    } finally {
      await store.close();
    }
  });

  it("16 concurrent writers on SQLite: no errors, no lost point", async () => {
    const uri = `sqlite:///${join(dir, "conc.db")}`;
    const s = await startCliServer(["--backend-store-uri", uri, "--artifacts-destination", join(dir, "b")]);
    try {
      const runIds: string[] = [];
      for (let i = 0; i < 16; i++) {
        const r = (await (await post(s.url, "runs/create", { experiment_id: "0" })).json()) as {
          run: { info: { run_id: string } };
        };
        runIds.push(r.run.info.run_id);
      }
      const statuses: number[] = [];
      await Promise.all(
        runIds.map(async (runId) => {
          for (let batch = 0; batch < 10; batch++) {
            const metrics = Array.from({ length: 100 }, (_, i) => ({
              key: "c",
              value: i,
              timestamp: 1,
              step: batch * 100 + i,
            }));
            const res = await post(s.url, "runs/log-batch", {
              run_id: runId,
              metrics,
              tags: [{ key: "batch", value: String(batch) }],
              params: batch === 0 ? [{ key: "p", value: "x" }] : [],
            });
            statuses.push(res.status);
            await res.arrayBuffer();
          }
        }),
      );
      assert.deepEqual(
        statuses.filter((st) => st !== 200),
        [],
      );
      for (const runId of runIds) {
        const h = (await (
          await fetch(`${s.url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=c`)
        ).json()) as {
          metrics: unknown[];
        };
        assert.equal(h.metrics.length, 1000);
      }
    } finally {
      await s.stop();
    }
  });
});
