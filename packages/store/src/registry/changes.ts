import type { AuditAction, WebhookEvent } from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import type { RegistryContext } from "./context.js";

/**
 * What a registry write records besides its own rows, in the same transaction: audit entries
 * (alias and stage changes) and webhook events (the outbox). An event is stored once and one
 * PENDING delivery row is queued per active webhook subscribed to it, so a receiver or server
 * that is down loses nothing: the delivery worker sends whatever is pending, after restarts too.
 */
export class RegistryChanges {
  private subscribers: { id: string; events: Set<string> }[] | undefined;
  /** Deliveries queued by this transaction. */
  queued = 0;

  constructor(
    private readonly tx: SqlExecutor,
    readonly now: number,
    private readonly actor: string | undefined,
  ) {}

  async audit(entry: {
    action: AuditAction;
    name: string;
    version?: number | undefined;
    alias?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
  }): Promise<void> {
    await this.tx.run(
      `INSERT INTO mlflowts_registry_audit (timestamp, user_id, action, name, version, alias, from_value, to_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.now,
        this.actor ?? null,
        entry.action,
        entry.name,
        entry.version ?? null,
        entry.alias ?? null,
        entry.from ?? null,
        entry.to ?? null,
      ],
    );
  }

  async emit(event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    this.subscribers ??= (
      await this.tx.all<{ id: string; events: string }>(
        "SELECT id, events FROM mlflowts_webhooks WHERE status = 'ACTIVE'",
      )
    ).map((w) => ({ id: w.id, events: new Set(JSON.parse(w.events) as string[]) }));
    const targets = this.subscribers.filter((w) => w.events.has(event));
    if (targets.length === 0) return;
    const res = await this.tx.run(
      "INSERT INTO mlflowts_webhook_events (event_type, payload, creation_time) VALUES (?, ?, ?)",
      [event, JSON.stringify(data), this.now],
    );
    const eventId = res.lastInsertId;
    if (eventId === undefined) throw new Error("database did not report the new event id");
    await this.tx.insertMany(
      "mlflowts_webhook_deliveries",
      ["webhook_id", "event_id", "status", "attempts", "next_attempt_time", "creation_time"],
      targets.map((w) => [w.id, eventId, "PENDING", 0, this.now, this.now]),
    );
    this.queued += targets.length;
  }
}

/** One registry write transaction with its audit and outbox; wakes the delivery worker after commit. */
export async function registryWrite<T>(
  ctx: RegistryContext,
  actor: string | undefined,
  fn: (tx: SqlExecutor, changes: RegistryChanges) => Promise<T>,
): Promise<T> {
  let changes: RegistryChanges | undefined;
  const result = await ctx.db.transaction(async (tx) => {
    changes = new RegistryChanges(tx, ctx.now(), actor);
    return fn(tx, changes);
  });
  if (changes && changes.queued > 0) ctx.onDeliveriesQueued?.();
  return result;
}
