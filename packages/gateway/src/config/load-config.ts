import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { ProviderDefinition } from "../providers/provider.js";
import { normalizeProviderId, type ProviderRegistry } from "../providers/registry.js";
import { ENDPOINT_TYPES, type EndpointType } from "../schemas/unified.js";
import { resolveSecret } from "./api-key.js";
import { ConfigError } from "./config-error.js";

export const RENEWAL_PERIODS = ["second", "minute", "hour", "day", "month", "year"] as const;
export type RenewalPeriod = (typeof RENEWAL_PERIODS)[number];

export interface LimitConfig {
  calls: number;
  renewalPeriod: RenewalPeriod;
  key: string | null;
}

export interface RetryConfig {
  /** Attempts per model, the first included (1 = no retries). */
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface ModelConfig {
  provider: ProviderDefinition;
  /** The provider id as written in the file, normalized. */
  providerId: string;
  name: string | undefined;
  config: Record<string, unknown>;
  weight: number;
}

export interface EndpointConfig {
  name: string;
  endpointType: EndpointType;
  models: ModelConfig[];
  limit: LimitConfig | null;
  timeoutMs: number;
  retry: RetryConfig;
  fallbacks: string[];
}

export interface GatewayConfig {
  path: string;
  endpoints: EndpointConfig[];
  /** Every resolved secret, for redaction. */
  secrets: string[];
}

const NAME = /^[A-Za-z0-9_-]+$/;
export const DEFAULT_TIMEOUT_SECONDS = 300;

const ModelEntry = z.strictObject({
  provider: z.string().min(1),
  name: z.string().min(1).nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  weight: z.number().positive().optional(),
});

const Endpoint = z
  .strictObject({
    name: z.string().regex(NAME, "must contain only letters, digits, '-' and '_'"),
    endpoint_type: z.enum(ENDPOINT_TYPES).optional(),
    route_type: z.enum(ENDPOINT_TYPES).optional(),
    model: ModelEntry.optional(),
    models: z.array(ModelEntry).min(1).optional(),
    limit: z
      .strictObject({
        calls: z.number().int().positive(),
        renewal_period: z.enum(RENEWAL_PERIODS),
        key: z.string().nullish(),
      })
      .nullish(),
    timeout_seconds: z.number().positive().optional(),
    retries: z
      .strictObject({
        max_attempts: z.number().int().min(1).max(10).default(3),
        backoff_ms: z.number().int().min(0).default(200),
        max_backoff_ms: z.number().int().min(0).default(5000),
      })
      .optional(),
    fallbacks: z.array(z.string()).optional(),
  })
  .superRefine((e, ctx) => {
    if (!e.endpoint_type && !e.route_type)
      ctx.addIssue({ code: "custom", path: ["endpoint_type"], message: "is required" });
    if (e.endpoint_type && e.route_type && e.endpoint_type !== e.route_type)
      ctx.addIssue({ code: "custom", path: ["route_type"], message: "disagrees with endpoint_type" });
    if (!e.model === !e.models)
      ctx.addIssue({ code: "custom", path: ["model"], message: "give exactly one of 'model' or 'models'" });
  });

const Root = z
  .strictObject({
    endpoints: z.array(z.unknown()).nullish(),
    routes: z.array(z.unknown()).nullish(),
  })
  .superRefine((r, ctx) => {
    if (r.endpoints && r.routes)
      ctx.addIssue({ code: "custom", path: ["routes"], message: "use either 'endpoints' or 'routes', not both" });
  });

function issueText(issue: z.core.$ZodIssue): string {
  const msg = issue.message.replace(/^Invalid input: expected (\w+), received undefined$/, "is required");
  const path = formatPath(issue.path);
  return path ? `${path}: ${msg}` : msg;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out === "" ? String(seg) : `.${String(seg)}`;
  return out;
}

export interface LoadOptions {
  registry: ProviderRegistry;
  env: Record<string, string | undefined>;
}

/** Reads, parses and validates a gateway config file. Throws ConfigError. */
export function loadConfigFile(path: string, opts: LoadOptions): GatewayConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    throw new ConfigError(
      `Cannot read gateway config ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseConfig(text, abs, opts);
}

/** Parses and validates config text (`path` is for messages and relative key files). */
export function parseConfig(text: string, path: string, opts: LoadOptions): GatewayConfig {
  const where = `gateway config ${path}`;
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0] as { message: string; linePos?: Array<{ line: number; col: number }> };
    const pos = e.linePos?.[0];
    throw new ConfigError(
      `Invalid ${where}: not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}: ${e.message.split("\n")[0]}`,
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(`Invalid ${where}: expected a mapping with an 'endpoints' list.`);
  const root = Root.safeParse(raw);
  if (!root.success) throw new ConfigError(`Invalid ${where}: ${root.error.issues.map(issueText).join("; ")}`);
  const list = root.data.endpoints ?? root.data.routes ?? [];
  const listKey = root.data.routes ? "routes" : "endpoints";
  const secrets: string[] = [];
  const endpoints: EndpointConfig[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const name =
      item && typeof item === "object" && typeof (item as { name?: unknown }).name === "string"
        ? (item as { name: string }).name
        : undefined;
    const at = name ? `endpoint '${name}'` : `${listKey}[${i}]`;
    const fail = (msg: string): never => {
      throw new ConfigError(`Invalid ${where}: ${at}: ${msg}`);
    };
    const parsed = Endpoint.safeParse(item);
    if (!parsed.success) fail(parsed.error.issues.map(issueText).join("; "));
    const e = parsed.data as z.output<typeof Endpoint>;
    if (seen.has(e.name)) fail("duplicate endpoint name");
    seen.add(e.name);
    const endpointType = (e.endpoint_type ?? e.route_type) as EndpointType;
    const entries = e.models ?? [e.model as z.output<typeof ModelEntry>];
    const field = e.models ? (j: number) => `models[${j}]` : () => "model";
    const models = entries.map((m, j) => {
      const def = opts.registry.get(m.provider);
      if (!def)
        fail(`${field(j)}.provider: unknown provider '${m.provider}' (known: ${opts.registry.ids().join(", ")})`);
      const provider = def as ProviderDefinition;
      if (!provider.endpointTypes.includes(endpointType))
        fail(
          `${field(j)}.provider: ${provider.id} does not serve ${endpointType} (it serves ${provider.endpointTypes.join(", ")})`,
        );
      const name = m.name ?? undefined;
      const modelProblem = provider.checkModel?.(name, endpointType);
      if (modelProblem) fail(`${field(j)}.name: ${modelProblem}`);
      const resolved = resolveSecrets(m.config ?? {}, provider, opts.env, dirname(path), secrets, (p, msg) =>
        fail(`${field(j)}.config.${p}: ${msg}`),
      );
      const cfg = provider.configSchema.safeParse(resolved);
      if (!cfg.success) fail(cfg.error.issues.map((x) => `${field(j)}.config.${issueText(x)}`).join("; "));
      return {
        provider,
        providerId: normalizeProviderId(m.provider),
        name,
        config: cfg.data as Record<string, unknown>,
        weight: m.weight ?? 1,
      };
    });
    endpoints.push({
      name: e.name,
      endpointType,
      models,
      limit: e.limit ? { calls: e.limit.calls, renewalPeriod: e.limit.renewal_period, key: e.limit.key ?? null } : null,
      timeoutMs: Math.round((e.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000),
      retry: e.retries
        ? {
            maxAttempts: e.retries.max_attempts,
            backoffMs: e.retries.backoff_ms,
            maxBackoffMs: e.retries.max_backoff_ms,
          }
        : { maxAttempts: 1, backoffMs: 0, maxBackoffMs: 0 },
      fallbacks: e.fallbacks ?? [],
    });
  });
  const byName = new Map(endpoints.map((e) => [e.name, e]));
  for (const e of endpoints) {
    for (const f of e.fallbacks) {
      const target = byName.get(f);
      const at = `Invalid ${where}: endpoint '${e.name}': fallbacks`;
      if (!target) throw new ConfigError(`${at}: no endpoint named '${f}'`);
      if (f === e.name) throw new ConfigError(`${at}: an endpoint cannot fall back to itself`);
      if (target.endpointType !== e.endpointType)
        throw new ConfigError(`${at}: '${f}' is ${target.endpointType}, not ${e.endpointType}`);
    }
  }
  return { path, endpoints, secrets };
}

function isSecretKey(key: string, def: ProviderDefinition): boolean {
  return key.endsWith("_api_key") || (def.secretFields?.includes(key) ?? false);
}

/** Resolves secret fields (nested too) to their values; collects them for redaction. */
function resolveSecrets(
  obj: Record<string, unknown>,
  def: ProviderDefinition,
  env: Record<string, string | undefined>,
  configDir: string,
  out: string[],
  fail: (path: string, msg: string) => never,
  prefix = "",
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix + k;
    if (isSecretKey(k, def)) {
      let s: string;
      try {
        s = resolveSecret(v, env, configDir);
      } catch (e) {
        fail(path, (e as Error).message);
      }
      out.push(s);
      copy[k] = s;
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      copy[k] = resolveSecrets(v as Record<string, unknown>, def, env, configDir, out, fail, `${path}.`);
    } else copy[k] = v;
  }
  return copy;
}
