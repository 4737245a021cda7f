// The CLI bundle's V8 code cache (bin/compile-cache.js): written once, reused, replaced when V8
// rejects it, and never in the way when it cannot be written.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "./test-support/spawn-cli.js";

function cacheFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".v8"));
}

async function version(cacheDir: string) {
  const r = await runCli(["--version"], { env: { ...process.env, MLFLOW_TS_COMPILE_CACHE: cacheDir } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mlflow-ts \d+\.\d+\.\d+/);
  return r;
}

describe("CLI bundle code cache", () => {
  it("is written on the first start and reused unchanged on the next", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cc-"));
    await version(dir);
    const files = cacheFiles(dir);
    assert.equal(files.length, 1, "one cache file for the bundle");
    const file = join(dir, files[0] as string);
    const first = statSync(file);
    assert.ok(first.size > 100_000, `cache holds the compiled bundle (${first.size} bytes)`);
    await version(dir);
    const second = statSync(file);
    assert.equal(second.mtimeMs, first.mtimeMs, "an accepted cache is not rewritten");
    assert.deepEqual(cacheFiles(dir), files);
  });

  it("replaces a cache V8 rejects and still starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cc-"));
    await version(dir);
    const file = join(dir, cacheFiles(dir)[0] as string);
    writeFileSync(file, Buffer.alloc(4096, 7));
    await version(dir);
    const after = readFileSync(file);
    assert.ok(after.length > 100_000);
    assert.notDeepEqual(after.subarray(0, 4096), Buffer.alloc(4096, 7));
  });

  it("is neither read nor written in a directory others can write to", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cc-"));
    await version(dir);
    const file = join(dir, cacheFiles(dir)[0] as string);
    writeFileSync(file, Buffer.alloc(4096, 7));
    chmodSync(dir, 0o777);
    await version(dir);
    assert.deepEqual(readFileSync(file), Buffer.alloc(4096, 7), "left alone: not read, not replaced");
    chmodSync(dir, 0o700);
    await version(dir);
    assert.ok(readFileSync(file).length > 100_000, "replaced once the directory is private again");
  });

  it("starts normally when the cache directory cannot be created, or the cache is off", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-cc-"));
    const notADir = join(dir, "file");
    writeFileSync(notADir, "x");
    const r = await version(join(notADir, "cache"));
    assert.equal(r.stderr, "");
    await version("0");
    assert.deepEqual(readdirSync(dir), ["file"]);
  });
});
