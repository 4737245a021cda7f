import { z } from "zod";

/** Field names whose schema is an array: those query keys may repeat (`?run_ids=a&run_ids=b`). */
export function arrayFields(schema: z.ZodType): Set<string> {
  const out = new Set<string>();
  const shape = objectShape(schema);
  if (!shape) return out;
  for (const [key, field] of Object.entries(shape)) {
    if (unwrap(field) instanceof z.ZodArray) out.add(key);
  }
  return out;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s: unknown = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    const def = (
      s as { _zod?: { def?: { in?: unknown; schema?: unknown; innerType?: unknown; getter?: () => unknown } } }
    )._zod?.def;
    // pipes and transforms (in), refinements (schema), wrappers (innerType), lazy schemas (getter)
    const next = def?.in ?? def?.schema ?? def?.innerType ?? def?.getter?.();
    if (!next) return undefined;
    s = next;
  }
  return undefined;
}

function unwrap(field: z.ZodType): unknown {
  let f: unknown = field;
  while (f instanceof z.ZodOptional || f instanceof z.ZodDefault || f instanceof z.ZodNullable) {
    f = (f as z.ZodOptional).unwrap();
  }
  return f;
}

/** Builds a request object from a query string: repeated keys for array fields, else the first value. */
export function queryToObject(search: URLSearchParams, arrays: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (arrays.has(key)) {
      const list = (out[key] as string[] | undefined) ?? [];
      list.push(value);
      out[key] = list;
    } else if (!(key in out)) out[key] = value;
  }
  return out;
}
