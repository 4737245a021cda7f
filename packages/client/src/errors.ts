import type { ErrorCode } from "@mlflow-ts/protocol";

export type { ErrorCode };

/*
 * The client's copy of the error catalog in @mlflow-ts/protocol (error-codes.ts): the protocol
 * package's runtime entry loads zod, which a browser bundle should not carry. A test keeps the
 * two tables equal.
 */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  CUSTOMER_UNAUTHORIZED: 401,
  INVALID_STATE: 500,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  CANCELLED: 499,
};

/** HTTP status MLflow renders an error code with; unknown codes are 500. */
export function httpStatusFor(code: string): number {
  return STATUS_BY_CODE[code as ErrorCode] ?? 500;
}

/** The code MLflow's client infers from a bare HTTP status when the body is not MLflow JSON. */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "ENDPOINT_NOT_FOUND";
    case 409:
      return "RESOURCE_CONFLICT";
    case 429:
      return "REQUEST_LIMIT_EXCEEDED";
    case 501:
      return "NOT_IMPLEMENTED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return "INTERNAL_ERROR";
  }
}

/**
 * An MLflow error: `errorCode` is MLflow's code (`RESOURCE_DOES_NOT_EXIST`, ...), `message` the
 * server's message. Errors from the server keep the HTTP status they came with.
 */
export class MlflowError extends Error {
  readonly errorCode: ErrorCode;
  readonly httpStatus: number;

  constructor(errorCode: ErrorCode, message: string, options: { httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MlflowError";
    this.errorCode = errorCode;
    this.httpStatus = options.httpStatus ?? httpStatusFor(errorCode);
  }

  toJSON(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export function isMlflowError(e: unknown): e is MlflowError {
  return e instanceof MlflowError;
}
