/**
 * Lexer for MLflow search filters and order_by entries.
 *
 * MLflow tokenizes with a SQL lexer, so SQL lexical rules apply: keywords are case-insensitive,
 * whitespace is free, `'...'` is a string, `"..."` and `` `...` `` are quoted names. A dotted
 * identifier such as ``tags.`my tag` `` or `params.a.b` is one token whose `text` keeps the quotes
 * (MLflow splits it at the first dot and strips quotes afterwards). Quoted text is never
 * unescaped: a doubled quote or a backslash pair only stops the quote from ending the token.
 */

export type TokenKind =
  | "ident"
  | "string"
  | "number"
  | "op"
  | "keyword"
  | "lparen"
  | "rparen"
  | "comma"
  | "semicolon"
  | "invalid";

/** One segment of a dotted identifier; `quote` is set when the segment was quoted. */
export interface IdentPart {
  text: string;
  quote: '"' | "`" | undefined;
}

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Upper-cased text for keywords and operators; same as `text` otherwise. */
  value: string;
  start: number;
  end: number;
  /** Segments of an identifier (only for `ident`). */
  parts?: IdentPart[];
}

const KEYWORDS = new Set(["AND", "OR", "NOT", "IN", "LIKE", "ILIKE"]);
const OPERATORS = ["!=", "<>", "<=", ">=", "==", "=", "<", ">"];
const WORD_START = /[\p{L}_]/u;
const WORD_CHAR = /[\p{L}\p{N}_$#]/u;
const NUMBER = /-?(?:\d+(?:\.\d+)?[eE]-?\d+|\d+\.\d*|\.\d+|\d+)/y;

/** Returns the end index (exclusive) of a quoted run starting at `start`, or -1 if unterminated. */
function scanQuoted(input: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < input.length) {
    const c = input[i];
    if (c === "\\" && quote !== "`") {
      i += 2;
    } else if (c === quote) {
      if (input[i + 1] === quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      i += 1;
    }
  }
  return -1;
}

function scanWord(input: string, start: number): number {
  let i = start;
  while (i < input.length && WORD_CHAR.test(input[i] as string)) i += 1;
  return i;
}

/** Scans one identifier segment at `i`: a bare word or a `"`/`` ` `` quoted name. */
function scanPart(input: string, i: number, allowDigitStart: boolean): { part: IdentPart; end: number } | undefined {
  const c = input[i];
  if (c === '"' || c === "`") {
    const end = scanQuoted(input, i, c);
    if (end < 0) return undefined;
    return { part: { text: input.slice(i, end), quote: c }, end };
  }
  if (c !== undefined && (WORD_START.test(c) || (allowDigitStart && WORD_CHAR.test(c)))) {
    const end = scanWord(input, i);
    return { part: { text: input.slice(i, end), quote: undefined }, end };
  }
  return undefined;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && WORD_CHAR.test(c);
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string, parts?: IdentPart[]): void => {
    const text = input.slice(start, end);
    const token: Token = { kind, text, value: value ?? text, start, end };
    if (parts) token.parts = parts;
    tokens.push(token);
    i = end;
  };

  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/u.test(c)) {
      i += 1;
      continue;
    }
    if (c === "(") push("lparen", i, i + 1);
    else if (c === ")") push("rparen", i, i + 1);
    else if (c === ",") push("comma", i, i + 1);
    else if (c === ";") push("semicolon", i, i + 1);
    else if (c === "'") {
      const end = scanQuoted(input, i, "'");
      push(end < 0 ? "invalid" : "string", i, end < 0 ? input.length : end);
    } else if (/[-.\d]/.test(c)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(input);
      if (match && !isWordChar(input[i + match[0].length])) {
        push("number", i, i + match[0].length);
      } else {
        // A sign or dot that starts no number, or a number glued to a word (`5abc`).
        const end = match ? scanWord(input, i + match[0].length) : i + 1;
        push("invalid", i, end);
      }
    } else {
      const op = OPERATORS.find((o) => input.startsWith(o, i));
      if (op !== undefined) {
        push("op", i, i + op.length);
        continue;
      }
      const ident = scanIdentifier(input, i);
      if (ident === undefined) {
        const quoted = c === '"' || c === "`";
        push("invalid", i, quoted ? input.length : i + 1);
      } else if (ident.invalidEnd !== undefined) {
        push("invalid", i, ident.invalidEnd);
      } else {
        const only = ident.parts.length === 1 ? ident.parts[0] : undefined;
        const upper = only && only.quote === undefined ? only.text.toUpperCase() : "";
        if (KEYWORDS.has(upper)) push("keyword", i, ident.end, upper);
        else push("ident", i, ident.end, undefined, ident.parts);
      }
    }
  }
  return tokens;
}

function scanIdentifier(
  input: string,
  start: number,
): { parts: IdentPart[]; end: number; invalidEnd?: number } | undefined {
  const first = scanPart(input, start, false);
  if (first === undefined) return undefined;
  const parts = [first.part];
  let end = first.end;
  while (input[end] === ".") {
    const next = scanPart(input, end + 1, true);
    if (next === undefined) {
      // A trailing dot or a dot followed by something that is not a name (`metrics.`).
      return { parts, end, invalidEnd: end + 1 };
    }
    parts.push(next.part);
    end = next.end;
  }
  return { parts, end };
}

/** Removes the quotes of each quoted segment and joins the segments with dots (shell-like). */
export function unquotedIdentifier(token: Token): string {
  return (token.parts ?? []).map((part) => (part.quote === undefined ? part.text : part.text.slice(1, -1))).join(".");
}
