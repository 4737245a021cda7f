import { createHmac } from "node:crypto";
import type { WebhookPayload } from "@mlflow-ts/protocol";
import type { DueDelivery, WebhookStore } from "@mlflow-ts/store";

/** Timings of webhook delivery; every field is configurable (tests use milliseconds). */
export interface WebhookDeliveryConfig {
  /** Longest sleep between checks for due deliveries (writes wake the worker at once). */
  pollIntervalMs: number;
  /** Delay after the first failed attempt; doubles after each further failure. */
  initialBackoffMs: number;
  /** Cap of the delay between two attempts. */
  maxBackoffMs: number;
  /** Attempts before a delivery is marked FAILED (it can be redelivered over the API). */
  maxAttempts: number;
  /** Time allowed for one request (connect, response headers and body). */
  timeoutMs: number;
  /** Deliveries sent in parallel. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDeliveryConfig = {
  pollIntervalMs: 5_000,
  initialBackoffMs: 2_000,
  maxBackoffMs: 10 * 60_000,
  maxAttempts: 10,
  timeoutMs: 10_000,
  concurrency: 8,
};

export const SIGNATURE_HEADER = "X-MLflow-Ts-Signature";

/** `sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook's secret>`. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Delay before the next attempt after `failedAttempts` failures: exponential, capped. */
export function retryDelayMs(config: WebhookDeliveryConfig, failedAttempts: number): number {
  return Math.min(config.maxBackoffMs, config.initialBackoffMs * 2 ** Math.max(0, failedAttempts - 1));
}

export function webhookPayload(d: DueDelivery): WebhookPayload {
  const dot = d.event.indexOf(".");
  return {
    id: String(d.eventId),
    event: d.event,
    entity: d.event.slice(0, dot),
    action: d.event.slice(dot + 1),
    timestamp: d.eventTime,
    data: d.data,
  };
}

/**
 * Sends queued webhook deliveries from the outbox tables. Registry writes queue deliveries in
 * their own transaction and wake the worker; it sends what is due, records each attempt, and
 * schedules retries with exponential backoff. Pending deliveries survive restarts (they are rows),
 * so the worker resumes them when the server starts again. Delivery is at least once.
 */
export class WebhookDeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: WebhookStore,
    private readonly config: WebhookDeliveryConfig,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    this.wake();
  }

  /** Checks for due deliveries now (called after a write queued some). */
  wake(): void {
    if (this.stopped) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.pass = this.run().finally(() => {
      this.pass = undefined;
    });
  }

  /** Stops: in-flight requests are aborted (their deliveries stay pending for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.pass;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        // claimed for the request timeout and a margin: another server process on the same
        // database skips them, and they come due again if this process dies mid-send
        const due = await this.store.dueDeliveries(Date.now(), this.config.concurrency, this.config.timeoutMs + 5_000);
        // Wait for every send (even when one fails to record) so no pass overlaps a send in flight.
        for (const r of await Promise.allSettled(due.map((d) => this.send(d)))) {
          if (r.status === "rejected" && !this.stopped) this.log(`webhook delivery: ${(r.reason as Error).message}`);
        }
        if (due.length === this.config.concurrency) this.again = true;
      } while (this.again && !this.stopped);
      if (this.stopped) return;
      const next = await this.store.nextDueTime();
      const delay = next === undefined ? this.config.pollIntervalMs : next - Date.now();
      this.schedule(Math.max(0, Math.min(delay, this.config.pollIntervalMs)));
    } catch (e) {
      if (this.stopped) return;
      this.log(`webhook delivery: ${(e as Error).message}`);
      this.schedule(this.config.pollIntervalMs);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), delayMs);
    this.timer.unref();
  }

  private async send(d: DueDelivery): Promise<void> {
    const body = JSON.stringify(webhookPayload(d));
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "mlflow-ts-webhooks/0.1",
      "X-MLflow-Ts-Event": d.event,
      "X-MLflow-Ts-Event-Id": String(d.eventId),
      "X-MLflow-Ts-Delivery-Id": String(d.id),
      "X-MLflow-Ts-Webhook-Id": d.webhookId,
    };
    if (d.secret) headers[SIGNATURE_HEADER] = signWebhookBody(d.secret, body);
    const timestamp = Date.now();
    const started = performance.now();
    let ok = false;
    let responseStatus: number | undefined;
    let errorMessage: string | undefined;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), this.abort.signal]),
      });
      responseStatus = res.status;
      const text = await res.text();
      ok = res.status >= 200 && res.status < 300;
      if (!ok) errorMessage = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
    } catch (e) {
      if (this.stopped) return;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      errorMessage = cause?.code ?? cause?.message ?? (e as Error).message;
      if ((e as Error).name === "TimeoutError") errorMessage = `timed out after ${this.config.timeoutMs} ms`;
    }
    await this.store.recordAttempt(
      d.id,
      { timestamp, durationMs: performance.now() - started, ok, responseStatus, errorMessage },
      { maxAttempts: this.config.maxAttempts, retryDelayMs: (n) => retryDelayMs(this.config, n) },
    );
  }
}
