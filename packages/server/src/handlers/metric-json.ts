/** `{"metrics":[...]}` around pages of metric objects rendered by the store, or `{}` when empty. */
export async function* jsonPagesEnvelope(pages: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const page of pages) {
    if (!page) continue;
    yield (first ? '{"metrics":[' : ",") + page;
    first = false;
  }
  yield first ? "{}" : "]}";
}
