import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseJson } from "./json.js";

const BODY =
  '{"metric":{"key":"loss","value":100000000000000000000,"timestamp":1700000000000,"step":9007199254740993},"run_id":"12345678901234567890"}';

/** Whether this runtime passes the source text to a JSON.parse reviver. */
const withSource = JSON.parse("1", (_k, _v, context?: { source?: string }) => context?.source === "1") === true;

describe("parseJson", () => {
  it("without exactInt64 is JSON.parse (an unsafe step is rounded)", () => {
    const v = parseJson(BODY) as { metric: { step: number } };
    assert.equal(v.metric.step, 9007199254740992);
    assert.deepEqual(parseJson(BODY), JSON.parse(BODY));
  });

  it("with exactInt64 keeps an unsafe int64 field as its decimal text, nothing else", { skip: !withSource }, () => {
    const v = parseJson(BODY, true) as { metric: Record<string, unknown>; run_id: string };
    assert.equal(v.metric.step, "9007199254740993");
    assert.equal(v.metric.timestamp, 1700000000000); // safe: stays a number
    assert.equal(v.metric.value, 1e20); // a double, not an int64 field
    assert.equal(v.run_id, "12345678901234567890");
    assert.equal((parseJson('{"step":-9223372036854775808}', true) as { step: unknown }).step, "-9223372036854775808");
    assert.equal((parseJson('{"step":12345678901234567.5}', true) as { step: unknown }).step, 12345678901234568);
  });

  // Node 20 has the source text behind a flag; newer runtimes run the test above instead
  it("with exactInt64 in a child Node with --harmony-json-parse-with-source", { skip: withSource }, () => {
    const url = new URL("./json.js", import.meta.url).href;
    const script = `import { parseJson } from ${JSON.stringify(url)}; console.log(JSON.stringify(parseJson(${JSON.stringify(BODY)}, true)));`;
    const r = spawnSync(process.execPath, ["--harmony-json-parse-with-source", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout) as { metric: Record<string, unknown> };
    assert.equal(v.metric.step, "9007199254740993");
    assert.equal(v.metric.timestamp, 1700000000000);
    assert.equal(v.metric.value, 1e20);
  });
});
