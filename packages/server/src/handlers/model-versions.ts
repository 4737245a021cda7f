import type { IncomingMessage, ServerResponse } from "node:http";
import { validateArtifactPathOrRoot } from "@mlflow-ts/artifacts";
import { MlflowError, type registryRequests as r } from "@mlflow-ts/protocol";
import type { z } from "zod";
import type { HandlerContext } from "../route-types.js";
import { streamArtifact } from "./artifact-download.js";
import { joinPath } from "./artifact-service.js";

type In<T extends z.ZodType> = z.output<T>;

export async function createModelVersion(input: In<typeof r.CreateModelVersion>, ctx: HandlerContext) {
  return { model_version: await ctx.registry.createModelVersion(input, ctx.user) };
}

export async function getModelVersion(input: In<typeof r.ModelVersionKey>, ctx: HandlerContext) {
  return { model_version: await ctx.registry.getModelVersion(input.name, input.version) };
}

export async function updateModelVersion(input: In<typeof r.UpdateModelVersion>, ctx: HandlerContext) {
  return { model_version: await ctx.registry.updateModelVersion(input.name, input.version, input.description) };
}

export async function transitionModelVersionStage(
  input: In<typeof r.TransitionModelVersionStage>,
  ctx: HandlerContext,
) {
  const mv = await ctx.registry.transitionModelVersionStage(
    input.name,
    input.version,
    input.stage,
    input.archive_existing_versions ?? false,
    ctx.user,
  );
  return { model_version: mv };
}

export async function deleteModelVersion(input: In<typeof r.ModelVersionKey>, ctx: HandlerContext) {
  await ctx.registry.deleteModelVersion(input.name, input.version, ctx.user);
  return {};
}

export async function searchModelVersions(input: In<typeof r.SearchModelVersions>, ctx: HandlerContext) {
  const { model_versions, next_page_token } = await ctx.registry.searchModelVersions(input);
  return {
    ...(model_versions.length ? { model_versions } : {}),
    ...(next_page_token ? { next_page_token } : {}),
  };
}

export async function getModelVersionDownloadUri(input: In<typeof r.ModelVersionKey>, ctx: HandlerContext) {
  return { artifact_uri: await ctx.registry.getModelVersionDownloadUri(input.name, input.version) };
}

export async function setModelVersionTag(input: In<typeof r.SetModelVersionTag>, ctx: HandlerContext) {
  await ctx.registry.setModelVersionTag(input.name, input.version, input.key, input.value ?? "", ctx.user);
  return {};
}

export async function deleteModelVersionTag(input: In<typeof r.DeleteModelVersionTag>, ctx: HandlerContext) {
  await ctx.registry.deleteModelVersionTag(input.name, input.version, input.key, ctx.user);
  return {};
}

/**
 * `GET /model-versions/get-artifact?name=&version=&path=` (the UI's): streams one file from the
 * version's download location (a `runs:/` source is read through its run's artifact root).
 */
export async function getModelVersionArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  _rest: string,
  url: URL,
) {
  const name = url.searchParams.get("name");
  const version = url.searchParams.get("version");
  const rawPath = url.searchParams.get("path");
  for (const [field, value] of [
    ["name", name],
    ["version", version],
    ["path", rawPath],
  ] as const) {
    if (!value) throw MlflowError.invalidParameter(`Missing value for required parameter '${field}'.`);
  }
  const path = validateArtifactPathOrRoot(rawPath as string);
  const downloadUri = await ctx.registry.getModelVersionDownloadUri(name as string, version as string);
  const { artifact_uri } = await ctx.registry.resolveModelUri(downloadUri);
  const { repo, prefix } = ctx.artifacts.forRoot(artifact_uri);
  await streamArtifact(res, repo, joinPath(prefix, path), req);
}
