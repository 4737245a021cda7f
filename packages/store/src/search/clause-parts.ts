/**
 * Pieces shared by the run and experiment translators: splitting an identifier into entity
 * type and key, stripping quotes, and reading typed values out of a parsed comparison with
 * MLflow's error messages.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import type { FilterValue } from "./filter-parser.js";

function isQuotedWith(value: string, quote: string): boolean {
  return value.length >= 2 && value.startsWith(quote) && value.endsWith(quote);
}

export function trimBackticks(value: string): string {
  return isQuotedWith(value, "`") ? value.slice(1, -1) : value;
}

function isQuoted(value: string): boolean {
  return isQuotedWith(value, "'") || isQuotedWith(value, '"');
}

/** A key as MLflow reads it: surrounding single/double quotes, then backticks, removed. */
export function cleanKey(key: string): string {
  return trimBackticks(isQuoted(key) ? key.slice(1, -1) : key);
}

/** Splits at the first dot: `params.a.b` → prefix `params`, key `a.b`; no dot → no prefix. */
export function splitIdentifier(identifier: string): { prefix: string | undefined; key: string } {
  const dot = identifier.indexOf(".");
  if (dot < 0) return { prefix: undefined, key: identifier };
  return { prefix: identifier.slice(0, dot), key: identifier.slice(dot + 1) };
}

export function valueText(value: FilterValue): string {
  return value.kind === "list" ? value.text : value.token.text;
}

export function isNumberValue(value: FilterValue): boolean {
  return value.kind === "token" && value.token.kind === "number";
}

export function isStringLike(value: FilterValue): boolean {
  return value.kind === "token" && (value.token.kind === "string" || value.token.kind === "ident");
}

/**
 * The string of a quoted value (`'x'` or `"x"`). A bare or backticked name is rejected the way
 * MLflow rejects it. Call only when `isStringLike(value)`.
 */
export function quotedString(value: FilterValue): string {
  const text = valueText(value);
  if (isQuoted(text)) return text.slice(1, -1);
  throw MlflowError.invalidParameter(
    `Parameter value is either not quoted or unidentified quote types used for string value ${text}. ` +
      "Use either single or double quotes.",
  );
}

/** The numeric value of a number token. Call only when `isNumberValue(value)`. */
export function numberOf(value: FilterValue): number {
  return Number(valueText(value));
}

function illFormedList(): MlflowError {
  return MlflowError.invalidParameter(
    "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.",
  );
}

/** The strings of a list value `('a', 'b')`: a non-empty list of single-quoted strings. */
export function stringList(value: FilterValue): string[] {
  if (value.kind !== "list") throw illFormedList();
  const { tokens } = value;
  if (tokens.length === 0) {
    throw MlflowError.invalidParameter(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
  }
  if (tokens.length > 1 && tokens.some((t) => t.kind !== "string" && t.kind !== "comma")) {
    throw MlflowError.invalidParameter(
      "While parsing a list in the query, expected string value, punctuation, or whitespace, " +
        `but got different type in list: ${value.text}`,
    );
  }
  // Strings at even positions, commas between them, no trailing comma.
  if (tokens.length % 2 === 0) throw illFormedList();
  const items: string[] = [];
  tokens.forEach((token, index) => {
    if (token.kind !== (index % 2 === 0 ? "string" : "comma")) throw illFormedList();
    if (token.kind === "string") items.push(token.text.slice(1, -1));
  });
  return items;
}
