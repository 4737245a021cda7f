import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/**
 * Resolves one secret value as MLflow does: `$NAME` reads an environment variable, an existing
 * file path reads the file (relative paths from the working directory, then from the config
 * file's directory), anything else is the key itself. Trailing line breaks of a file are dropped
 * (they are never part of a key and HTTP headers cannot carry them). Throws a message that never
 * contains the value.
 */
export function resolveSecret(value: unknown, env: Record<string, string | undefined>, configDir: string): string {
  if (typeof value !== "string") throw new Error("must be a string");
  if (value.startsWith("$")) {
    const name = value.slice(1);
    const v = env[name];
    if (v === undefined || v === "") throw new Error(`Environment variable '${name}' is not set`);
    return v;
  }
  if (value.length < 4096 && !value.includes("\n")) {
    for (const candidate of isAbsolute(value) ? [value] : [value, join(configDir, value)]) {
      if (isFile(candidate)) return readFileSync(candidate, "utf8").replace(/[\r\n]+$/, "");
    }
  }
  return value;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
