/**
 * Experiment search: filter on `name`, `creation_time`, `last_update_time` and `tags.<key>`
 * (prefixes `attribute`/`attributes`/`tag`/`tags` or none; OR and parentheses allowed), and
 * order_by on `name`, `experiment_id`, `creation_time`, `last_update_time`.
 * Tag clauses are correlated EXISTS sub-queries: an experiment without the tag never matches.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import type { SqlDialect, SqlValue } from "../sql/database.js";
import {
  cleanKey,
  isNumberValue,
  isStringLike,
  numberOf,
  quotedString,
  splitIdentifier,
  valueText,
} from "./clause-parts.js";
import { type Comparison, parseFilter } from "./filter-parser.js";
import { parseOrderByEntry } from "./order-by-parser.js";
import { pySet, pyTuple } from "./python-repr.js";
import {
  compareString,
  integerComparison,
  type NumericComparator,
  renderBoolean,
  type StringComparator,
} from "./sql-builder.js";

const PREFIXES = new Map<string, "attribute" | "tag">([
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["tag", "tag"],
  ["tags", "tag"],
]);
const SEARCHABLE_ATTRIBUTES = ["name", "creation_time", "last_update_time"];
const ORDERABLE_ATTRIBUTES = ["name", "experiment_id", "creation_time", "last_update_time"];
const NUMERIC_ATTRIBUTES = ["creation_time", "last_update_time"];
const STRING_COMPARATORS: readonly string[] = ["=", "!=", "LIKE", "ILIKE"];
const NUMERIC_COMPARATORS: readonly string[] = ["=", "!=", "<", "<=", ">", ">="];

function resolveIdentifier(
  identifier: string,
  validAttributes: readonly string[],
): { entity: "attribute" | "tag"; key: string } {
  const { prefix, key: rawKey } = splitIdentifier(identifier);
  const entity = prefix === undefined ? "attribute" : PREFIXES.get(prefix);
  if (entity === undefined) {
    throw MlflowError.invalidParameter(
      `Invalid entity type '${prefix}'. Valid entity types are ${pyTuple([...PREFIXES.keys()])}`,
    );
  }
  const key = cleanKey(rawKey);
  if (entity === "attribute" && !validAttributes.includes(key)) {
    throw MlflowError.invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`,
    );
  }
  return { entity, key };
}

function renderComparison(comparison: Comparison, dialect: SqlDialect, params: SqlValue[]): string {
  const { entity, key } = resolveIdentifier(comparison.identifier.text, SEARCHABLE_ATTRIBUTES);
  const { value, comparator: op } = comparison;
  const text = valueText(value);
  if (entity === "tag") {
    if (!isStringLike(value)) {
      throw MlflowError.invalidParameter(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${text}`);
    }
    const str = quotedString(value);
    if (!STRING_COMPARATORS.includes(op)) {
      throw MlflowError.invalidParameter(`Invalid comparator for tag: ${op}`);
    }
    const keyCondition = compareString(dialect, "et.key", "=", key, params);
    const valueCondition = compareString(dialect, "et.value", op as StringComparator, str, params);
    return (
      "EXISTS (SELECT 1 FROM experiment_tags et WHERE et.experiment_id = experiments.experiment_id" +
      ` AND ${keyCondition} AND ${valueCondition})`
    );
  }
  if (NUMERIC_ATTRIBUTES.includes(key)) {
    if (!isNumberValue(value)) {
      throw MlflowError.invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${text}`);
    }
    if (!NUMERIC_COMPARATORS.includes(op)) {
      throw MlflowError.invalidParameter(`Invalid comparator for numeric attribute: ${op}`);
    }
    return integerComparison(`experiments.${key}`, op as NumericComparator, numberOf(value), params);
  }
  if (value.kind === "list") {
    throw MlflowError.invalidParameter(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
  }
  if (!isStringLike(value)) {
    throw MlflowError.invalidParameter(`Expected a quoted string value for attributes. Got value ${text}`);
  }
  const str = quotedString(value);
  if (!STRING_COMPARATORS.includes(op)) {
    throw MlflowError.invalidParameter(`Invalid comparator for string attribute: ${op}`);
  }
  return compareString(dialect, `experiments.${key}`, op as StringComparator, str, params);
}

export function buildExperimentFilterSql(
  filter: string | undefined,
  dialect: SqlDialect,
): { sql: string; params: SqlValue[] } {
  const expr = parseFilter(filter);
  if (expr === undefined) return { sql: "", params: [] };
  const params: SqlValue[] = [];
  const sql = renderBoolean(expr, (comparison) => renderComparison(comparison, dialect, params));
  return { sql, params };
}

const DEFAULT_ORDER_BY = ["creation_time DESC", "experiment_id ASC"];

/**
 * ORDER BY list for experiments. Default `creation_time DESC, experiment_id ASC`. When the list
 * does not order by experiment_id, `experiment_id DESC` is appended as the tie-break, which is
 * the direction MLflow's SQL store appends.
 */
export function buildExperimentOrderSql(orderBy: readonly string[] | undefined): string {
  const entries = orderBy !== undefined && orderBy.length > 0 ? orderBy : DEFAULT_ORDER_BY;
  const terms: string[] = [];
  let hasExperimentId = false;
  for (const entry of entries) {
    const { identifier, ascending } = parseOrderByEntry(entry);
    const { entity, key } = resolveIdentifier(identifier, ORDERABLE_ATTRIBUTES);
    if (entity !== "attribute") throw MlflowError.invalidParameter(`Invalid order_by entity: ${entity}`);
    if (key === "experiment_id") hasExperimentId = true;
    terms.push(`experiments.${key} ${ascending ? "ASC" : "DESC"}`);
  }
  if (!hasExperimentId) terms.push("experiments.experiment_id DESC");
  return terms.join(", ");
}
