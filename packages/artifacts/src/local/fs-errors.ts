import { MlflowError } from "@mlflow-ts/protocol";

/** The `code` of a Node.js system error (ENOENT, EISDIR, ...), if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/**
 * Turns the filesystem errors a caller can provoke while writing `rel` (a parent that is a file,
 * a target that is a directory) into INVALID_PARAMETER_VALUE; anything else is rethrown as is.
 */
export function translateWriteError(error: unknown, rel: string): unknown {
  switch (errnoCode(error)) {
    case "EISDIR":
      return MlflowError.invalidParameter(`Cannot write artifact '${rel}': it is a directory`);
    case "ENOTDIR":
    case "EEXIST":
      return MlflowError.invalidParameter(`Cannot write artifact '${rel}': a parent path is a file`);
    case "ENAMETOOLONG":
      return MlflowError.invalidParameter(`Cannot write artifact '${rel}': name too long`);
    default:
      return error;
  }
}
