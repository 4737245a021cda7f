import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRunSearchSql } from "./index.js";
import { parseOrderByEntry } from "./order-by-parser.js";
import { assertInvalidParameter, sqliteTestDialect } from "./search-fixtures.js";

function order(orderBy: readonly string[] | undefined) {
  const { joinSql, joinParams, orderSql } = buildRunSearchSql(undefined, orderBy, sqliteTestDialect);
  return { joinSql, joinParams, orderSql };
}

function rejects(orderBy: readonly string[], message: string | RegExp): void {
  assertInvalidParameter(() => buildRunSearchSql(undefined, orderBy, sqliteTestDialect), message, orderBy.join(" | "));
}

const join = (table: string, n: number) =>
  `LEFT JOIN ${table} order_${n} ON order_${n}.run_uuid = runs.run_uuid AND order_${n}.key = ?`;
const metricFlag = (n: number) => `CASE WHEN order_${n}.is_nan THEN 1 WHEN order_${n}.value IS NULL THEN 2 ELSE 0 END`;
const valueFlag = (n: number) => `CASE WHEN order_${n}.value IS NULL THEN 1 ELSE 0 END`;
const columnFlag = (column: string) => `CASE WHEN runs.${column} IS NULL THEN 1 ELSE 0 END`;
const TAIL = "runs.start_time DESC, runs.run_uuid ASC";

describe("run order_by: the reference's examples (§8)", () => {
  it("[] → start_time DESC, run_id ASC", () => {
    const expected = { joinSql: "", joinParams: [], orderSql: TAIL };
    assert.deepEqual(order([]), expected);
    assert.deepEqual(order(undefined), expected);
  });

  it('["metrics.rmse ASC"] → rmse ascending with NaN then missing last, then the defaults', () => {
    assert.deepEqual(order(["metrics.rmse ASC"]), {
      joinSql: join("latest_metrics", 1),
      joinParams: ["rmse"],
      orderSql: `${metricFlag(1)}, order_1.value ASC, ${TAIL}`,
    });
  });

  it('["params.lr DESC", "metrics.acc"] → string order on lr, then acc ascending', () => {
    assert.deepEqual(order(["params.lr DESC", "metrics.acc"]), {
      joinSql: `${join("params", 1)} ${join("latest_metrics", 2)}`,
      joinParams: ["lr", "acc"],
      orderSql: `${valueFlag(1)}, order_1.value DESC, ${metricFlag(2)}, order_2.value ASC, ${TAIL}`,
    });
  });

  it("quoted tag keys: backticks and double quotes", () => {
    const expected = {
      joinSql: join("tags", 1),
      joinParams: ["my tag"],
      orderSql: `${valueFlag(1)}, order_1.value DESC, ${TAIL}`,
    };
    assert.deepEqual(order(["tags.`my tag` DESC"]), expected);
    assert.deepEqual(order(['tags."my tag" DESC']), expected);
  });

  it('["attributes.start_time ASC"] → no implicit start_time DESC', () => {
    assert.deepEqual(order(["attributes.start_time ASC"]), {
      joinSql: "",
      joinParams: [],
      orderSql: `${columnFlag("start_time")}, runs.start_time ASC, runs.run_uuid ASC`,
    });
    assert.equal(
      order(["created DESC"]).orderSql,
      `${columnFlag("start_time")}, runs.start_time DESC, runs.run_uuid ASC`,
    );
  });

  it('["metrics.acc DESC", "metrics.acc ASC"] → duplicate field', () => {
    rejects(
      ["metrics.acc DESC", "metrics.acc ASC"],
      "`order_by` contains duplicate fields: ['metrics.acc DESC', 'metrics.acc ASC']",
    );
  });

  it('["metrics.acc DOWN"] → invalid ordering keyword', () => {
    rejects(["metrics.acc DOWN"], "Invalid ordering key in order_by clause 'metrics.acc DOWN'.");
  });
});

describe("run order_by: further rules", () => {
  it("orders attribute columns, run_id and run_name by their runs columns", () => {
    const cases: [string, string][] = [
      ["run_id", "run_uuid"],
      ["run_name", "name"],
      ["status", "status"],
      ["user_id", "user_id"],
      ["artifact_uri", "artifact_uri"],
      ["end_time", "end_time"],
    ];
    for (const [key, column] of cases) {
      assert.equal(
        order([`attributes.${key} desc`]).orderSql,
        `${columnFlag(column)}, runs.${column} DESC, ${TAIL}`,
        key,
      );
      assert.equal(order([key]).orderSql, `${columnFlag(column)}, runs.${column} ASC, ${TAIL}`, key);
    }
  });

  it("accepts every prefix alias and case-insensitive directions", () => {
    assert.equal(order(["metric.m Desc"]).orderSql, `${metricFlag(1)}, order_1.value DESC, ${TAIL}`);
    assert.deepEqual(order(["parameters.p asc"]).joinParams, ["p"]);
    assert.equal(order(["tag.t"]).joinSql, join("tags", 1));
    assert.equal(order(["param.a", "metric.a", "tag.a"]).joinParams.length, 3);
  });

  it("rejects duplicates after alias resolution", () => {
    rejects(["metric.m", "metrics.m DESC"], "`order_by` contains duplicate fields: ['metric.m', 'metrics.m DESC']");
    rejects(["created", "start_time"], /^`order_by` contains duplicate fields/);
    rejects(["tags.`a b`", 'tags."a b"'], /^`order_by` contains duplicate fields/);
    rejects(["status", "attr.status"], /^`order_by` contains duplicate fields/);
  });

  it("rejects identifiers that cannot be ordered", () => {
    rejects(["datasets.name"], "Invalid identifier type 'dataset'");
    rejects(["foo.bar"], /^Invalid entity type 'foo'/);
    rejects(["`Run Name`"], /^Invalid attribute key 'Run Name' specified/);
    rejects(["experiment_id"], /^Invalid attribute key 'experiment_id' specified/);
  });

  it("rejects entries that do not parse", () => {
    rejects([""], "Invalid order_by clause ''. Could not be parsed.");
    rejects(["metrics.a ASC extra"], "Invalid order_by clause 'metrics.a ASC extra'. Could not be parsed.");
    rejects(["'metrics.a'"], "Invalid order_by clause ''metrics.a''. Could not be parsed.");
    rejects(["metrics.a, metrics.b"], /^Invalid order_by clause/);
    rejects(["metrics.a IN"], /^Invalid order_by clause/);
  });
});

describe("parseOrderByEntry", () => {
  it("strips quotes like a shell split", () => {
    assert.deepEqual(parseOrderByEntry('tags."my tag" DESC'), { identifier: "tags.my tag", ascending: false });
    assert.deepEqual(parseOrderByEntry("`metrics`.`a.b`"), { identifier: "metrics.a.b", ascending: true });
    assert.deepEqual(parseOrderByEntry('"metrics.acc" asc'), { identifier: "metrics.acc", ascending: true });
  });
});
