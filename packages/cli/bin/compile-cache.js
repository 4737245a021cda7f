// Loads the CLI's CommonJS bundle through vm.Script with V8's code cache, what Node 22's
// module.enableCompileCache() does and Node 20 lacks. From the second start on V8 deserializes the
// compiled bundle instead of parsing and compiling ~1 MB of JavaScript (about a fifth of a cold
// start on a 2-core machine).
//
// The cache is one file per bundle build, Node version and architecture, in
// $MLFLOW_TS_COMPILE_CACHE (a directory; "0" turns the cache off), by default
// <tmpdir>/mlflow-ts-compile-cache. It is written when the process exits, only if it was missing or
// V8 rejected it (another V8 or other flags), so it also holds the functions that ran. Any failure
// to read or write it only means a normal compile.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";

/** Evaluates a CommonJS file like require() does and returns its exports. */
export function loadBundle(file) {
  const source = readFileSync(file, "utf8");
  const cacheFile = cacheFileFor(file);
  let cachedData;
  if (cacheFile && ownedByUs(dirname(cacheFile))) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // first start of this build: compiled normally, cached at exit
    }
  }
  // the wrapper keeps line numbers: it adds nothing before the bundle's first line
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once("exit", () => writeCache(cacheFile, script));
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

function cacheFileFor(file) {
  const dir = process.env.MLFLOW_TS_COMPILE_CACHE ?? join(tmpdir(), "mlflow-ts-compile-cache");
  if (dir === "" || dir === "0") return undefined;
  try {
    const st = statSync(file);
    // a rebuilt bundle gets a new name; V8 itself checks its version, flags and the source length
    const build = hash(`${st.size}:${st.mtimeMs}:${process.version}:${process.arch}`);
    return join(dir, `${hash(file)}-${build}.v8`);
  } catch {
    return undefined;
  }
}

/**
 * Compiled code from the cache runs as is, so it is read only from a directory that this user owns
 * and nobody else can write to (another user could otherwise plant one in a shared tmp).
 */
function ownedByUs(dir) {
  try {
    const st = statSync(dir);
    const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
    return st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function writeCache(cacheFile, script) {
  try {
    const dir = dirname(cacheFile);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedByUs(dir)) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
    // earlier builds of the same bundle
    const prefix = cacheFile.slice(dir.length + 1).split("-")[0];
    for (const f of readdirSync(dir)) {
      if (f.startsWith(`${prefix}-`) && join(dir, f) !== cacheFile && f.endsWith(".v8")) unlinkSync(join(dir, f));
    }
  } catch {
    // a read-only or foreign directory: the next start compiles normally
  }
}

/** 64-bit FNV-1a as 16 hex digits (two 32-bit halves with different offsets). */
function hash(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
