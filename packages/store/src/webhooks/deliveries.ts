import {
  type DeliveryStatus,
  type ListWebhookDeliveriesRequest,
  MlflowError,
  type WebhookDelivery,
  type WebhookDeliveryAttempt,
  WEBHOOK_TEST_EVENT,
  type WebhookDeliveryEvent,
} from "@mlflow-ts/protocol";
import { decodePageToken, encodePageToken } from "../search/index.js";
import type { SqlValue } from "../sql/database.js";
import { chunks, placeholders, type StoreContext } from "../tracking/context.js";

/** The delivery log (deliveries and their attempts) and what the delivery worker reads and writes. */

interface DeliveryRow {
  id: number;
  webhook_id: string;
  event_id: number;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_time: number | null;
  last_attempt_time: number | null;
  response_status: number | null;
  error_message: string | null;
  creation_time: number;
  completed_time: number | null;
}

interface AttemptRow {
  delivery_id: number;
  attempt: number;
  timestamp: number;
  response_status: number | null;
  error_message: string | null;
  duration_ms: number;
}

function toDelivery(r: DeliveryRow, log: WebhookDeliveryAttempt[]): WebhookDelivery {
  const d: WebhookDelivery = {
    id: String(r.id),
    webhook_id: r.webhook_id,
    event_id: String(r.event_id),
    event: r.event_type as WebhookDeliveryEvent,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    creation_timestamp: r.creation_time,
  };
  if (r.next_attempt_time !== null && r.status === "PENDING") d.next_attempt_timestamp = r.next_attempt_time;
  if (r.last_attempt_time !== null) d.last_attempt_timestamp = r.last_attempt_time;
  if (r.completed_time !== null) d.completed_timestamp = r.completed_time;
  if (r.response_status !== null) d.response_status = r.response_status;
  if (r.error_message !== null) d.error_message = r.error_message;
  if (log.length) d.attempt_log = log;
  return d;
}

function toAttempt(r: AttemptRow): WebhookDeliveryAttempt {
  const a: WebhookDeliveryAttempt = { attempt: r.attempt, timestamp: r.timestamp, duration_ms: r.duration_ms };
  if (r.response_status !== null) a.response_status = r.response_status;
  if (r.error_message !== null) a.error_message = r.error_message;
  return a;
}

const SELECT_DELIVERY = `SELECT d.*, e.event_type FROM mlflowts_webhook_deliveries d
  JOIN mlflowts_webhook_events e ON e.id = d.event_id`;

/** Deliveries, newest first, each with its attempt log (one query per page for the log). */
export async function listDeliveries(
  ctx: StoreContext,
  req: ListWebhookDeliveriesRequest,
): Promise<{ deliveries: WebhookDelivery[]; next_page_token?: string }> {
  const max = req.max_results ?? 100;
  if (max < 1 || max > 1000) {
    throw MlflowError.invalidParameter(`Invalid value for max_results. It must be between 1 and 1000, but got ${max}`);
  }
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (req.webhook_id !== undefined) {
    where.push("d.webhook_id = ?");
    params.push(req.webhook_id);
  }
  if (req.status !== undefined) {
    where.push("d.status = ?");
    params.push(req.status);
  }
  const offset = decodePageToken(req.page_token);
  const rows = await ctx.db.all<DeliveryRow>(
    `${SELECT_DELIVERY}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY d.id DESC LIMIT ? OFFSET ?`,
    [...params, max + 1, offset],
  );
  const page = rows.slice(0, max);
  const logs = new Map<number, WebhookDeliveryAttempt[]>();
  for (const part of chunks(
    page.map((r) => r.id),
    500,
  )) {
    const attempts = await ctx.db.all<AttemptRow>(
      `SELECT * FROM mlflowts_webhook_delivery_attempts WHERE delivery_id IN ${placeholders(part.length)} ORDER BY id`,
      part,
    );
    for (const a of attempts) {
      const list = logs.get(a.delivery_id) ?? [];
      list.push(toAttempt(a));
      logs.set(a.delivery_id, list);
    }
  }
  const deliveries = page.map((r) => toDelivery(r, logs.get(r.id) ?? []));
  return rows.length > max ? { deliveries, next_page_token: encodePageToken(offset + max) } : { deliveries };
}

function deliveryId(id: string): number {
  if (!/^\d{1,15}$/.test(id)) throw MlflowError.notFound(`Webhook delivery with id=${id} not found`);
  return Number(id);
}

/** Queues a delivery again (typically a FAILED one) with a fresh retry budget. */
export async function redeliver(ctx: StoreContext, id: string): Promise<void> {
  const n = deliveryId(id);
  const res = await ctx.db.run(
    "UPDATE mlflowts_webhook_deliveries SET status = 'PENDING', attempts = 0, next_attempt_time = ?, completed_time = NULL WHERE id = ?",
    [ctx.now(), n],
  );
  if (res.changes === 0) throw MlflowError.notFound(`Webhook delivery with id=${id} not found`);
}

/**
 * Queues one `webhook.test` delivery to a webhook, whatever events it subscribes to, so its
 * receiver (URL, signature check) can be tried. Refused for a disabled webhook: nothing would send it.
 */
export async function queueTestDelivery(ctx: StoreContext, webhookId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const w = await tx.get<{ id: string; name: string; status: string }>(
      "SELECT id, name, status FROM mlflowts_webhooks WHERE id = ?",
      [webhookId],
    );
    if (!w) throw MlflowError.notFound(`Webhook with id=${webhookId} not found`);
    if (w.status !== "ACTIVE")
      throw MlflowError.invalidParameter(`Webhook '${w.name}' is disabled; enable it to send a test event.`);
    const now = ctx.now();
    const data = { webhook_id: w.id, webhook_name: w.name, message: "A test event from mlflow-ts." };
    const event = await tx.run(
      "INSERT INTO mlflowts_webhook_events (event_type, payload, creation_time) VALUES (?, ?, ?)",
      [WEBHOOK_TEST_EVENT, JSON.stringify(data), now],
    );
    if (event.lastInsertId === undefined) throw new Error("database did not report the new event id");
    await tx.run(
      `INSERT INTO mlflowts_webhook_deliveries (webhook_id, event_id, status, attempts, next_attempt_time, creation_time)
       VALUES (?, ?, 'PENDING', 0, ?, ?)`,
      [w.id, event.lastInsertId, now, now],
    );
  });
}

/** A pending delivery ready to send: what the worker needs to build and sign the request. */
export interface DueDelivery {
  id: number;
  attempts: number;
  url: string;
  secret: string | null;
  webhookId: string;
  eventId: number;
  event: WebhookDeliveryEvent;
  eventTime: number;
  data: Record<string, unknown>;
}

/**
 * Pending deliveries of active webhooks whose next attempt is due, oldest first. With `leaseMs`
 * they are claimed first (see `WebhookStore.dueDeliveries`): the due rows are locked
 * (`SqlDialect.forUpdate`) and their next attempt moved past the lease in one transaction.
 */
export async function dueDeliveries(
  ctx: StoreContext,
  now: number,
  limit: number,
  leaseMs?: number,
): Promise<DueDelivery[]> {
  const pending = "d.status = 'PENDING' AND d.next_attempt_time <= ?";
  const due = `${pending} AND EXISTS (SELECT 1 FROM mlflowts_webhooks w WHERE w.id = d.webhook_id AND w.status = 'ACTIVE')`;
  let claimed: number[] | undefined;
  if (leaseMs !== undefined) {
    claimed = await ctx.db.transaction(async (tx) => {
      const ids = (
        await tx.all<{ id: number }>(
          `SELECT d.id FROM mlflowts_webhook_deliveries d WHERE ${due} ORDER BY d.next_attempt_time, d.id LIMIT ?${ctx.db.dialect.forUpdate}`,
          [now, limit],
        )
      ).map((r) => r.id);
      if (ids.length) {
        await tx.run(
          `UPDATE mlflowts_webhook_deliveries SET next_attempt_time = ? WHERE id IN ${placeholders(ids.length)}`,
          [now + leaseMs, ...ids],
        );
      }
      return ids;
    });
    if (claimed.length === 0) return [];
  }
  const rows = await ctx.db.all<{
    id: number;
    attempts: number;
    url: string;
    secret: string | null;
    webhook_id: string;
    event_id: number;
    event_type: string;
    payload: string;
    creation_time: number;
  }>(
    `SELECT d.id, d.attempts, w.url, w.secret, d.webhook_id, d.event_id, e.event_type, e.payload, e.creation_time
       FROM mlflowts_webhook_deliveries d
       JOIN mlflowts_webhooks w ON w.id = d.webhook_id
       JOIN mlflowts_webhook_events e ON e.id = d.event_id
      WHERE ${claimed ? `d.id IN ${placeholders(claimed.length)}` : `${pending} AND w.status = 'ACTIVE'`}
      ORDER BY d.next_attempt_time, d.id LIMIT ?`,
    claimed ? [...claimed, limit] : [now, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    attempts: r.attempts,
    url: r.url,
    secret: r.secret,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    event: r.event_type as WebhookDeliveryEvent,
    eventTime: r.creation_time,
    data: JSON.parse(r.payload) as Record<string, unknown>,
  }));
}

/** When the next pending delivery of an active webhook is due (undefined when none is pending). */
export async function nextDueTime(ctx: StoreContext): Promise<number | undefined> {
  const row = await ctx.db.get<{ t: number | null }>(
    `SELECT MIN(d.next_attempt_time) AS t FROM mlflowts_webhook_deliveries d
       JOIN mlflowts_webhooks w ON w.id = d.webhook_id
      WHERE d.status = 'PENDING' AND w.status = 'ACTIVE'`,
  );
  return row?.t ?? undefined;
}

export interface AttemptOutcome {
  timestamp: number;
  durationMs: number;
  ok: boolean;
  responseStatus?: number | undefined;
  errorMessage?: string | undefined;
}

/**
 * Logs one attempt and moves the delivery on: SUCCEEDED after a 2xx, FAILED once `maxAttempts`
 * attempts failed, else PENDING again after `retryDelayMs(attempts)`. A delivery that is no
 * longer pending (its webhook was deleted, or it was handled meanwhile) is left alone.
 */
export async function recordAttempt(
  ctx: StoreContext,
  id: number,
  outcome: AttemptOutcome,
  policy: { maxAttempts: number; retryDelayMs: (failedAttempts: number) => number },
): Promise<DeliveryStatus | undefined> {
  return ctx.db.transaction(async (tx) => {
    const row = await tx.get<{ attempts: number; status: string }>(
      `SELECT attempts, status FROM mlflowts_webhook_deliveries WHERE id = ?${ctx.db.dialect.forUpdate}`,
      [id],
    );
    if (row?.status !== "PENDING") return undefined;
    const attempts = row.attempts + 1;
    const error = outcome.errorMessage?.slice(0, 1000) ?? null;
    await tx.run(
      `INSERT INTO mlflowts_webhook_delivery_attempts (delivery_id, attempt, timestamp, response_status, error_message, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [id, attempts, outcome.timestamp, outcome.responseStatus ?? null, error, Math.round(outcome.durationMs)],
    );
    const status: DeliveryStatus = outcome.ok ? "SUCCEEDED" : attempts >= policy.maxAttempts ? "FAILED" : "PENDING";
    const end = outcome.timestamp + Math.round(outcome.durationMs);
    await tx.run(
      `UPDATE mlflowts_webhook_deliveries
          SET status = ?, attempts = ?, last_attempt_time = ?, response_status = ?, error_message = ?,
              next_attempt_time = ?, completed_time = ?
        WHERE id = ?`,
      [
        status,
        attempts,
        outcome.timestamp,
        outcome.responseStatus ?? null,
        error,
        status === "PENDING" ? end + policy.retryDelayMs(attempts) : null,
        status === "PENDING" ? null : end,
        id,
      ],
    );
    return status;
  });
}
