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

  // Node 20 passes the source text to a reviver only with --harmony-json-parse-with-source: there the
  // same checks run in a child Node started with it; newer runtimes (and browsers) run them here
  it("with exactInt64 keeps an unsafe int64 field as its decimal text, nothing else", () => {
    const cases = [BODY, '{"step":-9223372036854775808}', '{"step":12345678901234567.5}'];
    let out: unknown[];
    if (withSource) {
      out = cases.map((c) => parseJson(c, true));
    } else {
      const url = new URL("./json.js", import.meta.url).href;
      const script = `import { parseJson } from ${JSON.stringify(url)}; console.log(JSON.stringify(${JSON.stringify(cases)}.map((c) => parseJson(c, true))));`;
      const r = spawnSync(process.execPath, ["--harmony-json-parse-with-source", "--input-type=module", "-e", script], {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      out = JSON.parse(r.stdout) as unknown[];
    }
    const [v, min, frac] = out as [
      { metric: Record<string, unknown>; run_id: string },
      { step: unknown },
      { step: unknown },
    ];
    assert.equal(v.metric.step, "9007199254740993");
    assert.equal(v.metric.timestamp, 1700000000000); // safe: stays a number
    assert.equal(v.metric.value, 1e20); // a double, not an int64 field
    assert.equal(v.run_id, "12345678901234567890");
    assert.equal(min.step, "-9223372036854775808");
    assert.equal(frac.step, 12345678901234568);
  });
});
