import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodePageToken, encodePageToken } from "./index.js";
import { assertInvalidParameter } from "./search-fixtures.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function rejects(token: string, message: string | RegExp): void {
  assertInvalidParameter(() => decodePageToken(token), message, token);
}

describe("page tokens", () => {
  it('encodes MLflow\'s exact bytes: base64 of {"offset": N}', () => {
    assert.equal(encodePageToken(100), "eyJvZmZzZXQiOiAxMDB9");
    assert.equal(Buffer.from(encodePageToken(7), "base64").toString(), '{"offset": 7}');
  });

  it("round-trips offsets", () => {
    for (const offset of [1, 2, 999, 50000, 2 ** 40]) {
      assert.equal(decodePageToken(encodePageToken(offset)), offset);
    }
  });

  it("decodes a missing or empty token as 0", () => {
    assert.equal(decodePageToken(undefined), 0);
    assert.equal(decodePageToken(""), 0);
  });

  it("accepts a numeric-string offset and compact JSON", () => {
    assert.equal(decodePageToken(b64('{"offset": "20"}')), 20);
    assert.equal(decodePageToken(b64('{"offset":20}')), 20);
  });

  it("rejects text that is not base64", () => {
    rejects("not a token!", "Invalid page token, could not base64-decode");
    rejects("abc", "Invalid page token, could not base64-decode");
  });

  it("rejects base64 that is not JSON", () => {
    rejects(b64("hello"), "Invalid page token, decoded value=hello");
  });

  it("rejects JSON without a usable offset", () => {
    rejects(b64("{}"), "Invalid page token, parsed value={}");
    rejects(b64('{"offset": 0}'), 'Invalid page token, parsed value={"offset": 0}');
    rejects(b64("[1]"), "Invalid page token, parsed value=[1]");
    rejects(b64('{"offset": "abc"}'), 'Invalid page token, not stringable "abc"');
    rejects(b64('{"offset": -5}'), "Invalid page token, not stringable -5");
    rejects(b64('{"offset": 1.5}'), "Invalid page token, not stringable 1.5");
  });
});
