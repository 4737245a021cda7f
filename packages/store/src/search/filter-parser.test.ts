import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FilterExpr, MAX_NESTING_DEPTH, parseFilter } from "./filter-parser.js";
import { assertInvalidParameter } from "./search-fixtures.js";

/** Renders a tree compactly: comparisons as `ident op value`, groups as and(...)/or(...). */
function show(expr: FilterExpr | undefined): string {
  if (expr === undefined) return "";
  if (expr.kind === "comparison") {
    const value = expr.value.kind === "list" ? expr.value.text : expr.value.token.text;
    return `${expr.identifier.text} ${expr.comparator} ${value}`;
  }
  return `${expr.kind}(${expr.children.map(show).join("; ")})`;
}

function rejects(filter: string, message: string): void {
  assertInvalidParameter(() => parseFilter(filter), message, filter);
}

describe("parseFilter", () => {
  it("returns undefined for a missing, empty or blank filter", () => {
    assert.equal(parseFilter(undefined), undefined);
    assert.equal(parseFilter(""), undefined);
    assert.equal(parseFilter("  \n\t"), undefined);
  });

  it("parses one comparison of each comparator form", () => {
    assert.equal(show(parseFilter("a = 'x'")), "a = 'x'");
    assert.equal(show(parseFilter("a like 'x%'")), "a LIKE 'x%'");
    assert.equal(show(parseFilter("a ILike 'x%'")), "a ILIKE 'x%'");
    assert.equal(show(parseFilter("run_id in ('a','b')")), "run_id IN ('a','b')");
    assert.equal(show(parseFilter("run_id not   in ('a')")), "run_id NOT IN ('a')");
    assert.equal(show(parseFilter("a not like 'x'")), "a NOT LIKE 'x'");
    assert.equal(show(parseFilter("m>=-1.5")), "m >= -1.5");
  });

  it("joins clauses with AND (case-insensitive)", () => {
    assert.equal(show(parseFilter("a = 'x' and b = 'y' AND c > 1")), "and(a = 'x'; b = 'y'; c > 1)");
  });

  it("binds AND tighter than OR", () => {
    assert.equal(show(parseFilter("a = '1' AND b = '2' OR c = '3'")), "or(and(a = '1'; b = '2'); c = '3')");
    assert.equal(show(parseFilter("a = '1' OR b = '2' AND c = '3'")), "or(a = '1'; and(b = '2'; c = '3'))");
    assert.equal(show(parseFilter("a = '1' or b = '2' or c = '3'")), "or(a = '1'; b = '2'; c = '3')");
  });

  it("groups with parentheses, nested arbitrarily", () => {
    assert.equal(show(parseFilter("(a = '1')")), "a = '1'");
    assert.equal(show(parseFilter("a = '1' AND (b = '2' OR c = '3')")), "and(a = '1'; or(b = '2'; c = '3'))");
    assert.equal(
      show(parseFilter("((a = '1' OR (b = '2' AND (c = '3' OR d = '4'))) AND e = '5')")),
      "and(or(a = '1'; and(b = '2'; or(c = '3'; d = '4'))); e = '5')",
    );
    // Same-kind groups are flattened.
    assert.equal(show(parseFilter("(a = '1' AND b = '2') AND c = '3'")), "and(a = '1'; b = '2'; c = '3')");
  });

  it("takes a parenthesised value as a list, keeping its source text", () => {
    const expr = parseFilter("run_id IN ( 'a' ,'b' )");
    assert.ok(expr?.kind === "comparison" && expr.value.kind === "list");
    assert.equal(expr.value.text, "( 'a' ,'b' )");
    assert.deepEqual(
      expr.value.tokens.map((t) => t.kind),
      ["string", "comma", "string"],
    );
  });

  it("rejects dangling or incomplete clauses", () => {
    rejects("metrics.acc > 0.9 AND", "Invalid clause(s) in filter string: 'AND'");
    rejects("metrics.acc > 0.9 OR", "Invalid clause(s) in filter string: 'OR'");
    rejects("AND a = 'x'", "Invalid clause(s) in filter string: 'AND'");
    rejects("metrics.acc >", "Invalid clause(s) in filter string: 'metrics.acc', '>'");
    rejects("metrics.acc", "Invalid clause(s) in filter string: 'metrics.acc'");
    rejects("a = 'x' b = 'y'", "Invalid clause(s) in filter string: 'b', '=', ''y''");
    rejects("'x' = a", "Invalid clause(s) in filter string: ''x''");
    rejects("a = = 'x'", "Invalid clause(s) in filter string: 'a', '=', '='");
  });

  it("rejects NOT outside NOT IN / NOT LIKE", () => {
    rejects("NOT a = 'x'", "Invalid clause(s) in filter string: 'NOT'");
    rejects("a NOT = 'x'", "Invalid clause(s) in filter string: 'a', 'NOT'");
  });

  it("requires a list after IN and NOT IN", () => {
    rejects("status IN 'x'", "Invalid clause(s) in filter string: 'status', 'IN', ''x''");
    rejects("run_id NOT IN 'x'", "Invalid clause(s) in filter string: 'run_id', 'NOT', 'IN', ''x''");
  });

  it("rejects unbalanced or empty parentheses", () => {
    rejects("(a = 'x'", "Invalid clause(s) in filter string: '('");
    rejects("(a = 'x' b", "Invalid clause(s) in filter string: 'b'");
    rejects("a = 'x')", "Invalid clause(s) in filter string: ')'");
    rejects("()", "Invalid clause(s) in filter string: ')'");
    rejects("run_id IN ('a'", "Invalid clause(s) in filter string: 'run_id', 'IN', '('");
    rejects("run_id IN (('a'))", "Invalid clause(s) in filter string: 'run_id', 'IN', '('");
  });

  it("rejects semicolons and multiple statements", () => {
    rejects("a = 'x';", "Invalid clause(s) in filter string: ';'");
    rejects(
      "a = 'x'; b = 'y'",
      "Search filter contained multiple expression 'a = 'x'; b = 'y''. Provide AND-ed expression list.",
    );
  });

  it("rejects characters outside the grammar", () => {
    rejects("metrics.f1-score > 0.5", "Invalid clause(s) in filter string: 'metrics.f1', '-'");
    rejects("a = 'x' && b = 'y'", "Invalid clause(s) in filter string: '&', '&', 'b', '=', ''y''");
    rejects("a = 'x", "Invalid clause(s) in filter string: 'a', '=', ''x'");
  });

  it("limits nesting depth", () => {
    const ok = `${"(".repeat(MAX_NESTING_DEPTH)}a = 'x'${")".repeat(MAX_NESTING_DEPTH)}`;
    assert.equal(show(parseFilter(ok)), "a = 'x'");
    const deep = `${"(".repeat(MAX_NESTING_DEPTH + 1)}a = 'x'${")".repeat(MAX_NESTING_DEPTH + 1)}`;
    rejects(deep, `Invalid filter: parentheses are nested more than ${MAX_NESTING_DEPTH} levels deep`);
  });
});
