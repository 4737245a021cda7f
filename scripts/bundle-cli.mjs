#!/usr/bin/env node
// Bundles the mlflow-ts CLI (server, store, protocol, zod, ...) into one ESM file: far fewer
// module resolutions at start-up, which is most of the server's cold start. Native and optional
// heavy dependencies stay external and load from node_modules (the AWS SDK too: the S3 artifact
// repository imports it on first use only).
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
  // less source for V8 to parse at start-up; identifiers keep their names for stack traces and profiles
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  // database drivers and the AWS SDK load lazily from node_modules, only when used
  external: ["better-sqlite3", "ioredis", "pg", "mysql2", "@aws-sdk/*", "@smithy/*"],
  banner: {
    js: 'import { createRequire as __mlflowTsCreateRequire } from "node:module"; const require = __mlflowTsCreateRequire(import.meta.url);',
  },
});
