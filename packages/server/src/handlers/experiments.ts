import type { requests } from "@mlflow-ts/protocol";
import type { z } from "zod";
import type { HandlerContext } from "../route-types.js";

type In<T extends z.ZodType> = z.output<T>;

/** mlflow-ts: the distinct metric, param and tag keys of an experiment's runs. */
export async function experimentKeys(input: In<typeof requests.ExperimentKeys>, ctx: HandlerContext) {
  await ctx.store.getExperiment(input.experiment_id); // 404 for an unknown experiment
  return ctx.store.experimentKeys(input.experiment_id, {
    viewType: input.run_view_type,
    contains: input.contains,
    maxResults: input.max_results,
  });
}

export async function createExperiment(input: In<typeof requests.CreateExperiment>, ctx: HandlerContext) {
  return { experiment_id: await ctx.store.createExperiment(input) };
}

export async function getExperiment(input: In<typeof requests.GetExperiment>, ctx: HandlerContext) {
  return { experiment: await ctx.store.getExperiment(input.experiment_id) };
}

export async function getExperimentByName(input: In<typeof requests.GetExperimentByName>, ctx: HandlerContext) {
  return { experiment: await ctx.store.getExperimentByName(input.experiment_name) };
}

export async function searchExperiments(input: In<typeof requests.SearchExperiments>, ctx: HandlerContext) {
  const { experiments, next_page_token } = await ctx.store.searchExperiments(input);
  return {
    ...(experiments.length ? { experiments } : {}),
    ...(next_page_token ? { next_page_token } : {}),
  };
}

export async function deleteExperiment(input: In<typeof requests.ExperimentId>, ctx: HandlerContext) {
  await ctx.store.deleteExperiment(input.experiment_id);
  return {};
}

export async function restoreExperiment(input: In<typeof requests.ExperimentId>, ctx: HandlerContext) {
  await ctx.store.restoreExperiment(input.experiment_id);
  return {};
}

export async function updateExperiment(input: In<typeof requests.UpdateExperiment>, ctx: HandlerContext) {
  await ctx.store.renameExperiment(input.experiment_id, input.new_name);
  return {};
}

export async function setExperimentTag(input: In<typeof requests.SetExperimentTag>, ctx: HandlerContext) {
  await ctx.store.setExperimentTag(input.experiment_id, input.key, input.value ?? "");
  return {};
}

export async function deleteExperimentTag(input: In<typeof requests.DeleteExperimentTag>, ctx: HandlerContext) {
  await ctx.store.deleteExperimentTag(input.experiment_id, input.key);
  return {};
}

export async function searchDatasets(input: In<typeof requests.SearchDatasets>, ctx: HandlerContext) {
  const dataset_summaries = await ctx.store.searchDatasets(input.experiment_ids ?? []);
  return dataset_summaries.length ? { dataset_summaries } : {};
}
