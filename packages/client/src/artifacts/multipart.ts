import { MlflowError } from "../errors.js";
import type { Transport } from "../http/transport.js";
import type { UploadSource } from "./repository.js";

export interface MultipartOptions {
  /** Files at least this large go up in parts (MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE, default 500 MiB). */
  thresholdBytes?: number;
  /** Part size (MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE, default 10 MiB). */
  partBytes?: number;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
}

export const DEFAULT_MULTIPART: Required<MultipartOptions> = {
  thresholdBytes: 500 * 1024 * 1024,
  partBytes: 10 * 1024 * 1024,
  concurrency: 4,
};

interface Credential {
  url: string;
  part_number: number;
  headers?: Record<string, string>;
}

/**
 * MLflow's proxy multipart upload: `mpu/create` hands out one URL per part (presigned cloud
 * URLs, or the server's own part route), parts are PUT in parallel and their ETags sent to
 * `mpu/complete`; a failure aborts. Returns false when the server's storage has no multipart
 * support (501 NOT_IMPLEMENTED), so the caller falls back to one PUT, as MLflow's client does.
 */
export async function multipartUpload(
  transport: Transport,
  mpuBase: string,
  dir: string,
  fileName: string,
  source: UploadSource,
  options: Required<MultipartOptions>,
): Promise<boolean> {
  const numParts = Math.max(1, Math.ceil(source.size / options.partBytes));
  const at = (op: string) => `${mpuBase}/${op}${dir ? `/${encodePath(dir)}` : ""}`;
  let created: { upload_id: string; credentials: Credential[] };
  try {
    created = await transport.json("POST", at("create"), { path: fileName, num_parts: numParts });
  } catch (e) {
    if (e instanceof MlflowError && e.errorCode === "NOT_IMPLEMENTED") return false;
    throw e;
  }
  const uploadId = created.upload_id;
  try {
    const parts: { part_number: number; etag: string; url: string }[] = [];
    const queue = [...created.credentials];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const start = (c.part_number - 1) * options.partBytes;
        const end = Math.min(source.size, start + options.partBytes);
        const url = new URL(c.url, transport.baseUrl).href;
        const etag = await transport.send(
          "PUT",
          url,
          () => source.body(start, end),
          { idempotent: true, ...(c.headers ? { headers: c.headers } : {}) },
          async (res) => {
            await res.body?.cancel().catch(() => {});
            const tag = res.headers.get("etag");
            if (!tag) throw new MlflowError("INTERNAL_ERROR", `Part ${c.part_number} upload returned no ETag.`);
            return tag;
          },
        );
        parts.push({ part_number: c.part_number, etag, url: c.url });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
    parts.sort((a, b) => a.part_number - b.part_number);
    await transport.json("POST", at("complete"), { path: fileName, upload_id: uploadId, parts });
    return true;
  } catch (e) {
    await transport.json("POST", at("abort"), { path: fileName, upload_id: uploadId }).catch(() => {});
    throw e;
  }
}

export function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}
