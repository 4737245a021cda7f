import type {
  CreateModelVersionRequest,
  CreateRegisteredModelRequest,
  ListRegistryAuditRequest,
  ModelVersion,
  RegisteredModel,
  RegistryAuditEntry,
  ResolvedModelUri,
  SearchModelVersionsRequest,
  SearchRegisteredModelsRequest,
} from "@mlflow-ts/protocol";

/**
 * MLflow's model registry store, plus our audit history. `actor` (the request's user, when
 * known) is recorded in the audit history of alias and stage changes. Implemented by SqlRegistryStore.
 */
export interface RegistryStore {
  createRegisteredModel(req: CreateRegisteredModelRequest, actor?: string): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string, actor?: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string | undefined): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string, actor?: string): Promise<void>;
  searchRegisteredModels(
    req: SearchRegisteredModelsRequest,
  ): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }>;
  getLatestVersions(name: string, stages: readonly string[] | undefined): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, key: string, value: string, actor?: string): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string, actor?: string): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string, actor?: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string, actor?: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  createModelVersion(req: CreateModelVersionRequest, actor?: string): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string | undefined): Promise<ModelVersion>;
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
    actor?: string,
  ): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string, actor?: string): Promise<void>;
  searchModelVersions(
    req: SearchModelVersionsRequest,
  ): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  setModelVersionTag(name: string, version: string, key: string, value: string, actor?: string): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string, actor?: string): Promise<void>;

  /** `models:/name/version|stage|latest`, `models:/name@alias`, `runs:/id/path` → artifact location. */
  resolveModelUri(uri: string): Promise<ResolvedModelUri>;
  listAudit(req: ListRegistryAuditRequest): Promise<{ entries: RegistryAuditEntry[]; next_page_token?: string }>;
}
