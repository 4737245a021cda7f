import {
  type AuditAction,
  type ListRegistryAuditRequest,
  MlflowError,
  type RegistryAuditEntry,
} from "@mlflow-ts/protocol";
import { decodePageToken, encodePageToken } from "../search/index.js";
import type { SqlValue } from "../sql/database.js";
import type { RegistryContext } from "./context.js";
import { parseVersion } from "./validation.js";

interface AuditRow {
  id: number;
  timestamp: number;
  user_id: string | null;
  action: string;
  name: string;
  version: number | null;
  alias: string | null;
  from_value: string | null;
  to_value: string | null;
}

function toEntry(r: AuditRow): RegistryAuditEntry {
  const e: RegistryAuditEntry = {
    id: String(r.id),
    timestamp: r.timestamp,
    action: r.action as AuditAction,
    name: r.name,
  };
  if (r.user_id !== null) e.user_id = r.user_id;
  if (r.version !== null) e.version = String(r.version);
  if (r.alias !== null) e.alias = r.alias;
  if (r.from_value !== null) e.from = r.from_value;
  if (r.to_value !== null) e.to = r.to_value;
  return e;
}

/** Alias and stage history, newest first, optionally for one model / version / alias. */
export async function listRegistryAudit(
  ctx: RegistryContext,
  req: ListRegistryAuditRequest,
): Promise<{ entries: RegistryAuditEntry[]; next_page_token?: string }> {
  const max = req.max_results ?? 100;
  if (max < 1 || max > 1000) {
    throw MlflowError.invalidParameter(`Invalid value for max_results. It must be between 1 and 1000, but got ${max}`);
  }
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (req.name !== undefined) {
    where.push("name = ?");
    params.push(req.name);
  }
  if (req.version !== undefined) {
    where.push("version = ?");
    params.push(parseVersion(req.version));
  }
  if (req.alias !== undefined) {
    where.push("alias = ?");
    params.push(req.alias);
  }
  const offset = decodePageToken(req.page_token);
  const rows = await ctx.db.all<AuditRow>(
    `SELECT * FROM mlflowts_registry_audit${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
      ORDER BY id DESC LIMIT ? OFFSET ?`,
    [...params, max + 1, offset],
  );
  const entries = rows.slice(0, max).map(toEntry);
  return rows.length > max ? { entries, next_page_token: encodePageToken(offset + max) } : { entries };
}
