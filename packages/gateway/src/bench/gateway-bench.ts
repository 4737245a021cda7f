// Gateway benchmark: added latency over calling a fake upstream directly (fixed rate, 50
// connections), the most requests/s one gateway process serves, and its memory over a long run.
// Usage: npm run bench:gateway [-- --soak 1000000 --rate 1000 --seconds 10]
// Every loop is bounded in count and time; all traffic stays on 127.0.0.1.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, "..", "..", "..", "..");
const CLI = join(REPO, "packages", "cli", "bin", "mlflow-ts.js");

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const RATE = arg("rate", 1000);
const SECONDS = arg("seconds", 10);
const CONNECTIONS = arg("connections", 50);
const THROUGHPUT_SECONDS = arg("throughput-seconds", 10);
const SOAK = arg("soak", 1_000_000);
const SOAK_MAX_SECONDS = arg("soak-max-seconds", 600);

const REQUEST = JSON.stringify({ messages: [{ role: "user", content: "Hello!" }], max_tokens: 16 });

function startChild(
  args: string[],
  pattern: RegExp,
  stream: "stdout" | "stderr",
  env?: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), 15_000);
    child[stream]?.on("data", (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string });
      }
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function once(pool: Pool, path: string): Promise<number> {
  const t0 = performance.now();
  const res = await pool.request({
    path,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: REQUEST,
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} on ${path}`);
  return performance.now() - t0;
}

/** Open loop: RATE requests/s for SECONDS, latencies in ms. */
async function fixedRate(pool: Pool, path: string, rate: number, seconds: number): Promise<Float64Array> {
  const total = Math.round(rate * seconds);
  const lat = new Float64Array(total);
  let sent = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error("fixed-rate phase overran")), (seconds + 30) * 1000);
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const i = sent++;
        once(pool, path).then(
          (ms) => {
            lat[i] = ms;
            if (++done === total) {
              clearTimeout(deadline);
              resolve();
            }
          },
          (e) => {
            clearTimeout(deadline);
            reject(e);
          },
        );
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  return lat.sort();
}

/** Closed loop: `concurrency` requests in flight until `count` are done or `seconds` pass. */
async function closedLoop(
  pool: Pool,
  path: string,
  concurrency: number,
  count: number,
  seconds: number,
  onProgress?: (done: number) => void,
): Promise<{ done: number; seconds: number }> {
  let done = 0;
  let started = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async () => {
    while (started < count && performance.now() < end) {
      started++;
      await once(pool, path);
      done++;
      if (onProgress && done % 100_000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-bench-"));
  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild([join(here, "fake-openai-upstream.js")], /(http:\/\/\S+)/, "stdout");
    children.push(upstream.child);
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      `endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: bench-model
      config:
        openai_api_key: $BENCH_OPENAI_KEY
        openai_api_base: ${upstream.url}/v1
`,
    );
    const gateway = await startChild(
      [CLI, "gateway", "start", "--config-path", config, "--port", "0"],
      /listening on (http:\/\/\S+)/,
      "stderr",
      { BENCH_OPENAI_KEY: "sk-bench-not-a-real-key" },
    );
    children.push(gateway.child);
    const gwPid = gateway.child.pid as number;
    const direct = new Pool(upstream.url, { connections: CONNECTIONS, pipelining: 1 });
    const viaGateway = new Pool(gateway.url, { connections: CONNECTIONS, pipelining: 1 });
    const directPath = "/v1/chat/completions";
    const gwPath = "/endpoints/chat/invocations";

    process.stderr.write("warming up...\n");
    await closedLoop(direct, directPath, CONNECTIONS, 20_000, 20);
    await closedLoop(viaGateway, gwPath, CONNECTIONS, 20_000, 20);

    process.stderr.write(
      `fixed rate ${RATE} req/s for ${SECONDS} s, ${CONNECTIONS} connections: direct, then through the gateway...\n`,
    );
    const d = await fixedRate(direct, directPath, RATE, SECONDS);
    const g = await fixedRate(viaGateway, gwPath, RATE, SECONDS);

    process.stderr.write(`throughput: ${CONNECTIONS} in flight for ${THROUGHPUT_SECONDS} s...\n`);
    const tp = await closedLoop(viaGateway, gwPath, CONNECTIONS, Number.MAX_SAFE_INTEGER, THROUGHPUT_SECONDS);
    const tpDirect = await closedLoop(direct, directPath, CONNECTIONS, Number.MAX_SAFE_INTEGER, THROUGHPUT_SECONDS);

    const rssBefore = rssMiB(gwPid);
    const samples: Array<{ requests: number; rssMiB: number }> = [{ requests: 0, rssMiB: rssBefore }];
    process.stderr.write(`soak: ${SOAK} requests (at most ${SOAK_MAX_SECONDS} s)...\n`);
    const soak = await closedLoop(viaGateway, gwPath, CONNECTIONS, SOAK, SOAK_MAX_SECONDS, (n) => {
      samples.push({ requests: n, rssMiB: rssMiB(gwPid) });
    });
    const rssAfter = rssMiB(gwPid);
    const maxRss = Math.max(...samples.map((s) => s.rssMiB), rssAfter);

    const row = (name: string, v: number, unit = "ms") =>
      `| ${name.padEnd(44)} | ${v.toFixed(unit === "ms" ? 3 : 0).padStart(10)} ${unit.padEnd(5)} |`;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: (await import("node:os")).cpus().length,
      rate: RATE,
      seconds: SECONDS,
      connections: CONNECTIONS,
      latencyMs: {
        direct: { p50: percentile(d, 50), p95: percentile(d, 95), p99: percentile(d, 99) },
        gateway: { p50: percentile(g, 50), p95: percentile(g, 95), p99: percentile(g, 99) },
        added: {
          p50: percentile(g, 50) - percentile(d, 50),
          p95: percentile(g, 95) - percentile(d, 95),
          p99: percentile(g, 99) - percentile(d, 99),
        },
      },
      throughput: { gatewayRps: tp.done / tp.seconds, directRps: tpDirect.done / tpDirect.seconds },
      soak: {
        requests: soak.done,
        seconds: soak.seconds,
        rssBeforeMiB: rssBefore,
        rssAfterMiB: rssAfter,
        rssMaxMiB: maxRss,
        samples,
      },
    };
    const L = result.latencyMs;
    const lines = [
      "| measure                                      |      value       |",
      "|----------------------------------------------|------------------|",
      row(`added latency p50 (at ${RATE} req/s)`, L.added.p50),
      row(`added latency p95 (at ${RATE} req/s)`, L.added.p95),
      row(`added latency p99 (at ${RATE} req/s)`, L.added.p99),
      row("direct p50 / gateway p50", L.direct.p50),
      row("", L.gateway.p50),
      row("direct p99 / gateway p99", L.direct.p99),
      row("", L.gateway.p99),
      row(`throughput through the gateway (${CONNECTIONS} conns)`, result.throughput.gatewayRps, "req/s"),
      row("throughput direct to the upstream", result.throughput.directRps, "req/s"),
      row(`soak requests (${soak.seconds.toFixed(0)} s)`, soak.done, "req"),
      row("gateway RSS before soak", rssBefore, "MiB"),
      row("gateway RSS after soak", rssAfter, "MiB"),
      row("gateway RSS max during soak", maxRss, "MiB"),
    ];
    console.log(lines.join("\n"));
    const outDir = join(REPO, "bench", "results");
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `gateway-${result.date.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${file}`);
    await direct.close();
    await viaGateway.close();
  } finally {
    for (const c of children) c.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
