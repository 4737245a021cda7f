/** MLflow's system metrics monitor: sample on an interval, average, log as `system/...` metrics. */

/** Reads the machine's current figures, keyed by MLflow's names without the `system/` prefix. */
export interface SystemMetricsSampler {
  sample(): Promise<Record<string, number>>;
}

export interface SystemMetricsOptions {
  /** MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL (default 10 s). */
  samplingIntervalMs?: number;
  /** MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING: samples averaged into one logged point (default 1). */
  samplesBeforeLogging?: number;
  /** MLFLOW_SYSTEM_METRICS_NODE_ID: names become `system/<node id>/...` (multi-node training). */
  nodeId?: string;
}

export class SystemMetricsMonitor {
  private timer: ReturnType<typeof setInterval> | undefined;
  private samples: Record<string, number>[] = [];
  private step = 0;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly sampler: SystemMetricsSampler,
    private readonly log: (metrics: Record<string, number>, step: number) => void,
    private readonly options: SystemMetricsOptions = {},
  ) {}

  start(): void {
    const every = this.options.samplingIntervalMs ?? 10_000;
    this.timer = setInterval(() => {
      this.busy = this.busy.then(() => this.tick()).catch(() => {});
    }, every);
    // Monitoring never keeps a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async tick(): Promise<void> {
    this.samples.push(await this.sampler.sample());
    if (this.samples.length >= (this.options.samplesBeforeLogging ?? 1)) this.emit();
  }

  private emit(): void {
    if (this.samples.length === 0) return;
    const sums = new Map<string, { total: number; n: number }>();
    for (const s of this.samples) {
      for (const [k, v] of Object.entries(s)) {
        const e = sums.get(k) ?? { total: 0, n: 0 };
        e.total += v;
        e.n++;
        sums.set(k, e);
      }
    }
    this.samples = [];
    const prefix = this.options.nodeId ? `system/${this.options.nodeId}/` : "system/";
    const metrics: Record<string, number> = {};
    for (const [k, { total, n }] of sums) metrics[`${prefix}${k}`] = Math.round((total / n) * 100) / 100;
    this.log(metrics, this.step++);
  }

  /** Stops sampling and logs what was sampled since the last point. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy;
    this.emit();
  }
}
