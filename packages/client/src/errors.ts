// The protocol's error catalog, from its zod-free entry point (the main entry loads zod, which a
// browser bundle should not carry).
import { type ErrorCode, errorCodeForStatus, httpStatusFor } from "@mlflow-ts/protocol/error-codes";

export type { ErrorCode };
export { errorCodeForStatus, httpStatusFor };

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
