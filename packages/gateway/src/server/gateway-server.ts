import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { ConfigError } from "../config/config-error.js";
import { type GatewayConfig, parseConfig } from "../config/load-config.js";
import { MemoryRateLimiter } from "../limits/memory-limiter.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import { RedisRateLimiter } from "../limits/redis-limiter.js";
import { Metrics, renderPrometheus } from "../metrics/metrics.js";
import { ProviderRegistry } from "../providers/registry.js";
import { UpstreamHttp } from "../providers/upstream-http.js";
import { Redactor } from "../redact.js";
import { GatewayRuntime } from "../runtime/gateway-runtime.js";
import { createGatewayListener } from "./app.js";
import { watchConfigFile } from "./config-watcher.js";
import type { GatewayContext } from "./route-types.js";
import { ROUTES } from "./routes.js";

export interface GatewayOptions {
  configPath: string;
  host?: string;
  port?: number;
  /** `memory` (default) or a `redis://` / `rediss://` URL shared by every replica. */
  limitsStorage?: string | undefined;
  /** The environment `$NAME` keys are read from. */
  env?: Record<string, string | undefined>;
  log?: (msg: string) => void;
  /** Watch the config file and reload on change (default true). */
  watch?: boolean;
  /** Config text to start from instead of reading the file (cluster workers get it from the primary). */
  configText?: string;
  registry?: ProviderRegistry;
  /** Replaces the `/metrics` text source (cluster workers ask the primary for merged counters). */
  metricsText?: (local: Metrics) => Promise<string>;
}

export interface RunningGateway {
  url: string;
  server: Server;
  metrics: Metrics;
  config(): GatewayConfig;
  /** Applies new config text; returns the error message when it is refused (the old config stays). */
  applyConfigText(text: string): string | undefined;
  close(): Promise<void>;
}

/** A startup failure with a one-line explanation (taken port, unreachable limits storage). */
export class GatewayStartupError extends Error {}

export function validateLimitsStorage(uri: string | undefined): void {
  if (uri === undefined || uri === "" || uri === "memory" || uri === "memory://") return;
  if (!/^rediss?:\/\//.test(uri))
    throw new ConfigError(
      `Invalid --limits-storage '${uri.replace(/\/\/[^@/]*@/, "//***@")}': expected 'memory' or a redis:// URL.`,
    );
}

/** Starts a gateway process: loads the config (ConfigError if invalid), listens, watches for changes. */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const rawLog = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const env = opts.env ?? {};
  const path = resolve(opts.configPath);
  const registry = opts.registry ?? new ProviderRegistry();
  validateLimitsStorage(opts.limitsStorage);
  let text: string;
  if (opts.configText !== undefined) text = opts.configText;
  else {
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new ConfigError(
        `Cannot read gateway config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  const initial = parseConfig(text, path, { registry, env });
  const redactor = new Redactor(initial.secrets);
  // Every log line passes the redactor, whatever produced it.
  const log = (m: string) => rawLog(redactor.redact(m));
  const http = new UpstreamHttp(redactor);
  const deps = { http, redactor, env };
  let runtime = new GatewayRuntime(initial, deps);
  const metrics = new Metrics();

  let limiter: RateLimiter;
  const storage = opts.limitsStorage;
  if (storage && /^rediss?:\/\//.test(storage)) {
    const redis = new RedisRateLimiter(storage, log);
    try {
      await redis.ready();
    } catch (e) {
      await redis.close();
      await http.close();
      throw new GatewayStartupError(
        `Cannot reach the limits storage ${storage.replace(/\/\/[^@/]*@/, "//***@")}: ${(e as Error).message}`,
      );
    }
    limiter = redis;
  } else limiter = new MemoryRateLimiter();

  const ctx: GatewayContext = {
    runtime: () => runtime,
    metrics,
    limiter,
    redactor,
    log,
    metricsText: opts.metricsText
      ? () => (opts.metricsText as (m: Metrics) => Promise<string>)(metrics)
      : async () => renderPrometheus(metrics.snapshot()),
  };
  const listener = createGatewayListener(ROUTES, ctx);
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    void listener(req, res);
  });
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.port ?? 5000, opts.host ?? "127.0.0.1", () => {
        server.off("error", fail);
        ok();
      });
    });
  } catch (e) {
    await limiter.close();
    await http.close();
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${opts.host ?? "127.0.0.1"}:${opts.port ?? 5000}`;
    if (code === "EADDRINUSE")
      throw new GatewayStartupError(`Port ${opts.port} on ${opts.host ?? "127.0.0.1"} is already in use.`);
    throw new GatewayStartupError(`Cannot listen on ${where}: ${(e as Error).message}`);
  }

  const applyConfigText = (newText: string): string | undefined => {
    try {
      const cfg = parseConfig(newText, path, { registry, env });
      redactor.add(cfg.secrets);
      runtime = new GatewayRuntime(cfg, deps);
      metrics.reload(true);
      return undefined;
    } catch (e) {
      metrics.reload(false);
      if (e instanceof ConfigError) return e.message;
      return redactor.redact(`Invalid gateway config ${path}: ${(e as Error).message}`);
    }
  };

  const stopWatching =
    opts.watch === false
      ? () => {}
      : watchConfigFile(
          path,
          text,
          (t) => {
            const problem = applyConfigText(t);
            if (problem) log(`${problem} The previous configuration stays in effect.`);
            else log(`Reloaded gateway config ${path}: ${runtime.list.length} endpoint(s).`);
          },
          () => log(`Gateway config ${path} was removed; the previous configuration stays in effect.`),
        );

  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    server,
    metrics,
    config: () => runtime.config,
    applyConfigText,
    async close() {
      stopWatching();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await limiter.close();
      await http.close();
    },
  };
}
