import { type ImageInput, MlflowClient, type MlflowClientOptions } from "../client/mlflow-client.js";
import type { TableInput } from "../artifacts/table.js";
import { configFromEnv, type EnvConfig } from "../config.js";
import { MlflowError } from "../errors.js";
import { getPlatform, type ShutdownTarget } from "../platform.js";
import type { Dataset, Experiment, FileInfo, Run, RunStatus, StringMap } from "../types.js";
import { LogQueue, type LogQueueOptions, type QueuedItem } from "./log-queue.js";
import { SystemMetricsMonitor, type SystemMetricsOptions } from "./system-metrics.js";

const LIMITS = { param: 6000, tag: 8000 };
const RESOLVED: Promise<void> = Promise.resolve();

export interface MlflowOptions extends MlflowClientOptions {
  /** Use this client instead of building one from the options. */
  client?: MlflowClient;
  /** Queue values and send them in batches (default true; MLFLOW_ENABLE_ASYNC_LOGGING=false turns it off). */
  asyncLogging?: boolean;
  queue?: LogQueueOptions;
  /** Flush and end runs when the process exits (Node; default true). */
  flushOnExit?: boolean;
  /** System metrics defaults for runs started with `logSystemMetrics` (or when enabled). */
  systemMetrics?: SystemMetricsOptions;
}

export interface StartRunOptions {
  /** Resume this run instead of creating one (MLFLOW_RUN_ID does the same). */
  runId?: string;
  experimentId?: string;
  runName?: string;
  /** Start a child of the active run (tag `mlflow.parentRunId`). */
  nested?: boolean;
  parentRunId?: string;
  tags?: StringMap;
  /** The run's description (`mlflow.note.content`). */
  description?: string;
  /** Log system metrics while the run is active (MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING). */
  logSystemMetrics?: boolean;
}

export interface LogOptions {
  /** Log to this run instead of the active one. */
  runId?: string;
  /** Wait until the server has the value (and reject on errors) instead of queueing. */
  synchronous?: boolean;
}

export interface MetricOptions extends LogOptions {
  step?: number;
  /** Milliseconds since the epoch; default: when the call is made. */
  timestamp?: number;
}

interface ActiveRunState {
  run: Run;
  monitor?: SystemMetricsMonitor;
}

/**
 * MLflow's fluent API: an active experiment and a stack of active runs, and logging calls that
 * queue values and return at once (see {@link LogQueue}). The module-level functions of this
 * package (`startRun`, `logMetric`, ...) use one shared instance; create your own for separate
 * state.
 */
export class Mlflow implements ShutdownTarget {
  private clientInstance: MlflowClient | undefined;
  private queueInstance: LogQueue | undefined;
  private readonly runs: ActiveRunState[] = [];
  private activeExperimentId: string | undefined;
  private autoStart: Promise<Run> | undefined;
  private shutdownInstalled = false;
  private systemMetricsEnabled: boolean | undefined;
  private readonly extraFlushes = new Set<() => Promise<void>>();

  constructor(private options: MlflowOptions = {}) {
    if (options.client) this.clientInstance = options.client;
  }

  private envConfig: EnvConfig | undefined;
  private asyncDefault: boolean | undefined;

  /** MLflow's environment variables, read once per instance. */
  private get env(): EnvConfig {
    this.envConfig ??= configFromEnv(getPlatform().env());
    return this.envConfig;
  }

  /** The client the fluent calls go through. */
  get client(): MlflowClient {
    this.clientInstance ??= new MlflowClient(this.options);
    return this.clientInstance;
  }

  private get queue(): LogQueue {
    this.queueInstance ??= new LogQueue(this.client, this.options.queue);
    return this.queueInstance;
  }

  /** Points the fluent API at another tracking server (queued values go to the old one first). */
  setTrackingUri(uri: string): void {
    const old = this.queueInstance;
    if (old && old.size > 0) void old.flush().catch(() => {});
    this.options = { ...this.options, trackingUri: uri };
    delete this.options.client;
    this.envConfig = undefined;
    this.clientInstance = undefined;
    this.queueInstance = undefined;
  }

  getTrackingUri(): string {
    return this.client.trackingUri;
  }

  // ---- experiments ----

  /** Makes an experiment active, creating it (by name) when it does not exist. */
  async setExperiment(experiment: string | { experimentName?: string; experimentId?: string }): Promise<Experiment> {
    const spec = typeof experiment === "string" ? { experimentName: experiment } : experiment;
    let exp: Experiment | undefined;
    if (spec.experimentId !== undefined) {
      exp = await this.client.getExperiment(spec.experimentId);
    } else if (spec.experimentName !== undefined) {
      exp = await this.client.getExperimentByName(spec.experimentName);
      if (!exp) exp = await this.client.getExperiment(await this.client.createExperiment(spec.experimentName));
    } else {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        "Must specify exactly one of: `experimentId` or `experimentName`.",
      );
    }
    if (exp.lifecycle_stage === "deleted") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Cannot set a deleted experiment '${exp.name}' as the active experiment. You can restore the experiment, or permanently delete the experiment to create a new one.`,
      );
    }
    this.activeExperimentId = exp.experiment_id;
    return exp;
  }

  /** The experiment new runs go to: the active one, else MLFLOW_EXPERIMENT_NAME/_ID, else "0". */
  async experimentId(): Promise<string> {
    if (this.activeExperimentId !== undefined) return this.activeExperimentId;
    const env = this.env;
    if (env.experimentName !== undefined) {
      const exp = await this.client.getExperimentByName(env.experimentName);
      if (exp && env.experimentId !== undefined && env.experimentId !== exp.experiment_id) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `The provided MLFLOW_EXPERIMENT_ID environment variable value '${env.experimentId}' does not match the experiment id '${exp.experiment_id}' for experiment name '${env.experimentName}'`,
        );
      }
      return exp ? exp.experiment_id : this.client.createExperiment(env.experimentName);
    }
    if (env.experimentId !== undefined) {
      try {
        return (await this.client.getExperiment(env.experimentId)).experiment_id;
      } catch (e) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `The provided MLFLOW_EXPERIMENT_ID environment variable value '${env.experimentId}' does not exist in the tracking server.`,
          { cause: e },
        );
      }
    }
    return "0";
  }

  // ---- runs ----

  /** The innermost active run, if any. */
  activeRun(): Run | undefined {
    return this.runs.at(-1)?.run;
  }

  /**
   * Starts a run (or resumes `runId` / MLFLOW_RUN_ID) and makes it active. With a run already
   * active, pass `nested: true` for a child run.
   */
  async startRun(options: StartRunOptions = {}): Promise<Run> {
    const active = this.activeRun();
    if (active && !options.nested) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Run with UUID ${active.info.run_id} is already active. To start a new run, first end the current run with endRun(). To start a nested run, call startRun with nested: true`,
      );
    }
    if (options.parentRunId && active && options.parentRunId !== active.info.run_id) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Current run with UUID ${active.info.run_id} does not match the specified parent_run_id ${options.parentRunId}. To start a new nested run under the parent run with UUID ${active.info.run_id}, first end the current run with endRun().`,
      );
    }
    this.installShutdown();
    const existing = options.runId ?? (this.runs.length === 0 ? this.env.runId : undefined);
    let run: Run;
    if (existing !== undefined) {
      run = await this.client.getRun(existing);
      if (run.info.lifecycle_stage === "deleted") {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Cannot start run with ID ${existing} because it is in the deleted state.`,
        );
      }
      const tags = { ...options.tags };
      if (options.description !== undefined) tags["mlflow.note.content"] = options.description;
      if (Object.keys(tags).length > 0) await this.client.logBatch(existing, { tags });
      if (run.info.status !== "RUNNING" || run.info.end_time !== undefined) {
        await this.client.updateRun(existing, { status: "RUNNING" });
      }
      run = await this.client.getRun(existing);
    } else {
      const parent = options.parentRunId ?? (options.nested ? active?.info.run_id : undefined);
      const tags: StringMap = { ...(await getPlatform().systemTags()) };
      if (parent) tags["mlflow.parentRunId"] = parent;
      if (options.description !== undefined) tags["mlflow.note.content"] = options.description;
      Object.assign(tags, options.tags);
      run = await this.client.createRun(options.experimentId ?? (await this.experimentId()), {
        ...(options.runName !== undefined ? { runName: options.runName } : {}),
        tags,
        ...(tags["mlflow.user"] ? { userId: tags["mlflow.user"] } : {}),
      });
    }
    const state: ActiveRunState = { run };
    const wantMetrics = options.logSystemMetrics ?? this.systemMetricsEnabled ?? this.env.systemMetrics ?? false;
    const sampler = wantMetrics ? getPlatform().systemMetricsSampler?.() : undefined;
    if (sampler) {
      const env = this.env;
      const runId = run.info.run_id;
      state.monitor = new SystemMetricsMonitor(sampler, (m, step) => void this.logMetrics(m, { step, runId }), {
        ...(env.systemMetricsSamplingIntervalMs !== undefined
          ? { samplingIntervalMs: env.systemMetricsSamplingIntervalMs }
          : {}),
        ...(env.systemMetricsSamplesBeforeLogging !== undefined
          ? { samplesBeforeLogging: env.systemMetricsSamplesBeforeLogging }
          : {}),
        ...(env.systemMetricsNodeId !== undefined ? { nodeId: env.systemMetricsNodeId } : {}),
        ...this.options.systemMetrics,
      });
      state.monitor.start();
    }
    this.runs.push(state);
    return run;
  }

  /** Ends the active run: sends what is queued, then sets its status (default FINISHED). */
  async endRun(status: RunStatus = "FINISHED"): Promise<void> {
    const state = this.runs.pop();
    if (!state) return;
    await state.monitor?.stop();
    try {
      await this.flush();
    } finally {
      await this.client.setTerminated(state.run.info.run_id, status);
    }
  }

  /**
   * Runs `fn` inside a new active run and ends it: FINISHED when `fn` resolves, FAILED when it
   * throws (the error is rethrown), like MLflow's `with mlflow.start_run():`.
   */
  async withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T> | T): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (e) {
      await this.endRunIfActive(run.info.run_id, "FAILED");
      throw e;
    }
    await this.endRunIfActive(run.info.run_id, "FINISHED");
    return result;
  }

  private async endRunIfActive(runId: string, status: RunStatus): Promise<void> {
    while (this.runs.some((s) => s.run.info.run_id === runId)) await this.endRun(status);
  }

  /** Turns system metrics on for runs started from now on (MLflow's `enable_system_metrics_logging`). */
  enableSystemMetricsLogging(): void {
    this.systemMetricsEnabled = true;
  }

  disableSystemMetricsLogging(): void {
    this.systemMetricsEnabled = false;
  }

  // ---- logging ----

  /** The run logging goes to: `runId`, else the active run, else a new one (as MLflow starts one). */
  async resolveRunId(runId: string | undefined): Promise<string> {
    if (runId !== undefined) return runId;
    const active = this.activeRun();
    if (active) return active.info.run_id;
    this.autoStart ??= this.startRun().finally(() => {
      this.autoStart = undefined;
    });
    return (await this.autoStart).info.run_id;
  }

  private log(items: Omit<QueuedItem, "runId">[], options: LogOptions): Promise<void> {
    const runId = options.runId ?? this.activeRun()?.info.run_id;
    if (runId === undefined)
      return this.resolveRunId(undefined).then((id) => this.log(items, { ...options, runId: id }));
    this.asyncDefault ??= this.options.asyncLogging ?? this.env.asyncLogging ?? true;
    const sync = options.synchronous ?? !this.asyncDefault;
    if (!sync) {
      this.installShutdown();
      const queue = this.queue;
      for (const item of items) queue.enqueue({ ...item, runId });
      return RESOLVED;
    }
    return this.queue.flush().then(() => {
      const metrics = items.filter((i) => i.kind === "metric");
      return this.client.logBatch(runId, {
        metrics: metrics.map((m) => ({
          key: m.key,
          value: m.value as number,
          ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
          ...(m.step !== undefined ? { step: m.step } : {}),
        })),
        params: items.filter((i) => i.kind === "param").map((p) => ({ key: p.key, value: String(p.value) })),
        tags: items.filter((i) => i.kind === "tag").map((t) => ({ key: t.key, value: String(t.value) })),
      });
    });
  }

  /**
   * Logs a metric point. Returns at once (queued) unless `synchronous`; `await` it either way —
   * in queued mode the promise is already resolved and errors surface from {@link flush}.
   */
  logMetric(key: string, value: number, options: MetricOptions = {}): Promise<void> {
    // The training-loop path: straight into the queue.
    const runId = options.runId ?? this.runs.at(-1)?.run.info.run_id;
    if (runId !== undefined && options.synchronous === undefined && this.asyncDefault && this.queueInstance) {
      this.queueInstance.enqueue({
        runId,
        kind: "metric",
        key,
        value,
        timestamp: options.timestamp ?? Date.now(),
        step: options.step ?? 0,
      });
      return RESOLVED;
    }
    return this.log(
      [{ kind: "metric", key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 }],
      options,
    );
  }

  logMetrics(metrics: Record<string, number>, options: MetricOptions = {}): Promise<void> {
    const timestamp = options.timestamp ?? Date.now();
    const step = options.step ?? 0;
    return this.log(
      Object.entries(metrics).map(([key, value]) => ({ kind: "metric" as const, key, value, timestamp, step })),
      options,
    );
  }

  /** Logs a param (stringified; values over 6000 characters are truncated, as MLflow does). */
  logParam(key: string, value: unknown, options: LogOptions = {}): Promise<void> {
    return this.logParams({ [key]: value }, options);
  }

  logParams(params: Record<string, unknown>, options: LogOptions = {}): Promise<void> {
    return this.log(
      Object.entries(params).map(([key, value]) => ({
        kind: "param" as const,
        key,
        value: truncate(stringify(value), LIMITS.param),
      })),
      options,
    );
  }

  setTag(key: string, value: unknown, options: LogOptions = {}): Promise<void> {
    return this.setTags({ [key]: value }, options);
  }

  setTags(tags: Record<string, unknown>, options: LogOptions = {}): Promise<void> {
    return this.log(
      Object.entries(tags).map(([key, value]) => ({
        kind: "tag" as const,
        key,
        value: truncate(stringify(value), LIMITS.tag),
      })),
      options,
    );
  }

  async deleteTag(key: string, options: { runId?: string } = {}): Promise<void> {
    const runId = await this.resolveRunId(options.runId);
    await this.flush();
    await this.client.deleteTag(runId, key);
  }

  /** Records a dataset the run used (`context`: "training", "eval", ...). */
  async logInput(
    dataset: Dataset,
    options: { context?: string; tags?: StringMap; runId?: string } = {},
  ): Promise<void> {
    const runId = await this.resolveRunId(options.runId);
    const tags = { ...options.tags };
    if (options.context !== undefined) tags["mlflow.data.context"] = options.context;
    await this.client.logInputs(runId, [{ dataset, tags }]);
  }

  /**
   * Sends everything queued; resolves when the server has it. Rejects when values were
   * refused since the last flush.
   */
  async flush(): Promise<void> {
    await Promise.all([...this.extraFlushes].map((f) => f()));
    await this.queueInstance?.flush();
  }

  /** Lets integrations (the openai wrapper) write buffered artifacts on flush and endRun. */
  onFlush(fn: () => Promise<void>): () => void {
    this.extraFlushes.add(fn);
    return () => this.extraFlushes.delete(fn);
  }

  // ---- artifacts (to the active run) ----

  async logArtifact(file: string | File, artifactPath?: string): Promise<void> {
    await this.client.logArtifact(await this.resolveRunId(undefined), file, artifactPath);
  }

  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    await this.client.logArtifacts(await this.resolveRunId(undefined), localDir, artifactPath);
  }

  async logText(text: string, artifactFile: string): Promise<void> {
    await this.client.logText(await this.resolveRunId(undefined), text, artifactFile);
  }

  async logDict(dictionary: unknown, artifactFile: string): Promise<void> {
    await this.client.logDict(await this.resolveRunId(undefined), dictionary, artifactFile);
  }

  async logImage(
    image: ImageInput,
    target: string | { key: string; step?: number; timestamp?: number },
  ): Promise<void> {
    await this.client.logImage(await this.resolveRunId(undefined), image, target);
  }

  async logTable(data: TableInput, artifactFile: string): Promise<void> {
    await this.client.logTable(await this.resolveRunId(undefined), data, artifactFile);
  }

  async listArtifacts(path?: string, runId?: string): Promise<FileInfo[]> {
    return this.client.listArtifacts(await this.resolveRunId(runId), path);
  }

  /** MLflow's `mlflow.artifacts.download_artifacts`: by URI, or by run id and path (Node). */
  async downloadArtifacts(
    options: { artifactUri?: string; runId?: string; artifactPath?: string; dstPath?: string } = {},
  ): Promise<string> {
    if (options.artifactUri !== undefined) return this.client.downloadArtifactUri(options.artifactUri, options.dstPath);
    const runId = options.runId ?? this.activeRun()?.info.run_id;
    if (runId === undefined) throw new MlflowError("INVALID_PARAMETER_VALUE", "Give an artifactUri or a runId.");
    return this.client.downloadArtifacts(runId, options.artifactPath ?? "", options.dstPath);
  }

  // ---- process exit (ShutdownTarget) ----

  private installShutdown(): void {
    if (this.shutdownInstalled || this.options.flushOnExit === false) return;
    this.shutdownInstalled = true;
    getPlatform().onShutdown?.(this);
  }

  hasPendingWork(): boolean {
    return (this.queueInstance?.size ?? 0) > 0 || this.runs.length > 0;
  }

  async shutdown(status: "FINISHED" | "FAILED" | "KILLED"): Promise<void> {
    while (this.runs.length > 0) await this.endRun(status);
    await this.flush();
  }

  pendingRequests(status: "FINISHED" | "FAILED" | "KILLED") {
    const requests: { path: string; body: unknown }[] = [];
    for (const body of this.queueInstance?.drain() ?? [])
      requests.push({ path: "/api/2.0/mlflow/runs/log-batch", body });
    const now = Date.now();
    for (const state of this.runs.splice(0).reverse()) {
      void state.monitor?.stop();
      const runId = state.run.info.run_id;
      requests.push({ path: "/api/2.0/mlflow/runs/update", body: { run_id: runId, status, end_time: now } });
    }
    const baseUrl = this.client.trackingUri;
    return { baseUrl, headers: this.client.transport.headersFor(baseUrl), requests };
  }
}

function stringify(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function truncate(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}
