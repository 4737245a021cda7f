import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "@mlflow-ts/server/test-support";
import { parseOlderThan } from "./commands/runs-gc.js";
import { runCli } from "./test-support/spawn-cli.js";

const API = "/api/2.0/mlflow";
let s: TestServer;

async function ok(method: string, path: string, body: Record<string, unknown>) {
  const r = await s.call(method, `${API}${path}`, body);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function runWithArtifact(experimentId: string): Promise<string> {
  const id = (await ok("POST", "/runs/create", { experiment_id: experimentId })).run.info.run_id as string;
  const put = await fetch(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${id}/artifacts/a.txt`, {
    method: "PUT",
    body: "a",
  });
  assert.equal(put.status, 200);
  return id;
}

before(async () => {
  delete process.env.MLFLOW_BACKEND_STORE_URI;
  delete process.env.MLFLOW_ARTIFACTS_DESTINATION;
  s = await startTestServer();
});
after(async () => {
  await s.close();
});

const gc = (...args: string[]) =>
  runCli([
    "gc",
    "--backend-store-uri",
    `sqlite:///${join(s.dir, "mlflow.db")}`,
    "--artifacts-destination",
    join(s.dir, "mlartifacts"),
    ...args,
  ]);

describe("mlflow-ts gc", () => {
  it("parses MLflow's --older-than format", () => {
    assert.equal(parseOlderThan("30d"), 30 * 86_400_000);
    assert.equal(parseOlderThan("1d2h3m4s"), 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000);
    assert.equal(parseOlderThan("1.5h"), 5_400_000);
    assert.throws(() => parseOlderThan("10 days"), /#d#h#m#s/);
  });

  it("removes deleted runs with their artifacts and deleted experiments, as mlflow gc selects them", async () => {
    const exp = (await ok("POST", "/experiments/create", { name: "gc" })).experiment_id as string;
    const other = (await ok("POST", "/experiments/create", { name: "gc-other" })).experiment_id as string;
    const gone = (await ok("POST", "/experiments/create", { name: "gc-gone" })).experiment_id as string;
    const live = await runWithArtifact(exp);
    const doomed = await runWithArtifact(exp);
    const elsewhere = await runWithArtifact(other);
    const inGone = await runWithArtifact(gone);
    await ok("POST", "/experiments/set-experiment-tag", { experiment_id: gone, key: "k", value: "v" });
    for (const id of [doomed, elsewhere]) await ok("POST", "/runs/delete", { run_id: id });
    await ok("POST", "/experiments/delete", { experiment_id: gone }); // its runs become deleted too

    // checked before anything is deleted
    const refused = await gc("--run-ids", `${live},${doomed}`);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not in the 'deleted' lifecycle stage/);
    assert.ok(existsSync(join(s.dir, "mlartifacts", exp, doomed)));
    const activeExp = await gc("--experiment-ids", exp);
    assert.equal(activeExp.code, 1);
    assert.match(activeExp.stderr, /are not in the deleted lifecycle stage/);
    const tooRecent = await gc("--run-ids", doomed, "--older-than", "1d");
    assert.equal(tooRecent.code, 1);
    assert.match(tooRecent.stderr, /not older than the required age/);

    const recent = await gc("--older-than", "1d");
    assert.equal(recent.code, 0, recent.stderr);
    assert.equal(recent.stdout, "Nothing to delete.\n");

    // --run-ids: those runs, plus every deleted experiment with its runs (mlflow gc's selection)
    const listed = await gc("--run-ids", doomed);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(
      listed.stdout,
      `Run with ID ${doomed} has been permanently deleted.\nRun with ID ${inGone} has been permanently deleted.\n` +
        `Experiment with ID ${gone} has been permanently deleted.\n`,
    );
    assert.ok(!existsSync(join(s.dir, "mlartifacts", exp, doomed)));
    assert.ok(!existsSync(join(s.dir, "mlartifacts", gone, inGone)));
    assert.ok(existsSync(join(s.dir, "mlartifacts", exp, live, "artifacts", "a.txt")));
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: doomed })).status, 404);
    assert.equal((await s.call("GET", `${API}/experiments/get`, { experiment_id: gone })).status, 404);
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: elsewhere })).status, 200);
    // the name is free again
    await ok("POST", "/experiments/create", { name: "gc-gone" });

    const rest = await gc();
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal(rest.stdout, `Run with ID ${elsewhere} has been permanently deleted.\n`);
    assert.ok(!existsSync(join(s.dir, "mlartifacts", other, elsewhere)));
    assert.equal((await s.call("GET", `${API}/runs/get`, { run_id: live })).status, 200);
  });
});
