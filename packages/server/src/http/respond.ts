import type { ServerResponse } from "node:http";
import { isMlflowError, MlflowError } from "@mlflow-ts/protocol";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // encoded once: Content-Length from the bytes that are written (a 1000-run search answer is ~0.6 MB)
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": bytes.length });
  res.end(bytes);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The one error hook: MlflowError renders as `{error_code, message}` with its catalog status;
 * anything else is logged and answered as INTERNAL_ERROR without internals.
 */
export function sendError(res: ServerResponse, error: unknown, log: (msg: string) => void): void {
  const e = toMlflowError(error, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.httpStatus, e.toJSON());
}

function toMlflowError(error: unknown, log: (msg: string) => void): MlflowError {
  if (isMlflowError(error)) return error;
  log(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new MlflowError("INTERNAL_ERROR", "An internal error occurred while processing the request.");
}
