import { randomUUID } from "node:crypto";
import {
  type CreateWebhookRequest,
  MlflowError,
  type UpdateWebhookRequest,
  type Webhook,
  type WebhookEvent,
  type WebhookStatus,
} from "@mlflow-ts/protocol";
import { decodePageToken, encodePageToken } from "../search/index.js";
import type { SqlExecutor, SqlValue } from "../sql/database.js";
import type { StoreContext } from "../tracking/context.js";

/** Webhook definitions (table `mlflowts_webhooks`). The secret is stored, never returned. */

interface WebhookRow {
  id: string;
  name: string;
  description: string | null;
  url: string;
  events: string;
  secret: string | null;
  status: string;
  creation_time: number;
  last_updated_time: number;
}

function toWebhook(r: WebhookRow): Webhook {
  const w: Webhook = {
    id: r.id,
    name: r.name,
    url: r.url,
    events: JSON.parse(r.events) as WebhookEvent[],
    status: r.status as WebhookStatus,
    has_secret: !!r.secret,
    creation_timestamp: r.creation_time,
    last_updated_timestamp: r.last_updated_time,
  };
  if (r.description !== null) w.description = r.description;
  return w;
}

function validateUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw MlflowError.invalidParameter(`Invalid webhook URL '${url}': expected an http:// or https:// URL.`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw MlflowError.invalidParameter(`Invalid webhook URL '${url}': expected an http:// or https:// URL.`);
  }
}

async function webhookRow(db: SqlExecutor, id: string): Promise<WebhookRow> {
  const row = await db.get<WebhookRow>("SELECT * FROM mlflowts_webhooks WHERE id = ?", [id]);
  if (!row) throw MlflowError.notFound(`Webhook with id=${id} not found`);
  return row;
}

export async function createWebhook(ctx: StoreContext, req: CreateWebhookRequest): Promise<Webhook> {
  validateUrl(req.url);
  const id = randomUUID();
  const now = ctx.now();
  await ctx.db.run(
    `INSERT INTO mlflowts_webhooks (id, name, description, url, events, secret, status, creation_time, last_updated_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      req.name,
      req.description ?? null,
      req.url,
      JSON.stringify([...new Set(req.events)]),
      req.secret || null,
      req.status ?? "ACTIVE",
      now,
      now,
    ],
  );
  return getWebhook(ctx, id);
}

export async function getWebhook(ctx: StoreContext, id: string): Promise<Webhook> {
  return toWebhook(await webhookRow(ctx.db, id));
}

export async function listWebhooks(
  ctx: StoreContext,
  maxResults: number | undefined,
  pageToken: string | undefined,
): Promise<{ webhooks: Webhook[]; next_page_token?: string }> {
  const max = maxResults ?? 100;
  if (max < 1 || max > 1000) {
    throw MlflowError.invalidParameter(`Invalid value for max_results. It must be between 1 and 1000, but got ${max}`);
  }
  const offset = decodePageToken(pageToken);
  const rows = await ctx.db.all<WebhookRow>(
    "SELECT * FROM mlflowts_webhooks ORDER BY creation_time DESC, id LIMIT ? OFFSET ?",
    [max + 1, offset],
  );
  const webhooks = rows.slice(0, max).map(toWebhook);
  return rows.length > max ? { webhooks, next_page_token: encodePageToken(offset + max) } : { webhooks };
}

/** Changes the given fields; an empty `secret` removes the signature. */
export async function updateWebhook(ctx: StoreContext, req: UpdateWebhookRequest): Promise<Webhook> {
  if (req.url !== undefined) validateUrl(req.url);
  const sets: string[] = [];
  const params: SqlValue[] = [];
  const set = (column: string, value: SqlValue) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (req.name !== undefined) set("name", req.name);
  if (req.url !== undefined) set("url", req.url);
  if (req.events !== undefined) set("events", JSON.stringify([...new Set(req.events)]));
  if (req.description !== undefined) set("description", req.description);
  if (req.secret !== undefined) set("secret", req.secret || null);
  if (req.status !== undefined) set("status", req.status);
  set("last_updated_time", ctx.now());
  await ctx.db.transaction(async (tx) => {
    await webhookRow(tx, req.id);
    await tx.run(`UPDATE mlflowts_webhooks SET ${sets.join(", ")} WHERE id = ?`, [...params, req.id]);
  });
  return getWebhook(ctx, req.id);
}

/** Deletes the webhook with its deliveries and their attempt log. */
export async function deleteWebhook(ctx: StoreContext, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await webhookRow(tx, id);
    await tx.run(
      "DELETE FROM mlflowts_webhook_delivery_attempts WHERE delivery_id IN (SELECT id FROM mlflowts_webhook_deliveries WHERE webhook_id = ?)",
      [id],
    );
    await tx.run("DELETE FROM mlflowts_webhook_deliveries WHERE webhook_id = ?", [id]);
    await tx.run(
      "DELETE FROM mlflowts_webhook_events WHERE NOT EXISTS (SELECT 1 FROM mlflowts_webhook_deliveries d WHERE d.event_id = mlflowts_webhook_events.id)",
    );
    await tx.run("DELETE FROM mlflowts_webhooks WHERE id = ?", [id]);
  });
}
