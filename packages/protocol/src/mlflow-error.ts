import { type ErrorCode, httpStatusFor } from "./error-codes.js";

/**
 * The one error type of mlflow-ts. Handlers and stores throw it; the server renders it as
 * `{"error_code", "message"}` with the status from the catalog; the client rebuilds it from the wire.
 */
export class MlflowError extends Error {
  readonly errorCode: ErrorCode;

  constructor(errorCode: ErrorCode, message: string) {
    super(message);
    this.name = "MlflowError";
    this.errorCode = errorCode;
  }

  get httpStatus(): number {
    return httpStatusFor(this.errorCode);
  }

  toJSON(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }

  static invalidParameter(message: string): MlflowError {
    return new MlflowError("INVALID_PARAMETER_VALUE", message);
  }

  static notFound(message: string): MlflowError {
    return new MlflowError("RESOURCE_DOES_NOT_EXIST", message);
  }

  static alreadyExists(message: string): MlflowError {
    return new MlflowError("RESOURCE_ALREADY_EXISTS", message);
  }
}

export function isMlflowError(e: unknown): e is MlflowError {
  return e instanceof MlflowError;
}
