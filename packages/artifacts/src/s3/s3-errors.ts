import { isMlflowError, MlflowError } from "@mlflow-ts/protocol";

/** What an S3 error says about itself: the S3 error code (or SDK error name) and HTTP status. */
export function s3ErrorCode(error: unknown): { code: string; status: number | undefined } {
  const e = (error ?? {}) as {
    name?: unknown;
    Code?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $response?: { statusCode?: unknown };
  };
  const name = typeof e.name === "string" && e.name !== "Error" ? e.name : undefined;
  const code = typeof e.Code === "string" ? e.Code : (name ?? (typeof e.code === "string" ? e.code : "Error"));
  const raw = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  return { code, status: typeof raw === "number" ? raw : undefined };
}

const NOT_FOUND = new Set(["NoSuchKey", "NotFound"]);
const INVALID = new Set([
  "InvalidPart",
  "InvalidPartOrder",
  "EntityTooSmall",
  "EntityTooLarge",
  "InvalidArgument",
  "KeyTooLongError",
  "InvalidRequest",
  "MalformedXML",
]);
const DENIED = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AccountProblem",
  "InvalidObjectState",
  "CredentialsProviderError",
]);
const UNAVAILABLE = new Set([
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "TimeoutError",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EPIPE",
]);

/**
 * Turns an S3 (SDK, network) error into an `MlflowError` whose message names what failed and the
 * S3 error code, never the SDK's own message (which may echo signing details) or a stack. What:
 * a short description like `reading 'model/MLmodel'`. Abort errors pass through unchanged.
 */
export function translateS3Error(error: unknown, what: string, bucket: string): unknown {
  if (isMlflowError(error)) return error;
  const { code, status } = s3ErrorCode(error);
  if (code === "AbortError") return error;
  const nested =
    (error as { code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] } | undefined) ?? {};
  const candidates = [code, nested.code, nested.cause?.code, nested.errors?.[0]?.code];
  const effective = (candidates.find((c) => typeof c === "string" && UNAVAILABLE.has(c)) as string | undefined) ?? code;
  if (NOT_FOUND.has(code) || (status === 404 && code !== "NoSuchBucket" && code !== "NoSuchUpload")) {
    return MlflowError.notFound(`S3 object not found while ${what}`);
  }
  if (code === "NoSuchUpload") return MlflowError.notFound(`Multipart upload does not exist (${what})`);
  if (code === "NoSuchBucket") return MlflowError.notFound(`S3 bucket '${bucket}' does not exist (${what})`);
  if (INVALID.has(code)) return MlflowError.invalidParameter(`S3 refused the request while ${what}: ${code}`);
  if (DENIED.has(code) || status === 403) {
    return new MlflowError("PERMISSION_DENIED", `S3 denied access to bucket '${bucket}' while ${what}: ${code}`);
  }
  if (UNAVAILABLE.has(effective) || (status !== undefined && status >= 500)) {
    return new MlflowError("TEMPORARILY_UNAVAILABLE", `S3 is unavailable while ${what}: ${effective || status}`);
  }
  const tlsCode = candidates.find((c) => typeof c === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(c));
  if (typeof tlsCode === "string") {
    return new MlflowError(
      "INTERNAL_ERROR",
      `The S3 endpoint's TLS certificate was not accepted while ${what} (${tlsCode}); use ignoreTls for self-signed endpoints`,
    );
  }
  const label = code && code !== "Error" ? code : "unexpected error";
  return new MlflowError(
    "INTERNAL_ERROR",
    `S3 request failed while ${what}: ${label}${status ? ` (HTTP ${status})` : ""}`,
  );
}
