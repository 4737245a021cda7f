/**
 * Usage accounting, rendered in Prometheus' text format at `/metrics`. Counters live in plain
 * objects so a snapshot is JSON (workers of one `--workers N` gateway send theirs to the
 * primary, which merges them).
 */

export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

export interface EndpointStats {
  status: Record<string, number>;
  errors: number;
  buckets: number[];
  durationSum: number;
  durationCount: number;
  rateLimited: number;
  fallbacks: number;
  retries: number;
}

export interface UpstreamStats {
  endpoint: string;
  provider: string;
  model: string;
  ok: number;
  errors: number;
  timeouts: number;
  inputTokens: number;
  outputTokens: number;
}

export interface MetricsSnapshot {
  endpoints: Record<string, EndpointStats>;
  upstream: Record<string, UpstreamStats>;
  reloads: { ok: number; error: number };
}

export class Metrics {
  private readonly snap: MetricsSnapshot = { endpoints: {}, upstream: {}, reloads: { ok: 0, error: 0 } };

  endpoint(name: string): EndpointStats {
    let e = this.snap.endpoints[name];
    if (!e) {
      e = {
        status: {},
        errors: 0,
        buckets: new Array(DURATION_BUCKETS.length).fill(0),
        durationSum: 0,
        durationCount: 0,
        rateLimited: 0,
        fallbacks: 0,
        retries: 0,
      };
      this.snap.endpoints[name] = e;
    }
    return e;
  }

  /** Records one answered request: status and seconds from arrival to the last byte. */
  request(e: EndpointStats, status: number, seconds: number): void {
    e.status[status] = (e.status[status] ?? 0) + 1;
    if (status >= 400) e.errors++;
    e.durationSum += seconds;
    e.durationCount++;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= (DURATION_BUCKETS[i] as number)) {
        e.buckets[i] = (e.buckets[i] as number) + 1;
        break;
      }
    }
  }

  upstream(endpoint: string, provider: string, model: string): UpstreamStats {
    const key = `${endpoint}\u0000${provider}\u0000${model}`;
    let u = this.snap.upstream[key];
    if (!u) {
      u = { endpoint, provider, model, ok: 0, errors: 0, timeouts: 0, inputTokens: 0, outputTokens: 0 };
      this.snap.upstream[key] = u;
    }
    return u;
  }

  reload(ok: boolean): void {
    if (ok) this.snap.reloads.ok++;
    else this.snap.reloads.error++;
  }

  snapshot(): MetricsSnapshot {
    return this.snap;
  }
}

/** Sums snapshots (one per worker). */
export function mergeSnapshots(snaps: MetricsSnapshot[]): MetricsSnapshot {
  if (snaps.length === 1) return snaps[0] as MetricsSnapshot;
  const out = new Metrics();
  const s = out.snapshot();
  for (const snap of snaps) {
    for (const [name, e] of Object.entries(snap.endpoints)) {
      const t = out.endpoint(name);
      for (const [k, v] of Object.entries(e.status)) t.status[k] = (t.status[k] ?? 0) + v;
      t.errors += e.errors;
      e.buckets.forEach((v, i) => {
        t.buckets[i] = (t.buckets[i] ?? 0) + v;
      });
      t.durationSum += e.durationSum;
      t.durationCount += e.durationCount;
      t.rateLimited += e.rateLimited;
      t.fallbacks += e.fallbacks;
      t.retries += e.retries;
    }
    for (const u of Object.values(snap.upstream)) {
      const t = out.upstream(u.endpoint, u.provider, u.model);
      t.ok += u.ok;
      t.errors += u.errors;
      t.timeouts += u.timeouts;
      t.inputTokens += u.inputTokens;
      t.outputTokens += u.outputTokens;
    }
    s.reloads.ok += snap.reloads.ok;
    s.reloads.error += snap.reloads.error;
  }
  return s;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderPrometheus(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const eps = Object.entries(s.endpoints).sort(([a], [b]) => (a < b ? -1 : 1));
  const ups = Object.values(s.upstream);
  const upLabels = (u: UpstreamStats) =>
    `endpoint="${esc(u.endpoint)}",provider="${esc(u.provider)}",model="${esc(u.model)}"`;

  family("mlflow_gateway_requests_total", "counter", "Requests answered, by endpoint and HTTP status.");
  for (const [n, e] of eps)
    for (const [status, v] of Object.entries(e.status))
      lines.push(`mlflow_gateway_requests_total{endpoint="${esc(n)}",status="${status}"} ${v}`);
  family("mlflow_gateway_request_errors_total", "counter", "Requests answered with a status of 400 or more.");
  for (const [n, e] of eps) lines.push(`mlflow_gateway_request_errors_total{endpoint="${esc(n)}"} ${e.errors}`);
  family(
    "mlflow_gateway_request_duration_seconds",
    "histogram",
    "Time from request arrival to the last byte of the answer.",
  );
  for (const [n, e] of eps) {
    let cum = 0;
    DURATION_BUCKETS.forEach((le, i) => {
      cum += e.buckets[i] ?? 0;
      lines.push(`mlflow_gateway_request_duration_seconds_bucket{endpoint="${esc(n)}",le="${le}"} ${cum}`);
    });
    lines.push(`mlflow_gateway_request_duration_seconds_bucket{endpoint="${esc(n)}",le="+Inf"} ${e.durationCount}`);
    lines.push(`mlflow_gateway_request_duration_seconds_sum{endpoint="${esc(n)}"} ${e.durationSum}`);
    lines.push(`mlflow_gateway_request_duration_seconds_count{endpoint="${esc(n)}"} ${e.durationCount}`);
  }
  family("mlflow_gateway_rate_limited_total", "counter", "Requests refused by the endpoint's limit.");
  for (const [n, e] of eps) lines.push(`mlflow_gateway_rate_limited_total{endpoint="${esc(n)}"} ${e.rateLimited}`);
  family("mlflow_gateway_fallbacks_total", "counter", "Times a request moved on to a fallback endpoint.");
  for (const [n, e] of eps) lines.push(`mlflow_gateway_fallbacks_total{endpoint="${esc(n)}"} ${e.fallbacks}`);
  family("mlflow_gateway_retries_total", "counter", "Upstream calls retried after a retryable failure.");
  for (const [n, e] of eps) lines.push(`mlflow_gateway_retries_total{endpoint="${esc(n)}"} ${e.retries}`);
  family("mlflow_gateway_upstream_requests_total", "counter", "Calls to providers, by outcome.");
  for (const u of ups) {
    lines.push(`mlflow_gateway_upstream_requests_total{${upLabels(u)},outcome="ok"} ${u.ok}`);
    lines.push(`mlflow_gateway_upstream_requests_total{${upLabels(u)},outcome="error"} ${u.errors}`);
    lines.push(`mlflow_gateway_upstream_requests_total{${upLabels(u)},outcome="timeout"} ${u.timeouts}`);
  }
  family("mlflow_gateway_input_tokens_total", "counter", "Prompt tokens reported by providers.");
  for (const u of ups) lines.push(`mlflow_gateway_input_tokens_total{${upLabels(u)}} ${u.inputTokens}`);
  family("mlflow_gateway_output_tokens_total", "counter", "Completion tokens reported by providers.");
  for (const u of ups) lines.push(`mlflow_gateway_output_tokens_total{${upLabels(u)}} ${u.outputTokens}`);
  family("mlflow_gateway_config_reloads_total", "counter", "Configuration reloads, by result.");
  lines.push(`mlflow_gateway_config_reloads_total{result="ok"} ${s.reloads.ok}`);
  lines.push(`mlflow_gateway_config_reloads_total{result="error"} ${s.reloads.error}`);
  return `${lines.join("\n")}\n`;
}
