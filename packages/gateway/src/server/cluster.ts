import cluster, { type Worker } from "node:cluster";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../config/config-error.js";
import { parseConfig } from "../config/load-config.js";
import { type MetricsSnapshot, mergeSnapshots, renderPrometheus } from "../metrics/metrics.js";
import { ProviderRegistry } from "../providers/registry.js";
import { Redactor } from "../redact.js";
import { watchConfigFile } from "./config-watcher.js";
import { GatewayStartupError, type RunningGateway, startGateway, validateLimitsStorage } from "./gateway-server.js";

/**
 * `--workers N`: node:cluster. The primary owns the config (reads, validates, watches it and
 * sends the text to workers), respawns crashed workers and merges `/metrics`; workers are plain
 * stateless gateways sharing the listening socket.
 */

type Msg =
  | { type: "hello" }
  | { type: "config"; text: string }
  | { type: "listening"; url: string }
  | { type: "startup-error"; message: string; exitCode: number }
  | { type: "metrics-req"; id: number }
  | { type: "metrics-collect"; id: number }
  | { type: "metrics-snap"; id: number; snap: MetricsSnapshot }
  | { type: "metrics-res"; id: number; text: string };

export interface PrimaryOptions {
  configPath: string;
  workers: number;
  env: Record<string, string | undefined>;
  limitsStorage?: string | undefined;
  log: (msg: string) => void;
}

export interface RunningPrimary {
  url: string;
  close(): Promise<void>;
}

export function runPrimary(o: PrimaryOptions): Promise<RunningPrimary> {
  const path = resolve(o.configPath);
  validateLimitsStorage(o.limitsStorage);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      `Cannot read gateway config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const registry = new ProviderRegistry();
  const redactor = new Redactor(parseConfig(text, path, { registry, env: o.env }).secrets);
  const log = (m: string) => o.log(redactor.redact(m));
  let good = text;
  let stopping = false;
  let restarts: number[] = [];
  const pending = new Map<
    number,
    { requester: Worker; requesterId: number; snaps: MetricsSnapshot[]; waiting: number; timer: NodeJS.Timeout }
  >();
  let nextId = 1;

  return new Promise((resolveStart, rejectStart) => {
    let url: string | undefined;
    const finishMetrics = (id: number) => {
      const p = pending.get(id);
      if (!p) return;
      clearTimeout(p.timer);
      pending.delete(id);
      const reply: Msg = { type: "metrics-res", id: p.requesterId, text: renderPrometheus(mergeSnapshots(p.snaps)) };
      if (p.requester.isConnected()) p.requester.send(reply);
    };
    const onMessage = (w: Worker, m: Msg) => {
      switch (m.type) {
        case "hello":
          w.send({ type: "config", text: good } satisfies Msg);
          break;
        case "listening":
          if (!url) {
            url = m.url;
            resolveStart({ url, close });
          }
          break;
        case "startup-error":
          stopping = true;
          for (const x of Object.values(cluster.workers ?? {})) x?.kill();
          rejectStart(m.exitCode === 2 ? new ConfigError(m.message) : new GatewayStartupError(m.message));
          break;
        case "metrics-req": {
          const workers = Object.values(cluster.workers ?? {}).filter((x): x is Worker => !!x && x.isConnected());
          const id = nextId++;
          const timer = setTimeout(() => finishMetrics(id), 2000);
          pending.set(id, { requester: w, requesterId: m.id, snaps: [], waiting: workers.length, timer });
          for (const x of workers) x.send({ type: "metrics-collect", id } satisfies Msg);
          break;
        }
        case "metrics-snap": {
          const p = pending.get(m.id);
          if (!p) break;
          p.snaps.push(m.snap);
          if (--p.waiting <= 0) finishMetrics(m.id);
          break;
        }
        default:
          break;
      }
    };
    const fork = () => {
      const w = cluster.fork();
      w.on("message", (m: Msg) => onMessage(w, m));
      return w;
    };
    cluster.on("exit", (w, code, signal) => {
      if (stopping) return;
      const now = Date.now();
      restarts = restarts.filter((t) => now - t < 60_000);
      if (restarts.length >= 10) {
        log(`Gateway worker ${w.process.pid} exited (${signal ?? code}); too many restarts, stopping.`);
        void close().then(() => process.exit(1));
        return;
      }
      restarts.push(now);
      log(`Gateway worker ${w.process.pid} exited (${signal ?? code}); starting another.`);
      fork();
    });
    for (let i = 0; i < o.workers; i++) fork();

    const stopWatching = watchConfigFile(
      path,
      text,
      (t) => {
        try {
          const cfg = parseConfig(t, path, { registry, env: o.env });
          redactor.add(cfg.secrets);
          good = t;
          for (const w of Object.values(cluster.workers ?? {})) w?.send({ type: "config", text: t } satisfies Msg);
          log(`Reloaded gateway config ${path}: ${cfg.endpoints.length} endpoint(s).`);
        } catch (e) {
          log(
            `${e instanceof ConfigError ? e.message : "Invalid gateway config."} The previous configuration stays in effect.`,
          );
        }
      },
      () => log(`Gateway config ${path} was removed; the previous configuration stays in effect.`),
    );

    async function close(): Promise<void> {
      stopping = true;
      stopWatching();
      const workers = Object.values(cluster.workers ?? {}).filter((x): x is Worker => !!x);
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((ok) => {
              if (w.isDead()) return ok();
              w.once("exit", () => ok());
              w.process.kill("SIGTERM");
              setTimeout(() => w.process.kill("SIGKILL"), 10_000).unref();
            }),
        ),
      );
    }
  });
}

export interface WorkerOptions {
  configPath: string;
  host: string;
  port: number;
  env: Record<string, string | undefined>;
  limitsStorage?: string | undefined;
  log: (msg: string) => void;
}

/** A cluster worker: waits for the config from the primary, serves, applies later configs. */
export function runWorker(o: WorkerOptions): void {
  let running: RunningGateway | undefined;
  let starting = false;
  let nextId = 1;
  const waiting = new Map<number, (text: string) => void>();
  const send = (m: Msg) => process.send?.(m);
  process.on("message", (m: Msg) => {
    switch (m.type) {
      case "config":
        if (running) {
          const problem = running.applyConfigText(m.text);
          if (problem) o.log(problem);
        } else if (!starting) {
          starting = true;
          startGateway({
            configPath: o.configPath,
            configText: m.text,
            host: o.host,
            port: o.port,
            env: o.env,
            limitsStorage: o.limitsStorage,
            log: o.log,
            watch: false,
            metricsText: () =>
              new Promise<string>((ok) => {
                const id = nextId++;
                waiting.set(id, ok);
                send({ type: "metrics-req", id });
              }),
          }).then(
            (r) => {
              running = r;
              send({ type: "listening", url: r.url });
            },
            (e: Error) => {
              send({ type: "startup-error", message: e.message, exitCode: e instanceof ConfigError ? 2 : 1 });
              setTimeout(() => process.exit(1), 100);
            },
          );
        }
        break;
      case "metrics-collect":
        if (running) send({ type: "metrics-snap", id: m.id, snap: running.metrics.snapshot() });
        break;
      case "metrics-res": {
        const cb = waiting.get(m.id);
        waiting.delete(m.id);
        cb?.(m.text);
        break;
      }
      default:
        break;
    }
  });
  const stop = () => {
    void (running ? running.close() : Promise.resolve()).then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  send({ type: "hello" });
}
