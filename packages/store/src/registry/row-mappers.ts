import {
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegisteredModelAlias,
  type RegisteredModelTag,
  STAGE_DELETED_INTERNAL,
} from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import { chunks, placeholders } from "../tracking/context.js";

export interface RegisteredModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  status_message: string | null;
  run_link: string | null;
  storage_location: string | null;
}

const STATUSES = new Set(["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"]);

export function toModelVersion(row: ModelVersionRow, tags: RegisteredModelTag[], aliases: string[]): ModelVersion {
  const mv: ModelVersion = {
    name: row.name,
    version: String(row.version),
    current_stage: row.current_stage ?? "None",
    status: (row.status && STATUSES.has(row.status) ? row.status : "READY") as ModelVersionStatus,
  };
  if (row.creation_time !== null) mv.creation_timestamp = row.creation_time;
  if (row.last_updated_time !== null) mv.last_updated_timestamp = row.last_updated_time;
  if (row.user_id !== null) mv.user_id = row.user_id;
  if (row.description !== null) mv.description = row.description;
  if (row.source !== null) mv.source = row.source;
  if (row.run_id !== null) mv.run_id = row.run_id;
  if (row.status_message !== null) mv.status_message = row.status_message;
  if (tags.length) mv.tags = tags;
  if (row.run_link !== null) mv.run_link = row.run_link;
  if (aliases.length) mv.aliases = aliases;
  return mv;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const versionKey = (name: string, version: number) => `${version}\u0000${name}`;

/** Aliases of many models: name → [{alias, version}], one query per chunk of names. */
async function loadAliases(db: SqlExecutor, names: readonly string[]): Promise<Map<string, RegisteredModelAlias[]>> {
  const out = new Map<string, RegisteredModelAlias[]>();
  for (const part of chunks([...new Set(names)], 500)) {
    const rows = await db.all<{ name: string; alias: string; version: number }>(
      `SELECT name, alias, version FROM registered_model_aliases WHERE name IN ${placeholders(part.length)} ORDER BY alias`,
      part,
    );
    for (const r of rows) push(out, r.name, { alias: r.alias, version: String(r.version) });
  }
  return out;
}

/**
 * Builds ModelVersion entities for rows (of one or many models): their tags and, when asked,
 * their aliases, each loaded with one set-based query per chunk of model names.
 */
export async function hydrateModelVersions(
  db: SqlExecutor,
  rows: readonly ModelVersionRow[],
  options: { aliases: boolean } = { aliases: true },
): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const names = [...new Set(rows.map((r) => r.name))];
  const wanted = new Set(rows.map((r) => versionKey(r.name, r.version)));
  const tags = new Map<string, RegisteredModelTag[]>();
  // (name IN ...) AND (version IN ...) selects a small superset of the wanted pairs on the
  // primary key's columns, without per-row queries or row-value syntax some databases lack.
  for (const part of chunks(rows, 400)) {
    const partNames = [...new Set(part.map((r) => r.name))];
    const partVersions = [...new Set(part.map((r) => r.version))];
    const tagRows = await db.all<{ name: string; version: number; key: string; value: string | null }>(
      `SELECT name, version, key, value FROM model_version_tags
        WHERE name IN ${placeholders(partNames.length)} AND version IN ${placeholders(partVersions.length)} ORDER BY key`,
      [...partNames, ...partVersions],
    );
    for (const t of tagRows) {
      const k = versionKey(t.name, t.version);
      if (wanted.has(k)) push(tags, k, { key: t.key, value: t.value ?? "" });
    }
  }
  const aliases = new Map<string, string[]>();
  if (options.aliases) {
    for (const [name, list] of await loadAliases(db, names)) {
      for (const a of list) push(aliases, versionKey(name, Number(a.version)), a.alias);
    }
  }
  return rows.map((r) => {
    const k = versionKey(r.name, r.version);
    return toModelVersion(r, tags.get(k) ?? [], aliases.get(k) ?? []);
  });
}

/**
 * Builds RegisteredModel entities: tags, aliases and latest_versions (per stage present among
 * non-deleted versions, the highest version; without aliases, as MLflow's SQL store builds them).
 */
export async function hydrateRegisteredModels(
  db: SqlExecutor,
  rows: readonly RegisteredModelRow[],
): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const names = rows.map((r) => r.name);
  const tags = new Map<string, RegisteredModelTag[]>();
  const latest = new Map<string, ModelVersion[]>();
  for (const part of chunks(names, 500)) {
    const ph = placeholders(part.length);
    const tagRows = await db.all<{ name: string; key: string; value: string | null }>(
      `SELECT name, key, value FROM registered_model_tags WHERE name IN ${ph} ORDER BY key`,
      part,
    );
    for (const t of tagRows) push(tags, t.name, { key: t.key, value: t.value ?? "" });
    const versionRows = await db.all<ModelVersionRow>(
      `SELECT mv.* FROM model_versions mv
         JOIN (SELECT name, current_stage, MAX(version) AS version FROM model_versions
                WHERE name IN ${ph} AND current_stage <> ? GROUP BY name, current_stage) l
           ON l.name = mv.name AND l.version = mv.version
        ORDER BY mv.name, mv.version`,
      [...part, STAGE_DELETED_INTERNAL],
    );
    for (const mv of await hydrateModelVersions(db, versionRows, { aliases: false })) push(latest, mv.name, mv);
  }
  const aliases = await loadAliases(db, names);
  return rows.map((r) => {
    const rm: RegisteredModel = { name: r.name };
    if (r.creation_time !== null) rm.creation_timestamp = r.creation_time;
    if (r.last_updated_time !== null) rm.last_updated_timestamp = r.last_updated_time;
    if (r.description !== null) rm.description = r.description;
    const lv = latest.get(r.name);
    if (lv) rm.latest_versions = lv;
    const t = tags.get(r.name);
    if (t) rm.tags = t;
    const a = aliases.get(r.name);
    if (a) rm.aliases = a;
    return rm;
  });
}
