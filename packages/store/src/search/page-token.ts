/**
 * Offset page tokens, in MLflow's format: base64 of the JSON `{"offset": N}`. Clients treat
 * tokens as opaque; using MLflow's exact bytes keeps tokens interchangeable with MLflow's.
 */
import { MlflowError } from "@mlflow-ts/protocol";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, "utf8").toString("base64");
}

function invalid(detail: string): MlflowError {
  return MlflowError.invalidParameter(`Invalid page token, ${detail}`);
}

/** The offset in `token`; 0 when there is no token. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  if (!BASE64.test(token)) throw invalid("could not base64-decode");
  const decoded = Buffer.from(token, "base64").toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalid(`decoded value=${decoded}`);
  }
  const offset =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).offset
      : undefined;
  // MLflow never issues a token for offset 0 and rejects one, like a missing offset.
  if (offset === undefined || offset === null || offset === 0 || offset === "" || offset === false) {
    throw invalid(`parsed value=${decoded}`);
  }
  const value = typeof offset === "string" && /^\s*\d+\s*$/.test(offset) ? Number(offset) : offset;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`not stringable ${JSON.stringify(offset)}`);
  }
  return value;
}
