import { z } from "zod";
import { WEBHOOK_EVENTS, WEBHOOK_STATUSES } from "./registry-entities.js";
import { boolish, int64, requiredString } from "./wire-types.js";

/**
 * Request messages of MLflow's model registry service (model_registry.proto), plus the
 * mlflow-ts webhook and audit APIs. Unknown fields are dropped. `version` is a string on the
 * wire; a JSON number is accepted too. Whether it is an integer is checked by the store
 * (MLflow's "Model version must be an integer" message).
 */

const str = () => z.string();
const strList = () => z.array(z.string());
const version = () => z.union([z.string().min(1), z.number().int().transform(String)]);
const tag = () => z.object({ key: z.string(), value: z.string().optional() });

export const CreateRegisteredModel = z.lazy(() =>
  z.object({
    name: requiredString(),
    tags: z.array(tag()).optional(),
    description: str().optional(),
  }),
);
export const RegisteredModelName = z.lazy(() => z.object({ name: requiredString() }));
export const RenameRegisteredModel = z.lazy(() => z.object({ name: requiredString(), new_name: requiredString() }));
export const UpdateRegisteredModel = z.lazy(() => z.object({ name: requiredString(), description: str().optional() }));
export const SearchRegisteredModels = z.lazy(() =>
  z.object({
    filter: str().optional(),
    max_results: int64().optional(),
    order_by: strList().optional(),
    page_token: str().optional(),
  }),
);
export const GetLatestVersions = z.lazy(() => z.object({ name: requiredString(), stages: strList().optional() }));
export const SetRegisteredModelTag = z.lazy(() =>
  z.object({
    name: requiredString(),
    key: requiredString(),
    value: str().optional(),
  }),
);
export const DeleteRegisteredModelTag = z.lazy(() => z.object({ name: requiredString(), key: requiredString() }));
export const SetRegisteredModelAlias = z.lazy(() =>
  z.object({
    name: requiredString(),
    alias: requiredString(),
    version: version(),
  }),
);
export const RegisteredModelAlias = z.lazy(() => z.object({ name: requiredString(), alias: requiredString() }));

export const CreateModelVersion = z.lazy(() =>
  z.object({
    name: requiredString(),
    source: requiredString(),
    run_id: str().optional(),
    tags: z.array(tag()).optional(),
    run_link: str().optional(),
    description: str().optional(),
  }),
);
export const ModelVersionKey = z.lazy(() => z.object({ name: requiredString(), version: version() }));
export const UpdateModelVersion = z.lazy(() =>
  z.object({
    name: requiredString(),
    version: version(),
    description: str().optional(),
  }),
);
export const TransitionModelVersionStage = z.lazy(() =>
  z.object({
    name: requiredString(),
    version: version(),
    stage: requiredString(),
    archive_existing_versions: boolish().optional(),
  }),
);
export const SearchModelVersions = z.lazy(() =>
  z.object({
    filter: str().optional(),
    max_results: int64().optional(),
    order_by: strList().optional(),
    page_token: str().optional(),
  }),
);
export const SetModelVersionTag = z.lazy(() =>
  z.object({
    name: requiredString(),
    version: version(),
    key: requiredString(),
    value: str().optional(),
  }),
);
export const DeleteModelVersionTag = z.lazy(() =>
  z.object({ name: requiredString(), version: version(), key: requiredString() }),
);

// --- mlflow-ts: audit history and webhooks ---

export const ListRegistryAudit = z.lazy(() =>
  z.object({
    name: str().optional(),
    version: version().optional(),
    alias: str().optional(),
    max_results: int64().optional(),
    page_token: str().optional(),
  }),
);

const webhookEvents = () => z.array(z.enum(WEBHOOK_EVENTS)).min(1);
const webhookStatus = () => z.enum(WEBHOOK_STATUSES);

export const CreateWebhook = z.lazy(() =>
  z.object({
    name: requiredString(),
    url: requiredString(),
    events: webhookEvents(),
    description: str().optional(),
    secret: str().optional(),
    status: webhookStatus().optional(),
  }),
);
export const WebhookId = z.lazy(() => z.object({ id: requiredString() }));
export const UpdateWebhook = z.lazy(() =>
  z.object({
    id: requiredString(),
    name: requiredString().optional(),
    url: requiredString().optional(),
    events: webhookEvents().optional(),
    description: str().optional(),
    secret: str().optional(),
    status: webhookStatus().optional(),
  }),
);
export const ListWebhooks = z.lazy(() => z.object({ max_results: int64().optional(), page_token: str().optional() }));
export const ListWebhookDeliveries = z.lazy(() =>
  z.object({
    webhook_id: str().optional(),
    status: z.enum(["PENDING", "SUCCEEDED", "FAILED"]).optional(),
    max_results: int64().optional(),
    page_token: str().optional(),
  }),
);
export const RedeliverWebhookDelivery = z.lazy(() => z.object({ delivery_id: requiredString() }));

export type CreateRegisteredModelRequest = z.output<typeof CreateRegisteredModel>;
export type SearchRegisteredModelsRequest = z.output<typeof SearchRegisteredModels>;
export type CreateModelVersionRequest = z.output<typeof CreateModelVersion>;
export type SearchModelVersionsRequest = z.output<typeof SearchModelVersions>;
export type ListRegistryAuditRequest = z.output<typeof ListRegistryAudit>;
export type CreateWebhookRequest = z.output<typeof CreateWebhook>;
export type UpdateWebhookRequest = z.output<typeof UpdateWebhook>;
export type ListWebhookDeliveriesRequest = z.output<typeof ListWebhookDeliveries>;
