#!/usr/bin/env node
// The bundle (built by `npm run build`) starts faster, compiled from V8's code cache
// (compile-cache.js); the plain build is the fallback.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadBundle } from "./compile-cache.js";

const bundle = fileURLToPath(new URL("../dist/bundle/mlflow-ts.cjs", import.meta.url));
const { main } = existsSync(bundle) ? loadBundle(bundle) : await import("../dist/main.js");

main(process.argv).catch((e) => {
  process.stderr.write(`mlflow-ts: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
