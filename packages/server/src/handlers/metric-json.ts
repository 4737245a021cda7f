import type { JsonChunk } from "@mlflow-ts/store";

/**
 * `{"metrics":[...]}` around pages of metric objects rendered by the store, or `{}` when empty.
 * Pages that arrive as UTF-8 bytes are passed on as they are (no decode and re-encode of large bodies).
 */
export async function* jsonPagesEnvelope(pages: AsyncIterable<JsonChunk>): AsyncGenerator<JsonChunk> {
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    if (typeof page === "string") yield (first ? '{"metrics":[' : ",") + page;
    else {
      yield first ? '{"metrics":[' : ",";
      yield page;
    }
    first = false;
  }
  yield first ? "{}" : "]}";
}
