import type { StoreContext } from "../tracking/context.js";

/** What the registry functions need: the tracking store's context plus registry options. */
export interface RegistryContext extends StoreContext {
  /** Called after a transaction that queued webhook deliveries has committed (wakes the sender). */
  onDeliveriesQueued?: (() => void) | undefined;
  /** MLflow's MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: sources must match it when set. */
  sourceValidationRegex?: RegExp | undefined;
}
