import type { ErrorCode } from "@mlflow-ts/protocol";

/**
 * An error the gateway answers with an explicit HTTP status. The gateway needs statuses the
 * tracking catalog does not map (502 for upstream failures), so the status travels with the code.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly errorCode: ErrorCode;
  /** Seconds, sent as `Retry-After` (rate limits, upstream 429). */
  readonly retryAfter: number | undefined;

  constructor(status: number, errorCode: ErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.errorCode = errorCode;
    this.retryAfter = retryAfter;
  }

  static badRequest(message: string): GatewayError {
    return new GatewayError(400, "INVALID_PARAMETER_VALUE", message);
  }

  static notFound(message: string): GatewayError {
    return new GatewayError(404, "RESOURCE_DOES_NOT_EXIST", message);
  }
}

/** What a provider throws when the upstream answers with an error status or bad content. */
export class UpstreamError extends Error {
  /** The upstream HTTP status; 0 when the upstream answered 2xx with content we cannot use. */
  readonly status: number;
  readonly retryAfter: number | undefined;

  constructor(status: number, message: string, retryAfter?: number) {
    super(message);
    this.name = "UpstreamError";
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** The upstream did not answer in time. */
export class UpstreamTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstreamTimeoutError";
  }
}

/** The upstream could not be reached (refused, reset, DNS). */
export class UpstreamConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstreamConnectionError";
  }
}
