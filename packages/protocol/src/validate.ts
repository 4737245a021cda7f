import type { z } from "zod";
import { MlflowError } from "./mlflow-error.js";

/**
 * Turns a zod failure into the error MLflow would send: a missing or empty required field gives
 * "Missing value for required parameter '<path>'", a value of the wrong type gives
 * "Invalid value <json> for parameter '<path>' supplied", and range checks keep their own text.
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw toMlflowError(result.error, input);
}

const SEE_DOCS = "See the API docs for more information about request parameters.";

export function toMlflowError(error: z.ZodError, input: unknown): MlflowError {
  const issue = pickIssue(error.issues);
  if (!issue) return MlflowError.invalidParameter("Invalid request.");
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (params?.mlflowMessage) return MlflowError.invalidParameter(issue.message);
  const path = formatPath(issue.path);
  const raw = valueAt(input, issue.path);
  if (raw === undefined || raw === null || raw === "") {
    return MlflowError.invalidParameter(`Missing value for required parameter '${path}'. ${SEE_DOCS}`);
  }
  return MlflowError.invalidParameter(
    `Invalid value ${pythonRepr(raw)} for parameter '${path}' supplied. Hint: Value was of type '${pythonType(raw)}'. ${SEE_DOCS}`,
  );
}

/** Union failures nest their causes; the most specific issue is the useful one. */
function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const first = issues[0];
  if (!first) return undefined;
  if (first.code === "invalid_union" && first.errors.length > 0) {
    // prefer a custom (message-carrying) issue from any branch
    for (const branch of first.errors) {
      for (const inner of branch) {
        const p = (inner as { params?: Record<string, unknown> }).params;
        if (p?.mlflowMessage) return { ...inner, path: [...first.path, ...inner.path] };
      }
    }
    return { ...first, code: "custom", message: first.message, params: undefined } as z.core.$ZodIssue;
  }
  return first;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function pythonType(v: unknown): string {
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "list";
  switch (typeof v) {
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "object":
      return "dict";
    default:
      return typeof v;
  }
}

function pythonRepr(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "boolean") return v ? "True" : "False";
  return JSON.stringify(v) ?? String(v);
}
