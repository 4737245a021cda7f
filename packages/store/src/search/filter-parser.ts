/**
 * Parses a search filter into a syntax tree. Grammar (MLflow's, plus OR and parentheses):
 *
 *   filter     := "" | or-expr
 *   or-expr    := and-expr ( OR and-expr )*
 *   and-expr   := primary ( AND primary )*
 *   primary    := "(" or-expr ")" | comparison
 *   comparison := identifier comparator value
 *   comparator := = | != | <> | == | < | <= | > | >= | [NOT] LIKE | [NOT] ILIKE | [NOT] IN
 *   value      := 'string' | "string" | name | number | "(" tokens ")"
 *
 * AND binds tighter than OR. The tree is syntax only: which identifiers, comparators and value
 * types are valid is decided by the run and experiment translators (e.g. `<>`, `NOT LIKE` and
 * bare-word values parse here and are rejected there with MLflow's messages).
 */
import { MlflowError } from "@mlflow-ts/protocol";
import { type Token, tokenize } from "./tokenizer.js";

export type FilterValue =
  /** A single string, number or name token. */
  | { kind: "token"; token: Token }
  /** A parenthesised list; `tokens` are the tokens between the parentheses. */
  | { kind: "list"; text: string; tokens: Token[] };

export interface Comparison {
  kind: "comparison";
  identifier: Token;
  /** Upper-cased, single-spaced comparator: `=`, `LIKE`, `NOT IN`, ... */
  comparator: string;
  value: FilterValue;
}

export interface BooleanExpr {
  kind: "and" | "or";
  children: FilterExpr[];
}

export type FilterExpr = Comparison | BooleanExpr;

/** Deeper nesting is rejected to keep recursion (here and in the database) bounded. */
export const MAX_NESTING_DEPTH = 100;

function invalidClauses(tokens: readonly Token[]): MlflowError {
  const list = tokens.map((t) => `'${t.text}'`).join(", ");
  return MlflowError.invalidParameter(`Invalid clause(s) in filter string: ${list}`);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): FilterExpr {
    const expr = this.parseOr(0);
    if (this.pos < this.tokens.length) throw invalidClauses(this.tokens.slice(this.pos));
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isKeyword(token: Token | undefined, word: string): boolean {
    return token?.kind === "keyword" && token.value === word;
  }

  private parseOr(depth: number): FilterExpr {
    const children = [this.parseAnd(depth)];
    while (this.isKeyword(this.peek(), "OR")) {
      this.pos += 1;
      children.push(this.parseAnd(depth));
    }
    return combine("or", children);
  }

  private parseAnd(depth: number): FilterExpr {
    const children = [this.parsePrimary(depth)];
    while (this.isKeyword(this.peek(), "AND")) {
      this.pos += 1;
      children.push(this.parsePrimary(depth));
    }
    return combine("and", children);
  }

  private parsePrimary(depth: number): FilterExpr {
    const open = this.peek();
    if (open?.kind !== "lparen") return this.parseComparison();
    if (depth >= MAX_NESTING_DEPTH) {
      throw MlflowError.invalidParameter(
        `Invalid filter: parentheses are nested more than ${MAX_NESTING_DEPTH} levels deep`,
      );
    }
    this.pos += 1;
    const inner = this.parseOr(depth + 1);
    if (this.peek()?.kind !== "rparen") {
      throw invalidClauses(this.pos < this.tokens.length ? this.tokens.slice(this.pos) : [open]);
    }
    this.pos += 1;
    return inner;
  }

  /** Fails with the tokens of the clause read so far (or the token before it at the end). */
  private failClause(start: number): MlflowError {
    const end = Math.min(this.pos + 1, this.tokens.length);
    const seen = this.tokens.slice(start, end);
    const previous = this.tokens[start - 1];
    return invalidClauses(seen.length > 0 || previous === undefined ? seen : [previous]);
  }

  private parseComparison(): Comparison {
    const start = this.pos;
    const identifier = this.peek();
    if (identifier?.kind !== "ident") throw this.failClause(start);
    this.pos += 1;
    const comparator = this.parseComparator();
    if (comparator === undefined) throw this.failClause(start);
    const value = this.parseValue(comparator.endsWith("IN"));
    if (value === undefined) throw this.failClause(start);
    return { kind: "comparison", identifier, comparator, value };
  }

  private parseComparator(): string | undefined {
    const token = this.peek();
    if (token?.kind === "op") {
      this.pos += 1;
      return token.value;
    }
    if (token?.kind !== "keyword") return undefined;
    if (token.value === "LIKE" || token.value === "ILIKE" || token.value === "IN") {
      this.pos += 1;
      return token.value;
    }
    const next = this.tokens[this.pos + 1];
    if (token.value === "NOT" && next?.kind === "keyword" && ["LIKE", "ILIKE", "IN"].includes(next.value)) {
      this.pos += 2;
      return `NOT ${next.value}`;
    }
    return undefined;
  }

  private parseValue(listRequired: boolean): FilterValue | undefined {
    const token = this.peek();
    if (token === undefined) return undefined;
    if (token.kind === "lparen") return this.parseList(token);
    if (listRequired) return undefined;
    if (token.kind === "string" || token.kind === "number" || token.kind === "ident") {
      this.pos += 1;
      return { kind: "token", token };
    }
    return undefined;
  }

  /** Reads tokens up to the matching `)`; the list's contents are checked by whoever uses it. */
  private parseList(open: Token): FilterValue | undefined {
    let i = this.pos + 1;
    while (i < this.tokens.length) {
      const t = this.tokens[i] as Token;
      if (t.kind === "lparen") return undefined;
      if (t.kind === "rparen") {
        const tokens = this.tokens.slice(this.pos + 1, i);
        const text = this.source.slice(open.start, t.end);
        this.pos = i + 1;
        return { kind: "list", text, tokens };
      }
      i += 1;
    }
    return undefined;
  }
}

function combine(kind: "and" | "or", children: FilterExpr[]): FilterExpr {
  if (children.length === 1) return children[0] as FilterExpr;
  const flat = children.flatMap((c) => (c.kind === kind ? (c as BooleanExpr).children : [c]));
  return { kind, children: flat };
}

/**
 * Parses `filter`; returns undefined for an empty or blank filter (match everything).
 * Throws INVALID_PARAMETER_VALUE for anything that is not a well-formed expression.
 */
export function parseFilter(filter: string | undefined): FilterExpr | undefined {
  if (filter === undefined || filter.trim() === "") return undefined;
  const tokens = tokenize(filter);
  const semicolon = tokens.findIndex((t) => t.kind === "semicolon");
  if (semicolon >= 0) {
    if (tokens.slice(semicolon).some((t) => t.kind !== "semicolon")) {
      throw MlflowError.invalidParameter(
        `Search filter contained multiple expression '${filter}'. Provide AND-ed expression list.`,
      );
    }
    throw invalidClauses(tokens.slice(semicolon));
  }
  return new Parser(filter, tokens).parse();
}
