import { LIMITS, MlflowError } from "@mlflow-ts/protocol";
import { validateKey, validateLength } from "../tracking/validation.js";

/** MLflow's registry input rules (registry-api.md §3). */

export function validateModelName(name: string): void {
  if (name === "") throw MlflowError.invalidParameter("Registered model name cannot be empty.");
}

/** A version as the API receives it (a string); like Python's int(), surrounding spaces are allowed. */
export function parseVersion(version: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(version)) {
    throw MlflowError.invalidParameter(`Model version must be an integer, got '${version}'`);
  }
  const n = Number(version.trim());
  // Beyond any INTEGER column: no such version, reported as not found by the caller.
  return Number.isSafeInteger(n) ? n : -1;
}

const ALIAS = /^[\p{L}\p{N}_-]*$/u;

export function validateAlias(alias: string): void {
  if (alias === "") throw MlflowError.invalidParameter("Registered model alias name cannot be empty.");
  if (!ALIAS.test(alias)) {
    throw MlflowError.invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  validateLength(alias, LIMITS.modelAliasLength, "Registered model alias name", "alias");
  if (alias.toLowerCase() === "latest") {
    throw MlflowError.invalidParameter("'latest' alias name (case insensitive) is reserved.");
  }
  if (/^[vV]\d+$/.test(alias)) throw MlflowError.invalidParameter(`Version alias name '${alias}' is reserved.`);
}

export function validateRegistryTag(key: string, value: string, what: string, path = ""): void {
  const p = (f: string) => (path ? `${path}.${f}` : f);
  validateKey(key, what, p("key"));
  validateLength(key, LIMITS.registryTagKeyLength, `${what} key`, p("key"));
  validateLength(value, LIMITS.registryTagValueLength, `${what} value`, p("value"));
}

/** Tags of a create request: validated, duplicates collapsed (the last value wins). */
export function collectTags(
  tags: readonly { key: string; value?: string | undefined }[] | undefined,
  what: string,
): Map<string, string> {
  const out = new Map<string, string>();
  (tags ?? []).forEach((t, i) => {
    const value = t.value ?? "";
    validateRegistryTag(t.key, value, what, `tags[${i}]`);
    out.set(t.key, value);
  });
  return out;
}
