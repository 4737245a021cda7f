#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/**/*.test.js) with node's test runner, on SQLite;
// then runs the files marked `test-backends: all` (a comment in the test source) again once per
// other database backend, with MLFLOW_TS_TEST_BACKEND=<backend> (see @mlflow-ts/store/testing).
// Backends: MLFLOW_TS_TEST_BACKENDS (comma-separated, default "sqlite,postgres,mysql"). An unreachable
// database fails those files with a message saying so; nothing is skipped silently.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const roots = ["packages", "e2e"].filter((d) => {
  try {
    return statSync(d).isDirectory();
  } catch {
    return false;
  }
});
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith(".test.js") && p.includes(`${join("dist")}`)) files.push(p);
  }
}
for (const r of roots) walk(r);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error("no test files found (did the build run?)");
  process.exit(1);
}
selected.sort();
const KNOWN_BACKENDS = ["sqlite", "postgres", "mysql"];
const backends = (process.env.MLFLOW_TS_TEST_BACKENDS ?? "sqlite,postgres,mysql")
  .split(",")
  .map((b) => b.trim().toLowerCase())
  .filter(Boolean);
for (const b of backends) {
  if (!KNOWN_BACKENDS.includes(b)) {
    console.error(`MLFLOW_TS_TEST_BACKENDS: unknown backend '${b}' (known: ${KNOWN_BACKENDS.join(", ")})`);
    process.exit(1);
  }
}
const multiBackend = selected.filter((f) => /test-backends: all/.test(readFileSync(f, "utf8")));

// spec for people, TAP to a file for the summary line CI reads.
function runPass(backend, files) {
  const tap = join(mkdtempSync(join(tmpdir(), "mlflow-ts-tests-")), "results.tap");
  console.log(`\n=== ${files.length} test file(s) on ${backend} ===`);
  const result = spawnSync(
    process.execPath,
    [
      "--test",
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { stdio: "inherit", env: { ...process.env, MLFLOW_TS_TEST_BACKEND: backend } },
  );
  let passed = 0;
  let failed = 0;
  try {
    const text = readFileSync(tap, "utf8");
    passed = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
    failed = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    failed = Math.max(failed, 1);
  }
  const status = result.status ?? 1;
  if (status !== 0 && failed === 0) failed = 1;
  console.log(`${backend}: ${passed} passed, ${failed} failed`);
  return { passed, failed, status };
}

let passed = 0;
let failed = 0;
let status = 0;
for (const backend of backends) {
  const files = backend === "sqlite" ? selected : multiBackend;
  if (files.length === 0) continue;
  const r = runPass(backend, files);
  passed += r.passed;
  failed += r.failed;
  if (r.status !== 0) status = r.status;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status);
