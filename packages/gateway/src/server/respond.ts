import type { IncomingMessage, ServerResponse } from "node:http";
import { isMlflowError } from "@mlflow-ts/protocol";
import { GatewayError } from "../errors.js";
import type { Redactor } from "../redact.js";

/** How a route renders errors: MLflow's `{error_code, message}` or OpenAI's `{error: {...}}`. */
export type ErrorStyle = "mlflow" | "openai";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const OPENAI_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
  501: "not_implemented",
  502: "upstream_error",
  504: "timeout_error",
};

/** Turns anything thrown into a GatewayError; unexpected errors are logged (redacted) and hidden. */
export function toGatewayError(e: unknown, log: (m: string) => void, redactor: Redactor): GatewayError {
  if (e instanceof GatewayError) return e;
  if (isMlflowError(e)) return new GatewayError(e.httpStatus, e.errorCode, e.message);
  log(redactor.redact(`Unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  return new GatewayError(500, "INTERNAL_ERROR", "An internal error occurred while processing the request.");
}

/** The one place errors leave the gateway: the message is redacted here, whatever produced it. */
export function renderError(res: ServerResponse, err: GatewayError, style: ErrorStyle, redactor: Redactor): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = redactor.redact(err.message);
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(err.retryAfter)));
  const body =
    style === "openai"
      ? {
          error: {
            message,
            type: OPENAI_TYPES[err.status] ?? "api_error",
            code: err.errorCode,
            param: null,
          },
        }
      : { error_code: err.errorCode, message };
  sendJson(res, err.status, body, headers);
}

const MAX_BODY = 32 * 1024 * 1024;

/** Reads and parses a JSON object body (empty body = `{}`). Event-based: cheaper than async iteration on the hot path. */
export function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_BODY) {
    req.resume();
    return Promise.reject(
      new GatewayError(413, "INVALID_PARAMETER_VALUE", `Request body exceeds the limit of ${MAX_BODY} bytes.`),
    );
  }
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let parts: Buffer[] | undefined;
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners("data");
        req.resume();
        reject(
          new GatewayError(413, "INVALID_PARAMETER_VALUE", `Request body exceeds the limit of ${MAX_BODY} bytes.`),
        );
        return;
      }
      if (!first) first = chunk;
      else (parts ??= [first]).push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (size > MAX_BODY) return;
      if (size === 0) return resolve({});
      let v: unknown;
      try {
        v = JSON.parse((parts ? Buffer.concat(parts) : (first as Buffer)).toString("utf8"));
      } catch {
        return reject(GatewayError.badRequest("Malformed request body: it is not valid JSON."));
      }
      if (v === null || typeof v !== "object" || Array.isArray(v))
        return reject(GatewayError.badRequest("Malformed request body: expected a JSON object."));
      resolve(v as Record<string, unknown>);
    });
  });
}
