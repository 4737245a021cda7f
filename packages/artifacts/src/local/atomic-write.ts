import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Temporary files are named `.mlflow-ts-tmp-<16 hex>`; listings hide them. */
export const TEMP_FILE_PATTERN = /^\.mlflow-ts-tmp-[0-9a-f]{16}$/;

export function tempFileName(): string {
  return `.mlflow-ts-tmp-${randomBytes(8).toString("hex")}`;
}

export interface WriteNewFileOptions {
  signal?: AbortSignal | undefined;
  /** fsync before closing, so a later rename cannot expose a file whose data is not on disk. */
  sync?: boolean;
}

/**
 * Streams `body` into `file`, which must not exist yet. The file is opened before any data flows,
 * so when this rejects (body error or destroy, abort, disk full) the caller knows it exists and
 * can remove it; this function removes it itself before rethrowing.
 */
export async function writeNewFile(file: string, body: Readable, options: WriteNewFileOptions = {}): Promise<void> {
  const handle = await open(file, "wx");
  // The stream owns the handle from here on: it closes it after `finish` (fsyncing first when
  // `flush` is set) or when destroyed by a failing pipeline.
  const out = handle.createWriteStream({ highWaterMark: 1024 * 1024, flush: options.sync ?? false });
  try {
    await pipeline(body, out, options.signal ? { signal: options.signal } : {});
    if (!out.closed) await once(out, "close");
  } catch (error) {
    if (!out.destroyed) out.destroy();
    if (!out.closed) await once(out, "close").catch(() => {});
    await rm(file, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Streams `body` into a temporary file beside `target`, fsyncs it and renames it over `target`:
 * readers see the old or the new content, never a part. The temp name does not derive from the
 * target's, so long names cannot overflow. On failure the temp file is gone and `target` untouched.
 */
export async function writeFileAtomically(target: string, body: Readable, signal?: AbortSignal): Promise<void> {
  const temp = path.join(path.dirname(target), tempFileName());
  await writeNewFile(temp, body, { signal, sync: true });
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}
