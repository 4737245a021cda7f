// test-backends: all (scripts/run-tests.mjs runs this file on every database backend)
/**
 * Run search ordered by a metric: the window plan (search-runs-topk.ts) and the general plan must
 * give exactly MLflow's order. The expected pages come from a sort written here in JS with
 * MLflow's rules (real values, then NaN, then missing; then start_time DESC, run_uuid ASC), over
 * enough runs (> the 1000-value minimum window) that windows both succeed and fall back.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Run } from "@mlflow-ts/protocol";
import { SqlTrackingStore } from "../sql-tracking-store.js";
import { createScratchDatabase, type ScratchDatabase } from "../testing/test-databases.js";

interface Seeded {
  id: string;
  experiment: string;
  start: number;
  score: number | "NaN" | undefined;
  group: string;
  bucket: number;
  deleted: boolean;
}

let dir: string;
let scratch: ScratchDatabase;
let store: SqlTrackingStore;
const seeded: Seeded[] = [];
let big: string;
let small: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-topk-"));
  scratch = await createScratchDatabase(undefined, { dir });
  store = await SqlTrackingStore.open(scratch.uri, { defaultArtifactRoot: join(dir, "a") });
  big = await store.createExperiment({ name: "big" });
  small = await store.createExperiment({ name: "small" });
  // 2400 runs in `big`, 300 in `small` (interleaved so windows hold runs of both), many ties
  // (score has 37 distinct values), some NaN, some missing, some deleted; start times collide too.
  for (let i = 0; i < 2700; i++) {
    const experiment = i % 9 === 4 ? small : big;
    const start = 1_000 + (i % 500);
    const run = await store.createRun({ experiment_id: experiment, start_time: start });
    const score = i % 53 === 0 ? undefined : i % 41 === 0 ? "NaN" : (i * 17) % 37;
    const group = i % 3 === 0 ? "a" : "b";
    await store.logBatch(
      run.info.run_id,
      score === undefined ? [] : [{ key: "score", value: score === "NaN" ? Number.NaN : score, timestamp: 1, step: 0 }],
      [
        { key: "group", value: group },
        { key: "bucket", value: String(i % 7) },
      ],
      [],
    );
    const deleted = i % 97 === 0;
    if (deleted) await store.deleteRun(run.info.run_id);
    seeded.push({ id: run.info.run_id, experiment, start, score, group, bucket: i % 7, deleted });
  }
});

after(async () => {
  await store.db.close();
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
});

function expected(experiment: string, ascending: boolean, keep: (s: Seeded) => boolean, viewAll = false): string[] {
  const flag = (s: Seeded) => (s.score === "NaN" ? 1 : s.score === undefined ? 2 : 0);
  return seeded
    .filter((s) => s.experiment === experiment && (viewAll || !s.deleted) && keep(s))
    .sort((x, y) => {
      const f = flag(x) - flag(y);
      if (f !== 0) return f;
      if (typeof x.score === "number" && typeof y.score === "number" && x.score !== y.score) {
        return ascending ? x.score - y.score : y.score - x.score;
      }
      if (x.start !== y.start) return y.start - x.start;
      return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    })
    .map((s) => s.id);
}

async function allPages(
  experiment: string,
  orderBy: string,
  pageSize: number,
  filter?: string,
  viewAll = false,
): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.searchRuns({
      experiment_ids: [experiment],
      order_by: [orderBy],
      max_results: pageSize,
      ...(filter ? { filter } : {}),
      ...(token ? { page_token: token } : {}),
      ...(viewAll ? { run_view_type: "ALL" as const } : {}),
    });
    ids.push(...page.runs.map((r: Run) => r.info.run_id));
    token = page.next_page_token;
  } while (token);
  return ids;
}

describe("search ordered by a metric", () => {
  for (const ascending of [false, true]) {
    const dir = ascending ? "ASC" : "DESC";
    it(`${dir}: every page of the big experiment in MLflow's order (window plan, then fallback)`, async () => {
      assert.deepEqual(
        await allPages(big, `metrics.score ${dir}`, 100),
        expected(big, ascending, () => true),
      );
    });
    it(`${dir}: the small experiment (window mostly holds other experiments' runs)`, async () => {
      assert.deepEqual(
        await allPages(small, `metrics.score ${dir}`, 25),
        expected(small, ascending, () => true),
      );
    });
    it(`${dir}: with a filter, and with deleted runs included`, async () => {
      assert.deepEqual(
        await allPages(big, `metrics.score ${dir}`, 200, "params.group = 'a'"),
        expected(big, ascending, (s) => s.group === "a"),
      );
      assert.deepEqual(
        await allPages(big, `metrics.score ${dir}`, 300, undefined, true),
        expected(big, ascending, () => true, true),
      );
    });
    it(`${dir}: a filter that excludes the whole window still finds the runs`, async () => {
      const cut = ascending ? "metrics.score > 30" : "metrics.score < 3";
      // MLflow stores NaN as value 0 with is_nan set, so `< 3` matches NaN runs too.
      const stored = (s: Seeded) => (s.score === "NaN" ? 0 : s.score);
      const keep = (s: Seeded) => {
        const v = stored(s);
        return v !== undefined && (ascending ? v > 30 : v < 3);
      };
      assert.deepEqual(await allPages(big, `metrics.score ${dir}`, 50, cut), expected(big, ascending, keep));
    });
  }

  it("first pages that end in the block of tied values at the window's boundary are complete", async () => {
    // The window is 4x the page; with a filter keeping ~1 in 4 runs of the window the page fills
    // close to the window's end, inside a block of ~70 runs sharing one score, for some sizes.
    const all = expected(big, false, (s) => s.bucket <= 1);
    // every stored real score, best first: the window of a page of `size` is the first 4 * size
    const scores = seeded
      .map((s) => s.score)
      .filter((v): v is number => typeof v === "number")
      .sort((x, y) => y - x);
    let pagesEndingOnBoundary = 0;
    for (let size = 200; size <= 400; size += 5) {
      const page = await store.searchRuns({
        experiment_ids: [big],
        order_by: ["metrics.score DESC"],
        filter: "params.bucket = '0' OR params.bucket = '1'",
        max_results: size,
      });
      assert.deepEqual(
        page.runs.map((r) => r.info.run_id),
        all.slice(0, size),
        `page size ${size}`,
      );
      const last = seeded.find((s) => s.id === all[size - 1])?.score;
      if (last === scores[4 * size - 1]) pagesEndingOnBoundary++;
    }
    assert.ok(pagesEndingOnBoundary > 0, "no page ended on the window's boundary value: the case is not exercised");
  });
});
