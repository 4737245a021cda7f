/**
 * The module-level fluent API (`import * as mlflow from "@mlflow-ts/client"`), like Python's
 * `mlflow.*` functions: one shared {@link Mlflow} instance.
 */
import type { ImageInput } from "../client/mlflow-client.js";
import type { TableInput } from "../artifacts/table.js";
import type { Dataset, Experiment, FileInfo, ModelVersion, Run, RunStatus, StringMap } from "../types.js";
import { type LogOptions, type MetricOptions, Mlflow, type MlflowOptions, type StartRunOptions } from "./mlflow.js";

let instance: Mlflow | undefined;

/** The shared instance behind the module-level functions. */
export function getDefaultMlflow(): Mlflow {
  instance ??= new Mlflow();
  return instance;
}

/** Replaces the shared instance with one built from these options (ends nothing: flush first). */
export function configure(options: MlflowOptions): Mlflow {
  instance = new Mlflow(options);
  return instance;
}

export const setTrackingUri = (uri: string): void => getDefaultMlflow().setTrackingUri(uri);
export const getTrackingUri = (): string => getDefaultMlflow().getTrackingUri();
export const setExperiment = (
  experiment: string | { experimentName?: string; experimentId?: string },
): Promise<Experiment> => getDefaultMlflow().setExperiment(experiment);
export const startRun = (options?: StartRunOptions): Promise<Run> => getDefaultMlflow().startRun(options);
export const endRun = (status?: RunStatus): Promise<void> => getDefaultMlflow().endRun(status);
export const activeRun = (): Run | undefined => getDefaultMlflow().activeRun();
export const withRun = <T>(options: StartRunOptions, fn: (run: Run) => Promise<T> | T): Promise<T> =>
  getDefaultMlflow().withRun(options, fn);
export const logMetric = (key: string, value: number, options?: MetricOptions): Promise<void> =>
  getDefaultMlflow().logMetric(key, value, options);
export const logMetrics = (metrics: Record<string, number>, options?: MetricOptions): Promise<void> =>
  getDefaultMlflow().logMetrics(metrics, options);
export const logParam = (key: string, value: unknown, options?: LogOptions): Promise<void> =>
  getDefaultMlflow().logParam(key, value, options);
export const logParams = (params: Record<string, unknown>, options?: LogOptions): Promise<void> =>
  getDefaultMlflow().logParams(params, options);
export const setTag = (key: string, value: unknown, options?: LogOptions): Promise<void> =>
  getDefaultMlflow().setTag(key, value, options);
export const setTags = (tags: Record<string, unknown>, options?: LogOptions): Promise<void> =>
  getDefaultMlflow().setTags(tags, options);
export const deleteTag = (key: string, options?: { runId?: string }): Promise<void> =>
  getDefaultMlflow().deleteTag(key, options);
export const logInput = (
  dataset: Dataset,
  options?: { context?: string; tags?: StringMap; runId?: string },
): Promise<void> => getDefaultMlflow().logInput(dataset, options);
export const logArtifact = (file: string | File, artifactPath?: string): Promise<void> =>
  getDefaultMlflow().logArtifact(file, artifactPath);
export const logArtifacts = (localDir: string, artifactPath?: string): Promise<void> =>
  getDefaultMlflow().logArtifacts(localDir, artifactPath);
export const logText = (text: string, artifactFile: string): Promise<void> =>
  getDefaultMlflow().logText(text, artifactFile);
export const logDict = (dictionary: unknown, artifactFile: string): Promise<void> =>
  getDefaultMlflow().logDict(dictionary, artifactFile);
export const logImage = (
  image: ImageInput,
  target: string | { key: string; step?: number; timestamp?: number },
): Promise<void> => getDefaultMlflow().logImage(image, target);
export const logTable = (data: TableInput, artifactFile: string): Promise<void> =>
  getDefaultMlflow().logTable(data, artifactFile);
export const listArtifacts = (path?: string, runId?: string): Promise<FileInfo[]> =>
  getDefaultMlflow().listArtifacts(path, runId);
export const downloadArtifacts = (options?: {
  artifactUri?: string;
  runId?: string;
  artifactPath?: string;
  dstPath?: string;
}): Promise<string> => getDefaultMlflow().downloadArtifacts(options);
export const registerModel = (modelUri: string, name: string, options?: { tags?: StringMap }): Promise<ModelVersion> =>
  getDefaultMlflow().client.registerModel(modelUri, name, options);
export const flush = (): Promise<void> => getDefaultMlflow().flush();
export const enableSystemMetricsLogging = (): void => getDefaultMlflow().enableSystemMetricsLogging();
export const disableSystemMetricsLogging = (): void => getDefaultMlflow().disableSystemMetricsLogging();
