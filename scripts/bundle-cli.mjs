#!/usr/bin/env node
// Bundles the mlflow-ts CLI (server, store, protocol, zod, ...) into one ESM file: far fewer
// module resolutions at start-up, which is most of the server's cold start. Native and optional
// heavy dependencies stay external and load from node_modules.
import { build } from "esbuild";

await build({
  entryPoints: ["packages/cli/dist/main.js"],
  outdir: "packages/cli/dist/bundle",
  entryNames: "mlflow-ts",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // database drivers load lazily from node_modules, only when their dialect is used
  external: ["better-sqlite3", "ioredis", "pg", "mysql2"],
  banner: {
    js: 'import { createRequire as __mlflowTsCreateRequire } from "node:module"; const require = __mlflowTsCreateRequire(import.meta.url);',
  },
});
