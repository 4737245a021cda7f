// Types for the `mlflow` npm package (2.0.7, github.com/Yuhsak/mlflow), written from its
// lib/*.js. The package ships .d.ts files, but they describe lib/mlflow.js (`exports.default`),
// while its entry point index.js does `module.exports = require("./lib/mlflow").default`; an ESM
// default import therefore gets the class itself, which those types cannot express.
// Response shapes follow MLflow's 2.x wire format (/work/shared/reference/tracking-api.md §4).
declare module "mlflow" {
  namespace MLflow {
    type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
    type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
    type LifecycleStage = "active" | "deleted";

    interface ConstructorProps {
      endpoint: string;
      headers?: Record<string, string>;
      /** API version segment, default "2.0": requests go to `${endpoint}/api/${version}/mlflow/...`. */
      version?: string;
    }
    interface KeyValue {
      key: string;
      value: string;
    }
    interface Experiment {
      experiment_id: string;
      name: string;
      artifact_location: string;
      lifecycle_stage: LifecycleStage;
      last_update_time: number;
      creation_time: number;
      tags?: KeyValue[];
    }
    interface RunInfo {
      run_id: string;
      run_uuid: string;
      run_name?: string;
      experiment_id: string;
      user_id?: string;
      status: RunStatus;
      start_time: number;
      end_time?: number;
      artifact_uri: string;
      lifecycle_stage: LifecycleStage;
    }
    interface Metric {
      key: string;
      value: number;
      timestamp: number;
      step?: number;
    }
    interface RunData {
      metrics?: Metric[];
      params?: KeyValue[];
      tags?: KeyValue[];
    }
    interface Run {
      info: RunInfo;
      data: RunData;
    }
    interface FileInfo {
      path: string;
      is_dir: boolean;
      file_size?: number;
    }
    type Empty = {};

    /** `${endpoint}/api/2.0/mlflow/experiments...` */
    interface Experiments {
      /** POST experiments/create */
      create(args: { name: string; artifact_location?: string }): Promise<{ experiment_id: string }>;
      /** GET experiments/list (an MLflow 1.x endpoint) */
      list(args?: { view_type?: ViewType }): Promise<{ experiments?: Experiment[] }>;
      /** GET experiments/get */
      get(args: { experiment_id: string }): Promise<{ experiment: Experiment }>;
      /** POST experiments/delete */
      delete(args: { experiment_id: string }): Promise<Empty>;
      /** POST experiments/update */
      update(args: { experiment_id: string; new_name: string }): Promise<Empty>;
      /** POST experiments/restore */
      restore(args: { experiment_id: string }): Promise<Empty>;
      /** POST "experiments" + "set-experiment-tag" (the package omits the slash) */
      setExperimentTag(args: { experiment_id: string; key: string; value: string }): Promise<Empty>;
    }
    /** `${endpoint}/api/2.0/mlflow/runs...`; run-scoped calls send both run_id and run_uuid. */
    interface Runs {
      /** POST runs/create */
      create(args: {
        experiment_id: string;
        user_id?: string;
        start_time?: number;
        tags?: KeyValue[];
      }): Promise<{ run: Run }>;
      /** POST runs/delete */
      delete(args: { run_id: string }): Promise<Empty>;
      /** POST runs/restore */
      restore(args: { run_id: string }): Promise<Empty>;
      /** GET runs/get (sends run_id only) */
      get(args: { run_id: string }): Promise<{ run: Run }>;
      /** POST runs/log-metric */
      logMetric(args: { run_id: string; key: string; value: number; timestamp: number; step?: number }): Promise<Empty>;
      /** POST runs/set-tag */
      setTag(args: { run_id: string; key: string; value: string }): Promise<Empty>;
      /** POST runs/delete-tag */
      deleteTag(args: { run_id: string; key: string }): Promise<Empty>;
      /** POST runs/log-parameter (the package's README calls it logParam; the method is logParameter) */
      logParameter(args: { run_id: string; key: string; value: string }): Promise<Empty>;
      /** POST runs/log-batch */
      logBatch(args: { run_id: string; metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<Empty>;
      /** POST runs/search */
      search(args: {
        experiment_ids: string[];
        filter?: string;
        run_view_type?: ViewType;
        max_results?: number;
        order_by?: string[];
        page_token?: string;
      }): Promise<{ runs?: Run[]; next_page_token?: string }>;
      /** POST runs/update */
      update(args: { run_id: string; status?: RunStatus; end_time?: number }): Promise<{ run_info: RunInfo }>;
    }
    /** `${endpoint}/api/2.0/mlflow/metrics...` */
    interface Metrics {
      /** GET metrics/get-history (run_id, run_uuid, metric_key) */
      getHistory(args: { run_id: string; metric_key: string }): Promise<{ metrics?: Metric[] }>;
    }
    /** `${endpoint}/api/2.0/mlflow/artifacts...` */
    interface Artifacts {
      /** GET artifacts/list (run_id, run_uuid, path) */
      list(args: { run_id: string; path?: string }): Promise<{ root_uri: string; files?: FileInfo[] }>;
    }
  }

  /**
   * Non-200 answers reject with `Error("Error: " + JSON.stringify({ status, statusText, data }))`,
   * where `data` is the parsed response body (null if not JSON). POST bodies are console.log'ged.
   */
  class MLflow {
    constructor(args: MLflow.ConstructorProps);
    endpoint: string;
    /** Each getter returns a new instance sharing endpoint, version and headers. */
    readonly Experiments: MLflow.Experiments;
    readonly Runs: MLflow.Runs;
    readonly Metrics: MLflow.Metrics;
    readonly Artifacts: MLflow.Artifacts;
  }
  export = MLflow;
}
