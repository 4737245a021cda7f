/**
 * Parses one order_by entry: `<identifier> [ASC|DESC]`, direction case-insensitive, default ASC.
 *
 * Like MLflow (which shell-splits the entry after turning backticks into double quotes), quotes
 * only group characters: ``tags.`my tag` DESC`` and `tags."my tag" DESC` both name the tag key
 * `my tag`, and the returned identifier has no quotes left. The caller splits it at the first
 * dot into entity type and key.
 */
import { MlflowError } from "@mlflow-ts/protocol";
import { tokenize, unquotedIdentifier } from "./tokenizer.js";

export interface OrderByEntry {
  /** `prefix.key` or `key`, quotes removed. */
  identifier: string;
  ascending: boolean;
}

export function parseOrderByEntry(entry: string): OrderByEntry {
  const unparsable = () => MlflowError.invalidParameter(`Invalid order_by clause '${entry}'. Could not be parsed.`);
  const [first, second, ...rest] = tokenize(entry);
  if (first?.kind !== "ident" || rest.length > 0) throw unparsable();
  const identifier = unquotedIdentifier(first);
  if (second === undefined) return { identifier, ascending: true };
  if (second.kind !== "ident" || (second.parts?.length ?? 0) !== 1) throw unparsable();
  const direction = unquotedIdentifier(second).toLowerCase();
  if (direction !== "asc" && direction !== "desc") {
    throw MlflowError.invalidParameter(`Invalid ordering key in order_by clause '${entry}'.`);
  }
  return { identifier, ascending: direction === "asc" };
}
