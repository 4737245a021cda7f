import { Readable, Transform } from "node:stream";
import type { ObjectIdentifier, S3Client } from "@aws-sdk/client-s3";
import { type FileInfo, MlflowError } from "@mlflow-ts/protocol";
import { validateArtifactPath, validateArtifactPathOrRoot } from "../path-safety.js";
import type { ArtifactRepositoryFactory } from "../registry.js";
import {
  type ArtifactReadResult,
  type ArtifactRepository,
  type ArtifactWriteOptions,
  type ByteRange,
  MAX_MULTIPART_PARTS,
  type MultipartPart,
  type MultipartUpload,
  resolveByteRange,
} from "../repository.js";
import { S3Connection, type S3Sdk } from "./s3-connection.js";
import { s3ErrorCode, translateS3Error } from "./s3-errors.js";
import {
  checkUploadExtraArgs,
  DEFAULT_PART_SIZE,
  parseS3Uri,
  type S3ArtifactOptions,
  type S3Location,
} from "./s3-options.js";
import { streamUpload } from "./s3-upload.js";

const DELETE_BATCH = 1000;

/**
 * Artifacts under `s3://bucket/prefix`, through the AWS SDK v3 (loaded on the first call).
 * Keys are `<prefix>/<path>`; "directories" are key prefixes ending in "/", as S3 consoles and
 * MLflow's own S3 repository treat them. Writes stream (one PutObject for small bodies, a
 * multipart upload otherwise) and never leave a partial object; `createMultipartUpload` hands
 * out presigned part URLs, as MLflow's server does for S3.
 */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly supportsMultipart = true;
  readonly bucket: string;
  /** Key prefix of the root, without leading or trailing slash ("" for the bucket root). */
  readonly prefix: string;
  private readonly connection: S3Connection;
  private readonly extra: Record<string, unknown>;

  /**
   * @param uri `s3://bucket[/prefix]`
   * @param connection options, or an {@link S3Connection} to share one client between repositories
   */
  constructor(uri: string, connection: S3ArtifactOptions | S3Connection = {}) {
    const location: S3Location = parseS3Uri(uri);
    this.bucket = location.bucket;
    this.prefix = location.prefix;
    this.connection = connection instanceof S3Connection ? connection : new S3Connection(connection);
    this.extra = checkUploadExtraArgs(this.connection.options.uploadExtraArgs);
  }

  async list(dirPath?: string): Promise<FileInfo[]> {
    const rel = validateArtifactPathOrRoot(dirPath);
    const { client, sdk } = await this.client();
    const listPrefix = this.dirPrefix(rel);
    const out: FileInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`listing '${rel}'`, () =>
        client.send(
          new sdk.s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: listPrefix,
            Delimiter: "/",
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(listPrefix.length).replace(/\/$/, "");
        if (isPlainName(name)) out.push({ path: joinRel(rel, name), is_dir: true });
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(listPrefix.length);
        if (isPlainName(name)) out.push({ path: joinRel(rel, name), is_dir: false, file_size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(filePath: string, range?: ByteRange): Promise<ArtifactReadResult> {
    const rel = validateArtifactPath(filePath);
    const { client, sdk } = await this.client();
    const key = this.key(rel);
    const what = `reading '${rel}'`;
    try {
      const out = await client.send(
        new sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: rangeHeader(range) } : {}) }),
      );
      const body = out.Body as Readable | undefined;
      const stream = body ?? Readable.from([]);
      const contentRange = parseContentRange(out.ContentRange);
      if (contentRange) return { stream, size: contentRange.size, range: contentRange.span };
      const size = out.ContentLength ?? 0;
      if (!range) return { stream, size };
      // The store ignored the Range header and sent the whole object: cut the slice out here.
      const span = resolveByteRange(range, size);
      if (!span) {
        stream.destroy();
        return { stream: Readable.from([]), size };
      }
      return { stream: stream.pipe(slice(span.start, span.end)), size, range: span };
    } catch (error) {
      const { code, status } = s3ErrorCode(error);
      if (code === "NoSuchKey" || (status === 404 && code !== "NoSuchBucket")) throw notFound(rel);
      if (range && (code === "InvalidRange" || status === 416)) {
        // Unsatisfiable: the caller answers 416 and needs the size.
        const head = await this.call(
          what,
          () => client.send(new sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key: key })),
          rel,
        );
        return { stream: Readable.from([]), size: head.ContentLength ?? 0 };
      }
      throw translateS3Error(error, what, this.bucket);
    }
  }

  async write(filePath: string, body: Readable, options: ArtifactWriteOptions = {}): Promise<void> {
    const rel = validateArtifactPath(filePath);
    const { client, sdk } = await this.client().catch((error: unknown) => {
      body.destroy();
      throw error;
    });
    const o = this.connection.options;
    await this.call(`writing '${rel}'`, () =>
      streamUpload({
        client,
        sdk,
        bucket: this.bucket,
        key: this.key(rel),
        body,
        extra: this.extra,
        partSize: o.partSize ?? DEFAULT_PART_SIZE,
        queueSize: Math.max(1, o.queueSize ?? 4),
        size: options.size,
        signal: options.signal,
      }),
    );
  }

  async delete(targetPath: string): Promise<void> {
    const rel = validateArtifactPathOrRoot(targetPath);
    const { client, sdk } = await this.client();
    const what = `deleting '${rel}'`;
    let batch: ObjectIdentifier[] = rel === "" ? [] : [{ Key: this.key(rel) }];
    const flush = async () => {
      const objects = batch;
      batch = [];
      if (objects.length === 0) return;
      const out = await this.call(what, () =>
        client.send(
          new sdk.s3.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        ),
      );
      const failed = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (failed.length > 0) {
        throw translateS3Error({ Code: failed[0]?.Code ?? "DeleteFailed" }, what, this.bucket);
      }
    };
    const treePrefix = this.dirPrefix(rel);
    let token: string | undefined;
    do {
      const page = await this.call(what, () =>
        client.send(
          new sdk.s3.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: treePrefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) batch.push({ Key: object.Key });
        if (batch.length >= DELETE_BATCH) await flush();
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await flush();
  }

  async createMultipartUpload(filePath: string, numParts: number): Promise<MultipartUpload> {
    const rel = validateArtifactPath(filePath);
    if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_MULTIPART_PARTS) {
      throw MlflowError.invalidParameter(`num_parts must be an integer between 1 and ${MAX_MULTIPART_PARTS}`);
    }
    const { client, sdk } = await this.client();
    const key = this.key(rel);
    const what = `starting a multipart upload of '${rel}'`;
    const created = await this.call(what, () =>
      client.send(new sdk.s3.CreateMultipartUploadCommand({ ...this.extra, Bucket: this.bucket, Key: key })),
    );
    const uploadId = created.UploadId as string;
    const expiresIn = this.connection.options.presignedUrlExpiresIn ?? 3600;
    const credentials = await this.call(what, async () => {
      const urls: { url: string; part_number: number; headers: Record<string, string> }[] = [];
      for (let part = 1; part <= numParts; part++) {
        const command = new sdk.s3.UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: part,
        });
        urls.push({
          url: await sdk.presigner.getSignedUrl(client, command, { expiresIn }),
          part_number: part,
          headers: {},
        });
      }
      return urls;
    });
    return { uploadId, credentials };
  }

  async uploadPart(filePath: string, uploadId: string, partNumber: number, body: Readable): Promise<{ etag: string }> {
    const rel = validateArtifactPath(filePath);
    checkPartNumber(partNumber);
    checkUploadId(uploadId);
    const { client, sdk } = await this.client();
    await this.ensureUpload(client, sdk, rel, uploadId);
    // UploadPart needs the length up front; one part is buffered (parts normally go straight to
    // S3 through the presigned URLs instead).
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    const data = Buffer.concat(chunks);
    const out = await this.call(`uploading part ${partNumber} of '${rel}'`, () =>
      client.send(
        new sdk.s3.UploadPartCommand({
          Bucket: this.bucket,
          Key: this.key(rel),
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: data,
          ContentLength: data.length,
        }),
      ),
    );
    return { etag: out.ETag ?? "" };
  }

  async completeMultipartUpload(filePath: string, uploadId: string, parts: MultipartPart[]): Promise<void> {
    const rel = validateArtifactPath(filePath);
    checkUploadId(uploadId);
    if (!Array.isArray(parts) || parts.length === 0) {
      throw MlflowError.invalidParameter("parts must name at least one uploaded part");
    }
    const seen = new Set<number>();
    for (const part of parts) {
      checkPartNumber(part?.part_number);
      if (seen.has(part.part_number)) {
        throw MlflowError.invalidParameter(`Part ${part.part_number} is listed more than once`);
      }
      seen.add(part.part_number);
      if (typeof part.etag !== "string" || part.etag.trim() === "") {
        throw MlflowError.invalidParameter(`Part ${part.part_number} has no etag`);
      }
    }
    const sorted = [...parts]
      .sort((a, b) => a.part_number - b.part_number)
      .map((p) => ({ PartNumber: p.part_number, ETag: quoteEtag(p.etag) }));
    const { client, sdk } = await this.client();
    await this.ensureUpload(client, sdk, rel, uploadId);
    await this.call(`completing the multipart upload of '${rel}'`, () =>
      client.send(
        new sdk.s3.CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key(rel),
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted },
        }),
      ),
    );
  }

  async abortMultipartUpload(filePath: string, uploadId: string): Promise<void> {
    const rel = validateArtifactPath(filePath);
    checkUploadId(uploadId);
    const { client, sdk } = await this.client();
    await this.call(`aborting the multipart upload of '${rel}'`, () =>
      client.send(
        new sdk.s3.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key(rel), UploadId: uploadId }),
      ),
    );
  }

  /**
   * Checks that `uploadId` is an open upload of `rel` (ListParts, one entry) so that an unknown or
   * finished upload is RESOURCE_DOES_NOT_EXIST on every S3 implementation (some S3-compatible
   * servers answer UploadPart and CompleteMultipartUpload for unknown ids with a 500).
   */
  private async ensureUpload(client: S3Client, sdk: S3Sdk, rel: string, uploadId: string): Promise<void> {
    await this.call(`looking up the multipart upload of '${rel}'`, () =>
      client.send(
        new sdk.s3.ListPartsCommand({ Bucket: this.bucket, Key: this.key(rel), UploadId: uploadId, MaxParts: 1 }),
      ),
    );
  }

  private client(): Promise<{ client: S3Client; sdk: S3Sdk }> {
    return this.connection.get().catch((error: unknown) => {
      throw translateS3Error(error, "connecting to S3", this.bucket);
    });
  }

  /** Runs one S3 call and translates its errors; `notFoundRel` turns a 404 into "Artifact ... does not exist". */
  private async call<T>(what: string, fn: () => Promise<T>, notFoundRel?: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (notFoundRel !== undefined) {
        const { code, status } = s3ErrorCode(error);
        if (code === "NoSuchKey" || code === "NotFound" || status === 404) throw notFound(notFoundRel);
      }
      throw translateS3Error(error, what, this.bucket);
    }
  }

  private key(rel: string): string {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  /** The key prefix of the "directory" `rel` (with a trailing slash; "" for the bucket root). */
  private dirPrefix(rel: string): string {
    const key = rel === "" ? this.prefix : this.key(rel);
    return key === "" ? "" : `${key}/`;
  }
}

/**
 * A factory for the `s3` scheme whose repositories share one lazily created client:
 * `registry.register("s3", s3ArtifactRepositoryFactory({ endpointUrl }))`.
 */
export function s3ArtifactRepositoryFactory(options: S3ArtifactOptions | S3Connection = {}): ArtifactRepositoryFactory {
  const connection = options instanceof S3Connection ? options : new S3Connection(options);
  checkUploadExtraArgs(connection.options.uploadExtraArgs);
  return (uri) => new S3ArtifactRepository(uri, connection);
}

function notFound(rel: string): MlflowError {
  return MlflowError.notFound(`Artifact '${rel}' does not exist`);
}

/** A listed name that a valid artifact path can reach (skips `a//b`-style and `..` keys). */
function isPlainName(name: string | undefined): name is string {
  return name !== undefined && name !== "" && name !== "." && name !== ".." && !name.includes("/");
}

function joinRel(rel: string, name: string): string {
  return rel === "" ? name : `${rel}/${name}`;
}

function rangeHeader(range: ByteRange): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ""}`;
}

/** `bytes 2-4/10` → span and total size. */
function parseContentRange(
  value: string | undefined,
): { span: { start: number; end: number }; size: number } | undefined {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim()) : null;
  if (!m) return undefined;
  return { span: { start: Number(m[1]), end: Number(m[2]) }, size: Number(m[3]) };
}

/** Passes bytes `start..end` (inclusive) of a stream through. */
function slice(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      done(null, to > from ? chunk.subarray(from, to) : undefined);
    },
  });
}

function checkPartNumber(partNumber: unknown): asserts partNumber is number {
  if (
    typeof partNumber !== "number" ||
    !Number.isInteger(partNumber) ||
    partNumber < 1 ||
    partNumber > MAX_MULTIPART_PARTS
  ) {
    throw MlflowError.invalidParameter(
      `Part number must be an integer between 1 and ${MAX_MULTIPART_PARTS}, got ${String(partNumber)}`,
    );
  }
}

function checkUploadId(uploadId: unknown): asserts uploadId is string {
  if (typeof uploadId !== "string" || uploadId === "" || uploadId.length > 1024) {
    throw MlflowError.notFound(`Multipart upload '${String(uploadId)}' does not exist for this path`);
  }
}

/** S3 expects etags as it sends them, quoted; clients may send them bare. */
function quoteEtag(etag: string): string {
  const bare = etag.trim().replace(/^"(.*)"$/, "$1");
  return `"${bare}"`;
}
