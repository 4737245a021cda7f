import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonBody } from "./body.js";

const parse = (value: unknown) => parseJsonBody(Buffer.from(JSON.stringify(value)));

describe("parseJsonBody", () => {
  it("renames proto JSON camelCase keys at any depth, also in a double-encoded body", () => {
    assert.deepEqual(
      parse({ runId: "r", metrics: [{ key: "a", value: 1, timestamp: 2 }], params: [{ key: "K", value: "V" }] }),
      {
        run_id: "r",
        metrics: [{ key: "a", value: 1, timestamp: 2 }],
        params: [{ key: "K", value: "V" }],
      },
    );
    assert.deepEqual(parse({ experiment_id: "1", tags: [{ key: "k", value: "v", nestedKey: 1 }] }).tags, [
      { key: "k", value: "v", nested_key: 1 },
    ]);
    assert.deepEqual(parse(JSON.stringify({ experimentIds: ["1"] })), { experiment_ids: ["1"] });
  });

  it("leaves a body without upper-case keys as parsed, upper-case values included", () => {
    const body = { run_id: "r", tags: [{ key: "Team", value: 'A:B"C":' }] };
    assert.deepEqual(parse(body), body);
  });
});
