import { registryRequests as reg, requests as r } from "@mlflow-ts/protocol";
import * as proxy from "./handlers/artifact-proxy.js";
import * as artifacts from "./handlers/artifacts.js";
import * as exp from "./handlers/experiments.js";
import * as metrics from "./handlers/metrics.js";
import * as mv from "./handlers/model-versions.js";
import * as rm from "./handlers/registered-models.js";
import * as runs from "./handlers/runs.js";
import * as ui from "./handlers/ui-static.js";
import * as hooks from "./handlers/webhooks.js";
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

  // model registry: registered models and aliases
  json("POST", "/mlflow/registered-models/create", reg.CreateRegisteredModel, rm.createRegisteredModel),
  json("GET", "/mlflow/registered-models/get", reg.RegisteredModelName, rm.getRegisteredModel),
  json("POST", "/mlflow/registered-models/rename", reg.RenameRegisteredModel, rm.renameRegisteredModel),
  json("PATCH", "/mlflow/registered-models/update", reg.UpdateRegisteredModel, rm.updateRegisteredModel),
  json("DELETE", "/mlflow/registered-models/delete", reg.RegisteredModelName, rm.deleteRegisteredModel),
  json("GET", "/mlflow/registered-models/search", reg.SearchRegisteredModels, rm.searchRegisteredModels),
  json("POST", "/mlflow/registered-models/get-latest-versions", reg.GetLatestVersions, rm.getLatestVersions),
  json("GET", "/mlflow/registered-models/get-latest-versions", reg.GetLatestVersions, rm.getLatestVersions),
  json("POST", "/mlflow/registered-models/set-tag", reg.SetRegisteredModelTag, rm.setRegisteredModelTag),
  json("DELETE", "/mlflow/registered-models/delete-tag", reg.DeleteRegisteredModelTag, rm.deleteRegisteredModelTag),
  json("POST", "/mlflow/registered-models/alias", reg.SetRegisteredModelAlias, rm.setRegisteredModelAlias),
  json("DELETE", "/mlflow/registered-models/alias", reg.RegisteredModelAlias, rm.deleteRegisteredModelAlias),
  json("GET", "/mlflow/registered-models/alias", reg.RegisteredModelAlias, rm.getModelVersionByAlias),

  // model registry: model versions
  json("POST", "/mlflow/model-versions/create", reg.CreateModelVersion, mv.createModelVersion),
  json("GET", "/mlflow/model-versions/get", reg.ModelVersionKey, mv.getModelVersion),
  json("PATCH", "/mlflow/model-versions/update", reg.UpdateModelVersion, mv.updateModelVersion),
  json(
    "POST",
    "/mlflow/model-versions/transition-stage",
    reg.TransitionModelVersionStage,
    mv.transitionModelVersionStage,
  ),
  json("DELETE", "/mlflow/model-versions/delete", reg.ModelVersionKey, mv.deleteModelVersion),
  json("GET", "/mlflow/model-versions/search", reg.SearchModelVersions, mv.searchModelVersions),
  json("GET", "/mlflow/model-versions/get-download-uri", reg.ModelVersionKey, mv.getModelVersionDownloadUri),
  json("POST", "/mlflow/model-versions/set-tag", reg.SetModelVersionTag, mv.setModelVersionTag),
  json("DELETE", "/mlflow/model-versions/delete-tag", reg.DeleteModelVersionTag, mv.deleteModelVersionTag),
  {
    kind: "raw",
    method: "GET",
    path: "/model-versions/get-artifact",
    mount: "root",
    area: "tracking",
    handler: mv.getModelVersionArtifact,
  },

  // mlflow-ts: moving runs between experiments, permanent deletion (see packages/server/README.md)
  json("GET", "/mlflow-ts/experiments/keys", r.ExperimentKeys, exp.experimentKeys),
  json("POST", "/mlflow-ts/runs/move", r.MoveRuns, runs.moveRuns),
  json("POST", "/mlflow-ts/runs/delete-permanently", r.DeleteRunsPermanently, runs.deleteRunsPermanently),

  // mlflow-ts: registry audit history and webhooks (see packages/server/README.md)
  json("GET", "/mlflow-ts/registry/audit", reg.ListRegistryAudit, hooks.listRegistryAudit),
  json("POST", "/mlflow-ts/webhooks/create", reg.CreateWebhook, hooks.createWebhook),
  json("GET", "/mlflow-ts/webhooks/list", reg.ListWebhooks, hooks.listWebhooks),
  json("GET", "/mlflow-ts/webhooks/get", reg.WebhookId, hooks.getWebhook),
  json("PATCH", "/mlflow-ts/webhooks/update", reg.UpdateWebhook, hooks.updateWebhook),
  json("DELETE", "/mlflow-ts/webhooks/delete", reg.WebhookId, hooks.deleteWebhook),
  json("GET", "/mlflow-ts/webhooks/deliveries", reg.ListWebhookDeliveries, hooks.listDeliveries),
  json("POST", "/mlflow-ts/webhooks/deliveries/redeliver", reg.RedeliverWebhookDelivery, hooks.redeliver),
  json("POST", "/mlflow-ts/webhooks/test", reg.WebhookId, hooks.testWebhook),

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

  // the web UI (packages/ui): index at the prefix root, hashed assets under /static-files/;
  // HEAD answers like GET without a body (uptime checks, proxies, `curl -I`)
  ...(["GET", "HEAD"] as const).flatMap((method): Route[] => [
    { kind: "raw", method, path: "/", mount: "root", area: "tracking", handler: ui.serveIndex },
    // `{prefix}` without the trailing slash (only reachable when a prefix is set)
    { kind: "raw", method, path: "", mount: "root", area: "tracking", handler: ui.redirectToIndex },
    {
      kind: "raw",
      method,
      path: "/static-files/",
      prefix: true,
      mount: "root",
      area: "tracking",
      handler: ui.serveStaticFile,
    },
  ]),
];
