import type { registryRequests as r } from "@mlflow-ts/protocol";
import type { z } from "zod";
import type { HandlerContext } from "../route-types.js";

/** mlflow-ts's own API: webhooks on registry events, their delivery log, and the registry audit history. */

type In<T extends z.ZodType> = z.output<T>;

export async function createWebhook(input: In<typeof r.CreateWebhook>, ctx: HandlerContext) {
  return { webhook: await ctx.webhooks.createWebhook(input) };
}

export async function getWebhook(input: In<typeof r.WebhookId>, ctx: HandlerContext) {
  return { webhook: await ctx.webhooks.getWebhook(input.id) };
}

export async function listWebhooks(input: In<typeof r.ListWebhooks>, ctx: HandlerContext) {
  const { webhooks, next_page_token } = await ctx.webhooks.listWebhooks(input.max_results, input.page_token);
  return { webhooks, ...(next_page_token ? { next_page_token } : {}) };
}

export async function updateWebhook(input: In<typeof r.UpdateWebhook>, ctx: HandlerContext) {
  return { webhook: await ctx.webhooks.updateWebhook(input) };
}

export async function deleteWebhook(input: In<typeof r.WebhookId>, ctx: HandlerContext) {
  await ctx.webhooks.deleteWebhook(input.id);
  return {};
}

export async function listDeliveries(input: In<typeof r.ListWebhookDeliveries>, ctx: HandlerContext) {
  const { deliveries, next_page_token } = await ctx.webhooks.listDeliveries(input);
  return { deliveries, ...(next_page_token ? { next_page_token } : {}) };
}

export async function redeliver(input: In<typeof r.RedeliverWebhookDelivery>, ctx: HandlerContext) {
  await ctx.webhooks.redeliver(input.delivery_id);
  return {};
}

/** Sends a `webhook.test` event to one webhook (queued like any delivery, so it shows in the log). */
export async function testWebhook(input: In<typeof r.WebhookId>, ctx: HandlerContext) {
  await ctx.webhooks.queueTestDelivery(input.id);
  return {};
}

export async function listRegistryAudit(input: In<typeof r.ListRegistryAudit>, ctx: HandlerContext) {
  const { entries, next_page_token } = await ctx.registry.listAudit(input);
  return { entries, ...(next_page_token ? { next_page_token } : {}) };
}
