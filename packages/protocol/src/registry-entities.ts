/** Wire shapes of MLflow's model registry entities (model_registry.proto, JSON, snake_case). */
import { MlflowError } from "./mlflow-error.js";

export const MODEL_VERSION_STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number];
/** Stages that get-latest-versions and archive_existing_versions call "active". */
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ["Staging", "Production"];
/** The internal stage of a soft-deleted version; never returned by the API. */
export const STAGE_DELETED_INTERNAL = "Deleted_Internal";

export const MODEL_VERSION_STATUSES = ["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** Registered models carrying this tag set to "true" are prompts, hidden from registry searches by default. */
export const IS_PROMPT_TAG_KEY = "mlflow.prompt.is_prompt";

export interface RegisteredModelTag {
  key: string;
  value: string;
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source?: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: RegisteredModelTag[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: RegisteredModelTag[];
  aliases?: RegisteredModelAlias[];
}

/**
 * MLflow's `get_canonical_stage`: case-insensitive match against the four stages. Throws
 * INVALID_PARAMETER_VALUE with MLflow's message for anything else (typos included).
 */
export function canonicalStage(stage: string): ModelVersionStage {
  const found = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (found === undefined) {
    throw MlflowError.invalidParameter(
      `Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_VERSION_STAGES.join(", ")}.`,
    );
  }
  return found;
}

// --- mlflow-ts extensions: registry audit history and webhooks ---

export const AUDIT_ACTIONS = ["alias_set", "alias_deleted", "stage_transitioned"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One alias or stage change: who, when, from, to. */
export interface RegistryAuditEntry {
  id: string;
  timestamp: number;
  /** The authenticated (basic-auth) user name, when the request carried one. */
  user_id?: string;
  action: AuditAction;
  name: string;
  version?: string;
  alias?: string;
  /** Previous version (aliases) or stage; absent when the alias did not exist. */
  from?: string;
  /** New version (aliases) or stage; absent when the alias was removed. */
  to?: string;
}

/** Registry events a webhook can subscribe to (`<entity>.<action>`, as MLflow 3 names them). */
export const WEBHOOK_EVENTS = [
  "registered_model.created",
  "model_version.created",
  "model_version.stage_transitioned",
  "model_version_alias.created",
  "model_version_alias.deleted",
  "model_version_tag.set",
  "model_version_tag.deleted",
  "registered_model_tag.set",
  "registered_model_tag.deleted",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The event of a test delivery (`POST /mlflow-ts/webhooks/test`): sent on request, never subscribed to. */
export const WEBHOOK_TEST_EVENT = "webhook.test";
/** What a delivery carries: a registry event, or a test. */
export type WebhookDeliveryEvent = WebhookEvent | typeof WEBHOOK_TEST_EVENT;

export const WEBHOOK_STATUSES = ["ACTIVE", "DISABLED"] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** A webhook as returned by the API; the secret is write-only. */
export interface Webhook {
  id: string;
  name: string;
  description?: string;
  url: string;
  events: WebhookEvent[];
  status: WebhookStatus;
  /** True when deliveries are signed (a secret is set). */
  has_secret: boolean;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export const DELIVERY_STATUSES = ["PENDING", "SUCCEEDED", "FAILED"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDeliveryAttempt {
  attempt: number;
  timestamp: number;
  response_status?: number;
  error_message?: string;
  duration_ms: number;
}

/** One event to send to one webhook, with its attempts so far. */
export interface WebhookDelivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event: WebhookDeliveryEvent;
  status: DeliveryStatus;
  attempts: number;
  creation_timestamp: number;
  next_attempt_timestamp?: number;
  last_attempt_timestamp?: number;
  completed_timestamp?: number;
  response_status?: number;
  error_message?: string;
  attempt_log?: WebhookDeliveryAttempt[];
}

/** The JSON body POSTed to a webhook URL. */
export interface WebhookPayload {
  /** The event id: the same for every webhook and retry of one event (use it to de-duplicate). */
  id: string;
  event: WebhookDeliveryEvent;
  entity: string;
  action: string;
  timestamp: number;
  data: Record<string, unknown>;
}
