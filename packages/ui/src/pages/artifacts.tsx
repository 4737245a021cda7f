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
  Stack,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { artifactUrl, client, errorText } from "../api.js";
import { Link } from "react-router";
import { FileIcon, FolderIcon } from "../icons.js";
import { FlavorBadges, parseMLmodel, SignatureView } from "../signature-view.js";
import { fetchSlice, formatSize, TextLikePreview, WHOLE_FILE_CAP } from "./artifact-text.js";
import { RegisterModelModal } from "./register-model.js";

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TABLE = /\.(csv|tsv)$/i;
const HTML = /\.html?$/i;
const PDF = /\.pdf$/i;
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
