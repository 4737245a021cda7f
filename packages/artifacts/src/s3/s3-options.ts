import { MlflowError } from "@mlflow-ts/protocol";

/**
 * How an {@link S3ArtifactRepository} reaches S3. Everything is explicit: the library never reads
 * `process.env` (the server maps MLflow's environment variables onto these options). Whatever is
 * left out falls back to the AWS SDK's own defaults (credential chain, endpoint for the region).
 */
export interface S3ArtifactOptions {
  /** A custom endpoint (MLFLOW_S3_ENDPOINT_URL), e.g. `http://127.0.0.1:9000` for MinIO or moto. */
  endpointUrl?: string;
  /** Region for signing (AWS_DEFAULT_REGION / AWS_REGION). Default `us-east-1`. */
  region?: string;
  /** Static credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Without
   * them the SDK's default provider chain is used (profiles, instance and container roles, ...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style addressing (`endpoint/bucket/key`). Default: true when `endpointUrl` is set. */
  forcePathStyle?: boolean;
  /** Skip TLS certificate verification (MLFLOW_S3_IGNORE_TLS). */
  ignoreTls?: boolean;
  /**
   * Extra arguments for every upload (MLFLOW_S3_UPLOAD_EXTRA_ARGS), with boto3's `ExtraArgs`
   * names, which are also the SDK's PutObject/CreateMultipartUpload field names:
   * `{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "..."}`. Only upload arguments
   * ({@link S3_UPLOAD_EXTRA_ARG_NAMES}) are accepted.
   */
  uploadExtraArgs?: Record<string, unknown>;
  /** Lifetime of presigned part URLs handed out by `createMultipartUpload`, seconds. Default 3600. */
  presignedUrlExpiresIn?: number;
  /**
   * Part size for streamed writes, bytes (default 8 MiB, at least 5 MiB). Bodies up to this size
   * go up in one PutObject; longer or unknown-length ones in parts, each buffered once. For bodies
   * of unknown length the part size doubles every 1000 parts, so 10000 parts reach ~8 TiB.
   */
  partSize?: number;
  /** Parts uploaded at once by a streamed write (default 4). Memory ≈ (queueSize + 1) × partSize. */
  queueSize?: number;
}

/** boto3's `S3Transfer.ALLOWED_UPLOAD_ARGS` (the ones that apply to PutObject and multipart). */
export const S3_UPLOAD_EXTRA_ARG_NAMES: readonly string[] = [
  "ACL",
  "CacheControl",
  "ChecksumAlgorithm",
  "ContentDisposition",
  "ContentEncoding",
  "ContentLanguage",
  "ContentType",
  "ExpectedBucketOwner",
  "Expires",
  "GrantFullControl",
  "GrantRead",
  "GrantReadACP",
  "GrantWriteACP",
  "Metadata",
  "ObjectLockLegalHoldStatus",
  "ObjectLockMode",
  "ObjectLockRetainUntilDate",
  "RequestPayer",
  "ServerSideEncryption",
  "StorageClass",
  "SSECustomerAlgorithm",
  "SSECustomerKey",
  "SSECustomerKeyMD5",
  "SSEKMSKeyId",
  "SSEKMSEncryptionContext",
  "Tagging",
  "WebsiteRedirectLocation",
  "BucketKeyEnabled",
];

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** Checks extra upload arguments; unknown names → INVALID_PARAMETER_VALUE naming them. */
export function checkUploadExtraArgs(args: unknown): Record<string, unknown> {
  if (args === undefined || args === null) return {};
  if (typeof args !== "object" || Array.isArray(args)) {
    throw MlflowError.invalidParameter("S3 upload extra arguments must be a JSON object");
  }
  const unknown = Object.keys(args).filter((k) => !S3_UPLOAD_EXTRA_ARG_NAMES.includes(k));
  if (unknown.length > 0) {
    throw MlflowError.invalidParameter(`Unsupported S3 upload extra argument(s): ${unknown.join(", ")}`);
  }
  return args as Record<string, unknown>;
}

/** Where an `s3://bucket/prefix` URI points. `prefix` has no leading or trailing slash. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Parses `s3://bucket[/prefix]` (also `s3a://`, `s3n://`); anything else → INVALID_PARAMETER_VALUE. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3[an]?:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri);
  const bucket = match?.[1];
  if (bucket === undefined || !/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
    throw MlflowError.invalidParameter(`'${uri}' is not an S3 URI of the form s3://bucket/prefix`);
  }
  const prefix = (match?.[2] ?? "")
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
  if (prefix.split("/").includes("..")) {
    throw MlflowError.invalidParameter(`'${uri}' is not an S3 URI of the form s3://bucket/prefix`);
  }
  return { bucket, prefix };
}
