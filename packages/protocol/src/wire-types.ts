import { z } from "zod";
import { RUN_STATUSES, VIEW_TYPES } from "./entities.js";

/**
 * Field types that accept what MLflow's proto JSON parser accepts: int64 as number or decimal
 * string, doubles as number / numeric string / "NaN" / "Infinity" / "-Infinity", enums by name or
 * number, booleans as JSON booleans or (from query strings) "true"/"false" in any case.
 */

const INT_STRING = /^[+-]?\d+$/;
const FLOAT_STRING = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const int64 = () =>
  z.union([
    z.number().int(),
    z
      .string()
      .regex(INT_STRING)
      .transform((s) => Number(s)),
  ]);

export const double = () =>
  z.union([
    z.number(),
    z.string().transform((s, ctx) => {
      const t = s.trim();
      if (t === "NaN" || t === "nan") return Number.NaN;
      if (t === "Infinity" || t === "inf") return Number.POSITIVE_INFINITY;
      if (t === "-Infinity" || t === "-inf") return Number.NEGATIVE_INFINITY;
      if (FLOAT_STRING.test(t)) return Number(t);
      ctx.addIssue({ code: "custom", message: "not a number" });
      return z.NEVER;
    }),
  ]);

export const boolish = () =>
  z.union([
    z.boolean(),
    z.string().transform((s, ctx) => {
      const l = s.toLowerCase();
      if (l === "true") return true;
      if (l === "false") return false;
      ctx.addIssue({
        code: "custom",
        message: `Invalid boolean value: ${s}, must be 'true' or 'false'.`,
        params: { mlflowMessage: true },
      });
      return z.NEVER;
    }),
  ]);

function protoEnum<const T extends readonly [string, ...string[]]>(names: T, numbers: Record<number, T[number]>) {
  return z.union([
    z.enum(names),
    z.union([z.number().int(), z.string().regex(INT_STRING).transform(Number)]).transform((n, ctx) => {
      const name = numbers[n];
      if (name === undefined) {
        ctx.addIssue({ code: "custom", message: "unknown enum value" });
        return z.NEVER;
      }
      return name;
    }),
  ]);
}

export const runStatus = () =>
  protoEnum(RUN_STATUSES, { 1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED" });

export const viewType = () => protoEnum(VIEW_TYPES, { 1: "ACTIVE_ONLY", 2: "DELETED_ONLY", 3: "ALL" });

/** A required string: absent or "" is reported as a missing required parameter. */
export const requiredString = () => z.string().min(1);

export const keyValue = () => z.object({ key: z.string(), value: z.string().optional() });
