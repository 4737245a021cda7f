export { getDeployClient } from "./client/deploy-client.js";
export { ConfigError } from "./config/config-error.js";
export { type EndpointConfig, type GatewayConfig, loadConfigFile, parseConfig } from "./config/load-config.js";
export { GatewayError, UpstreamConnectionError, UpstreamError, UpstreamTimeoutError } from "./errors.js";
export { Metrics, renderPrometheus } from "./metrics/metrics.js";
export type { Provider, ProviderDefinition } from "./providers/provider.js";
export { BUILT_IN_PROVIDERS, ProviderRegistry } from "./providers/registry.js";
export { type PrimaryOptions, runPrimary, runWorker, type WorkerOptions } from "./server/cluster.js";
export {
  type GatewayOptions,
  GatewayStartupError,
  type RunningGateway,
  startGateway,
} from "./server/gateway-server.js";
export * from "./schemas/unified.js";
