import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MlflowError } from "@mlflow-ts/protocol";
import { MAX_DECODE_ROUNDS, validateArtifactPath, validateArtifactPathOrRoot } from "./path-safety.js";

function assertInvalid(path: string, allowEmpty = false): void {
  assert.throws(
    () => validateArtifactPath(path, { allowEmpty }),
    (error: unknown) =>
      error instanceof MlflowError && error.errorCode === "INVALID_PARAMETER_VALUE" && error.message === "Invalid path",
    `expected ${JSON.stringify(path)} to be rejected`,
  );
}

/** "A" percent-encoded `times` times: 1 → "%41", 2 → "%2541", ... */
function encodedTimes(times: number): string {
  return `%${"25".repeat(times - 1)}41`;
}

describe("validateArtifactPath: examples from the reference (§5)", () => {
  it("accepts model/MLmodel", () => assert.equal(validateArtifactPath("model/MLmodel"), "model/MLmodel"));
  it("rejects a/../b", () => assertInvalid("a/../b"));
  it("rejects %2e%2e/secret (decoded first)", () => assertInvalid("%2e%2e/secret"));
  it("rejects %252e%252e/x (decoded twice)", () => assertInvalid("%252e%252e/x"));
  it("rejects /etc/passwd", () => assertInvalid("/etc/passwd"));
  it("rejects file:///etc/passwd (absolute after conversion)", () => assertInvalid("file:///etc/passwd"));
  it("rejects a#b", () => assertInvalid("a#b"));
  it("accepts ..foo/bar (segment is not exactly ..)", () =>
    assert.equal(validateArtifactPath("..foo/bar"), "..foo/bar"));
});

describe("validateArtifactPath: traversal and absolute forms", () => {
  for (const path of ["..", "../x", "a/..", "a/../../b", "x/y/../../../z", "%2e%2e", "%2E%2E/x", "a/%2e%2e/b"]) {
    it(`rejects ${path}`, () => assertInvalid(path));
  }
  for (const path of ["a\\b", "..\\x", "%5c..%5cx", "C:\\Windows", "C:/Windows", "c:relative", "//server/share/x"]) {
    it(`rejects the Windows-style ${JSON.stringify(path)}`, () => assertInvalid(path));
  }
  for (const path of ["%2fetc/passwd", "%252fetc", "file:/etc/passwd", "FILE:///etc/passwd", "file://host/etc"]) {
    it(`rejects the absolute ${path}`, () => assertInvalid(path));
  }
  it("rejects an encoded # and a NUL byte", () => {
    assertInvalid("a%23b");
    assertInvalid("a%2523b");
    assertInvalid("a\0b");
    assertInvalid("a%00b");
  });
  it("rejects file: URIs whose path climbs", () => {
    assertInvalid("file:../x");
    assertInvalid("file:a/../../x");
  });
  it("rejects values that are not strings", () => {
    assertInvalid(undefined as unknown as string);
    assertInvalid(42 as unknown as string);
  });
});

describe("validateArtifactPath: decoding", () => {
  it(`checks through up to ${MAX_DECODE_ROUNDS - 1} nested encodings and keeps the path as received`, () => {
    const nested = encodedTimes(MAX_DECODE_ROUNDS - 1);
    assert.equal(validateArtifactPath(nested), nested);
  });
  it("refuses a value that still changes after the last round", () => {
    assertInvalid(encodedTimes(MAX_DECODE_ROUNDS));
    assertInvalid(encodedTimes(50));
  });
  it("keeps escapes as received (the server decodes the URL once, as MLflow's does)", () => {
    assert.equal(validateArtifactPath("caf%C3%A9/a%20b.txt"), "caf%C3%A9/a%20b.txt");
    assert.equal(validateArtifactPath("img%step%17.png"), "img%step%17.png");
  });
  it("leaves malformed escapes alone instead of failing", () => {
    assert.equal(validateArtifactPath("100%/a%zz"), "100%/a%zz");
  });
  it("still refuses traversal hidden behind encoded slashes and dots", () => {
    assert.equal(validateArtifactPath("a%2Fb"), "a%2Fb");
    assertInvalid("a%2F..%2F..%2Fb");
    assertInvalid("%252e%252e%252Fx");
  });
  it("takes the path of a relative file: URI", () => {
    assert.equal(validateArtifactPath("file:a/b.txt"), "a/b.txt");
  });
});

describe("validateArtifactPath: normalisation and empty paths", () => {
  it("collapses empty and . segments and drops a trailing slash", () => {
    assert.equal(validateArtifactPath("./a//b/./c/"), "a/b/c");
    assert.equal(validateArtifactPath("..."), "...");
    assert.equal(validateArtifactPath(".hidden/x"), ".hidden/x");
  });
  it("rejects paths that normalise to nothing unless allowed", () => {
    for (const path of ["", ".", "./", "//"]) {
      if (path.startsWith("/")) continue;
      assertInvalid(path);
      assert.equal(validateArtifactPath(path, { allowEmpty: true }), "");
    }
  });
  it("validateArtifactPathOrRoot maps undefined, '' and '.' to the root", () => {
    assert.equal(validateArtifactPathOrRoot(undefined), "");
    assert.equal(validateArtifactPathOrRoot(""), "");
    assert.equal(validateArtifactPathOrRoot("."), "");
    assert.equal(validateArtifactPathOrRoot("model/"), "model");
    assert.throws(() => validateArtifactPathOrRoot("../x"), /Invalid path/);
    assert.throws(() => validateArtifactPathOrRoot("/"), /Invalid path/);
  });
});
