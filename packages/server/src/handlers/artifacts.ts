import type { IncomingMessage, ServerResponse } from "node:http";
import { validateArtifactPathOrRoot } from "@mlflow-ts/artifacts";
import { MlflowError, requests } from "@mlflow-ts/protocol";
import { Readable } from "node:stream";
import type { z } from "zod";
import { readBody } from "../http/body.js";
import { sendJson } from "../http/respond.js";
import type { HandlerContext } from "../route-types.js";
import { joinPath } from "./artifact-service.js";
import { streamArtifact } from "./artifact-download.js";

/** Tracking-side artifact routes: listing a run's artifacts, downloading one, the UI's small upload. */

const UI_UPLOAD_LIMIT = 10 * 1024 * 1024;

async function runRoot(ctx: HandlerContext, runId: string) {
  const run = await ctx.store.getRun(runId);
  const root = run.info.artifact_uri ?? "";
  return { root, ...ctx.artifacts.forRoot(root) };
}

export async function listArtifacts(input: z.output<typeof requests.ListArtifacts>, ctx: HandlerContext) {
  const path = validateArtifactPathOrRoot(input.path);
  const { root, repo, prefix } = await runRoot(ctx, input.run_id);
  const entries = await repo.list(joinPath(prefix, path));
  const cut = prefix ? prefix.length + 1 : 0;
  const files = entries.map((f) => ({ ...f, path: f.path.slice(cut) }));
  return files.length ? { root_uri: root, files } : { root_uri: root };
}

export async function getArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  _rest: string,
  url: URL,
) {
  const input = requests.GetArtifactFile.safeParse({
    run_id: url.searchParams.get("run_id") ?? undefined,
    run_uuid: url.searchParams.get("run_uuid") ?? undefined,
    path: url.searchParams.get("path") ?? undefined,
  });
  if (!input.success) {
    const missing = url.searchParams.get("path") ? "run_id" : "path";
    throw MlflowError.invalidParameter(`Missing value for required parameter '${missing}'.`);
  }
  const path = validateArtifactPathOrRoot(input.data.path);
  const { repo, prefix } = await runRoot(ctx, input.data.run_id);
  await streamArtifact(res, repo, joinPath(prefix, path), req);
}

export async function uploadArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  _rest: string,
  url: URL,
) {
  const runId = url.searchParams.get("run_uuid") || url.searchParams.get("run_id");
  if (!runId) throw MlflowError.invalidParameter("Request must specify run_uuid.");
  const rawPath = url.searchParams.get("path");
  if (!rawPath) throw MlflowError.invalidParameter("Request must specify path.");
  const path = validateArtifactPathOrRoot(rawPath);
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > UI_UPLOAD_LIMIT) {
    req.resume();
    throw MlflowError.invalidParameter("Artifact size is too large. Max size is 10MB.");
  }
  let body: Buffer;
  try {
    body = await readBody(req, UI_UPLOAD_LIMIT);
  } catch {
    throw MlflowError.invalidParameter("Artifact size is too large. Max size is 10MB.");
  }
  if (body.length === 0) throw MlflowError.invalidParameter("Request must specify data.");
  const { repo, prefix } = await runRoot(ctx, runId);
  await repo.write(joinPath(prefix, path), Readable.from([body]));
  sendJson(res, 200, {});
}
