import type { CreateWebhookRequest, ListWebhookDeliveriesRequest, UpdateWebhookRequest } from "@mlflow-ts/protocol";
import type { Database } from "./sql/database.js";
import type { StoreContext } from "./tracking/context.js";
import * as deliveries from "./webhooks/deliveries.js";
import * as webhooks from "./webhooks/webhooks.js";
import type { WebhookStore } from "./webhook-store.js";

/** Webhooks over the shared `Database` (tables `mlflowts_webhook*`). */
export class SqlWebhookStore implements WebhookStore {
  private readonly ctx: StoreContext;
  private readonly queued: (() => void) | undefined;

  constructor(
    readonly db: Database,
    options: { now?: () => number; onDeliveriesQueued?: () => void } = {},
  ) {
    this.ctx = { db, defaultArtifactRoot: "", now: options.now ?? Date.now };
    this.queued = options.onDeliveriesQueued;
  }

  createWebhook = (req: CreateWebhookRequest) => webhooks.createWebhook(this.ctx, req);
  getWebhook = (id: string) => webhooks.getWebhook(this.ctx, id);
  listWebhooks = (max?: number, token?: string) => webhooks.listWebhooks(this.ctx, max, token);
  updateWebhook = (req: UpdateWebhookRequest) => webhooks.updateWebhook(this.ctx, req);
  deleteWebhook = (id: string) => webhooks.deleteWebhook(this.ctx, id);
  listDeliveries = (req: ListWebhookDeliveriesRequest) => deliveries.listDeliveries(this.ctx, req);
  redeliver = async (id: string) => {
    await deliveries.redeliver(this.ctx, id);
    this.queued?.();
  };

  queueTestDelivery = async (webhookId: string) => {
    await deliveries.queueTestDelivery(this.ctx, webhookId);
    this.queued?.();
  };

  dueDeliveries = (now: number, limit: number, leaseMs?: number) =>
    deliveries.dueDeliveries(this.ctx, now, limit, leaseMs);
  nextDueTime = () => deliveries.nextDueTime(this.ctx);
  recordAttempt = (
    id: number,
    outcome: deliveries.AttemptOutcome,
    policy: Parameters<typeof deliveries.recordAttempt>[3],
  ) => deliveries.recordAttempt(this.ctx, id, outcome, policy);
}
