/**
 * MLflow's ErrorCode catalog (databricks.proto) and the HTTP status each code renders with.
 * Codes not listed in STATUS_BY_CODE render as 500, as MLflow does.
 */
export const ERROR_CODES = [
  "INTERNAL_ERROR",
  "TEMPORARILY_UNAVAILABLE",
  "IO_ERROR",
  "BAD_REQUEST",
  "RESOURCE_EXHAUSTED",
  "DEADLINE_EXCEEDED",
  "CANCELLED",
  "ABORTED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "UNAUTHENTICATED",
  "INVALID_PARAMETER_VALUE",
  "ENDPOINT_NOT_FOUND",
  "MALFORMED_REQUEST",
  "INVALID_STATE",
  "PERMISSION_DENIED",
  "FEATURE_DISABLED",
  "CUSTOMER_UNAUTHORIZED",
  "REQUEST_LIMIT_EXCEEDED",
  "RESOURCE_CONFLICT",
  "NOT_IMPLEMENTED",
  "DATA_LOSS",
  "INVALID_STATE_TRANSITION",
  "COULD_NOT_ACQUIRE_LOCK",
  "RESOURCE_ALREADY_EXISTS",
  "RESOURCE_DOES_NOT_EXIST",
  "QUOTA_EXCEEDED",
  "MAX_BLOCK_SIZE_EXCEEDED",
  "MAX_READ_SIZE_EXCEEDED",
  "MAX_LIST_SIZE_EXCEEDED",
  "DIRECTORY_NOT_EMPTY",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

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

/** HTTP status for an error code; unknown codes map to 500 like MLflow. */
export function httpStatusFor(code: string): number {
  return STATUS_BY_CODE[code as ErrorCode] ?? 500;
}

/** The code a client infers from a bare HTTP status when the body is not MLflow JSON. */
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
