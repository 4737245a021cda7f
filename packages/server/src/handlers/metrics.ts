import type { requests } from "@mlflow-ts/protocol";
import type { z } from "zod";
import { jsonStream } from "../http/json-stream.js";
import type { HandlerContext } from "../route-types.js";
import { jsonPagesEnvelope } from "./metric-json.js";

type In<T extends z.ZodType> = z.output<T>;

async function* once<T>(value: T): AsyncGenerator<T> {
  yield value;
}

export async function getMetricHistory(input: In<typeof requests.GetMetricHistory>, ctx: HandlerContext) {
  if (input.max_results === undefined && !input.page_token) {
    return jsonStream(jsonPagesEnvelope(ctx.store.metricHistoryJsonPages(input.run_id, input.metric_key)));
  }
  const { metrics, next_page_token } = await ctx.store.getMetricHistoryPage(
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
  return jsonStream(jsonPagesEnvelope(await ctx.store.getMetricHistoryBulkIntervalJson(input)));
}

export async function getMetricHistoryBulk(input: In<typeof requests.GetMetricHistoryBulk>, ctx: HandlerContext) {
  const json = await ctx.store.getMetricHistoryBulkJson(input.run_id ?? [], input.metric_key, input.max_results);
  return jsonStream(jsonPagesEnvelope(once(json)));
}
