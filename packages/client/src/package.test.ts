import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const dist = dirname(fileURLToPath(import.meta.url));
const ERROR_CODES_ENTRY = "@mlflow-ts/protocol/error-codes";
const pkgDir = resolve(dist, "..");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

/** Static imports of a compiled module and everything it imports relatively. */
function importGraph(entry: string): { files: string[]; bare: Map<string, string[]> } {
  const seen = new Set<string>();
  const bare = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(
      /^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm,
    )) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else bare.set(spec, [...(bare.get(spec) ?? []), file]);
    }
  };
  visit(entry);
  return { files: [...seen], bare };
}

describe("package shape", () => {
  it("the browser entry imports nothing from Node and no zod (protocol only as types, models:/ lazily)", () => {
    const { files, bare } = importGraph(join(dist, "index.js"));
    assert.ok(files.length > 10);
    // the one runtime import allowed: protocol's error catalog, a file that imports nothing (no zod)
    assert.deepEqual([...bare.keys()], [ERROR_CODES_ENTRY], `static imports: ${[...bare.keys()].join(", ")}`);
    const catalog = readFileSync(join(pkgDir, "..", "protocol", "dist", "error-codes.js"), "utf8");
    assert.doesNotMatch(catalog, /\bimport\b|\brequire\(/);
    const lazy = files.filter((f) => readFileSync(f, "utf8").includes('import("@mlflow-ts/protocol")'));
    assert.deepEqual(
      lazy.map((f) => f.slice(dist.length + 1)),
      ["client/mlflow-client.js"],
    );
  });

  it("the Node entry adds node: built-ins only", () => {
    const { bare } = importGraph(join(dist, "node", "index.js"));
    for (const spec of bare.keys()) if (spec !== ERROR_CODES_ENTRY) assert.match(spec, /^node:/);
    assert.equal(pkg.exports["."].browser.default, "./dist/index.js");
    assert.equal(pkg.exports["."].node.default, "./dist/node/index.js");
  });

  it("depends on no native module and no database driver", () => {
    assert.deepEqual(Object.keys(pkg.dependencies), ["@mlflow-ts/protocol"]);
    const seen = new Set<string>();
    /** Node's lookup: node_modules/<name> here or in a parent directory. */
    const locate = (name: string, from: string): string => {
      for (let d = from; ; d = dirname(d)) {
        const candidate = join(d, "node_modules", name);
        if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
        if (dirname(d) === d) throw new Error(`cannot find ${name} from ${from}`);
      }
    };
    const check = (name: string, from: string) => {
      const dir = locate(name, from);
      if (seen.has(dir)) return;
      seen.add(dir);
      const p = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      assert.ok(!/sqlite|^pg$|mysql|mariadb|mongodb|redis/.test(p.name), `database driver ${p.name}`);
      assert.ok(!p.gypfile && !existsSync(join(dir, "binding.gyp")), `native module ${p.name}`);
      assert.ok(!p.scripts?.install && !p.scripts?.postinstall, `install script in ${p.name}`);
      const files = readdirSync(dir, { recursive: true }).map(String);
      assert.ok(!files.some((f) => f.endsWith(".node") && !f.includes("node_modules")), `${p.name} ships .node`);
      for (const dep of Object.keys(p.dependencies ?? {})) check(dep, dir);
    };
    for (const dep of Object.keys(pkg.dependencies)) check(dep, pkgDir);
    assert.ok(seen.size >= 2, "protocol and zod were checked");
  });
});
