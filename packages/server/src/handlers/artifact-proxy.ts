import type { IncomingMessage, ServerResponse } from "node:http";
import { validateArtifactPath, validateArtifactPathOrRoot } from "@mlflow-ts/artifacts";
import { MlflowError } from "@mlflow-ts/protocol";
import { z } from "zod";
import { isJsonContentType, parseJsonBody, readBody } from "../http/body.js";
import { sendJson } from "../http/respond.js";
import type { HandlerContext } from "../route-types.js";
import { streamArtifact } from "./artifact-download.js";

/**
 * MLflow's artifact proxy (`/mlflow-artifacts/...`) over the server's artifacts destination.
 * Bodies stream straight to and from storage; nothing is buffered whole.
 */

function pathFrom(rest: string): string {
  return validateArtifactPath(rest);
}

export async function downloadArtifact(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, rest: string) {
  await streamArtifact(res, ctx.artifacts.destination, pathFrom(rest), req);
}

export async function uploadArtifact(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, rest: string) {
  const path = pathFrom(rest);
  const size = Number(req.headers["content-length"]);
  const abort = new AbortController();
  const onClose = () => {
    if (!req.complete) abort.abort();
  };
  req.once("close", onClose);
  try {
    await ctx.artifacts.destination.write(path, req, {
      signal: abort.signal,
      ...(Number.isFinite(size) ? { size } : {}),
    });
  } finally {
    req.off("close", onClose);
  }
  sendJson(res, 200, {});
}

export async function deleteArtifact(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, rest: string) {
  req.resume();
  await ctx.artifacts.destination.delete(pathFrom(rest));
  sendJson(res, 200, {});
}

export async function listProxyArtifacts(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  _rest: string,
  url: URL,
) {
  const path = validateArtifactPathOrRoot(url.searchParams.get("path") ?? undefined);
  const entries = await ctx.artifacts.destination.list(path);
  const files = entries.map((f) => ({ ...f, path: f.path.slice(f.path.lastIndexOf("/") + 1) }));
  sendJson(res, 200, files.length ? { files } : {});
}

const CreateMpu = z.object({ path: z.string().min(1), num_parts: z.coerce.number().int().min(1).max(10000) });
const CompleteMpu = z.object({
  path: z.string().min(1),
  upload_id: z.string().min(1),
  parts: z.array(z.object({ part_number: z.coerce.number().int(), etag: z.string() })).min(1),
});
const AbortMpu = z.object({ path: z.string().min(1), upload_id: z.string().min(1) });

async function jsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
  ctx: HandlerContext,
): Promise<z.output<S>> {
  if (!isJsonContentType(req.headers["content-type"])) {
    req.resume();
    throw MlflowError.invalidParameter("Bad Request. Content-Type must be one of [application/json].");
  }
  const parsed = schema.safeParse(parseJsonBody(await readBody(req, ctx.config.maxJsonBodyBytes)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw MlflowError.invalidParameter(
      `Invalid value for parameter '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** In `mpu/*` the object is `<URL path>/<basename of the client's file name>`, as in MLflow. */
function objectPath(rest: string, clientPath: string): string {
  const base = clientPath.replace(/\\/g, "/").split("/").pop() ?? "";
  return validateArtifactPath(rest ? `${rest.replace(/\/+$/, "")}/${base}` : base);
}

export async function createMultipartUpload(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  rest: string,
  url: URL,
) {
  const body = await jsonBody(req, CreateMpu, ctx);
  const path = objectPath(rest, body.path);
  const upload = await ctx.artifacts.destination.createMultipartUpload(path, body.num_parts);
  const credentials =
    upload.credentials ??
    Array.from({ length: body.num_parts }, (_, i) => {
      const part = new URL(url.href);
      part.pathname = url.pathname.replace(/\/mpu\/create\/.*$/, `/mpu/upload/${encodePath(path)}`);
      part.search = new URLSearchParams({ upload_id: upload.uploadId, part_number: String(i + 1) }).toString();
      return { url: part.href, part_number: i + 1, headers: {} };
    });
  sendJson(res, 200, { upload_id: upload.uploadId, credentials });
}

/** Our own part-upload route for storage without presigned URLs (local directories). */
export async function uploadMultipartPart(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  rest: string,
  url: URL,
) {
  const uploadId = url.searchParams.get("upload_id");
  const partNumber = Number(url.searchParams.get("part_number"));
  if (!uploadId) throw MlflowError.invalidParameter("Missing value for required parameter 'upload_id'.");
  if (!Number.isInteger(partNumber)) throw MlflowError.invalidParameter("Missing or invalid parameter 'part_number'.");
  const { etag } = await ctx.artifacts.destination.uploadPart(pathFrom(rest), uploadId, partNumber, req);
  res.setHeader("ETag", etag);
  sendJson(res, 200, {});
}

export async function completeMultipartUpload(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  rest: string,
) {
  const body = await jsonBody(req, CompleteMpu, ctx);
  const parts = body.parts.map((p) => ({ part_number: p.part_number, etag: p.etag }));
  await ctx.artifacts.destination.completeMultipartUpload(objectPath(rest, body.path), body.upload_id, parts);
  sendJson(res, 200, {});
}

export async function abortMultipartUpload(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  rest: string,
) {
  const body = await jsonBody(req, AbortMpu, ctx);
  await ctx.artifacts.destination.abortMultipartUpload(objectPath(rest, body.path), body.upload_id);
  sendJson(res, 200, {});
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}
