import type { requests } from "@mlflow-ts/protocol";
import type { z } from "zod";
import type { HandlerContext } from "../route-types.js";

type In<T extends z.ZodType> = z.output<T>;

export async function getMetricHistory(input: In<typeof requests.GetMetricHistory>, ctx: HandlerContext) {
  const { metrics, next_page_token } = await ctx.store.getMetricHistory(
    input.run_id,
    input.metric_key,
    input.max_results,
    input.page_token,
  );
  return { ...(metrics.length ? { metrics } : {}), ...(next_page_token ? { next_page_token } : {}) };
}

export async function getMetricHistoryBulkInterval(
  input: In<typeof requests.GetMetricHistoryBulkInterval>,
  ctx: HandlerContext,
) {
  const metrics = await ctx.store.getMetricHistoryBulkInterval(input);
  return metrics.length ? { metrics } : {};
}

export async function getMetricHistoryBulk(input: In<typeof requests.GetMetricHistoryBulk>, ctx: HandlerContext) {
  const metrics = await ctx.store.getMetricHistoryBulk(input.run_id ?? [], input.metric_key, input.max_results);
  return metrics.length ? { metrics } : {};
}
