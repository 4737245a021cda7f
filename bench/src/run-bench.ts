#!/usr/bin/env node
/**
 * mlflow-ts tracking benchmark: starts `mlflow-ts server` on a fresh database (a SQLite file, or a
 * fresh PostgreSQL database), loads data over HTTP from this process, and prints one table (median,
 * p95, throughput, server memory) plus the raw insert limit of the same backend measured in the
 * same run. Writes the figures to bench/results/.
 *
 *   npm run bench                 default sizes (1k/10k/100k runs, 100k and 1M steps, 100 x 10k bulk)
 *   npm run bench -- --quick      small sizes, a minute or two
 *   npm run bench -- --full       the bulk-interval scenario at 100 runs x 1M steps (slow, ~10 GB)
 *   npm run bench -- --backend postgres [--postgres-uri postgresql://user@host:5432/db]
 *                                 the same on PostgreSQL: each server gets a fresh database created
 *                                 on that server (default postgresql://postgres@127.0.0.1:5432/test)
 *                                 and dropped afterwards
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createScratchDatabase, DEFAULT_POSTGRES_URI, type ScratchDatabase } from "@mlflow-ts/store/testing";
import { BenchClient } from "./http-client.js";
import { type LogBatchResult, logBatchConcurrent, logBatchOneRun } from "./scenarios/log-batch.js";
import { bareCeilingMetricsPerSec } from "./scenarios/bare-ceiling.js";
import { engineBestMetricsPerSec, rawInsertMetricsPerSec } from "./scenarios/raw-insert.js";
import { rawInsertMetricsPerSecPostgres } from "./scenarios/raw-insert-postgres.js";
import { loadRuns, searchStats } from "./scenarios/search.js";
import { bulkIntervalStats, historyStats, loadHistory } from "./scenarios/history.js";
import { startServerProcess } from "./server-process.js";
import { median } from "./stats.js";

interface Row {
  scenario: string;
  median?: number;
  p95?: number;
  throughput?: string;
  target: string;
  pass?: boolean;
}

const argv = process.argv.slice(2);
const args = new Set(argv);
function flagValue(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
const backend = (flagValue("--backend") ?? "sqlite").toLowerCase();
if (backend !== "sqlite" && backend !== "postgres") {
  process.stderr.write(`bench: --backend must be sqlite or postgres (got '${backend}')\n`);
  process.exit(2);
}
const postgresUri = flagValue("--postgres-uri") ?? DEFAULT_POSTGRES_URI;
const quick = args.has("--quick");
const full = args.has("--full");
const runSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const historySizes = quick ? [100_000] : [100_000, 1_000_000];
const bulkSteps = quick ? 1_000 : full ? 1_000_000 : 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
let phaseRss: (label: string) => void = () => {};

/** A fresh database of the chosen backend (a file in `dir`, or a new PostgreSQL database). */
async function freshDatabase(dir: string, label: string): Promise<ScratchDatabase> {
  if (backend === "postgres") return createScratchDatabase("postgres", { postgresUri });
  return { backend: "sqlite", uri: `sqlite:///${join(dir, `${label}.db`)}`, drop: async () => {} };
}

/** Median of 5 spawns; `db` is a URI, or a function giving a fresh database per spawn (empty database). */
async function coldStart(db: string | ((i: number) => Promise<string>), artifacts: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const uri = typeof db === "string" ? db : await db(i);
    const s = await startServerProcess(uri, artifacts, await freePort());
    times.push(s.coldStartMs);
    await s.stop();
  }
  return median(times);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-bench-"));
  const scratches: ScratchDatabase[] = [];
  const fresh = async (label: string) => {
    const s = await freshDatabase(dir, label);
    scratches.push(s);
    return s.uri;
  };
  const artifacts = join(dir, "artifacts");
  const rows: Row[] = [];
  const figures: Record<string, unknown> = {
    machine: { cpus: (await import("node:os")).cpus().length },
    date: new Date().toISOString(),
    backend,
  };
  log(`backend: ${backend}`);
  try {
    log("cold start on an empty database");
    const coldEmpty = await coldStart((i) => fresh(`empty-${i}`), artifacts);

    const db = await fresh("bench");
    const server = await startServerProcess(db, artifacts, await freePort());
    const client = new BenchClient(server.url);
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = server.rssMb();
    const rssByPhase: Record<string, { rss: number; peak: number }> = {};
    phaseRss = (label) => {
      rssByPhase[label] = { rss: Math.round(server.rssMb()), peak: Math.round(server.peakRssMb()) };
      log(`  server RSS after ${label}: ${rssByPhase[label]?.rss} MiB (peak so far ${rssByPhase[label]?.peak} MiB)`);
    };
    figures.rssByPhase = rssByPhase;

    // The raw limits and the one-run scenario alternate, three rounds, medians of each: the host's
    // speed drifts by up to 1.5x over minutes on two shared cores, and a ratio is only meaningful
    // between figures taken side by side. On SQLite there are two raw figures: one prepared INSERT
    // per row (the limit as the issue that set the target defines it) and the engine's best (the
    // 100-row statements the server itself uses); PostgreSQL's raw figure is already the latter.
    // The bare ceiling is a bare Node HTTP server doing only JSON.parse and those writes: what no
    // server on this machine and storage can beat (SQLite only).
    const rawRounds: number[] = [];
    const bestRounds: number[] = [];
    const bareRounds: number[] = [];
    const oneRounds: LogBatchResult[] = [];
    for (let round = 1; round <= 3; round++) {
      log(`raw insert limits (round ${round} of 3)`);
      if (backend === "postgres") {
        const pg = await rawInsertMetricsPerSecPostgres(await fresh(`raw-${round}`));
        rawRounds.push(pg);
        bestRounds.push(pg);
      } else {
        rawRounds.push(await rawInsertMetricsPerSec());
        bestRounds.push(await engineBestMetricsPerSec());
        bareRounds.push(await bareCeilingMetricsPerSec(await freePort()));
      }
      log(`log-batch, one run (round ${round} of 3)`);
      oneRounds.push(await logBatchOneRun(client));
    }
    const raw = median(rawRounds);
    const best = median(bestRounds);
    const bare = backend === "sqlite" ? median(bareRounds) : undefined;
    const one = medianRound(oneRounds);
    const rounded = (v: number[]) => v.map((x) => Math.round(x).toLocaleString("en")).join(", ");
    log(
      `  raw ${rounded(rawRounds)}; ${backend === "sqlite" ? `engine best ${rounded(bestRounds)}; bare HTTP ceiling ${rounded(bareRounds)}; ` : ""}one run ${rounded(oneRounds.map((r) => r.metricsPerSec))} metrics/s`,
    );
    log("log-batch, 16 concurrent writers");
    const conc = await logBatchConcurrent(client, 16, 20);
    rows.push({
      scenario: "log-batch 1000 metrics/req, 50 req, 1 run",
      median: one.medianMs,
      p95: one.p95Ms,
      throughput: `${Math.round(one.metricsPerSec).toLocaleString("en")} metrics/s (${Math.round((100 * one.metricsPerSec) / raw)}% of raw ${Math.round(raw).toLocaleString("en")}/s${bare !== undefined ? `, ${Math.round((100 * one.metricsPerSec) / best)}% of the engine's best ${Math.round(best).toLocaleString("en")}/s, ${Math.round((100 * one.metricsPerSec) / bare)}% of a bare HTTP server's ${Math.round(bare).toLocaleString("en")}/s` : ""})`,
      target: ">= 200,000/s and >= 50% of raw",
      pass:
        one.metricsPerSec >= 200_000 &&
        one.metricsPerSec >= raw / 2 &&
        oneRounds.every((r) => r.errors === 0 && r.lostPoints === 0),
    });
    rows.push({
      scenario: "log-batch, 16 concurrent writers",
      median: conc.medianMs,
      p95: conc.p95Ms,
      throughput: `${Math.round(conc.metricsPerSec).toLocaleString("en")} metrics/s, ${conc.errors} errors, ${conc.lostPoints} lost`,
      target: "zero errors, no lost point",
      pass: conc.errors === 0 && conc.lostPoints === 0,
    });
    figures.logBatch = {
      oneRun: one,
      oneRunRounds: oneRounds,
      concurrent: conc,
      rawInsertMetricsPerSec: raw,
      rawRounds,
      engineBestMetricsPerSec: best,
      engineBestRounds: bestRounds,
      bareHttpCeilingMetricsPerSec: bare,
      bareHttpCeilingRounds: bareRounds,
    };
    phaseRss("log-batch");

    const searchTargets: Record<string, number> = {
      "10000/100": 8,
      "10000/1000": 40,
      "10000/100/order": 20,
      "100000/100": 50,
    };
    figures.search = {};
    for (const n of runSizes) {
      log(`loading ${n} runs`);
      const { experimentId, seconds } = await loadRuns(client, n);
      log(`  loaded in ${seconds.toFixed(1)} s (${Math.round(n / seconds)} runs/s)`);
      for (const [max, order] of [
        [100, undefined],
        [1000, undefined],
        [100, ["metrics.acc DESC"]],
      ] as const) {
        const st = await searchStats(client, experimentId, max, order ? [...order] : undefined);
        const key = `${n}/${max}${order ? "/order" : ""}`;
        const target = searchTargets[key];
        rows.push({
          scenario: `search ${n.toLocaleString("en")} runs, filter${order ? ", order by metric" : ""}, ${max} results`,
          median: st.medianMs,
          p95: st.p95Ms,
          throughput: `${st.returned} runs returned`,
          target: target ? `<= ${target} ms median` : "",
          ...(target ? { pass: st.medianMs <= target } : {}),
        });
        (figures.search as Record<string, unknown>)[key] = st;
      }
      phaseRss(`search ${n}`);
    }

    figures.history = {};
    for (const steps of historySizes) {
      log(`loading a ${steps}-step metric`);
      const runId = await loadHistory(client, steps);
      const st = await historyStats(client, runId, steps >= 1_000_000 ? 5 : 10);
      rows.push({
        scenario: `get-history ${steps.toLocaleString("en")} steps`,
        median: st.medianMs,
        p95: st.p95Ms,
        throughput: `${st.points.toLocaleString("en")} points`,
        target: steps === 100_000 ? "<= 120 ms" : "",
        ...(steps === 100_000 ? { pass: st.medianMs <= 120 } : {}),
      });
      (figures.history as Record<string, unknown>)[String(steps)] = st;
      phaseRss(`history ${steps}`);
    }

    log(`loading 100 runs x ${bulkSteps} steps for get-history-bulk-interval`);
    const bulkRuns: string[] = [];
    for (let i = 0; i < 100; i++) bulkRuns.push(await loadHistory(client, bulkSteps));
    const bulk = await bulkIntervalStats(client, bulkRuns, 5);
    rows.push({
      scenario: `get-history-bulk-interval 100 runs x ${bulkSteps.toLocaleString("en")} steps`,
      median: bulk.medianMs,
      p95: bulk.p95Ms,
      throughput: `${bulk.points.toLocaleString("en")} points`,
      target: "",
    });
    figures.bulkInterval = { steps: bulkSteps, ...bulk };
    phaseRss("bulk interval");

    const peakRss = server.peakRssMb();
    client.close();
    await server.stop();
    log("cold start on the loaded database");
    const coldLoaded = await coldStart(db, artifacts);
    rows.push({
      scenario: "cold start to /health, empty database",
      median: coldEmpty,
      target: "<= 400 ms",
      pass: coldEmpty <= 400,
    });
    rows.push({
      scenario: "cold start to /health, loaded database",
      median: coldLoaded,
      target: "<= 400 ms",
      pass: coldLoaded <= 400,
    });
    rows.push({
      scenario: "server memory idle / peak",
      throughput: `${idleRss.toFixed(0)} MiB / ${peakRss.toFixed(0)} MiB`,
      target: "<= 80 / <= 250 MiB",
      pass: idleRss <= 80 && peakRss <= 250,
    });
    figures.coldStart = { emptyMs: coldEmpty, loadedMs: coldLoaded };
    figures.memory = { idleMb: idleRss, peakMb: peakRss };
  } finally {
    for (const s of scratches) await s.drop().catch((e) => log(`could not drop ${s.uri}: ${(e as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`backend: ${backend}`);
  printTable(rows);
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
  mkdirSync(out, { recursive: true });
  const json = JSON.stringify({ ...figures, rows }, null, 2);
  const file = backend === "sqlite" ? "latest.json" : `latest-${backend}.json`;
  writeFileSync(join(out, file), json);
  log(`figures written to ${join(out, file)}`);
}

/** The round with the median throughput. */
function medianRound(rounds: LogBatchResult[]): LogBatchResult {
  const sorted = [...rounds].sort((a, b) => a.metricsPerSec - b.metricsPerSec);
  return sorted[Math.floor(sorted.length / 2)] as LogBatchResult;
}

function printTable(rows: Row[]) {
  const fmt = (v: number | undefined) => (v === undefined ? "" : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const header = ["scenario", "median ms", "p95 ms", "throughput / result", "target", "ok"];
  const body = rows.map((r) => [
    r.scenario,
    fmt(r.median),
    fmt(r.p95),
    r.throughput ?? "",
    r.target,
    r.pass === undefined ? "" : r.pass ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
