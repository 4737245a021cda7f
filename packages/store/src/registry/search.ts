import {
  LIMITS,
  MlflowError,
  type ModelVersion,
  type RegisteredModel,
  STAGE_DELETED_INTERNAL,
  type SearchModelVersionsRequest,
  type SearchRegisteredModelsRequest,
} from "@mlflow-ts/protocol";
import {
  buildModelVersionSearchSql,
  buildRegisteredModelSearchSql,
  decodePageToken,
  encodePageToken,
} from "../search/index.js";
import type { RegistryContext } from "./context.js";
import {
  hydrateModelVersions,
  hydrateRegisteredModels,
  type ModelVersionRow,
  type RegisteredModelRow,
} from "./row-mappers.js";

function checkMaxResults(max: number, limit: number): void {
  if (max < 1) {
    throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${max}`);
  }
  if (max > limit) {
    throw MlflowError.invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${limit}, but got value ${max}`,
    );
  }
}

/** Offset pagination, fetching one row more than the page to know whether another page exists. */
export async function searchRegisteredModels(
  ctx: RegistryContext,
  req: SearchRegisteredModelsRequest,
): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
  const max = req.max_results ?? LIMITS.searchRegisteredModelsDefaultMaxResults;
  checkMaxResults(max, LIMITS.searchRegisteredModelsMaxResults);
  const sql = buildRegisteredModelSearchSql(req.filter, req.order_by, ctx.db.dialect);
  const offset = decodePageToken(req.page_token);
  const rows = await ctx.db.all<RegisteredModelRow>(
    `SELECT registered_models.* FROM registered_models${sql.whereSql ? ` WHERE ${sql.whereSql}` : ""}
      ORDER BY ${sql.orderSql} LIMIT ? OFFSET ?`,
    [...sql.whereParams, max + 1, offset],
  );
  const registered_models = await hydrateRegisteredModels(ctx.db, rows.slice(0, max));
  return rows.length > max
    ? { registered_models, next_page_token: encodePageToken(offset + max) }
    : { registered_models };
}

export async function searchModelVersions(
  ctx: RegistryContext,
  req: SearchModelVersionsRequest,
): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
  const max = req.max_results ?? LIMITS.searchModelVersionsDefaultMaxResults;
  checkMaxResults(max, LIMITS.searchModelVersionsMaxResults);
  const sql = buildModelVersionSearchSql(req.filter, req.order_by, ctx.db.dialect);
  const offset = decodePageToken(req.page_token);
  const rows = await ctx.db.all<ModelVersionRow>(
    `SELECT model_versions.* FROM model_versions
      WHERE model_versions.current_stage <> ?${sql.whereSql ? ` AND ${sql.whereSql}` : ""}
      ORDER BY ${sql.orderSql} LIMIT ? OFFSET ?`,
    [STAGE_DELETED_INTERNAL, ...sql.whereParams, max + 1, offset],
  );
  const model_versions = await hydrateModelVersions(ctx.db, rows.slice(0, max));
  return rows.length > max ? { model_versions, next_page_token: encodePageToken(offset + max) } : { model_versions };
}
