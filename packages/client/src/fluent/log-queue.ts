import { BATCH_LIMITS, encodeDouble, type TrackingClient } from "../client/tracking-client.js";
import { MlflowError } from "../errors.js";
import { sleep } from "../http/transport.js";
import type { KeyValue } from "../types.js";

/** One logged value waiting to be sent. */
export interface QueuedItem {
  runId: string;
  kind: "metric" | "param" | "tag";
  key: string;
  value: string | number;
  timestamp?: number;
  step?: number;
}

export interface LogQueueOptions {
  /** How long to gather values before sending a batch that is not full (default 50 ms). */
  lingerMs?: number;
  /** First wait after a failed send; doubles up to `maxRetryDelayMs` (default 200 ms). */
  retryDelayMs?: number;
  /** Longest wait between retries during an outage (default 10 s). Retries never give up. */
  maxRetryDelayMs?: number;
  /** Server errors (500) are retried this often before the batch counts as refused (default 5). */
  maxInternalErrorRetries?: number;
  /** Values the server refuses (after isolating them) are reported here; flush() rejects too. */
  onError?: (error: MlflowError, items: QueuedItem[]) => void;
  /** Where outage and refusal warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/** A log-batch request body as the queue sends it. */
export interface BatchBody {
  run_id: string;
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Rough JSON size per item beyond key and value, to keep requests under MLflow's 1 MB. */
const ITEM_OVERHEAD = 64;
const MAX_BATCH_BYTES = 900_000;

/**
 * The fluent API's send queue: values are appended without waiting and sent in order as
 * log-batch requests within MLflow's limits, one request at a time. A send that fails for a
 * transient reason (network, timeout, 429, 502-504) is retried with backoff until it succeeds:
 * an outage delays values but never drops them. A batch the server refuses (400) is split until
 * the refused values are isolated; only those are dropped, and they are reported (onError, the
 * next flush() rejects).
 */
export class LogQueue {
  private items: QueuedItem[] = [];
  private head = 0;
  /** Sequence number of items[head]; every item ever enqueued has one. */
  private headSeq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pumping = false;
  private limit: number = BATCH_LIMITS.total;
  private failures: MlflowError[] = [];
  private waiters: { seq: number; resolve: () => void }[] = [];
  private outage = false;
  private readonly opts: Required<LogQueueOptions>;

  constructor(
    private readonly client: TrackingClient,
    options: LogQueueOptions = {},
  ) {
    const warn = options.warn ?? ((m: string) => console.warn(m));
    this.opts = {
      lingerMs: 50,
      retryDelayMs: 200,
      maxRetryDelayMs: 10_000,
      maxInternalErrorRetries: 5,
      warn,
      onError: (e, items) => warn(`mlflow: the server refused ${items.length} logged value(s): ${e.message}`),
      ...options,
    };
  }

  /** Values not yet acknowledged by the server. */
  get size(): number {
    return this.items.length - this.head;
  }

  enqueue(item: QueuedItem): void {
    this.items.push(item);
    if (this.pumping || this.timer) return;
    const full = this.size >= BATCH_LIMITS.total;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.pump();
      },
      full ? 0 : this.opts.lingerMs,
    );
  }

  /**
   * Resolves when everything enqueued so far is on the server. Rejects (after sending the rest)
   * when values were refused since the last flush, with the first such error.
   */
  async flush(): Promise<void> {
    const target = this.headSeq + this.size;
    if (this.size > 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      await new Promise<void>((resolve) => {
        this.waiters.push({ seq: target, resolve });
        void this.pump();
      });
    }
    const failures = this.failures;
    this.failures = [];
    if (failures.length > 0) {
      const first = failures[0] as MlflowError;
      throw new MlflowError(
        first.errorCode,
        failures.length === 1 ? first.message : `${first.message} (and ${failures.length - 1} more refused batch(es))`,
        { httpStatus: first.httpStatus },
      );
    }
  }

  /** Takes everything still queued as log-batch JSON bodies (the synchronous exit path sends them). */
  drain(): unknown[] {
    const out: unknown[] = [];
    this.limit = BATCH_LIMITS.total;
    while (this.size > 0) {
      const n = this.nextBatchSize();
      const body = this.body(this.head, n);
      out.push({ ...body, metrics: body.metrics.map((m) => ({ ...m, value: encodeDouble(m.value) })) });
      this.advance(n);
    }
    return out;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let delay = this.opts.retryDelayMs;
    let internalErrors = 0;
    try {
      while (this.size > 0) {
        const n = this.nextBatchSize();
        try {
          const body = this.body(this.head, n);
          await this.client.sendBatch(body.run_id, body.metrics, body.params, body.tags, Date.now(), 0);
        } catch (e) {
          const error = e instanceof MlflowError ? e : new MlflowError("INTERNAL_ERROR", String(e), { cause: e });
          if (transient(error) || (error.httpStatus === 500 && internalErrors++ < this.opts.maxInternalErrorRetries)) {
            if (!this.outage) {
              this.outage = true;
              this.opts.warn(
                `mlflow: logging is waiting for the server (${error.message}); ${this.size} value(s) queued.`,
              );
            }
            await sleep(delay);
            delay = Math.min(this.opts.maxRetryDelayMs, delay * 2);
            continue;
          }
          internalErrors = 0;
          if (n > 1) {
            // Isolate the refused values: retry with half as many (log-batch is idempotent).
            this.limit = Math.ceil(n / 2);
            continue;
          }
          const dropped = this.items.slice(this.head, this.head + 1);
          this.failures.push(error);
          this.advance(1);
          this.opts.onError(error, dropped);
          continue;
        }
        if (this.outage) {
          this.outage = false;
          this.opts.warn("mlflow: the server is reachable again; queued values are being sent.");
        }
        delay = this.opts.retryDelayMs;
        internalErrors = 0;
        this.advance(n);
        this.limit = Math.min(BATCH_LIMITS.total, this.limit * 2);
      }
    } finally {
      this.pumping = false;
    }
  }

  private advance(n: number): void {
    this.head += n;
    this.headSeq += n;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.waiters.length > 0) {
      const done = this.waiters.filter((w) => w.seq <= this.headSeq);
      this.waiters = this.waiters.filter((w) => w.seq > this.headSeq);
      for (const w of done) w.resolve();
    }
  }

  /** How many items from the head go into the next request: one run, within every limit. */
  private nextBatchSize(): number {
    const first = this.items[this.head] as QueuedItem;
    let metrics = 0;
    let params = 0;
    let tags = 0;
    let bytes = 0;
    const paramKeys = new Set<string>();
    let n = 0;
    for (let i = this.head; i < this.items.length && n < this.limit; i++, n++) {
      const it = this.items[i] as QueuedItem;
      if (it.runId !== first.runId) break;
      if (it.kind === "metric" && metrics === BATCH_LIMITS.metrics) break;
      if (it.kind === "tag" && tags === BATCH_LIMITS.tags) break;
      if (it.kind === "param" && (params === BATCH_LIMITS.params || paramKeys.has(it.key))) break;
      const size = it.key.length + (typeof it.value === "string" ? it.value.length : 24) + ITEM_OVERHEAD;
      if (n > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      if (it.kind === "metric") metrics++;
      else if (it.kind === "tag") tags++;
      else {
        params++;
        paramKeys.add(it.key);
      }
    }
    return Math.max(1, n);
  }

  private body(from: number, n: number): BatchBody {
    const body: BatchBody = { run_id: (this.items[from] as QueuedItem).runId, metrics: [], params: [], tags: [] };
    for (let i = from; i < from + n; i++) {
      const it = this.items[i] as QueuedItem;
      if (it.kind === "metric") {
        body.metrics.push({
          key: it.key,
          value: it.value as number,
          timestamp: it.timestamp as number,
          step: it.step ?? 0,
        });
      } else (it.kind === "param" ? body.params : body.tags).push({ key: it.key, value: String(it.value) });
    }
    return body;
  }
}

/** Worth waiting for: the server is unreachable, slow, overloaded or restarting. */
export function transient(e: MlflowError): boolean {
  return (
    e.errorCode === "TEMPORARILY_UNAVAILABLE" ||
    e.errorCode === "DEADLINE_EXCEEDED" ||
    [408, 429, 502, 503, 504].includes(e.httpStatus)
  );
}
