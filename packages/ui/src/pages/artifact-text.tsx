// Text-like artifact previews read by byte ranges: `fetchSlice` asks for `Range: bytes=a-b` (and
// copes with a server that ignores it), `useSlices` appends slices on "load more", and
// `TextLikePreview` renders text, CSV/TSV tables or sandboxed HTML with the "showing the first N
// of M bytes" bar.
import { Alert, Anchor, Button, Code, Group, Loader, ScrollArea, Stack, Table, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { errorText } from "../api.js";

/** Bytes read per slice of a text-like preview (the first request and every "load more"). */
export const SLICE_BYTES = 256 * 1024;
/** Images, PDF and HTML are fetched whole, so only up to this size (MLflow's cap is 50 MiB). */
export const WHOLE_FILE_CAP = 20 * 1024 * 1024;
const TABLE_ROWS = 100;
const JSON_FILE = /\.json$/i;

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Splits CSV/TSV text into rows (quoted fields with commas, doubled quotes and newlines). */
export function parseDelimited(text: string, sep: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === sep) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if ((field || row.length) && rows.length < maxRows) rows.push([...row, field]);
  return rows;
}

function TablePreview({ text, sep, partial }: { text: string; sep: string; partial: boolean }) {
  // a slice can end inside a row: drop the last line unless the whole file is here
  const complete = partial ? text.slice(0, text.lastIndexOf("\n") + 1) : text;
  const rows = parseDelimited(complete, sep, TABLE_ROWS + 1);
  const [head = [], ...body] = rows;
  return (
    <ScrollArea.Autosize mah="65vh">
      <Table striped withTableBorder withColumnBorders fz="xs" data-testid="artifact-table">
        <Table.Thead>
          <Table.Tr>
            {head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
              <Table.Th key={i}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {body.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
            <Table.Tr key={i}>
              {r.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                <Table.Td key={j}>{c}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt={4}>
        First {body.length} rows.
      </Text>
    </ScrollArea.Autosize>
  );
}

export interface Slice {
  bytes: Uint8Array;
  /** The file's size, from `Content-Range` (or the length of a whole-file answer). */
  total: number;
}

/**
 * Bytes `start`..`start + length - 1` of a file with one `Range` request. A server that ignores
 * the header (200) is read only up to the slice and the rest of the stream is cancelled.
 */
export async function fetchSlice(url: string, start: number, length: number): Promise<Slice> {
  const res = await fetch(url, { headers: { Range: `bytes=${start}-${start + length - 1}` } });
  if (res.status === 416) {
    // past the end: nothing more to read (an empty file answers 416 to bytes=0-…)
    const total = Number(/\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1] ?? start);
    return { bytes: new Uint8Array(0), total };
  }
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  if (res.status === 206) {
    const total = Number(/\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1] ?? Number.NaN);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { bytes, total: Number.isFinite(total) ? total : start + bytes.length };
  }
  // 200: the whole file is coming; keep only the slice asked for
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  const reader = res.body?.getReader();
  if (!reader) {
    const all = new Uint8Array(await res.arrayBuffer());
    return { bytes: all.subarray(start, start + length), total: all.length };
  }
  const want = start + length;
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < want) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  const ended = size < want;
  if (!ended) await reader.cancel();
  const all = new Uint8Array(Math.min(size, want));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - at);
    all.set(part, at);
    at += part.length;
    if (at >= all.length) break;
  }
  return { bytes: all.subarray(start), total: ended ? size : Number.isFinite(declared) ? declared : size };
}

/** The first slices of a text-like file, with "load more" appending the next slice. */
function useSlices(url: string, sliceBytes: number) {
  const [state, setState] = useState<{ url: string; chunks: Uint8Array[]; loaded: number; total: number | null }>({
    url,
    chunks: [],
    loaded: 0,
    total: null,
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    async (from: number, reset: boolean) => {
      setBusy(true);
      setError(null);
      try {
        const s = await fetchSlice(url, from, sliceBytes);
        setState((prev) => {
          const base = reset || prev.url !== url ? [] : prev.chunks;
          return { url, chunks: [...base, s.bytes], loaded: from + s.bytes.length, total: s.total };
        });
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [url, sliceBytes],
  );
  useEffect(() => {
    void load(0, true);
  }, [load]);
  const current = state.url === url ? state : { url, chunks: [], loaded: 0, total: null };
  let text: string | undefined;
  if (current.total !== null) {
    const all = new Uint8Array(current.loaded);
    let at = 0;
    for (const c of current.chunks) {
      all.set(c, at);
      at += c.length;
    }
    // a slice may end inside a UTF-8 sequence; `stream: true` holds the partial character back
    text = new TextDecoder().decode(all, { stream: current.loaded < current.total });
  }
  return {
    text,
    loaded: current.loaded,
    total: current.total,
    error,
    busy,
    more: () => load(current.loaded, false),
  };
}

export function TextLikePreview(props: {
  url: string;
  path: string;
  kind: "text" | "table" | "html";
  /** Shown above the text once the whole file is here (the MLmodel panel). */
  extra?: ((text: string) => React.ReactNode) | undefined;
}) {
  const { url, path, kind } = props;
  // HTML renders whole or not at all (the caller checked it is below the cap); the rest goes by slices
  const slices = useSlices(url, kind === "html" ? WHOLE_FILE_CAP : SLICE_BYTES);
  if (slices.error) return <Alert color="red">{errorText(slices.error)}</Alert>;
  if (slices.text === undefined || slices.total === null) return <Loader size="sm" />;
  const partial = slices.loaded < slices.total;
  let text = slices.text;
  if (!partial && JSON_FILE.test(path)) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON after all: show it as it is
    }
  }
  return (
    <Stack gap="xs">
      {partial && (
        <Group gap="xs" data-testid="artifact-partial">
          <Text size="xs" c="dimmed">
            Showing the first {formatSize(slices.loaded)} of {formatSize(slices.total)} (
            {slices.loaded.toLocaleString()} of {slices.total.toLocaleString()} bytes).
          </Text>
          <Button size="compact-xs" variant="light" loading={slices.busy} onClick={slices.more}>
            Load {formatSize(Math.min(SLICE_BYTES, slices.total - slices.loaded))} more
          </Button>
          <Anchor href={url} download size="xs">
            Download the whole file
          </Anchor>
        </Group>
      )}
      {!partial && props.extra?.(text)}
      {kind === "table" ? (
        <TablePreview text={text} sep={/\.tsv$/i.test(path) ? "\t" : ","} partial={partial} />
      ) : kind === "html" ? (
        <iframe
          title="HTML preview"
          sandbox=""
          // scripts could not run in the sandbox anyway; dropping them keeps the console quiet
          srcDoc={text.replace(/<script\b[\s\S]*?<\/script>/gi, "")}
          data-testid="artifact-html"
          style={{ width: "100%", height: "65vh", border: "1px solid var(--mantine-color-default-border)" }}
        />
      ) : (
        <ScrollArea.Autosize mah="65vh">
          <Code block data-testid="artifact-preview">
            {text || " "}
          </Code>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}
