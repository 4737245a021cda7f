import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MlflowError } from "./mlflow-error.js";
import { LogBatch } from "./tracking-requests.js";
import { parseRequest } from "./validate.js";

const RUN = "a".repeat(32);

describe("LogBatch metrics", () => {
  it("takes plain metrics as they are and reads the other wire forms", () => {
    const plain = { key: "loss", value: 0.5, timestamp: 10, step: 2 };
    const noStep = { key: "acc", value: 1, timestamp: 11 };
    const out = parseRequest(LogBatch, {
      run_uuid: RUN,
      metrics: [
        plain,
        noStep,
        { key: "m", value: "NaN", timestamp: "12", step: "3" },
        { key: "i", value: "-Infinity", timestamp: 13 },
      ],
    });
    assert.equal(out.run_id, RUN);
    assert.equal(out.metrics?.[0], plain);
    assert.equal(out.metrics?.[1], noStep);
    assert.ok(Number.isNaN(out.metrics?.[2]?.value));
    assert.equal(out.metrics?.[2]?.timestamp, 12);
    assert.equal(out.metrics?.[2]?.step, 3);
    assert.equal(out.metrics?.[3]?.value, Number.NEGATIVE_INFINITY);
  });

  it("reports a bad element by its index, among plain ones", () => {
    const bad = (metric: unknown) => {
      try {
        parseRequest(LogBatch, {
          run_id: RUN,
          metrics: [{ key: "a", value: 1, timestamp: 1 }, { key: "b", value: 2, timestamp: 2 }, metric],
        });
      } catch (e) {
        assert.ok(e instanceof MlflowError);
        return e.message;
      }
      assert.fail("accepted");
    };
    assert.match(
      bad({ key: "c", value: "x", timestamp: 3 }),
      /^Invalid value 'x' for parameter 'metrics\[2\]\.value' supplied/,
    );
    assert.match(bad({ key: "c", value: 1 }), /^Missing value for required parameter 'metrics\[2\]\.timestamp'/);
    assert.match(bad({ key: "c", value: 1, timestamp: 1.5 }), /parameter 'metrics\[2\]\.timestamp'/);
    assert.match(bad({ key: "c", value: 1, timestamp: 1, step: null }), /parameter 'metrics\[2\]\.step'/);
    assert.match(bad({ key: "", value: 1, timestamp: 1 }), /parameter 'metrics\[2\]\.key'/);
    assert.match(bad("loss"), /parameter 'metrics\[2\]'/);
  });
});
