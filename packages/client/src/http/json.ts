/**
 * JSON response parsing. MLflow's int64 fields (metric steps, millisecond timestamps) can exceed
 * `Number.MAX_SAFE_INTEGER`, where `JSON.parse` rounds them (9007199254740993 becomes
 * 9007199254740992). With `exactInt64`, such a value in one of these fields is kept as its exact
 * decimal text (a string) instead; safe values stay numbers. MLflow's own UI parses its responses
 * BigInt-safely for the same reason.
 *
 * It reads the number's source text through the reviver's third argument (`context.source`, the
 * TC39 "JSON.parse source text access" proposal), which Chromium 114+ and Node 21+ have (Node 20
 * behind `--harmony-json-parse-with-source`). Where a runtime lacks it, values arrive as
 * `JSON.parse` gives them (rounded), as without the option.
 */

/** MLflow's int64 response fields that hold steps and times. */
export const INT64_FIELDS: ReadonlySet<string> = new Set([
  "step",
  "timestamp",
  "start_time",
  "end_time",
  "deleted_time",
  "creation_time",
  "last_update_time",
  "creation_timestamp",
  "last_updated_timestamp",
]);

/** An integer literal of 16 or more digits: the only kind that can be unsafe (2^53 has 16 digits). */
const LONG_INTEGER = /(?<![\d.])\d{16,}(?![\d.eE])/;
const INTEGER_SOURCE = /^-?\d+$/;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const keepExact: Reviver = (key, value, context) => {
  if (
    typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    INT64_FIELDS.has(key) &&
    context?.source !== undefined &&
    INTEGER_SOURCE.test(context.source)
  ) {
    return context.source;
  }
  return value;
};

/** `JSON.parse`, keeping unsafe int64 fields exact when `exactInt64` is set (see above). */
export function parseJson(text: string, exactInt64 = false): unknown {
  // the reviver costs a walk over every value; most responses have no long integer at all
  if (!exactInt64 || !LONG_INTEGER.test(text)) return JSON.parse(text);
  return JSON.parse(text, keepExact as (this: unknown, key: string, value: unknown) => unknown);
}
