import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MlflowError } from "@mlflow-ts/protocol";
import {
  type RegistryStore,
  redactUri,
  SqlRegistryStore,
  SqlTrackingStore,
  SqlWebhookStore,
  type TrackingStore,
  type WebhookStore,
} from "@mlflow-ts/store";
import { createRequestListener } from "./app.js";
import type { ServerConfig } from "./config.js";
import { ArtifactService } from "./handlers/artifact-service.js";
import { ROUTES } from "./routes.js";
import { WebhookDeliveryWorker } from "./webhooks/delivery-worker.js";

export interface RunningServer {
  server: Server;
  store: TrackingStore;
  registry: RegistryStore;
  webhooks: WebhookStore;
  /** Sends queued webhook deliveries (absent in --artifacts-only mode). */
  webhookWorker: WebhookDeliveryWorker | undefined;
  /** Base URL, e.g. http://127.0.0.1:5000 */
  url: string;
  close(): Promise<void>;
}

/** A startup failure with a one-line explanation for the user. */
export class StartupError extends Error {}

export async function startServer(
  config: ServerConfig,
  options: { log?: (msg: string) => void } = {},
): Promise<RunningServer> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let store: TrackingStore;
  let registry: RegistryStore;
  let webhooks: WebhookStore;
  let worker: WebhookDeliveryWorker | undefined;
  if (config.artifactsOnly) {
    // MLflow's --artifacts-only never touches the backend store; tracking routes answer 503.
    store = unavailable<TrackingStore>();
    registry = unavailable<RegistryStore>();
    webhooks = unavailable<WebhookStore>();
  } else {
    let tracking: SqlTrackingStore;
    try {
      tracking = await SqlTrackingStore.open(config.backendStoreUri, {
        defaultArtifactRoot: config.defaultArtifactRoot,
      });
    } catch (e) {
      throw new StartupError(
        `Cannot open backend store '${redactUri(config.backendStoreUri)}': ${(e as Error).message}`,
      );
    }
    store = tracking;
    const sqlWebhooks = new SqlWebhookStore(tracking.db, { onDeliveriesQueued: () => worker?.wake() });
    webhooks = sqlWebhooks;
    worker = new WebhookDeliveryWorker(sqlWebhooks, config.webhookDelivery, log);
    registry = new SqlRegistryStore(tracking.db, {
      onDeliveriesQueued: () => worker?.wake(),
      ...(config.modelVersionSourceRegex ? { sourceValidationRegex: config.modelVersionSourceRegex } : {}),
    });
  }
  const artifacts = new ArtifactService(config);
  const ctx = { store, registry, webhooks, artifacts, config };
  const listener = createRequestListener(ROUTES, ctx, log);
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    void listener(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    await store.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new StartupError(`Port ${config.port} on ${config.host} is already in use.`);
    if (code === "EACCES") throw new StartupError(`No permission to listen on ${config.host}:${config.port}.`);
    throw new StartupError(`Cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
  }
  worker?.start();
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    server,
    store,
    registry,
    webhooks,
    webhookWorker: worker,
    url: `http://${host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await worker?.stop();
      await store.close();
      await artifacts.close();
    },
  };
}

function unavailable<T extends object>(): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === "close") return async () => {};
      return async () => {
        throw new MlflowError("TEMPORARILY_UNAVAILABLE", "The tracking store is disabled in --artifacts-only mode.");
      };
    },
  });
}
