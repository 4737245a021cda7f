import type { Readable } from "node:stream";
import type { CompletedPart, S3Client } from "@aws-sdk/client-s3";
import type { S3Sdk } from "./s3-connection.js";
import { MIN_PART_SIZE } from "./s3-options.js";

export interface StreamUploadParams {
  client: S3Client;
  sdk: S3Sdk;
  bucket: string;
  key: string;
  body: Readable;
  /** Fields added to PutObject / CreateMultipartUpload (MLFLOW_S3_UPLOAD_EXTRA_ARGS). */
  extra: Record<string, unknown>;
  partSize: number;
  queueSize: number;
  /** Known total size, if any: picks a part size that fits S3's 10000 parts. */
  size?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Streams `body` to one S3 object without holding more than `(queueSize + 1) × partSize` bytes:
 * a body that ends within the first part becomes one PutObject; longer ones a multipart upload
 * with up to `queueSize` parts in flight. Any failure or an abort aborts the multipart upload
 * (awaited) before the promise rejects, so nothing new becomes visible and no parts linger.
 *
 * Written here rather than with `@aws-sdk/lib-storage`'s `Upload` because that one rejects on
 * abort before its in-flight requests finish and does not pass the signal to them, so a PutObject
 * could still land after the caller was told the write was aborted.
 */
export async function streamUpload(p: StreamUploadParams): Promise<void> {
  const { s3 } = p.sdk;
  const signal = p.signal;
  throwIfAborted(signal);
  let basePart = Math.max(MIN_PART_SIZE, p.partSize);
  if (p.size !== undefined && p.size > basePart * 10_000) basePart = Math.ceil(p.size / 10_000);
  const partSizeFor = (partNumber: number) =>
    p.size !== undefined ? basePart : basePart * 2 ** Math.min(9, Math.floor((partNumber - 1) / 1000));

  // full-size part buffers come back here once S3 has acknowledged their part, and are filled again:
  // the write allocates about (queueSize + 2) parts in all instead of one per part (whose garbage
  // otherwise piles up until the next major GC)
  const pool = new PartBufferPool();
  const chunks = partChunks(p.body, partSizeFor, signal, pool);
  const first = await chunks.next();
  if (first.done) throw new Error("unreachable: partChunks yields at least one part");
  if (first.value.last) {
    await p.client.send(
      new s3.PutObjectCommand({
        ...p.extra,
        Bucket: p.bucket,
        Key: p.key,
        Body: first.value.data,
        ContentLength: first.value.data.length,
      }),
      { abortSignal: signal },
    );
    return;
  }

  const created = await p.client.send(
    new s3.CreateMultipartUploadCommand({ ...p.extra, Bucket: p.bucket, Key: p.key }),
    { abortSignal: signal },
  );
  const uploadId = created.UploadId as string;
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const sendPart = (partNumber: number, data: Buffer) => {
    const task = p.client
      .send(
        new s3.UploadPartCommand({
          Bucket: p.bucket,
          Key: p.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: data,
          ContentLength: data.length,
          ...sseCustomerArgs(p.extra),
        }),
        { abortSignal: signal },
      )
      .then(
        (out) => {
          parts.push({ PartNumber: partNumber, ETag: out.ETag });
          pool.release(data);
        },
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  try {
    sendPart(1, first.value.data);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      if (failure !== undefined) break;
      sendPart(next.value.partNumber, next.value.data);
      while (inFlight.size >= p.queueSize && failure === undefined) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    throwIfAborted(signal);
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await p.client.send(
      new s3.CompleteMultipartUploadCommand({
        Bucket: p.bucket,
        Key: p.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...sseCustomerArgs(p.extra),
      }),
    );
  } catch (error) {
    await chunks.return(undefined).catch(() => {});
    await Promise.allSettled(inFlight);
    await p.client
      .send(new s3.AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: uploadId }))
      .catch(() => {});
    throw error;
  }
}

/** The SSE-C fields UploadPart and CompleteMultipartUpload need again. */
function sseCustomerArgs(extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [
    "SSECustomerAlgorithm",
    "SSECustomerKey",
    "SSECustomerKeyMD5",
    "RequestPayer",
    "ExpectedBucketOwner",
  ]) {
    if (extra[k] !== undefined) out[k] = extra[k];
  }
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw Object.assign(new Error("The write was aborted"), { name: "AbortError" });
}

/** Initial capacity of the first part's buffer (it doubles up to the part size). */
const FIRST_BUFFER = 256 * 1024;

interface Part {
  partNumber: number;
  data: Buffer;
  /** True when the body ended with this part. */
  last: boolean;
}

/**
 * Cuts a byte stream into parts of `sizeFor(partNumber)` bytes (the last one shorter), copying the
 * incoming chunks into one buffer per part (so each part costs one allocation and the chunks are
 * garbage at once). Always yields at least one part (an empty body gives one empty, last part). A
 * full part is held back until the next byte (or the end) arrives, so `last` is always right.
 * Stops at once when `signal` aborts.
 */
async function* partChunks(
  body: Readable,
  sizeFor: (partNumber: number) => number,
  signal: AbortSignal | undefined,
  pool: PartBufferPool = new PartBufferPool(),
): AsyncGenerator<Part, void, undefined> {
  let nextNumber = 1;
  // The part being filled; allocated on the first byte (an empty body allocates nothing).
  let buffer: Buffer | undefined;
  let filled = 0;
  let target = 0;
  let ready: Part | undefined;
  const iterator = body[Symbol.asyncIterator]();
  try {
    while (true) {
      const step = await nextOrAbort(iterator, signal);
      if (step.done) break;
      const chunk: Buffer = typeof step.value === "string" ? Buffer.from(step.value) : (step.value as Buffer);
      let offset = 0;
      while (offset < chunk.length) {
        if (buffer !== undefined && filled === target) {
          // The current part is full and more bytes follow: it is not the last one.
          if (ready !== undefined) yield ready;
          ready = { partNumber: nextNumber, data: buffer, last: false };
          nextNumber++;
          buffer = undefined;
        }
        if (buffer === undefined) {
          target = sizeFor(nextNumber);
          // The first part starts small and doubles, so a small file never costs a whole part.
          buffer = nextNumber === 1 ? Buffer.allocUnsafe(Math.min(target, FIRST_BUFFER)) : pool.take(target);
          filled = 0;
        } else if (filled === buffer.length) {
          const grown = Buffer.allocUnsafe(Math.min(target, buffer.length * 2));
          buffer.copy(grown, 0, 0, filled);
          buffer = grown;
        }
        const copied = chunk.copy(buffer, filled, offset);
        filled += copied;
        offset += copied;
      }
    }
    if (ready !== undefined) yield ready;
    yield {
      partNumber: nextNumber,
      data: buffer === undefined ? Buffer.alloc(0) : buffer.subarray(0, filled),
      last: true,
    };
  } finally {
    if (typeof iterator.return === "function") await iterator.return().catch(() => {});
  }
}

/** The next chunk of the body, or an AbortError as soon as `signal` fires. */
function nextOrAbort(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<unknown>> {
  throwIfAborted(signal);
  if (!signal) return iterator.next();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(Object.assign(new Error("The write was aborted"), { name: "AbortError" }));
    signal.addEventListener("abort", onAbort, { once: true });
    iterator.next().then(
      (step) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) onAbort();
        else resolve(step);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Whole part buffers handed back after their upload succeeded. Only buffers that own their memory
 * from offset 0 (not views such as the last, shorter part) are kept, and only a few.
 */
class PartBufferPool {
  private readonly free: Buffer[] = [];
  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length === size);
    if (i < 0) return Buffer.allocUnsafe(size);
    return this.free.splice(i, 1)[0] as Buffer;
  }
  release(buffer: Buffer): void {
    if (buffer.byteOffset !== 0 || buffer.length !== buffer.buffer.byteLength || this.free.length >= 4) return;
    this.free.push(buffer);
  }
}
