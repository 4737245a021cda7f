/**
 * order_by for registry searches.
 *
 * Registered models: `name`, `timestamp` / `last_updated_timestamp` (both the last-updated
 * time); `name ASC` appended when absent. Model versions: `name`, `version_number`,
 * `creation_timestamp`, `last_updated_timestamp`; default `last_updated_timestamp DESC, name ASC,
 * version_number DESC`; `name ASC` and `version_number DESC` appended when absent. A field named
 * twice is an error, as in MLflow.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import { splitIdentifier } from "./clause-parts.js";
import { parseOrderByEntry } from "./order-by-parser.js";
import { pyList, pySet } from "./python-repr.js";

const RM_COLUMNS = new Map([
  ["name", "name"],
  ["timestamp", "last_updated_time"],
  ["last_updated_timestamp", "last_updated_time"],
]);
const MV_COLUMNS = new Map([
  ["name", "name"],
  ["version_number", "version"],
  ["creation_timestamp", "creation_time"],
  ["last_updated_timestamp", "last_updated_time"],
]);
const MV_DEFAULT = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"];

function orderKey(entry: string): { key: string; ascending: boolean; prefixOk: boolean } {
  const { identifier, ascending } = parseOrderByEntry(entry);
  const { prefix, key } = splitIdentifier(identifier);
  return { key, ascending, prefixOk: prefix === undefined || prefix === "attribute" || prefix === "attributes" };
}

function build(
  table: string,
  orderBy: readonly string[],
  columns: ReadonlyMap<string, string>,
  invalid: (key: string) => string,
): { terms: string[]; seen: Set<string> } {
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const entry of orderBy) {
    const { key, ascending, prefixOk } = orderKey(entry);
    const column = prefixOk ? columns.get(key) : undefined;
    if (column === undefined) throw MlflowError.invalidParameter(invalid(key));
    if (seen.has(column))
      throw MlflowError.invalidParameter(`\`order_by\` contains duplicate fields: ${pyList(orderBy)}`);
    seen.add(column);
    terms.push(`${table}.${column} ${ascending ? "ASC" : "DESC"}`);
  }
  return { terms, seen };
}

export function buildRegisteredModelOrderSql(orderBy: readonly string[] | undefined): string {
  const { terms, seen } = build(
    "registered_models",
    orderBy ?? [],
    RM_COLUMNS,
    (key) => `Invalid order by key '${key}' specified.Valid keys are '${pyList(["name", "last_updated_timestamp"])}'`,
  );
  if (!seen.has("name")) terms.push("registered_models.name ASC");
  return terms.join(", ");
}

export function buildModelVersionOrderSql(orderBy: readonly string[] | undefined): string {
  const list = orderBy !== undefined && orderBy.length > 0 ? orderBy : MV_DEFAULT;
  const { terms, seen } = build(
    "model_versions",
    list,
    MV_COLUMNS,
    (key) => `Invalid order by key '${key}' specified. Valid keys are ${pySet([...MV_COLUMNS.keys()])}`,
  );
  if (!seen.has("name")) terms.push("model_versions.name ASC");
  if (!seen.has("version")) terms.push("model_versions.version DESC");
  return terms.join(", ");
}
