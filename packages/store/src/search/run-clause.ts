/**
 * Run-search identifiers and clauses: which entity a filter or order_by identifier names, and
 * the validation of one filter comparison into a typed clause, with MLflow's error messages.
 * Checks run in MLflow's order: identifier, then value type, then comparator.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import {
  cleanKey,
  isNumberValue,
  isStringLike,
  numberOf,
  quotedString,
  splitIdentifier,
  stringList,
  trimBackticks,
  valueText,
} from "./clause-parts.js";
import type { Comparison } from "./filter-parser.js";
import { pyList, pySet } from "./python-repr.js";
import type { NumericComparator, StringComparator } from "./sql-builder.js";

export type RunEntity = "metric" | "parameter" | "tag" | "attribute" | "dataset";

const ENTITY_TYPES: readonly RunEntity[] = ["metric", "parameter", "tag", "attribute", "dataset"];
const ENTITY_PREFIXES = new Map<string, RunEntity>([
  ["metric", "metric"],
  ["metrics", "metric"],
  ["parameter", "parameter"],
  ["parameters", "parameter"],
  ["param", "parameter"],
  ["params", "parameter"],
  ["tag", "tag"],
  ["tags", "tag"],
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["attr", "attribute"],
  ["run", "attribute"],
  ["dataset", "dataset"],
  ["datasets", "dataset"],
]);

const STRING_ATTRIBUTES = ["run_id", "run_name", "status", "user_id", "artifact_uri"];
const NUMERIC_ATTRIBUTES = ["start_time", "end_time", "created", "Created"];
const ATTRIBUTE_ALIASES = new Map([
  ["created", "start_time"],
  ["Created", "start_time"],
  ["run name", "run_name"],
  ["Run name", "run_name"],
  ["Run Name", "run_name"],
]);
/** Attribute keys accepted in filters (aliases included). */
export const SEARCHABLE_RUN_ATTRIBUTES: readonly string[] = [
  ...STRING_ATTRIBUTES,
  ...NUMERIC_ATTRIBUTES,
  "run name",
  "Run name",
  "Run Name",
];
/** Attribute keys accepted in order_by: MLflow allows the `created` aliases but not `run name`. */
export const ORDERABLE_RUN_ATTRIBUTES: readonly string[] = [...STRING_ATTRIBUTES, ...NUMERIC_ATTRIBUTES];
const DATASET_KEYS = ["name", "digest", "context"] as const;
export type DatasetKey = (typeof DATASET_KEYS)[number];

const METRIC_COMPARATORS: readonly string[] = [">", ">=", "!=", "=", "<", "<="];
const PARAM_COMPARATORS: readonly string[] = ["!=", "=", "LIKE", "ILIKE"];
const STRING_ATTRIBUTE_COMPARATORS: readonly string[] = ["!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"];

/** The runs column behind an attribute key (after alias translation). */
export const RUN_ATTRIBUTE_COLUMNS: ReadonlyMap<string, string> = new Map([
  ["run_id", "run_uuid"],
  ["run_name", "name"],
  ["status", "status"],
  ["user_id", "user_id"],
  ["artifact_uri", "artifact_uri"],
  ["start_time", "start_time"],
  ["end_time", "end_time"],
]);

export interface RunIdentifier {
  entity: RunEntity;
  /** The key with quotes stripped; attribute aliases are translated (`created` → `start_time`). */
  key: string;
  /** The key as written (quotes stripped, aliases kept), for error messages. */
  writtenKey: string;
}

/** Resolves `[prefix.]key` (prefix up to the first dot) against the run-search entity types. */
export function resolveRunIdentifier(identifier: string, validAttributes: readonly string[]): RunIdentifier {
  const { prefix, key: rawKey } = splitIdentifier(identifier);
  let entity: RunEntity = "attribute";
  if (prefix !== undefined) {
    const type = trimBackticks(prefix);
    const resolved = ENTITY_PREFIXES.get(type);
    if (resolved === undefined) {
      throw MlflowError.invalidParameter(`Invalid entity type '${type}'. Valid values are ${pyList(ENTITY_TYPES)}`);
    }
    entity = resolved;
  }
  const key = cleanKey(rawKey);
  if (entity === "attribute") {
    if (!validAttributes.includes(key)) {
      throw MlflowError.invalidParameter(
        `Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`,
      );
    }
    return { entity, key: ATTRIBUTE_ALIASES.get(key) ?? key, writtenKey: key };
  }
  if (entity === "dataset" && !(DATASET_KEYS as readonly string[]).includes(key)) {
    throw MlflowError.invalidParameter(
      `Invalid dataset key '${key}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`,
    );
  }
  return { entity, key, writtenKey: key };
}

export type RunClause =
  | { kind: "metric"; key: string; op: NumericComparator; value: number }
  | { kind: "param" | "tag"; key: string; op: StringComparator; value: string }
  /** `run_name` is matched against the `mlflow.runName` tag. */
  | { kind: "run-name"; op: StringComparator; value: string }
  | { kind: "string-attribute"; column: string; op: StringComparator; value: string }
  | { kind: "numeric-attribute"; column: string; op: NumericComparator; value: number }
  | { kind: "run-id-list"; negate: boolean; values: string[] }
  | { kind: "dataset"; key: DatasetKey; op: StringComparator; value: string }
  | { kind: "dataset-list"; key: DatasetKey; negate: boolean; values: string[] };

function checkComparator(op: string, valid: readonly string[]): void {
  if (!valid.includes(op)) {
    throw MlflowError.invalidParameter(`Invalid comparator '${op}' not one of '${pySet(valid)}'`);
  }
}

/** A list value needs IN / NOT IN, and IN / NOT IN need a list (the parser ensures the latter). */
function listNegation(op: string): boolean {
  if (op !== "IN" && op !== "NOT IN") {
    throw MlflowError.invalidParameter(
      `Invalid comparator '${op}' for a list of values. Only 'IN' and 'NOT IN' accept a list.`,
    );
  }
  return op === "NOT IN";
}

/** Python's str.islower(): at least one cased character and no upper-case one. */
function isLower(value: string): boolean {
  return value === value.toLowerCase() && value !== value.toUpperCase();
}

export function resolveRunClause(comparison: Comparison): RunClause {
  const identifier = resolveRunIdentifier(comparison.identifier.text, SEARCHABLE_RUN_ATTRIBUTES);
  const { entity, key } = identifier;
  const { value, comparator: op } = comparison;
  const text = valueText(value);
  switch (entity) {
    case "metric": {
      if (!isNumberValue(value)) {
        throw MlflowError.invalidParameter(`Expected numeric value type for metric. Found ${text}`);
      }
      checkComparator(op, METRIC_COMPARATORS);
      return { kind: "metric", key, op: op as NumericComparator, value: numberOf(value) };
    }
    case "parameter":
    case "tag": {
      if (!isStringLike(value)) {
        throw MlflowError.invalidParameter(
          `Expected a quoted string value for ${entity} (e.g. 'my-value'). Got value ${text}`,
        );
      }
      const str = quotedString(value);
      checkComparator(op, PARAM_COMPARATORS);
      const kind = entity === "tag" ? "tag" : "param";
      return { kind, key, op: op as StringComparator, value: str };
    }
    case "attribute":
      return resolveAttributeClause(comparison, identifier);
    case "dataset":
      return resolveDatasetClause(comparison, key as DatasetKey);
  }
}

function resolveAttributeClause(comparison: Comparison, { key, writtenKey }: RunIdentifier): RunClause {
  const { value, comparator: op } = comparison;
  const column = RUN_ATTRIBUTE_COLUMNS.get(key) ?? key;
  if (key === "start_time" || key === "end_time") {
    if (!isNumberValue(value)) {
      throw MlflowError.invalidParameter(
        `Expected numeric value type for numeric attribute: ${writtenKey}. Found ${valueText(value)}`,
      );
    }
    checkComparator(op, METRIC_COMPARATORS);
    return { kind: "numeric-attribute", column, op: op as NumericComparator, value: numberOf(value) };
  }
  if (isStringLike(value)) {
    const str = quotedString(value);
    checkComparator(op, STRING_ATTRIBUTE_COMPARATORS);
    if (key === "run_name") return { kind: "run-name", op: op as StringComparator, value: str };
    return { kind: "string-attribute", column, op: op as StringComparator, value: str };
  }
  if (value.kind === "list") {
    if (key !== "run_id") {
      throw MlflowError.invalidParameter(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      );
    }
    // Run ids are lower-case hex; entries that are not lower-case are dropped, as MLflow does
    // (this keeps MySQL's case-insensitive IN from matching them).
    const values = stringList(value).filter(isLower);
    checkComparator(op, STRING_ATTRIBUTE_COMPARATORS);
    return { kind: "run-id-list", negate: listNegation(op), values };
  }
  throw MlflowError.invalidParameter(`Expected a quoted string value for attributes. Got value ${valueText(value)}`);
}

function resolveDatasetClause(comparison: Comparison, key: DatasetKey): RunClause {
  const { value, comparator: op } = comparison;
  if (isStringLike(value)) {
    const str = quotedString(value);
    checkComparator(op, STRING_ATTRIBUTE_COMPARATORS);
    return { kind: "dataset", key, op: op as StringComparator, value: str };
  }
  if (value.kind === "list") {
    const values = stringList(value);
    checkComparator(op, STRING_ATTRIBUTE_COMPARATORS);
    return { kind: "dataset-list", key, negate: listNegation(op), values };
  }
  throw MlflowError.invalidParameter(
    `Expected a quoted string value for dataset attributes. Got value ${valueText(value)}`,
  );
}
