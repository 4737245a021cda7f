import { MlflowError, type ModelVersion } from "@mlflow-ts/protocol";
import { registryWrite } from "./changes.js";
import type { RegistryContext } from "./context.js";
import { hydrateOne, modelVersionRow } from "./model-versions.js";
import { lockRegisteredModel, registeredModelRow } from "./registered-models.js";
import { parseVersion, validateAlias, validateModelName } from "./validation.js";

/** Points `alias` at a live version (moving it if it exists); audited and sent to webhooks. */
export async function setRegisteredModelAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
  version: string,
  actor?: string,
): Promise<void> {
  validateModelName(name);
  validateAlias(alias);
  parseVersion(version);
  await registryWrite(ctx, actor, async (tx, changes) => {
    await lockRegisteredModel(tx, name, ctx.db.dialect.forUpdate);
    const row = await modelVersionRow(tx, name, version);
    const previous = await tx.get<{ version: number }>(
      "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
      [name, alias],
    );
    if (previous?.version === row.version) return;
    await tx.upsertMany(
      "registered_model_aliases",
      ["alias", "version", "name"],
      ["name", "alias"],
      ["version"],
      [[alias, row.version, name]],
    );
    const from = previous === undefined ? undefined : String(previous.version);
    await changes.audit({ action: "alias_set", name, version: row.version, alias, from, to: String(row.version) });
    await changes.emit("model_version_alias.created", {
      name,
      alias,
      version: String(row.version),
      previous_version: from ?? null,
    });
  });
}

/** The model must exist; an unknown alias is a no-op. */
export async function deleteRegisteredModelAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
  actor?: string,
): Promise<void> {
  validateModelName(name);
  validateAlias(alias);
  await registryWrite(ctx, actor, async (tx, changes) => {
    await registeredModelRow(tx, name, ctx.db.dialect.forUpdate);
    const existing = await tx.get<{ version: number }>(
      "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
      [name, alias],
    );
    if (!existing) return;
    await tx.run("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", [name, alias]);
    const from = String(existing.version);
    await changes.audit({ action: "alias_deleted", name, version: existing.version, alias, from });
    await changes.emit("model_version_alias.deleted", { name, alias, version: from });
  });
}

/** An unknown alias is a 400 INVALID_PARAMETER_VALUE, as in MLflow (not a 404). */
export async function getModelVersionByAlias(ctx: RegistryContext, name: string, alias: string): Promise<ModelVersion> {
  validateModelName(name);
  validateAlias(alias);
  const row = await ctx.db.get<{ version: number }>(
    "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?",
    [name, alias],
  );
  if (!row) throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`);
  return hydrateOne(ctx.db, await modelVersionRow(ctx.db, name, String(row.version)));
}
