import type { requests } from "@mlflow-ts/protocol";
import type { z } from "zod";
import { purgeRuns } from "../maintenance/purge-runs.js";
import type { HandlerContext } from "../route-types.js";

type In<T extends z.ZodType> = z.output<T>;

export async function createRun(input: In<typeof requests.CreateRun>, ctx: HandlerContext) {
  return { run: await ctx.store.createRun(input) };
}

export async function getRun(input: In<typeof requests.RunIdOnly>, ctx: HandlerContext) {
  return { run: await ctx.store.getRun(input.run_id) };
}

export async function updateRun(input: In<typeof requests.UpdateRun>, ctx: HandlerContext) {
  return { run_info: await ctx.store.updateRun(input) };
}

export async function deleteRun(input: In<typeof requests.RunIdOnly>, ctx: HandlerContext) {
  await ctx.store.deleteRun(input.run_id);
  return {};
}

export async function restoreRun(input: In<typeof requests.RunIdOnly>, ctx: HandlerContext) {
  await ctx.store.restoreRun(input.run_id);
  return {};
}

export async function searchRuns(input: In<typeof requests.SearchRuns>, ctx: HandlerContext) {
  const { runs, next_page_token } = await ctx.store.searchRuns(input);
  return { ...(runs.length ? { runs } : {}), ...(next_page_token ? { next_page_token } : {}) };
}

export async function logMetric(input: In<typeof requests.LogMetric>, ctx: HandlerContext) {
  await ctx.store.logMetric(input.run_id, input);
  return {};
}

export async function logParam(input: In<typeof requests.LogParam>, ctx: HandlerContext) {
  await ctx.store.logParam(input.run_id, input.key, input.value ?? "");
  return {};
}

export async function setTag(input: In<typeof requests.SetTag>, ctx: HandlerContext) {
  await ctx.store.setTag(input.run_id, input.key, input.value ?? "");
  return {};
}

export async function deleteTag(input: In<typeof requests.DeleteTag>, ctx: HandlerContext) {
  await ctx.store.deleteTag(input.run_id, input.key);
  return {};
}

export async function logBatch(input: In<typeof requests.LogBatch>, ctx: HandlerContext) {
  await ctx.store.logBatch(input.run_id, input.metrics ?? [], input.params ?? [], input.tags ?? []);
  return {};
}

export async function logModel(input: In<typeof requests.LogModel>, ctx: HandlerContext) {
  await ctx.store.logModel(input.run_id, input.model_json);
  return {};
}

export async function logInputs(input: In<typeof requests.LogInputs>, ctx: HandlerContext) {
  await ctx.store.logInputs(input.run_id, input.datasets ?? []);
  return {};
}

// ---- mlflow-ts run maintenance ----

export async function moveRuns(input: In<typeof requests.MoveRuns>, ctx: HandlerContext) {
  return { moved_run_count: await ctx.store.moveRuns(input.run_ids ?? [], input.experiment_id) };
}

export async function deleteRunsPermanently(input: In<typeof requests.DeleteRunsPermanently>, ctx: HandlerContext) {
  const runs = await ctx.store.runsForPermanentDelete(input.run_ids ?? []);
  const result = await purgeRuns(ctx.store, ctx.artifacts, runs);
  return { deleted_run_ids: result.deleted_run_ids, artifacts_left: result.artifacts_left };
}
