import type { Platform } from "../platform.js";
import { registerShutdown } from "./exit-hooks.js";
import { nodeFiles } from "./local-files.js";
import { NodeSystemMetricsSampler } from "./system-sampler.js";
import { nodeSystemTags } from "./system-tags.js";

export const CLIENT_VERSION = "0.1.0";

/** Node: MLflow's environment variables, local files, system tags and metrics, flush on exit. */
export const nodePlatform: Platform = {
  name: "node",
  env: () => process.env,
  defaultTrackingUri: () => "http://127.0.0.1:5000",
  systemTags: nodeSystemTags,
  headers: () => ({ "User-Agent": `mlflow-ts-client/${CLIENT_VERSION} node/${process.versions.node}` }),
  files: nodeFiles,
  onShutdown: registerShutdown,
  systemMetricsSampler: () => new NodeSystemMetricsSampler(),
};
