import type { registryRequests as r } from "@mlflow-ts/protocol";
import type { z } from "zod";
import type { HandlerContext } from "../route-types.js";

type In<T extends z.ZodType> = z.output<T>;

export async function createRegisteredModel(input: In<typeof r.CreateRegisteredModel>, ctx: HandlerContext) {
  return { registered_model: await ctx.registry.createRegisteredModel(input, ctx.user) };
}

export async function getRegisteredModel(input: In<typeof r.RegisteredModelName>, ctx: HandlerContext) {
  return { registered_model: await ctx.registry.getRegisteredModel(input.name) };
}

export async function renameRegisteredModel(input: In<typeof r.RenameRegisteredModel>, ctx: HandlerContext) {
  return { registered_model: await ctx.registry.renameRegisteredModel(input.name, input.new_name, ctx.user) };
}

export async function updateRegisteredModel(input: In<typeof r.UpdateRegisteredModel>, ctx: HandlerContext) {
  return { registered_model: await ctx.registry.updateRegisteredModel(input.name, input.description) };
}

export async function deleteRegisteredModel(input: In<typeof r.RegisteredModelName>, ctx: HandlerContext) {
  await ctx.registry.deleteRegisteredModel(input.name, ctx.user);
  return {};
}

export async function searchRegisteredModels(input: In<typeof r.SearchRegisteredModels>, ctx: HandlerContext) {
  const { registered_models, next_page_token } = await ctx.registry.searchRegisteredModels(input);
  return {
    ...(registered_models.length ? { registered_models } : {}),
    ...(next_page_token ? { next_page_token } : {}),
  };
}

export async function getLatestVersions(input: In<typeof r.GetLatestVersions>, ctx: HandlerContext) {
  const model_versions = await ctx.registry.getLatestVersions(input.name, input.stages);
  return model_versions.length ? { model_versions } : {};
}

export async function setRegisteredModelTag(input: In<typeof r.SetRegisteredModelTag>, ctx: HandlerContext) {
  await ctx.registry.setRegisteredModelTag(input.name, input.key, input.value ?? "", ctx.user);
  return {};
}

export async function deleteRegisteredModelTag(input: In<typeof r.DeleteRegisteredModelTag>, ctx: HandlerContext) {
  await ctx.registry.deleteRegisteredModelTag(input.name, input.key, ctx.user);
  return {};
}

export async function setRegisteredModelAlias(input: In<typeof r.SetRegisteredModelAlias>, ctx: HandlerContext) {
  await ctx.registry.setRegisteredModelAlias(input.name, input.alias, input.version, ctx.user);
  return {};
}

export async function deleteRegisteredModelAlias(input: In<typeof r.RegisteredModelAlias>, ctx: HandlerContext) {
  await ctx.registry.deleteRegisteredModelAlias(input.name, input.alias, ctx.user);
  return {};
}

export async function getModelVersionByAlias(input: In<typeof r.RegisteredModelAlias>, ctx: HandlerContext) {
  return { model_version: await ctx.registry.getModelVersionByAlias(input.name, input.alias) };
}
