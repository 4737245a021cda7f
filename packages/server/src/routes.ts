import { requests as r } from "@mlflow-ts/protocol";
import * as proxy from "./handlers/artifact-proxy.js";
import * as artifacts from "./handlers/artifacts.js";
import * as exp from "./handlers/experiments.js";
import * as metrics from "./handlers/metrics.js";
import * as runs from "./handlers/runs.js";
import { json, type Route } from "./route-types.js";

/**
 * The route table of the tracking server. `api` routes are served under `/api/2.0` and
 * `/ajax-api/2.0`; `ajax` routes only under `/ajax-api/2.0`; `root` routes at the root.
 * The static prefix, when set, applies to every mount.
 */
export const ROUTES: readonly Route[] = [
  // experiments
  json("POST", "/mlflow/experiments/create", r.CreateExperiment, exp.createExperiment),
  json("POST", "/mlflow/experiments/search", r.SearchExperiments, exp.searchExperiments),
  json("GET", "/mlflow/experiments/search", r.SearchExperiments, exp.searchExperiments),
  json("GET", "/mlflow/experiments/get", r.GetExperiment, exp.getExperiment),
  json("GET", "/mlflow/experiments/get-by-name", r.GetExperimentByName, exp.getExperimentByName),
  json("POST", "/mlflow/experiments/delete", r.ExperimentId, exp.deleteExperiment),
  json("POST", "/mlflow/experiments/restore", r.ExperimentId, exp.restoreExperiment),
  json("POST", "/mlflow/experiments/update", r.UpdateExperiment, exp.updateExperiment),
  json("POST", "/mlflow/experiments/set-experiment-tag", r.SetExperimentTag, exp.setExperimentTag),
  json("POST", "/mlflow/experiments/delete-experiment-tag", r.DeleteExperimentTag, exp.deleteExperimentTag),
  json("POST", "/mlflow/experiments/search-datasets", r.SearchDatasets, exp.searchDatasets),

  // runs
  json("POST", "/mlflow/runs/create", r.CreateRun, runs.createRun),
  json("POST", "/mlflow/runs/update", r.UpdateRun, runs.updateRun),
  json("POST", "/mlflow/runs/delete", r.RunIdOnly, runs.deleteRun),
  json("POST", "/mlflow/runs/restore", r.RunIdOnly, runs.restoreRun),
  json("GET", "/mlflow/runs/get", r.RunIdOnly, runs.getRun),
  json("POST", "/mlflow/runs/log-metric", r.LogMetric, runs.logMetric),
  json("POST", "/mlflow/runs/log-parameter", r.LogParam, runs.logParam),
  json("POST", "/mlflow/runs/set-tag", r.SetTag, runs.setTag),
  json("POST", "/mlflow/runs/delete-tag", r.DeleteTag, runs.deleteTag),
  json("POST", "/mlflow/runs/log-batch", r.LogBatch, runs.logBatch),
  json("POST", "/mlflow/runs/log-model", r.LogModel, runs.logModel),
  json("POST", "/mlflow/runs/log-inputs", r.LogInputs, runs.logInputs),
  json("POST", "/mlflow/runs/search", r.SearchRuns, runs.searchRuns),

  // metrics and artifact listing
  json("GET", "/mlflow/metrics/get-history", r.GetMetricHistory, metrics.getMetricHistory),
  json(
    "GET",
    "/mlflow/metrics/get-history-bulk-interval",
    r.GetMetricHistoryBulkInterval,
    metrics.getMetricHistoryBulkInterval,
  ),
  json("GET", "/mlflow/metrics/get-history-bulk", r.GetMetricHistoryBulk, metrics.getMetricHistoryBulk, {
    mount: "ajax",
  }),
  json("GET", "/mlflow/artifacts/list", r.ListArtifacts, artifacts.listArtifacts),

  // tracking-side artifact download and the UI's small upload
  {
    kind: "raw",
    method: "GET",
    path: "/get-artifact",
    mount: "root",
    area: "tracking",
    handler: artifacts.getArtifact,
  },
  {
    kind: "raw",
    method: "POST",
    path: "/mlflow/upload-artifact",
    mount: "ajax",
    area: "tracking",
    handler: artifacts.uploadArtifact,
  },

  // artifact proxy
  {
    kind: "raw",
    method: "GET",
    path: "/mlflow-artifacts/artifacts",
    mount: "api",
    area: "artifacts",
    handler: proxy.listProxyArtifacts,
  },
  {
    kind: "raw",
    method: "GET",
    path: "/mlflow-artifacts/artifacts/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.downloadArtifact,
  },
  {
    kind: "raw",
    method: "PUT",
    path: "/mlflow-artifacts/artifacts/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.uploadArtifact,
  },
  {
    kind: "raw",
    method: "DELETE",
    path: "/mlflow-artifacts/artifacts/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.deleteArtifact,
  },
  {
    kind: "raw",
    method: "POST",
    path: "/mlflow-artifacts/mpu/create/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.createMultipartUpload,
  },
  {
    kind: "raw",
    method: "PUT",
    path: "/mlflow-artifacts/mpu/upload/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.uploadMultipartPart,
  },
  {
    kind: "raw",
    method: "POST",
    path: "/mlflow-artifacts/mpu/complete/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.completeMultipartUpload,
  },
  {
    kind: "raw",
    method: "POST",
    path: "/mlflow-artifacts/mpu/abort/",
    prefix: true,
    mount: "api",
    area: "artifacts",
    handler: proxy.abortMultipartUpload,
  },
];
