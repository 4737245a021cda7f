// The run page's artifact browser: a lazy tree and a preview pane. Text-like files are read with
// `Range: bytes=a-b` requests, one slice at a time, so a 20 GB log costs the first 256 KiB; only
// images, PDF and HTML are fetched whole, and only below WHOLE_FILE_CAP.
import type { FileInfo, ModelVersion } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Button,
  Code,
  Grid,
  Group,
  Image,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { artifactUrl, client, errorText } from "../api.js";
import { Link } from "react-router";
import { FileIcon, FolderIcon } from "../icons.js";
import { FlavorBadges, parseMLmodel, SignatureView } from "../signature-view.js";
import { RegisterModelModal } from "./register-model.js";

/** Bytes read per slice of a text-like preview (the first request and every "load more"). */
export const SLICE_BYTES = 256 * 1024;
/** Images, PDF and HTML are fetched whole, so only up to this size (MLflow's cap is 50 MiB). */
export const WHOLE_FILE_CAP = 20 * 1024 * 1024;
const TABLE_ROWS = 100;

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TABLE = /\.(csv|tsv)$/i;
const HTML = /\.html?$/i;
const PDF = /\.pdf$/i;
const JSON_FILE = /\.json$/i;
const MLMODEL = /(^|\/)MLmodel$/;
const TEXT =
  /(\.(txt|log|err|out|md|rst|py|json|jsonl|ya?ml|csv|tsv|js|ts|sh|cfg|conf|ini|properties|toml|xml|sql|r|java|scala|go|rs)|(^|\/)(MLmodel|MLproject|Dockerfile|requirements\.txt))$/i;

export type PreviewKind = "image" | "pdf" | "html" | "table" | "text" | "none";

export function previewKind(path: string): PreviewKind {
  if (IMAGE.test(path)) return "image";
  if (PDF.test(path)) return "pdf";
  if (HTML.test(path)) return "html";
  if (TABLE.test(path)) return "table";
  if (TEXT.test(path)) return "text";
  return "none";
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function TreeLevel(props: {
  runId: string;
  path: string;
  depth: number;
  selected: string;
  onSelect: (p: string) => void;
}) {
  const list = useQuery({
    queryKey: ["artifacts", props.runId, props.path],
    queryFn: () => client.listArtifacts(props.runId, props.path),
  });
  if (list.isLoading) return <Loader size="xs" />;
  if (list.error) return <Text c="red">{errorText(list.error)}</Text>;
  const files = [...(list.data ?? [])].sort(
    (a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path),
  );
  if (props.depth === 0 && !files.length) return <Text c="dimmed">No artifacts.</Text>;
  return (
    <>
      {files.map((f) => (
        <TreeNode key={f.path} file={f} {...props} />
      ))}
    </>
  );
}

function TreeNode(props: {
  file: FileInfo;
  runId: string;
  depth: number;
  selected: string;
  onSelect: (p: string) => void;
}) {
  const { file } = props;
  const [open, setOpen] = useState(props.selected.startsWith(`${file.path}/`));
  const name = file.path.slice(file.path.lastIndexOf("/") + 1);
  const active = props.selected === file.path;
  return (
    <>
      <UnstyledButton
        data-testid="artifact-node"
        onClick={() => (file.is_dir ? setOpen(!open) : props.onSelect(file.path))}
        style={{
          display: "flex",
          width: "100%",
          padding: "3px 6px",
          paddingLeft: 6 + props.depth * 16,
          borderRadius: 4,
          background: active ? "var(--mantine-color-blue-light)" : undefined,
          fontSize: 13,
        }}
      >
        <span style={{ flex: 1 }}>
          {file.is_dir ? (
            <>
              <span style={{ display: "inline-block", width: 12 }}>{open ? "▾" : "▸"}</span>
              <FolderIcon />
            </>
          ) : (
            <>
              <span style={{ display: "inline-block", width: 12 }} />
              <FileIcon />
            </>
          )}
          {name}
        </span>
        {!file.is_dir && file.file_size !== undefined && (
          <Text size="xs" c="dimmed">
            {formatSize(Number(file.file_size))}
          </Text>
        )}
      </UnstyledButton>
      {file.is_dir && open && (
        <TreeLevel
          runId={props.runId}
          path={file.path}
          depth={props.depth + 1}
          selected={props.selected}
          onSelect={props.onSelect}
        />
      )}
    </>
  );
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

function PdfPreview({ url }: { url: string }) {
  const blob = useQuery({
    queryKey: ["artifact-pdf", url],
    queryFn: async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: "application/pdf" }));
    },
  });
  if (blob.error) return <Alert color="red">{errorText(blob.error)}</Alert>;
  if (!blob.data) return <Loader size="sm" />;
  return <iframe title="PDF preview" src={blob.data} style={{ width: "100%", height: "70vh", border: 0 }} />;
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

function TextLikePreview(props: {
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

/**
 * What MLflow's logged-model view shows for a model directory: the `runs:/` URI, flavors, the
 * signature as tables, and "Register model" for that directory.
 */
function MLmodelPanel({ runId, path, text }: { runId: string; path: string; text: string }) {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const qc = useQueryClient();
  const [registering, setRegistering] = useState<string | null>(null);
  const [registered, setRegistered] = useState<ModelVersion | null>(null);
  const model = useQuery({ queryKey: ["mlmodel-text", runId, path, text], queryFn: () => parseMLmodel(text) });
  return (
    <Paper withBorder p="sm" data-testid="mlmodel-panel">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={600} size="sm">
            Logged model
          </Text>
          <Code>{`runs:/${runId}/${dir}`}</Code>
          {model.data && <FlavorBadges model={model.data} />}
        </Group>
        <Group gap="xs">
          {registered && (
            <Anchor
              component={Link}
              to={`/models/${encodeURIComponent(registered.name)}/versions/${registered.version}`}
              size="sm"
            >
              {registered.name} v{registered.version}
            </Anchor>
          )}
          <Button size="compact-xs" variant="light" onClick={() => setRegistering(dir)}>
            Register model
          </Button>
        </Group>
      </Group>
      {model.error ? (
        <Alert color="yellow" title="MLmodel could not be read">
          {errorText(model.error)}
        </Alert>
      ) : model.data ? (
        <SignatureView model={model.data} />
      ) : (
        <Loader size="xs" />
      )}
      <RegisterModelModal
        runId={runId}
        artifactPath={registering}
        onClose={() => setRegistering(null)}
        onRegistered={async (v) => {
          setRegistered(v);
          await qc.invalidateQueries({ queryKey: ["run-model-versions", runId] });
        }}
      />
    </Paper>
  );
}

/** A file's size from its directory listing (the tree has usually fetched it already), else from a 1-byte range. */
function useFileSize(runId: string, path: string) {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const listing = useQuery({
    queryKey: ["artifacts", runId, dir],
    queryFn: () => client.listArtifacts(runId, dir),
  });
  const listed = listing.data?.find((f) => f.path === path)?.file_size;
  const probe = useQuery({
    queryKey: ["artifact-size", runId, path],
    enabled: listing.isFetched && listed === undefined,
    queryFn: async () => (await fetchSlice(artifactUrl(runId, path), 0, 1)).total,
  });
  if (listed !== undefined) return { size: Number(listed), error: null };
  return { size: probe.data, error: probe.error ?? (listing.isFetched ? null : listing.error) };
}

function Preview({ runId, path }: { runId: string; path: string }) {
  const url = artifactUrl(runId, path);
  const kind = previewKind(path);
  const { size, error } = useFileSize(runId, path);
  const whole = kind === "image" || kind === "pdf" || kind === "html";
  let body: React.ReactNode;
  if (kind === "none")
    body = (
      <Text c="dimmed" size="sm">
        No preview for this file type. Previews cover text and code, JSON, YAML, MLmodel, CSV/TSV, images, HTML and PDF.
      </Text>
    );
  else if (error) body = <Alert color="red">{errorText(error)}</Alert>;
  else if (size === undefined) body = <Loader size="sm" />;
  else if (whole && size > WHOLE_FILE_CAP)
    body = (
      <Alert color="gray" title="Too large to preview" data-testid="artifact-too-large">
        This file is {formatSize(size)}; previews of {kind === "image" ? "images" : kind.toUpperCase()} files stop at{" "}
        {formatSize(WHOLE_FILE_CAP)}.{" "}
        <Anchor href={url} download size="sm">
          Download it
        </Anchor>{" "}
        instead.
      </Alert>
    );
  else if (size === 0)
    body = (
      <Text size="sm" c="dimmed">
        Empty file.
      </Text>
    );
  else if (kind === "pdf") body = <PdfPreview url={url} />;
  else if (kind === "image") body = <Image src={url} alt={path} maw={640} fit="contain" />;
  else
    body = (
      <TextLikePreview
        key={url}
        url={url}
        path={path}
        kind={kind as "text" | "table" | "html"}
        extra={MLMODEL.test(path) ? (text) => <MLmodelPanel runId={runId} path={path} text={text} /> : undefined}
      />
    );
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600} size="sm" style={{ wordBreak: "break-all" }}>
          {path}
          {size !== undefined && (
            <Text span c="dimmed" size="xs" fw={400} ml={8}>
              {formatSize(size)}
            </Text>
          )}
        </Text>
        <Anchor href={url} download size="sm">
          Download
        </Anchor>
      </Group>
      {body}
    </Stack>
  );
}

export function ArtifactBrowser(props: { runId: string; selected: string; onSelect: (p: string) => void }) {
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Paper withBorder p="xs" data-testid="artifact-tree">
          <TreeLevel runId={props.runId} path="" depth={0} selected={props.selected} onSelect={props.onSelect} />
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Paper withBorder p="md" mih={200}>
          {props.selected ? (
            <Preview runId={props.runId} path={props.selected} />
          ) : (
            <Text c="dimmed">Select a file to preview it.</Text>
          )}
        </Paper>
      </Grid.Col>
    </Grid>
  );
}
