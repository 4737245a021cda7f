import type {
  CreateWebhookRequest,
  DeliveryStatus,
  ListWebhookDeliveriesRequest,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
} from "@mlflow-ts/protocol";
import type { AttemptOutcome, DueDelivery } from "./webhooks/deliveries.js";

/** Webhook definitions, the delivery log, and the queue the server's delivery worker drains. */
export interface WebhookStore {
  createWebhook(req: CreateWebhookRequest): Promise<Webhook>;
  getWebhook(id: string): Promise<Webhook>;
  listWebhooks(maxResults?: number, pageToken?: string): Promise<{ webhooks: Webhook[]; next_page_token?: string }>;
  updateWebhook(req: UpdateWebhookRequest): Promise<Webhook>;
  deleteWebhook(id: string): Promise<void>;
  listDeliveries(
    req: ListWebhookDeliveriesRequest,
  ): Promise<{ deliveries: WebhookDelivery[]; next_page_token?: string }>;
  redeliver(deliveryId: string): Promise<void>;
  /** Queues a `webhook.test` delivery to one (active) webhook. */
  queueTestDelivery(webhookId: string): Promise<void>;

  /**
   * Pending deliveries whose next attempt is due. With `leaseMs`, they are claimed: their next
   * attempt moves `leaseMs` ahead in the same transaction (rows locked while claiming), so another
   * server process on the same database does not send them too; recording the attempt (or the
   * lease running out, after a crash) makes them due again.
   */
  dueDeliveries(now: number, limit: number, leaseMs?: number): Promise<DueDelivery[]>;
  nextDueTime(): Promise<number | undefined>;
  recordAttempt(
    id: number,
    outcome: AttemptOutcome,
    policy: { maxAttempts: number; retryDelayMs: (failedAttempts: number) => number },
  ): Promise<DeliveryStatus | undefined>;
}
