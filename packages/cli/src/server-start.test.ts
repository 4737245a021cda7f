import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "@mlflow-ts/store";
import { REPO_ROOT, runCli, startCliServer } from "./test-support/spawn-cli.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cli-"));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  return lines[0] as string;
}

describe("mlflow-ts server", () => {
  it("starts on the embedded defaults from its working directory and answers /health", async () => {
    const cwd = join(dir, "defaults");
    mkdirSync(cwd);
    const s = await startCliServer([], cwd);
    try {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${s.url}/health`);
      assert.equal(await r.text(), "OK");
      const exp = await (await fetch(`${s.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).json();
      assert.equal(
        (exp as { experiment: { artifact_location: string } }).experiment.artifact_location,
        "mlflow-artifacts:/0",
      );
    } finally {
      await s.stop();
    }
    const db = await openDatabase(`sqlite:///${join(cwd, "mlflow.db")}`);
    assert.equal(await db.tableExists("alembic_version"), true);
    await db.close();
  });

  it("refuses a bad backend URI with one line and a non-zero exit", async () => {
    const r = await runCli(["server", "--backend-store-uri", "nosuchdb://x", "--port", "0"]);
    assert.notEqual(r.code, 0);
    assert.match(oneLine(r.stderr), /backend store/i);
    const path = await runCli(["server", "--backend-store-uri", "./mlruns", "--port", "0"]);
    assert.notEqual(path.code, 0);
    assert.match(oneLine(path.stderr), /--backend-store-uri/);
  });

  it("refuses a taken port", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli([
        "server",
        "--port",
        String(port),
        "--backend-store-uri",
        `sqlite:///${join(dir, "p.db")}`,
      ]);
      assert.equal(r.code, 1);
      assert.match(oneLine(r.stderr), new RegExp(`Port ${port} .*already in use`));
    } finally {
      blocker.close();
    }
  });

  it("refuses an unreadable database and one from another MLflow version", async () => {
    const garbage = join(dir, "garbage.db");
    writeFileSync(garbage, "this is not a sqlite file at all, just some text".repeat(100));
    const r = await runCli(["server", "--port", "0", "--backend-store-uri", `sqlite:///${garbage}`]);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /Cannot open backend store/);

    const old = join(dir, "old.db");
    const db = await openDatabase(`sqlite:///${old}`);
    await db.execScript(
      "CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY); CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('97727af70f4d')",
    );
    await db.close();
    const r2 = await runCli(["server", "--port", "0", "--backend-store-uri", `sqlite:///${old}`]);
    assert.equal(r2.code, 1);
    assert.match(oneLine(r2.stderr), /found version 97727af70f4d, but expected 0584bdc529eb/);
  });

  it("reports usage mistakes with exit code 2", async () => {
    const r = await runCli(["server", "--static-prefix", "nope"]);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /--static-prefix/);
  });
});

describe("mlflow-ts db upgrade", () => {
  it("creates MLflow's schema in an empty database and is idempotent", async () => {
    const uri = `sqlite:///${join(dir, "up.db")}`;
    const first = await runCli(["db", "upgrade", uri]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Created the MLflow 2\.22 schema/);
    const second = await runCli(["db", "upgrade", uri]);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /is at alembic 0584bdc529eb/);
    const db = await openDatabase(uri);
    const v = await db.get<{ version_num: string }>("SELECT version_num FROM alembic_version");
    assert.equal(v?.version_num, "0584bdc529eb");
    await db.close();
  });
});

describe("npx mlflow-ts", () => {
  it("is linked into the repository's node_modules/.bin", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "mlflow-ts"), ["--version"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /mlflow-ts .*MLflow 2\.22/);
  });
});
