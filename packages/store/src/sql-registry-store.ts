import type { CreateModelVersionRequest, CreateRegisteredModelRequest } from "@mlflow-ts/protocol";
import * as aliases from "./registry/aliases.js";
import * as audit from "./registry/audit.js";
import type { RegistryContext } from "./registry/context.js";
import { resolveModelUri } from "./registry/model-uri-lookups.js";
import * as versions from "./registry/model-versions.js";
import * as models from "./registry/registered-models.js";
import * as search from "./registry/search.js";
import type { RegistryStore } from "./registry-store.js";
import type { Database } from "./sql/database.js";

export interface SqlRegistryStoreOptions {
  now?: () => number;
  /** Called after a registry write queued webhook deliveries (the server wakes its delivery worker). */
  onDeliveriesQueued?: () => void;
  /** MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX, when the operator sets one. */
  sourceValidationRegex?: RegExp;
}

/**
 * The model registry over the tracking store's `Database` (MLflow's registry tables in the same
 * database, as `mlflow server` does by default). Methods are thin: the logic lives in registry/*.ts.
 * Open the database with `SqlTrackingStore.open` (which creates or checks the schema) and share it.
 */
export class SqlRegistryStore implements RegistryStore {
  private readonly ctx: RegistryContext;

  constructor(
    readonly db: Database,
    options: SqlRegistryStoreOptions = {},
  ) {
    this.ctx = {
      db,
      defaultArtifactRoot: "",
      now: options.now ?? Date.now,
      onDeliveriesQueued: options.onDeliveriesQueued,
      sourceValidationRegex: options.sourceValidationRegex,
    };
  }

  /** Sets (or replaces) the hook called after webhook deliveries were queued. */
  onDeliveriesQueued(hook: (() => void) | undefined): void {
    this.ctx.onDeliveriesQueued = hook;
  }

  createRegisteredModel = (req: CreateRegisteredModelRequest, actor?: string) =>
    models.createRegisteredModel(this.ctx, req, actor);
  getRegisteredModel = (name: string) => models.getRegisteredModel(this.ctx, name);
  renameRegisteredModel = (name: string, newName: string, actor?: string) =>
    models.renameRegisteredModel(this.ctx, name, newName, actor);
  updateRegisteredModel = (name: string, description: string | undefined) =>
    models.updateRegisteredModel(this.ctx, name, description);
  deleteRegisteredModel = (name: string, actor?: string) => models.deleteRegisteredModel(this.ctx, name, actor);
  searchRegisteredModels = (req: Parameters<typeof search.searchRegisteredModels>[1]) =>
    search.searchRegisteredModels(this.ctx, req);
  getLatestVersions = (name: string, stages: readonly string[] | undefined) =>
    models.getLatestVersions(this.ctx, name, stages);
  setRegisteredModelTag = (name: string, key: string, value: string, actor?: string) =>
    models.setRegisteredModelTag(this.ctx, name, key, value, actor);
  deleteRegisteredModelTag = (name: string, key: string, actor?: string) =>
    models.deleteRegisteredModelTag(this.ctx, name, key, actor);
  setRegisteredModelAlias = (name: string, alias: string, version: string, actor?: string) =>
    aliases.setRegisteredModelAlias(this.ctx, name, alias, version, actor);
  deleteRegisteredModelAlias = (name: string, alias: string, actor?: string) =>
    aliases.deleteRegisteredModelAlias(this.ctx, name, alias, actor);
  getModelVersionByAlias = (name: string, alias: string) => aliases.getModelVersionByAlias(this.ctx, name, alias);

  createModelVersion = (req: CreateModelVersionRequest, actor?: string) =>
    versions.createModelVersion(this.ctx, req, actor);
  getModelVersion = (name: string, version: string) => versions.getModelVersion(this.ctx, name, version);
  updateModelVersion = (name: string, version: string, description: string | undefined) =>
    versions.updateModelVersion(this.ctx, name, version, description);
  transitionModelVersionStage = (name: string, version: string, stage: string, archive: boolean, actor?: string) =>
    versions.transitionModelVersionStage(this.ctx, name, version, stage, archive, actor);
  deleteModelVersion = (name: string, version: string, actor?: string) =>
    versions.deleteModelVersion(this.ctx, name, version, actor);
  searchModelVersions = (req: Parameters<typeof search.searchModelVersions>[1]) =>
    search.searchModelVersions(this.ctx, req);
  getModelVersionDownloadUri = (name: string, version: string) =>
    versions.getModelVersionDownloadUri(this.ctx, name, version);
  setModelVersionTag = (name: string, version: string, key: string, value: string, actor?: string) =>
    versions.setModelVersionTag(this.ctx, name, version, key, value, actor);
  deleteModelVersionTag = (name: string, version: string, key: string, actor?: string) =>
    versions.deleteModelVersionTag(this.ctx, name, version, key, actor);

  resolveModelUri = (uri: string) => resolveModelUri(this.ctx, uri);
  listAudit = (req: Parameters<typeof audit.listRegistryAudit>[1]) => audit.listRegistryAudit(this.ctx, req);
}
