/** One server-sent event. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * Parses a `text/event-stream` byte stream into events without buffering more than one event.
 * Handles `\n`, `\r\n` and `\r` line ends, multi-line `data:`, comments and a missing final blank line.
 */
export async function* parseSse(stream: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = "";
  let event: string | undefined;
  let data: string[] = [];
  const flushLine = function* (line: string): Generator<SseEvent> {
    if (line === "") {
      if (data.length > 0) yield { event, data: data.join("\n") };
      event = undefined;
      data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  };
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10 || c === 13) {
        if (c === 13 && i + 1 === buf.length) break; // maybe a \r\n split across chunks
        yield* flushLine(buf.slice(start, i));
        if (c === 13 && buf.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
    }
    buf = buf.slice(start);
  }
  buf += decoder.decode();
  if (buf.length > 0) yield* flushLine(buf.replace(/\r$/, ""));
  yield* flushLine("");
}

/** Parses newline-delimited JSON (Cohere's stream format). */
export async function* parseNdjson(stream: AsyncIterable<Buffer>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line);
      nl = buf.indexOf("\n");
    }
  }
  const rest = (buf + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest);
}
