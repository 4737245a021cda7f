import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { ArtifactRepository } from "@mlflow-ts/artifacts";
import { contentTypeFor } from "../http/content-type.js";

/** Streams one artifact as an attachment with MLflow's download headers. */
export async function streamArtifact(res: ServerResponse, repo: ArtifactRepository, path: string): Promise<void> {
  const { stream, size } = await repo.read(path);
  const base = path.slice(path.lastIndexOf("/") + 1);
  res.writeHead(200, {
    "Content-Type": contentTypeFor(base),
    "Content-Length": size,
    "Content-Disposition": `attachment; filename="${base.replace(/["\\\r\n]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(base)}`,
    "X-Content-Type-Options": "nosniff",
  });
  await pipeline(stream, res);
}
