/**
 * Small helpers for building SQL text with `?` placeholders while collecting the bound values
 * in placeholder order.
 */
import type { SqlDialect, SqlValue } from "../sql/database.js";
import type { Comparison, FilterExpr } from "./filter-parser.js";

export type StringComparator = "=" | "!=" | "LIKE" | "ILIKE";
export type NumericComparator = "=" | "!=" | "<" | "<=" | ">" | ">=";

/**
 * `dialect.compareString(column, op)`, binding `value` once per placeholder the dialect
 * emitted (one by contract; counting keeps a two-placeholder dialect template correct too).
 */
export function compareString(
  dialect: SqlDialect,
  column: string,
  op: StringComparator,
  value: string,
  params: SqlValue[],
): string {
  const sql = dialect.compareString(column, op);
  const placeholders = sql.split("?").length - 1;
  for (let i = 0; i < placeholders; i += 1) params.push(value);
  return sql;
}

/** `(?, ?, ?)` for `values`, pushing them onto `params`. */
export function placeholderList(values: readonly SqlValue[], params: SqlValue[]): string {
  params.push(...values);
  return `(${values.map(() => "?").join(", ")})`;
}

const NEVER = "1 = 0";
/** Values beyond a signed 64-bit integer compare like ±infinity with any stored BIGINT. */
const BIGINT_LIMIT = 2 ** 63;

/**
 * A comparison of an integer column (ms timestamps) with a number. Integral values bind as is;
 * a fractional or out-of-range value is turned into the equivalent integer comparison, so every
 * database gives the same answer without casting (a NULL column never matches, as in SQL).
 */
export function integerComparison(column: string, op: NumericComparator, value: number, params: SqlValue[]): string {
  const outOfRange = !(Math.abs(value) < BIGINT_LIMIT);
  if (Number.isInteger(value) && !outOfRange) {
    params.push(value);
    return `${column} ${op} ?`;
  }
  const notNull = `${column} IS NOT NULL`;
  if (op === "=") return NEVER;
  if (op === "!=") return notNull;
  if (outOfRange) {
    const allGreater = value < 0;
    const matchesAll = op === ">" || op === ">=" ? allGreater : !allGreater;
    return matchesAll ? notNull : NEVER;
  }
  if (op === ">" || op === ">=") {
    params.push(Math.floor(value));
    return `${column} > ?`;
  }
  params.push(Math.ceil(value));
  return `${column} < ?`;
}

/**
 * Renders an AND/OR tree; `leaf` renders one comparison and pushes its params. Children of a
 * boolean node are parenthesised, so the output is correct whatever the leaves contain.
 */
export function renderBoolean(expr: FilterExpr, leaf: (comparison: Comparison) => string): string {
  if (expr.kind === "comparison") return leaf(expr);
  const joiner = expr.kind === "and" ? " AND " : " OR ";
  return expr.children.map((child) => `(${renderBoolean(child, leaf)})`).join(joiner);
}
