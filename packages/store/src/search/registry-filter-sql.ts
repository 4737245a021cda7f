/**
 * Registry search filters (search-syntax.md §4–§5) compiled to SQL, with the tracking search's
 * OR and parentheses extension.
 *
 * Registered models: `name` and `tags.<key>`. Model versions: `name`, `run_id` (also `IN`),
 * `source_path`, `version_number` (numeric) and `tags.<key>`. Tag clauses are correlated EXISTS
 * sub-queries (MLflow joins a GROUP BY/HAVING sub-query; EXISTS means the same for AND and stays
 * correct inside OR). Prompts (`mlflow.prompt.is_prompt = 'true'`) are excluded unless the filter
 * asks for them; as in MLflow, a clause on the prompt tag that does not ask for prompts is dropped
 * (it matches every row).
 */
import { IS_PROMPT_TAG_KEY, MlflowError } from "@mlflow-ts/protocol";
import type { SqlDialect, SqlValue } from "../sql/database.js";
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
import { type Comparison, type FilterExpr, parseFilter } from "./filter-parser.js";
import { pyList, pySet } from "./python-repr.js";
import {
  compareString,
  integerComparison,
  type NumericComparator,
  placeholderList,
  renderBoolean,
  type StringComparator,
} from "./sql-builder.js";

export interface RegistrySearchSpec {
  /** The searched table, referenced by name in the generated SQL. */
  table: "registered_models" | "model_versions";
  tagTable: "registered_model_tags" | "model_version_tags";
  /** Correlates a tag row `t` with the searched row. */
  tagCorrelation: (alias: string) => string;
  /** Attribute key → column, for string attributes. */
  stringAttributes: ReadonlyMap<string, string>;
  /** Attribute key → column, for integer attributes. */
  numericAttributes: ReadonlyMap<string, string>;
  /** The one attribute that takes `IN (...)`. */
  listAttribute?: string;
}

export const REGISTERED_MODEL_SEARCH: RegistrySearchSpec = {
  table: "registered_models",
  tagTable: "registered_model_tags",
  tagCorrelation: (t) => `${t}.name = registered_models.name`,
  stringAttributes: new Map([["name", "name"]]),
  numericAttributes: new Map(),
};

export const MODEL_VERSION_SEARCH: RegistrySearchSpec = {
  table: "model_versions",
  tagTable: "model_version_tags",
  tagCorrelation: (t) => `${t}.name = model_versions.name AND ${t}.version = model_versions.version`,
  stringAttributes: new Map([
    ["name", "name"],
    ["run_id", "run_id"],
    ["source_path", "source"],
  ]),
  numericAttributes: new Map([["version_number", "version"]]),
  listAttribute: "run_id",
};

const PREFIXES = new Map<string, "attribute" | "tag">([
  ["attribute", "attribute"],
  ["attributes", "attribute"],
  ["tag", "tag"],
  ["tags", "tag"],
]);
const STRING_COMPARATORS: readonly string[] = ["=", "!=", "LIKE", "ILIKE"];
const NUMERIC_COMPARATORS: readonly string[] = ["=", "!=", "<", "<=", ">", ">="];

interface Identifier {
  entity: "attribute" | "tag";
  key: string;
}

export function resolveRegistryIdentifier(identifier: string, validAttributes: readonly string[]): Identifier {
  const { prefix, key: rawKey } = splitIdentifier(identifier);
  let entity: "attribute" | "tag" = "attribute";
  if (prefix !== undefined) {
    const found = PREFIXES.get(trimBackticks(prefix));
    if (found === undefined) {
      throw MlflowError.invalidParameter(
        `Invalid entity type '${trimBackticks(prefix)}'. Valid values are ${pyList(["tag", "attribute"])}`,
      );
    }
    entity = found;
  }
  const key = cleanKey(rawKey);
  if (entity === "attribute" && !validAttributes.includes(key)) {
    throw MlflowError.invalidParameter(
      `Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`,
    );
  }
  return { entity, key };
}

function isLower(value: string): boolean {
  return value === value.toLowerCase() && value !== value.toUpperCase();
}

function isPromptClause(c: Comparison, spec: RegistrySearchSpec): { prompt: boolean; asks: boolean } {
  const { entity, key } = resolveRegistryIdentifier(c.identifier.text, attributeKeys(spec));
  if (entity !== "tag" || key !== IS_PROMPT_TAG_KEY || !isStringLike(c.value)) return { prompt: false, asks: false };
  const value = quotedString(c.value).toLowerCase();
  return {
    prompt: true,
    asks: (c.comparator === "=" && value === "true") || (c.comparator === "!=" && value === "false"),
  };
}

function attributeKeys(spec: RegistrySearchSpec): string[] {
  return [...spec.stringAttributes.keys(), ...spec.numericAttributes.keys()];
}

function comparisons(expr: FilterExpr): Comparison[] {
  return expr.kind === "comparison" ? [expr] : expr.children.flatMap(comparisons);
}

class RegistryFilterRenderer {
  readonly params: SqlValue[] = [];

  constructor(
    private readonly spec: RegistrySearchSpec,
    private readonly dialect: SqlDialect,
    private readonly queryingPrompts: boolean,
  ) {}

  private str(column: string, op: StringComparator, value: string): string {
    return compareString(this.dialect, column, op, value, this.params);
  }

  comparison(c: Comparison): string {
    const { spec } = this;
    const { entity, key } = resolveRegistryIdentifier(c.identifier.text, attributeKeys(spec));
    const { value, comparator: op } = c;
    const text = valueText(value);
    if (entity === "tag") {
      if (!isStringLike(value)) {
        throw MlflowError.invalidParameter(
          `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${text}`,
        );
      }
      const str = quotedString(value);
      if (!STRING_COMPARATORS.includes(op)) throw MlflowError.invalidParameter(`Invalid comparator for tag: ${op}`);
      if (key === IS_PROMPT_TAG_KEY && !this.queryingPrompts) return "1 = 1";
      const keyCondition = this.str("t.key", "=", key);
      const valueCondition = this.str("t.value", op as StringComparator, str);
      return `EXISTS (SELECT 1 FROM ${spec.tagTable} t WHERE ${spec.tagCorrelation("t")} AND ${keyCondition} AND ${valueCondition})`;
    }
    const numericColumn = spec.numericAttributes.get(key);
    if (numericColumn !== undefined) {
      if (!isNumberValue(value)) {
        throw MlflowError.invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${text}`);
      }
      if (!NUMERIC_COMPARATORS.includes(op)) {
        throw MlflowError.invalidParameter(`Invalid comparator for attribute ${key}: ${op}`);
      }
      return integerComparison(`${spec.table}.${numericColumn}`, op as NumericComparator, numberOf(value), this.params);
    }
    const column = `${spec.table}.${spec.stringAttributes.get(key) ?? key}`;
    if (value.kind === "list") {
      if (key !== spec.listAttribute) {
        throw MlflowError.invalidParameter(
          `Only the '${spec.listAttribute ?? "run_id"}' attribute supports comparison with a list of quoted string values.`,
        );
      }
      if (op !== "IN") throw MlflowError.invalidParameter(`Invalid comparator for attribute: ${op}`);
      // Run ids are lower-case hex; other entries are dropped (as MLflow does, for MySQL's case-insensitive IN).
      const values = stringList(value).filter(isLower);
      return values.length ? `${column} IN ${placeholderList(values, this.params)}` : "1 = 0";
    }
    if (!isStringLike(value)) {
      throw MlflowError.invalidParameter(`Expected a quoted string value for attributes. Got value ${text}`);
    }
    const str = quotedString(value);
    if (!STRING_COMPARATORS.includes(op)) throw MlflowError.invalidParameter(`Invalid comparator for attribute: ${op}`);
    return this.str(column, op as StringComparator, str);
  }

  /** Anti-join hiding prompts: models tagged as prompts (and, for versions, prompt-tagged versions). */
  promptExclusion(): string {
    const { spec } = this;
    const hidden = (table: string, correlation: string) => {
      const k = this.str("p.key", "=", IS_PROMPT_TAG_KEY);
      const v = this.str("p.value", "=", "true");
      return `NOT EXISTS (SELECT 1 FROM ${table} p WHERE ${correlation} AND ${k} AND ${v})`;
    };
    const model = hidden("registered_model_tags", `p.name = ${spec.table}.name`);
    if (spec.table === "registered_models") return model;
    return `${model} AND ${hidden("model_version_tags", "p.name = model_versions.name")}`;
  }
}

/** The WHERE expression (over the spec's table) for a registry search; "" matches everything. */
export function buildRegistryFilterSql(
  filter: string | undefined,
  spec: RegistrySearchSpec,
  dialect: SqlDialect,
): { sql: string; params: SqlValue[] } {
  const expr = parseFilter(filter);
  const asks = expr !== undefined && comparisons(expr).some((c) => isPromptClause(c, spec).asks);
  const renderer = new RegistryFilterRenderer(spec, dialect, asks);
  const parts: string[] = [];
  if (expr !== undefined) parts.push(`(${renderBoolean(expr, (c) => renderer.comparison(c))})`);
  if (!asks) parts.push(renderer.promptExclusion());
  return { sql: parts.join(" AND "), params: renderer.params };
}
