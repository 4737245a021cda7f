/**
 * `@mlflow-ts/client` in Node: everything of the browser entry, plus MLflow's environment
 * variables (MLFLOW_TRACKING_URI, credentials, experiment, run id, retries), local-file
 * artifacts (`file:` roots, logArtifact(s) from paths, downloads to disk), system tags (user,
 * source, git commit), system metrics, and the flush on process exit.
 */
import { setPlatform } from "../platform.js";
import { nodePlatform } from "./platform.js";

setPlatform(nodePlatform);

export * from "../index.js";
export { LocalArtifactRepository } from "./local-files.js";
export { CLIENT_VERSION, nodePlatform } from "./platform.js";
export { type NodeSamplerOptions, NodeSystemMetricsSampler } from "./system-sampler.js";
export { nodeSystemTags } from "./system-tags.js";
