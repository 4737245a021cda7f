import type { ModelVersionStatus } from "@mlflow-ts/protocol";
import { MlflowError } from "../errors.js";
import { sleep } from "../http/transport.js";
import type {
  ModelVersion,
  Page,
  RegisteredModel,
  RegistryAuditEntry,
  StringMap,
  Webhook,
  WebhookDelivery,
  WebhookEvent,
  WebhookStatus,
} from "../types.js";
import { page, type SearchOptions, TrackingClient, toKeyValues } from "./tracking-client.js";

const API = "/api/2.0/mlflow";
const TS_API = "/api/2.0/mlflow-ts";

/**
 * The model registry half of {@link MlflowClient}: registered models, versions, stages, aliases,
 * tags, and the mlflow-ts webhook and audit APIs.
 */
export class RegistryClient extends TrackingClient {
  // ---- registered models ----

  async createRegisteredModel(
    name: string,
    options: { tags?: StringMap; description?: string } = {},
  ): Promise<RegisteredModel> {
    const r = await this.transport.post<{ registered_model: RegisteredModel }>(`${API}/registered-models/create`, {
      name,
      tags: toKeyValues(options.tags),
      description: options.description,
    });
    return r.registered_model;
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.transport.get<{ registered_model: RegisteredModel }>(`${API}/registered-models/get`, { name }))
      .registered_model;
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const r = await this.transport.post<{ registered_model: RegisteredModel }>(`${API}/registered-models/rename`, {
      name,
      new_name: newName,
    });
    return r.registered_model;
  }

  /** Sets the description (MLflow clears it when none is given). */
  async updateRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const r = await this.transport.patch<{ registered_model: RegisteredModel }>(
      `${API}/registered-models/update`,
      { name, description },
      { idempotent: true },
    );
    return r.registered_model;
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.transport.delete(`${API}/registered-models/delete`, { name });
  }

  async searchRegisteredModels(options: SearchOptions = {}): Promise<Page<RegisteredModel>> {
    const r = await this.transport.get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
      `${API}/registered-models/search`,
      {
        filter: options.filter,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
    );
    return page(r.registered_models, r.next_page_token);
  }

  /** The latest version in each stage (or only in `stages`). */
  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    const r = await this.transport.post<{ model_versions?: ModelVersion[] }>(
      `${API}/registered-models/get-latest-versions`,
      { name, stages },
      { idempotent: true },
    );
    return r.model_versions ?? [];
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.transport.post(`${API}/registered-models/set-tag`, { name, key, value }, { idempotent: true });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.transport.delete(`${API}/registered-models/delete-tag`, { name, key }, { idempotent: true });
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    await this.transport.post(
      `${API}/registered-models/alias`,
      { name, alias, version: String(version) },
      { idempotent: true },
    );
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.transport.delete(`${API}/registered-models/alias`, { name, alias }, { idempotent: true });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (
      await this.transport.get<{ model_version: ModelVersion }>(`${API}/registered-models/alias`, { name, alias })
    ).model_version;
  }

  // ---- model versions ----

  /**
   * Creates a model version. Like MLflow's client it waits until the version is READY
   * (`awaitCreationForMs`, default 300 s; 0 returns at once).
   */
  async createModelVersion(
    name: string,
    source: string,
    options: {
      runId?: string;
      tags?: StringMap;
      runLink?: string;
      description?: string;
      awaitCreationForMs?: number;
    } = {},
  ): Promise<ModelVersion> {
    const r = await this.transport.post<{ model_version: ModelVersion }>(`${API}/model-versions/create`, {
      name,
      source,
      run_id: options.runId,
      tags: toKeyValues(options.tags),
      run_link: options.runLink,
      description: options.description,
    });
    return this.awaitReady(r.model_version, options.awaitCreationForMs ?? 300_000);
  }

  private async awaitReady(mv: ModelVersion, timeoutMs: number): Promise<ModelVersion> {
    const deadline = Date.now() + timeoutMs;
    let current = mv;
    while ((current.status as ModelVersionStatus) === "PENDING_REGISTRATION" && Date.now() < deadline) {
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
      current = await this.getModelVersion(mv.name, mv.version);
    }
    if (current.status === "FAILED_REGISTRATION") {
      throw new MlflowError(
        "INVALID_STATE",
        `Model version creation failed for model name: ${mv.name} version: ${mv.version} with status: ${current.status} and message: ${current.status_message ?? ""}`,
      );
    }
    return current;
  }

  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    return (
      await this.transport.get<{ model_version: ModelVersion }>(`${API}/model-versions/get`, {
        name,
        version: String(version),
      })
    ).model_version;
  }

  async updateModelVersion(name: string, version: string | number, description?: string): Promise<ModelVersion> {
    const r = await this.transport.patch<{ model_version: ModelVersion }>(
      `${API}/model-versions/update`,
      { name, version: String(version), description },
      { idempotent: true },
    );
    return r.model_version;
  }

  async transitionModelVersionStage(
    name: string,
    version: string | number,
    stage: string,
    archiveExistingVersions = false,
  ): Promise<ModelVersion> {
    const r = await this.transport.post<{ model_version: ModelVersion }>(`${API}/model-versions/transition-stage`, {
      name,
      version: String(version),
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
    return r.model_version;
  }

  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    await this.transport.delete(`${API}/model-versions/delete`, { name, version: String(version) });
  }

  async searchModelVersions(options: SearchOptions = {}): Promise<Page<ModelVersion>> {
    const r = await this.transport.get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      `${API}/model-versions/search`,
      {
        filter: options.filter,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
    );
    return page(r.model_versions, r.next_page_token);
  }

  async getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    return (
      await this.transport.get<{ artifact_uri: string }>(`${API}/model-versions/get-download-uri`, {
        name,
        version: String(version),
      })
    ).artifact_uri;
  }

  async setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    await this.transport.post(
      `${API}/model-versions/set-tag`,
      { name, version: String(version), key, value },
      { idempotent: true },
    );
  }

  async deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    await this.transport.delete(
      `${API}/model-versions/delete-tag`,
      { name, version: String(version), key },
      { idempotent: true },
    );
  }

  /**
   * MLflow's `register_model`: creates the registered model if needed (an existing one is
   * fine), then a version from `modelUri` (`runs:/<run_id>/<path>` or any artifact URI).
   */
  async registerModel(modelUri: string, name: string, options: { tags?: StringMap } = {}): Promise<ModelVersion> {
    try {
      await this.createRegisteredModel(name);
    } catch (e) {
      if (!(e instanceof MlflowError && e.errorCode === "RESOURCE_ALREADY_EXISTS")) throw e;
    }
    let source = modelUri;
    let runId: string | undefined;
    const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(modelUri);
    if (runs) {
      runId = runs[1] as string;
      const root = (await this.getRun(runId)).info.artifact_uri ?? "";
      source = runs[2] ? `${root.replace(/\/+$/, "")}/${runs[2]}` : root;
    }
    return this.createModelVersion(name, source, { ...(runId ? { runId } : {}), ...options });
  }

  // ---- mlflow-ts: registry audit history and webhooks ----

  async listRegistryAudit(
    options: { name?: string; version?: string; alias?: string; maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<RegistryAuditEntry>> {
    const r = await this.transport.get<{ entries?: RegistryAuditEntry[]; next_page_token?: string }>(
      `${TS_API}/registry/audit`,
      {
        name: options.name,
        version: options.version,
        alias: options.alias,
        max_results: options.maxResults,
        page_token: options.pageToken,
      },
    );
    return page(r.entries, r.next_page_token);
  }

  async createWebhook(options: {
    name: string;
    url: string;
    events: WebhookEvent[];
    description?: string;
    secret?: string;
    status?: WebhookStatus;
  }): Promise<Webhook> {
    return (await this.transport.post<{ webhook: Webhook }>(`${TS_API}/webhooks/create`, options)).webhook;
  }

  async listWebhooks(options: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Webhook>> {
    const r = await this.transport.get<{ webhooks?: Webhook[]; next_page_token?: string }>(`${TS_API}/webhooks/list`, {
      max_results: options.maxResults,
      page_token: options.pageToken,
    });
    return page(r.webhooks, r.next_page_token);
  }

  async getWebhook(id: string): Promise<Webhook> {
    return (await this.transport.get<{ webhook: Webhook }>(`${TS_API}/webhooks/get`, { id })).webhook;
  }

  async updateWebhook(
    id: string,
    changes: Partial<{
      name: string;
      url: string;
      events: WebhookEvent[];
      description: string;
      secret: string;
      status: WebhookStatus;
    }>,
  ): Promise<Webhook> {
    const r = await this.transport.patch<{ webhook: Webhook }>(
      `${TS_API}/webhooks/update`,
      { id, ...changes },
      { idempotent: true },
    );
    return r.webhook;
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.transport.delete(`${TS_API}/webhooks/delete`, { id });
  }

  async listWebhookDeliveries(
    options: { webhookId?: string; status?: string; maxResults?: number; pageToken?: string } = {},
  ): Promise<Page<WebhookDelivery>> {
    const r = await this.transport.get<{ deliveries?: WebhookDelivery[]; next_page_token?: string }>(
      `${TS_API}/webhooks/deliveries`,
      {
        webhook_id: options.webhookId,
        status: options.status,
        max_results: options.maxResults,
        page_token: options.pageToken,
      },
    );
    return page(r.deliveries, r.next_page_token);
  }

  /** Sends a `webhook.test` event to one active webhook (it shows in the deliveries log). */
  async testWebhook(id: string): Promise<void> {
    await this.transport.post(`${TS_API}/webhooks/test`, { id });
  }

  /** Queues a delivery again (a failed one, say). */
  async redeliverWebhookDelivery(deliveryId: string): Promise<void> {
    await this.transport.post(`${TS_API}/webhooks/deliveries/redeliver`, { delivery_id: deliveryId });
  }
}
