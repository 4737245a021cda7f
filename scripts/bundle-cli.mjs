#!/usr/bin/env node
// Bundles the mlflow-ts CLI (server, store, protocol, zod, ...) into one CommonJS file that
// bin/mlflow-ts.js compiles with V8's code cache (bin/compile-cache.js): no module resolution and,
// from the second start on, no parsing or compiling at start-up. The AI gateway (undici, yaml, ...)
// is a second file, loaded only by `mlflow-ts gateway start`. Native and optional heavy
// dependencies stay external and load from node_modules on first use.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: "linked",
  // less source for V8 to parse; identifiers keep their names for stack traces and profiles
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  // import() becomes require(): the bundle is compiled by vm.Script, which has no import() on Node 20
  supported: { "dynamic-import": false },
  // database drivers and the AWS SDK load lazily from node_modules, only when used
  external: ["better-sqlite3", "ioredis", "pg", "mysql2", "@aws-sdk/*", "@smithy/*"],
  // import.meta.url (createRequire(import.meta.url) in the packages) is the bundle's own URL
  define: { "import.meta.url": "__mlflowTsImportMetaUrl" },
  banner: { js: 'var __mlflowTsImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/** `@mlflow-ts/gateway` resolves to the gateway bundle next to the main one. */
const gatewayAsSibling = {
  name: "gateway-as-sibling",
  setup(b) {
    b.onResolve({ filter: /^@mlflow-ts\/gateway$/ }, () => ({ path: "./mlflow-ts-gateway.cjs", external: true }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ["packages/cli/dist/main.js"],
    outfile: "packages/cli/dist/bundle/mlflow-ts.cjs",
    plugins: [gatewayAsSibling],
  }),
  build({
    ...common,
    entryPoints: ["packages/gateway/dist/index.js"],
    outfile: "packages/cli/dist/bundle/mlflow-ts-gateway.cjs",
  }),
]);
