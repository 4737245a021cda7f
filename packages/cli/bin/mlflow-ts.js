#!/usr/bin/env node
import { main } from "../dist/main.js";

main(process.argv).catch((e) => {
  process.stderr.write(`mlflow-ts: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
