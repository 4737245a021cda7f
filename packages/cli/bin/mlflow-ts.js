#!/usr/bin/env node
// The bundle (built by `npm run build`) starts faster; the plain build is the fallback.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/bundle/mlflow-ts.js", import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : "../dist/main.js");

main(process.argv).catch((e) => {
  process.stderr.write(`mlflow-ts: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
