import {
  type CreateRegisteredModelRequest,
  canonicalStage,
  MlflowError,
  type ModelVersion,
  type RegisteredModel,
  STAGE_DELETED_INTERNAL,
} from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import { placeholders } from "../tracking/context.js";
import { type RegistryChanges, registryWrite } from "./changes.js";
import type { RegistryContext } from "./context.js";
import {
  hydrateModelVersions,
  hydrateRegisteredModels,
  type ModelVersionRow,
  type RegisteredModelRow,
} from "./row-mappers.js";
import { collectTags, validateModelName, validateRegistryTag } from "./validation.js";

/**
 * The model's row; 404 when absent. Inside a write transaction, pass `ctx.db.dialect.forUpdate`
 * as `lock` to hold the row until commit: registry writes that read before they write (version
 * numbers, aliases, stages) then run one at a time per model on every database.
 */
export async function registeredModelRow(db: SqlExecutor, name: string, lock = ""): Promise<RegisteredModelRow> {
  validateModelName(name);
  const row = await db.get<RegisteredModelRow>(`SELECT * FROM registered_models WHERE name = ?${lock}`, [name]);
  if (!row) throw MlflowError.notFound(`Registered Model with name=${name} not found`);
  return row;
}

/** Holds the model's row (if any) until commit where the dialect locks rows; no-op on SQLite. */
export async function lockRegisteredModel(db: SqlExecutor, name: string, lock: string): Promise<void> {
  if (lock) await db.get(`SELECT name FROM registered_models WHERE name = ?${lock}`, [name]);
}

async function hydrateOne(db: SqlExecutor, row: RegisteredModelRow): Promise<RegisteredModel> {
  const [rm] = await hydrateRegisteredModels(db, [row]);
  return rm as RegisteredModel;
}

export async function createRegisteredModel(
  ctx: RegistryContext,
  req: CreateRegisteredModelRequest,
  actor?: string,
): Promise<RegisteredModel> {
  validateModelName(req.name);
  const tags = collectTags(req.tags, "Registered model tag");
  return registryWrite(ctx, actor, async (tx, changes) => {
    if (await tx.get("SELECT 1 AS x FROM registered_models WHERE name = ?", [req.name])) {
      throw MlflowError.alreadyExists(`Registered Model (name=${req.name}) already exists.`);
    }
    await tx.run(
      "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)",
      [req.name, changes.now, changes.now, req.description ?? null],
    );
    await tx.insertMany(
      "registered_model_tags",
      ["key", "value", "name"],
      [...tags].map(([k, v]) => [k, v, req.name]),
    );
    const rm = await hydrateOne(tx, await registeredModelRow(tx, req.name));
    await changes.emit("registered_model.created", {
      name: rm.name,
      description: rm.description ?? null,
      tags: Object.fromEntries(tags),
    });
    return rm;
  });
}

export async function getRegisteredModel(ctx: RegistryContext, name: string): Promise<RegisteredModel> {
  return hydrateOne(ctx.db, await registeredModelRow(ctx.db, name));
}

/**
 * Renames a model: versions, tags and aliases follow through the schema's ON UPDATE CASCADE
 * keys (MLflow's own tables), our audit history is moved explicitly.
 */
export async function renameRegisteredModel(
  ctx: RegistryContext,
  name: string,
  newName: string,
  actor?: string,
): Promise<RegisteredModel> {
  validateModelName(newName);
  return registryWrite(ctx, actor, async (tx, changes) => {
    await registeredModelRow(tx, name);
    if (newName !== name) {
      if (await tx.get("SELECT 1 AS x FROM registered_models WHERE name = ?", [newName])) {
        throw MlflowError.alreadyExists(`Registered Model (name=${newName}) already exists.`);
      }
      await tx.run("UPDATE registered_models SET name = ? WHERE name = ?", [newName, name]);
      await tx.run("UPDATE mlflowts_registry_audit SET name = ? WHERE name = ?", [newName, name]);
    }
    await tx.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [changes.now, newName]);
    await tx.run("UPDATE model_versions SET last_updated_time = ? WHERE name = ?", [changes.now, newName]);
    return hydrateOne(tx, await registeredModelRow(tx, newName));
  });
}

/** Sets the description; like MLflow, an omitted description clears it to "". */
export async function updateRegisteredModel(
  ctx: RegistryContext,
  name: string,
  description: string | undefined,
): Promise<RegisteredModel> {
  return registryWrite(ctx, undefined, async (tx, changes) => {
    await registeredModelRow(tx, name);
    await tx.run("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?", [
      description ?? "",
      changes.now,
      name,
    ]);
    return hydrateOne(tx, await registeredModelRow(tx, name));
  });
}

/** Records the removal of aliases (by a version or model deletion) in the audit and outbox. */
export async function recordAliasRemovals(
  changes: RegistryChanges,
  name: string,
  removed: readonly { alias: string; version: number }[],
): Promise<void> {
  for (const a of removed) {
    await changes.audit({ action: "alias_deleted", name, version: a.version, alias: a.alias, from: String(a.version) });
    await changes.emit("model_version_alias.deleted", { name, alias: a.alias, version: String(a.version) });
  }
}

/** Hard delete of the model with all its versions, version tags, tags and aliases. */
export async function deleteRegisteredModel(ctx: RegistryContext, name: string, actor?: string): Promise<void> {
  await registryWrite(ctx, actor, async (tx, changes) => {
    await registeredModelRow(tx, name);
    const aliases = await tx.all<{ alias: string; version: number }>(
      "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias",
      [name],
    );
    await tx.run("DELETE FROM registered_model_aliases WHERE name = ?", [name]);
    await tx.run("DELETE FROM model_version_tags WHERE name = ?", [name]);
    await tx.run("DELETE FROM model_versions WHERE name = ?", [name]);
    await tx.run("DELETE FROM registered_model_tags WHERE name = ?", [name]);
    await tx.run("DELETE FROM registered_models WHERE name = ?", [name]);
    await recordAliasRemovals(changes, name, aliases);
  });
}

/**
 * The latest version of each requested stage (all four when `stages` is empty), with aliases.
 */
export async function getLatestVersions(
  ctx: RegistryContext,
  name: string,
  stages: readonly string[] | undefined,
): Promise<ModelVersion[]> {
  const wanted = [...new Set((stages ?? []).map(canonicalStage))];
  await registeredModelRow(ctx.db, name);
  const stageFilter = wanted.length
    ? ` AND current_stage IN ${placeholders(wanted.length)}`
    : " AND current_stage <> ?";
  const rows = await ctx.db.all<ModelVersionRow>(
    `SELECT mv.* FROM model_versions mv
       JOIN (SELECT current_stage, MAX(version) AS version FROM model_versions
              WHERE name = ?${stageFilter} GROUP BY current_stage) l
         ON l.version = mv.version
      WHERE mv.name = ?
      ORDER BY mv.version`,
    [name, ...(wanted.length ? wanted : [STAGE_DELETED_INTERNAL]), name],
  );
  return hydrateModelVersions(ctx.db, rows);
}

export async function setRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  key: string,
  value: string,
  actor?: string,
): Promise<void> {
  validateModelName(name);
  validateRegistryTag(key, value, "Registered model tag");
  await registryWrite(ctx, actor, async (tx, changes) => {
    await registeredModelRow(tx, name);
    await tx.upsertMany(
      "registered_model_tags",
      ["key", "value", "name"],
      ["key", "name"],
      ["value"],
      [[key, value, name]],
    );
    await changes.emit("registered_model_tag.set", { name, key, value });
  });
}

/** Deleting an absent key is a silent no-op (the model must exist). */
export async function deleteRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  key: string,
  actor?: string,
): Promise<void> {
  validateModelName(name);
  await registryWrite(ctx, actor, async (tx, changes) => {
    await registeredModelRow(tx, name);
    const res = await tx.run("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", [name, key]);
    if (res.changes > 0) await changes.emit("registered_model_tag.deleted", { name, key });
  });
}
