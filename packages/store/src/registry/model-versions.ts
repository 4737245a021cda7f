import {
  ACTIVE_STAGES,
  type CreateModelVersionRequest,
  canonicalStage,
  isMlflowError,
  MlflowError,
  type ModelVersion,
  parseModelUri,
  resolveModelVersion,
  STAGE_DELETED_INTERNAL,
} from "@mlflow-ts/protocol";
import type { SqlExecutor } from "../sql/database.js";
import { registryWrite } from "./changes.js";
import type { RegistryContext } from "./context.js";
import { storeModelUriLookups } from "./model-uri-lookups.js";
import { lockRegisteredModel, recordAliasRemovals, registeredModelRow } from "./registered-models.js";
import { hydrateModelVersions, type ModelVersionRow } from "./row-mappers.js";
import { validateModelVersionSource } from "./source-validation.js";
import { collectTags, parseVersion, validateModelName, validateRegistryTag } from "./validation.js";

const CREATE_RETRIES = 3;

/** A live (not soft-deleted) version; 404 otherwise. */
export async function modelVersionRow(db: SqlExecutor, name: string, version: string): Promise<ModelVersionRow> {
  validateModelName(name);
  const n = parseVersion(version);
  const row = await db.get<ModelVersionRow>(
    "SELECT * FROM model_versions WHERE name = ? AND version = ? AND current_stage <> ?",
    [name, n, STAGE_DELETED_INTERNAL],
  );
  if (!row) throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
  return row;
}

export async function hydrateOne(db: SqlExecutor, row: ModelVersionRow): Promise<ModelVersion> {
  const [mv] = await hydrateModelVersions(db, [row]);
  return mv as ModelVersion;
}

/** `storage_location`: the source, except that a `models:/` source is resolved to that version's location. */
async function storageLocationFor(ctx: RegistryContext, source: string): Promise<string> {
  if (!/^models:/i.test(source)) return source;
  try {
    const parsed = parseModelUri(source);
    const lookups = storeModelUriLookups(ctx);
    return await lookups.getModelVersionDownloadUri(parsed.name, await resolveModelVersion(parsed, lookups));
  } catch (e) {
    throw MlflowError.invalidParameter(
      `Unable to fetch model from model URI source artifact location '${source}'. Error: ${(e as Error).message}`,
    );
  }
}

/**
 * Registers a new version: number = 1 + the highest ever created for the model (soft-deleted
 * versions count, so numbers are never reused), allocated inside the write transaction. The
 * (name, version) primary key guards the allocation; a conflict (possible on databases whose
 * writers are not serialized) retries like MLflow's store does.
 */
export async function createModelVersion(
  ctx: RegistryContext,
  req: CreateModelVersionRequest,
  actor?: string,
): Promise<ModelVersion> {
  validateModelName(req.name);
  const tags = collectTags(req.tags, "Model version tag");
  await validateModelVersionSource(ctx.db, req.source, req.run_id || undefined, ctx.sourceValidationRegex);
  const storageLocation = await storageLocationFor(ctx, req.source);
  for (let attempt = 0; attempt < CREATE_RETRIES; attempt++) {
    try {
      return await registryWrite(ctx, actor, async (tx, changes) => {
        await registeredModelRow(tx, req.name, ctx.db.dialect.forUpdate);
        const max = await tx.get<{ v: number | null }>("SELECT MAX(version) AS v FROM model_versions WHERE name = ?", [
          req.name,
        ]);
        const version = (max?.v ?? 0) + 1;
        await tx.run(
          `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
                                       source, run_id, status, status_message, run_link, storage_location)
           VALUES (?, ?, ?, ?, ?, NULL, 'None', ?, ?, 'READY', NULL, ?, ?)`,
          [
            req.name,
            version,
            changes.now,
            changes.now,
            req.description ?? null,
            req.source,
            req.run_id || null,
            req.run_link ?? null,
            storageLocation,
          ],
        );
        await tx.insertMany(
          "model_version_tags",
          ["key", "value", "name", "version"],
          [...tags].map(([k, v]) => [k, v, req.name, version]),
        );
        await tx.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [changes.now, req.name]);
        const mv = await hydrateOne(tx, await modelVersionRow(tx, req.name, String(version)));
        await changes.emit("model_version.created", {
          name: mv.name,
          version: mv.version,
          source: mv.source ?? null,
          run_id: mv.run_id ?? null,
          description: mv.description ?? null,
          tags: Object.fromEntries(tags),
        });
        return mv;
      });
    } catch (e) {
      if (!(isMlflowError(e) && e.errorCode === "RESOURCE_ALREADY_EXISTS")) throw e;
    }
  }
  throw new MlflowError(
    "INTERNAL_ERROR",
    `Model Version creation error (name=${req.name}). Giving up after ${CREATE_RETRIES} attempts.`,
  );
}

export async function getModelVersion(ctx: RegistryContext, name: string, version: string): Promise<ModelVersion> {
  return hydrateOne(ctx.db, await modelVersionRow(ctx.db, name, version));
}

/** Changes the description only when one is given; bumps last_updated either way. */
export async function updateModelVersion(
  ctx: RegistryContext,
  name: string,
  version: string,
  description: string | undefined,
): Promise<ModelVersion> {
  return registryWrite(ctx, undefined, async (tx, changes) => {
    const row = await modelVersionRow(tx, name, version);
    await tx.run(
      `UPDATE model_versions SET ${description !== undefined ? "description = ?, " : ""}last_updated_time = ? WHERE name = ? AND version = ?`,
      [...(description !== undefined ? [description] : []), changes.now, name, row.version],
    );
    return hydrateOne(tx, await modelVersionRow(tx, name, version));
  });
}

export async function transitionModelVersionStage(
  ctx: RegistryContext,
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
  actor?: string,
): Promise<ModelVersion> {
  const target = canonicalStage(stage);
  if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
    throw MlflowError.invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
        `Valid stages are ['${ACTIVE_STAGES.join("', '")}']`,
    );
  }
  return registryWrite(ctx, actor, async (tx, changes) => {
    await lockRegisteredModel(tx, name, ctx.db.dialect.forUpdate);
    const row = await modelVersionRow(tx, name, version);
    const moved: { version: number; from: string; to: string }[] = [];
    if (archiveExisting) {
      const others = await tx.all<{ version: number }>(
        "SELECT version FROM model_versions WHERE name = ? AND version <> ? AND current_stage = ? ORDER BY version",
        [name, row.version, target],
      );
      await tx.run(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND version <> ? AND current_stage = ?",
        [changes.now, name, row.version, target],
      );
      for (const o of others) moved.push({ version: o.version, from: target, to: "Archived" });
    }
    await tx.run("UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?", [
      target,
      changes.now,
      name,
      row.version,
    ]);
    await tx.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [changes.now, name]);
    const from = row.current_stage ?? "None";
    if (from !== target) moved.unshift({ version: row.version, from, to: target });
    for (const m of moved) {
      await changes.audit({ action: "stage_transitioned", name, version: m.version, from: m.from, to: m.to });
      await changes.emit("model_version.stage_transitioned", {
        name,
        version: String(m.version),
        from_stage: m.from,
        to_stage: m.to,
      });
    }
    return hydrateOne(tx, await modelVersionRow(tx, name, version));
  });
}

/**
 * Soft delete, as MLflow: the row stays (its number is never reused) with stage
 * Deleted_Internal and redacted source/run fields; aliases pointing at it are removed; its tags stay.
 */
export async function deleteModelVersion(
  ctx: RegistryContext,
  name: string,
  version: string,
  actor?: string,
): Promise<void> {
  await registryWrite(ctx, actor, async (tx, changes) => {
    await lockRegisteredModel(tx, name, ctx.db.dialect.forUpdate);
    const row = await modelVersionRow(tx, name, version);
    const aliases = await tx.all<{ alias: string; version: number }>(
      "SELECT alias, version FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias",
      [name, row.version],
    );
    await tx.run("DELETE FROM registered_model_aliases WHERE name = ? AND version = ?", [name, row.version]);
    await tx.run(
      `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
              source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK',
              status_message = NULL
        WHERE name = ? AND version = ?`,
      [STAGE_DELETED_INTERNAL, changes.now, name, row.version],
    );
    await tx.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", [changes.now, name]);
    await recordAliasRemovals(changes, name, aliases);
  });
}

export async function getModelVersionDownloadUri(ctx: RegistryContext, name: string, version: string): Promise<string> {
  const row = await modelVersionRow(ctx.db, name, version);
  return row.storage_location || row.source || "";
}

export async function setModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: string,
  key: string,
  value: string,
  actor?: string,
): Promise<void> {
  validateModelName(name);
  parseVersion(version);
  validateRegistryTag(key, value, "Model version tag");
  await registryWrite(ctx, actor, async (tx, changes) => {
    const row = await modelVersionRow(tx, name, version);
    await tx.upsertMany(
      "model_version_tags",
      ["key", "value", "name", "version"],
      ["key", "name", "version"],
      ["value"],
      [[key, value, name, row.version]],
    );
    await changes.emit("model_version_tag.set", { name, version: String(row.version), key, value });
  });
}

/** Deleting an absent key is a silent no-op (the version must exist). */
export async function deleteModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: string,
  key: string,
  actor?: string,
): Promise<void> {
  await registryWrite(ctx, actor, async (tx, changes) => {
    const row = await modelVersionRow(tx, name, version);
    const res = await tx.run("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", [
      name,
      row.version,
      key,
    ]);
    if (res.changes > 0) await changes.emit("model_version_tag.deleted", { name, version: String(row.version), key });
  });
}
