import type { Database } from "../sql/database.js";

export interface StoreContext {
  db: Database;
  /** Root for new experiments' artifact locations, e.g. `mlflow-artifacts:/` or `file:///abs/mlruns`. */
  defaultArtifactRoot: string;
  now(): number;
}

/** `IN (?, ?, ...)` placeholder list. */
export function placeholders(n: number): string {
  return n === 0 ? "(NULL)" : `(${new Array(n).fill("?").join(", ")})`;
}

/** Appends a path segment to a URI or path, as MLflow's `append_to_uri_path`. */
export function appendToUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const part of parts) {
    if (out.endsWith("/")) out += part;
    else out += `/${part}`;
  }
  return out;
}

/**
 * Integer experiment ids as stored (MLflow's column is a 32-bit INTEGER); ids that are not
 * integers in that range match nothing, on every database (PostgreSQL would reject them).
 */
export function experimentIdNumber(id: string): number | undefined {
  if (!/^\d{1,10}$/.test(id)) return undefined;
  const n = Number(id);
  return n <= 2_147_483_647 ? n : undefined;
}

/** Splits a list into chunks (keeps IN lists within every database's bind limits). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
