import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tokenize, unquotedIdentifier } from "./tokenizer.js";

const kinds = (input: string) => tokenize(input).map((t) => [t.kind, t.text]);

describe("tokenize", () => {
  it("reads a dotted identifier as one token, quotes kept", () => {
    assert.deepEqual(kinds("tags.`my tag` = 'x'"), [
      ["ident", "tags.`my tag`"],
      ["op", "="],
      ["string", "'x'"],
    ]);
    assert.deepEqual(kinds('metrics."f1-score">0.5'), [
      ["ident", 'metrics."f1-score"'],
      ["op", ">"],
      ["number", "0.5"],
    ]);
    assert.deepEqual(kinds("tags.mlflow.source.type"), [["ident", "tags.mlflow.source.type"]]);
    assert.deepEqual(kinds("params.0abc"), [["ident", "params.0abc"]]);
  });

  it("recognises keywords case-insensitively, only as bare words", () => {
    const tokens = tokenize("a and b Or c nOt In like ILike `and` params.and");
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.value]),
      [
        ["ident", "a"],
        ["keyword", "AND"],
        ["ident", "b"],
        ["keyword", "OR"],
        ["ident", "c"],
        ["keyword", "NOT"],
        ["keyword", "IN"],
        ["keyword", "LIKE"],
        ["keyword", "ILIKE"],
        ["ident", "`and`"],
        ["ident", "params.and"],
      ],
    );
  });

  it("reads numbers: negative, decimal, exponent", () => {
    for (const n of ["1", "-1", "0.5", "-1.5", ".5", "5.", "1e-3", "1E10", "2.5e3", "1700000000000"]) {
      assert.deepEqual(kinds(n), [["number", n]], n);
    }
  });

  it("marks a number glued to a word, or a stray sign, as invalid", () => {
    assert.deepEqual(kinds("5abc"), [["invalid", "5abc"]]);
    assert.deepEqual(kinds("- 1"), [
      ["invalid", "-"],
      ["number", "1"],
    ]);
  });

  it("keeps quoted text verbatim (no unescaping)", () => {
    assert.deepEqual(kinds("'it''s' 'a\\'b' \"x\"\"y\""), [
      ["string", "'it''s'"],
      ["string", "'a\\'b'"],
      ["ident", '"x""y"'],
    ]);
  });

  it("reads operators, parentheses, commas and semicolons", () => {
    assert.deepEqual(
      tokenize("!= <> <= >= == = < > ( ) , ;").map((t) => t.kind),
      ["op", "op", "op", "op", "op", "op", "op", "op", "lparen", "rparen", "comma", "semicolon"],
    );
  });

  it("marks unterminated quotes and unknown characters as invalid", () => {
    assert.deepEqual(kinds("'abc"), [["invalid", "'abc"]]);
    assert.deepEqual(kinds("`abc"), [["invalid", "`abc"]]);
    assert.deepEqual(kinds("a @ b"), [
      ["ident", "a"],
      ["invalid", "@"],
      ["ident", "b"],
    ]);
    assert.deepEqual(kinds("metrics."), [["invalid", "metrics."]]);
  });

  it("unquotedIdentifier removes segment quotes", () => {
    const [token] = tokenize('tags."my tag"');
    assert.ok(token);
    assert.equal(unquotedIdentifier(token), "tags.my tag");
    const [quoted] = tokenize("`metrics`.`a.b`");
    assert.ok(quoted);
    assert.equal(unquotedIdentifier(quoted), "metrics.a.b");
  });
});
