import type { CreateRunRequest, MetricInput, SearchRunsRequest, UpdateRunRequest } from "@mlflow-ts/protocol";
import { ensureSchema } from "./schema/bootstrap.js";
import type { Database } from "./sql/database.js";
import { openDatabase } from "./sql/open-database.js";
import type { StoreContext } from "./tracking/context.js";
import { experimentKeys } from "./tracking/experiment-keys.js";
import * as experiments from "./tracking/experiments.js";
import * as logging from "./tracking/logging.js";
import * as history from "./tracking/metric-history.js";
import * as queries from "./tracking/queries.js";
import * as maintenance from "./tracking/run-maintenance.js";
import * as runs from "./tracking/runs.js";
import type { TrackingStore } from "./tracking-store.js";

export interface SqlStoreOptions {
  /** Root for new experiments' artifact locations (`mlflow-artifacts:/` when the server proxies artifacts). */
  defaultArtifactRoot: string;
  /** Clock in ms; tests may pin it. */
  now?: () => number;
}

/** The tracking store over any SQL dialect. Methods are thin: the logic lives in tracking/*.ts. */
export class SqlTrackingStore implements TrackingStore {
  private readonly ctx: StoreContext;

  constructor(
    readonly db: Database,
    options: SqlStoreOptions,
  ) {
    this.ctx = { db, defaultArtifactRoot: options.defaultArtifactRoot, now: options.now ?? Date.now };
  }

  /** Opens (and, when empty, initializes) the database at `uri`. */
  static async open(uri: string, options: SqlStoreOptions): Promise<SqlTrackingStore> {
    const db = await openDatabase(uri);
    try {
      await ensureSchema(db, { defaultArtifactRoot: options.defaultArtifactRoot, now: (options.now ?? Date.now)() });
    } catch (e) {
      await db.close();
      throw e;
    }
    return new SqlTrackingStore(db, options);
  }

  createExperiment = (req: Parameters<typeof experiments.createExperiment>[1]) =>
    experiments.createExperiment(this.ctx, req);
  getExperiment = (id: string) => experiments.getExperiment(this.ctx, id);
  getExperimentByName = (name: string) => experiments.getExperimentByName(this.ctx, name);
  searchExperiments = (req: Parameters<typeof experiments.searchExperiments>[1]) =>
    experiments.searchExperiments(this.ctx, req);
  deleteExperiment = (id: string) => experiments.deleteExperiment(this.ctx, id);
  restoreExperiment = (id: string) => experiments.restoreExperiment(this.ctx, id);
  renameExperiment = (id: string, name: string) => experiments.renameExperiment(this.ctx, id, name);
  setExperimentTag = (id: string, key: string, value: string) => experiments.setExperimentTag(this.ctx, id, key, value);
  deleteExperimentTag = (id: string, key: string) => experiments.deleteExperimentTag(this.ctx, id, key);

  createRun = (req: CreateRunRequest) => runs.createRun(this.ctx, req);
  getRun = (runId: string) => runs.getRun(this.ctx, runId);
  updateRun = (req: UpdateRunRequest) => runs.updateRun(this.ctx, req);
  deleteRun = (runId: string) => runs.deleteRun(this.ctx, runId);
  restoreRun = (runId: string) => runs.restoreRun(this.ctx, runId);

  logMetric = (runId: string, metric: MetricInput) =>
    logging.logBatch(this.ctx, runId, [metric], [], [], { skipLimits: true });
  logParam = (runId: string, key: string, value: string) =>
    logging.logBatch(this.ctx, runId, [], [{ key, value }], [], { skipLimits: true, singleParam: true });
  setTag = (runId: string, key: string, value: string) =>
    logging.logBatch(this.ctx, runId, [], [], [{ key, value }], { skipLimits: true });
  deleteTag = (runId: string, key: string) => logging.deleteTag(this.ctx, runId, key);
  logBatch = (
    runId: string,
    m: readonly MetricInput[],
    p: readonly logging.KeyValueIn[],
    t: readonly logging.KeyValueIn[],
  ) => logging.logBatch(this.ctx, runId, m, p, t);
  logModel = (runId: string, modelJson: string) => logging.logModel(this.ctx, runId, modelJson);
  logInputs = (runId: string, datasets: Parameters<typeof logging.logInputs>[2]) =>
    logging.logInputs(this.ctx, runId, datasets);

  searchRuns = (req: SearchRunsRequest) => queries.searchRuns(this.ctx, req);
  metricHistoryJsonPages = (runId: string, key: string) => history.metricHistoryJsonPages(this.ctx, runId, key);
  getMetricHistoryPage = (runId: string, key: string, max?: number, token?: string) =>
    history.getMetricHistoryPage(this.ctx, runId, key, max, token);
  getMetricHistoryBulkIntervalJson = (req: history.BulkIntervalRequest) =>
    history.getMetricHistoryBulkIntervalJson(this.ctx, req);
  getMetricHistoryBulkJson = (runIds: readonly string[], key: string | undefined, max: number | undefined) =>
    history.getMetricHistoryBulkJson(this.ctx, runIds, key, max);
  searchDatasets = (ids: readonly string[]) => queries.searchDatasets(this.ctx, ids);

  experimentKeys = (id: string, options?: Parameters<typeof experimentKeys>[2]) =>
    experimentKeys(this.ctx, id, options);
  moveRuns = (runIds: readonly string[], experimentId: string) => maintenance.moveRuns(this.ctx, runIds, experimentId);
  runsForPermanentDelete = (runIds: readonly string[]) => maintenance.runsForPermanentDelete(this.ctx, runIds);
  listDeletedRuns = (options?: Parameters<typeof maintenance.listDeletedRuns>[1]) =>
    maintenance.listDeletedRuns(this.ctx, options);
  deleteRunsPermanently = (runIds: readonly string[]) => maintenance.deleteRunsPermanently(this.ctx, runIds);
  deletedExperimentsForGc = (options?: Parameters<typeof maintenance.deletedExperimentsForGc>[1]) =>
    maintenance.deletedExperimentsForGc(this.ctx, options);
  deleteExperimentsPermanently = (ids: readonly string[]) => maintenance.deleteExperimentsPermanently(this.ctx, ids);

  close = () => this.db.close();
}
