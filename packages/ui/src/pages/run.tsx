import type { FileInfo, KeyValue, Metric } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
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
  Tabs,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { FileIcon, FolderIcon } from "../icons.js";
import { NameModal } from "./experiments.js";
import { artifactUrl, client, errorText, formatDuration, formatNumber, formatTime } from "../api.js";

const NOTE = "mlflow.note.content";
const PREVIEW_CAP = 2 * 1024 * 1024;

export function RunRedirect() {
  const { runId = "" } = useParams();
  const run = useQuery({ queryKey: ["run", runId], queryFn: () => client.getRun(runId) });
  if (run.error) return <Alert color="red">{errorText(run.error)}</Alert>;
  if (!run.data) return <Loader />;
  return <Navigate to={`/experiments/${run.data.info.experiment_id}/runs/${runId}`} replace />;
}

function KeyValueTable({ rows, label }: { rows: KeyValue[]; label: string }) {
  if (!rows.length) return <Text c="dimmed">No {label}.</Text>;
  return (
    <Table striped verticalSpacing={4} data-testid={`${label}-table`}>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Td w="40%">
              <Text size="sm" fw={500}>
                {r.key}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm" style={{ wordBreak: "break-all" }}>
                {r.value}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function MetricsTable({ runId, metrics }: { runId: string; metrics: Metric[] }) {
  // min and max come from each metric's history; fetched for up to 50 keys
  const keys = metrics.map((m) => m.key).sort();
  const history = useQuery({
    queryKey: ["metric-range", runId, keys.join("\n")],
    enabled: keys.length > 0 && keys.length <= 50,
    queryFn: async () => {
      const out: Record<string, { min: number; max: number; steps: number }> = {};
      await Promise.all(
        keys.map(async (k) => {
          const h = await client.getMetricHistory(runId, k);
          const values = h.map((p) => p.value).filter((v) => !Number.isNaN(v));
          out[k] = { min: Math.min(...values), max: Math.max(...values), steps: h.length };
        }),
      );
      return out;
    },
  });
  if (!metrics.length) return <Text c="dimmed">No metrics.</Text>;
  return (
    <Table striped verticalSpacing={4} data-testid="metrics-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Metric</Table.Th>
          <Table.Th>Latest</Table.Th>
          <Table.Th>Min</Table.Th>
          <Table.Th>Max</Table.Th>
          <Table.Th>Points</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...metrics]
          .sort((a, b) => a.key.localeCompare(b.key))
          .map((m) => {
            const h = history.data?.[m.key];
            return (
              <Table.Tr key={m.key}>
                <Table.Td fw={500}>{m.key}</Table.Td>
                <Table.Td>{formatNumber(m.value)}</Table.Td>
                <Table.Td>{h ? formatNumber(h.min) : ""}</Table.Td>
                <Table.Td>{h ? formatNumber(h.max) : ""}</Table.Td>
                <Table.Td>{h?.steps ?? ""}</Table.Td>
              </Table.Tr>
            );
          })}
      </Table.Tbody>
    </Table>
  );
}

function Description({ runId, value }: { runId: string; value: string }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value);
  const qc = useQueryClient();
  const save = async () => {
    await client.setTag(runId, NOTE, text);
    await qc.invalidateQueries({ queryKey: ["run", runId] });
    setEditing(false);
  };
  if (editing)
    return (
      <Stack gap="xs">
        <Textarea
          aria-label="Description"
          autosize
          minRows={3}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <Group gap="xs">
          <Button size="xs" onClick={save}>
            Save
          </Button>
          <Button size="xs" variant="default" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Group align="flex-start" justify="space-between">
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }} c={value ? undefined : "dimmed"} data-testid="description">
        {value || "No description."}
      </Text>
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => {
          setText(value);
          setEditing(true);
        }}
      >
        Edit description
      </Button>
    </Group>
  );
}

function ChildRuns({ experimentId, runId }: { experimentId: string; runId: string }) {
  const children = useQuery({
    queryKey: ["child-runs", runId],
    queryFn: () =>
      client.searchRuns([experimentId], { filter: `tags.mlflow.parentRunId = '${runId}'`, maxResults: 100 }),
  });
  const items = children.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="xs">
        Child runs ({items.length}
        {children.data?.nextPageToken ? "+" : ""})
      </Title>
      <Stack gap={4} data-testid="child-runs">
        {items.map((c) => (
          <Anchor
            key={c.info.run_id}
            component={Link}
            to={`/experiments/${experimentId}/runs/${c.info.run_id}`}
            size="sm"
          >
            {c.info.run_name || c.info.run_id}
          </Anchor>
        ))}
      </Stack>
    </Paper>
  );
}

interface LoggedModel {
  artifact_path?: string;
  flavors?: Record<string, unknown>;
  utc_time_created?: string;
}

function LoggedModels({ runId, history }: { runId: string; history: string | undefined }) {
  const [registering, setRegistering] = useState<string | null>(null);
  const registered = useQuery({
    queryKey: ["run-model-versions", runId],
    queryFn: () => client.searchModelVersions({ filter: `run_id = '${runId}'`, maxResults: 100 }),
  });
  let models: LoggedModel[] = [];
  try {
    models = history ? (JSON.parse(history) as LoggedModel[]) : [];
  } catch {
    models = [];
  }
  const versions = registered.data?.items ?? [];
  if (!models.length && !versions.length) return null;
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="xs">
        Models
      </Title>
      <Stack gap={6} data-testid="logged-models">
        {models.map((m) => (
          <Group key={`${m.artifact_path}-${m.utc_time_created}`} justify="space-between">
            <Text size="sm">
              <Code>{m.artifact_path}</Code> {Object.keys(m.flavors ?? {}).join(", ")}
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => setRegistering(m.artifact_path ?? "")}>
              Register model
            </Button>
          </Group>
        ))}
        {versions.map((v) => (
          <Text size="sm" key={`${v.name}-${v.version}`}>
            Registered as{" "}
            <Anchor component={Link} to={`/models/${encodeURIComponent(v.name)}/versions/${v.version}`} size="sm">
              {v.name} v{v.version}
            </Anchor>
          </Text>
        ))}
      </Stack>
      <NameModal
        opened={registering !== null}
        title="Register model"
        label="Model name (new or existing)"
        initial=""
        onClose={() => setRegistering(null)}
        onSubmit={async (name) => {
          await client.registerModel(`runs:/${runId}/${registering ?? ""}`, name);
          await registered.refetch();
        }}
      />
    </Paper>
  );
}

export function RunPage() {
  const { experimentId = "", runId = "", tab = "overview", "*": rest = "" } = useParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const run = useQuery({ queryKey: ["run", runId], queryFn: () => client.getRun(runId) });
  const [renaming, setRenaming] = useState(false);
  const experiment = useQuery({
    queryKey: ["experiment", experimentId],
    queryFn: () => client.getExperiment(experimentId),
  });
  if (run.error) return <Alert color="red">{errorText(run.error)}</Alert>;
  if (!run.data) return <Loader />;
  const { info, data } = run.data;
  const tags = data.tags ?? [];
  const tag = (k: string) => tags.find((t) => t.key === k)?.value;
  const parent = tag("mlflow.parentRunId");
  const userTags = tags.filter((t) => !t.key.startsWith("mlflow."));
  const base = `/experiments/${experimentId}/runs/${runId}`;
  const lifecycle = async (fn: () => Promise<void>) => {
    await fn();
    await qc.invalidateQueries({ queryKey: ["run", runId] });
    await qc.invalidateQueries({ queryKey: ["runs", experimentId] });
  };

  return (
    <Stack gap="md">
      <div>
        <Group gap={6}>
          <Anchor component={Link} to="/experiments" size="sm">
            Experiments
          </Anchor>
          <Text size="sm" c="dimmed">
            /
          </Text>
          <Anchor component={Link} to={`/experiments/${experimentId}`} size="sm">
            {experiment.data?.name ?? experimentId}
          </Anchor>
        </Group>
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={2}>{info.run_name || runId}</Title>
            <Badge variant="light">{info.status}</Badge>
            {info.lifecycle_stage === "deleted" && <Badge color="red">deleted</Badge>}
          </Group>
          <Group gap="xs">
            <Button variant="default" onClick={() => setRenaming(true)}>
              Rename
            </Button>
            {info.lifecycle_stage === "deleted" ? (
              <Button variant="light" onClick={() => lifecycle(() => client.restoreRun(runId))}>
                Restore
              </Button>
            ) : (
              <Button color="red" variant="light" onClick={() => lifecycle(() => client.deleteRun(runId))}>
                Delete
              </Button>
            )}
          </Group>
        </Group>
      </div>
      <NameModal
        opened={renaming}
        title="Rename run"
        initial={info.run_name ?? ""}
        onClose={() => setRenaming(false)}
        onSubmit={async (name) => {
          await client.updateRun(runId, { runName: name });
          await qc.invalidateQueries({ queryKey: ["run", runId] });
          await qc.invalidateQueries({ queryKey: ["runs", experimentId] });
        }}
      />
      <Tabs value={tab} onChange={(t) => navigate(t === "overview" ? base : `${base}/${t}`)}>
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="artifacts">Artifacts</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {tab === "artifacts" ? (
        <ArtifactBrowser runId={runId} selected={rest} onSelect={(p) => navigate(`${base}/artifacts/${p}`)} />
      ) : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Stack>
              <Paper withBorder p="md">
                <Title order={4} mb="xs">
                  Description
                </Title>
                <Description runId={runId} value={tag(NOTE) ?? ""} />
              </Paper>
              <Paper withBorder p="md">
                <Title order={4} mb="xs">
                  Details
                </Title>
                <KeyValueTable
                  label="details"
                  rows={[
                    { key: "Run ID", value: runId },
                    { key: "Created", value: formatTime(info.start_time) },
                    { key: "Duration", value: formatDuration(info.start_time, info.end_time) },
                    { key: "Status", value: info.status ?? "" },
                    { key: "User", value: info.user_id ?? "" },
                    { key: "Source", value: tag("mlflow.source.name") ?? "" },
                    { key: "Artifact URI", value: info.artifact_uri ?? "" },
                  ]}
                />
                {parent && (
                  <Text size="sm" mt="xs">
                    Parent run:{" "}
                    <Anchor component={Link} to={`/experiments/${experimentId}/runs/${parent}`}>
                      {parent}
                    </Anchor>
                  </Text>
                )}
              </Paper>
              <Paper withBorder p="md">
                <Title order={4} mb="xs">
                  Tags
                </Title>
                <KeyValueTable label="tags" rows={userTags} />
              </Paper>
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Stack>
              <Paper withBorder p="md">
                <Title order={4} mb="xs">
                  Metrics
                </Title>
                <MetricsTable runId={runId} metrics={data.metrics ?? []} />
              </Paper>
              <Paper withBorder p="md">
                <Title order={4} mb="xs">
                  Parameters
                </Title>
                <KeyValueTable
                  label="params"
                  rows={[...(data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key))}
                />
              </Paper>
              <ChildRuns experimentId={experimentId} runId={runId} />
              <LoggedModels runId={runId} history={tag("mlflow.log-model.history")} />
              {(run.data.inputs.dataset_inputs?.length ?? 0) > 0 && (
                <Paper withBorder p="md">
                  <Title order={4} mb="xs">
                    Datasets
                  </Title>
                  {run.data.inputs.dataset_inputs?.map((d) => (
                    <Text size="sm" key={`${d.dataset.name}-${d.dataset.digest}`}>
                      {d.dataset.name} <Code>{d.dataset.digest}</Code>
                    </Text>
                  ))}
                </Paper>
              )}
            </Stack>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
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

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TEXT = /(\.(txt|log|md|py|json|ya?ml|csv|tsv|js|ts|sh|cfg|ini|toml|html?)|MLmodel|MLproject|Dockerfile)$/i;

const TABLE = /\.(csv|tsv)$/i;
const HTML = /\.html?$/i;
const PDF = /\.pdf$/i;
const TABLE_ROWS = 100;

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

function TablePreview({ text, sep }: { text: string; sep: string }) {
  const rows = parseDelimited(text, sep, TABLE_ROWS + 1);
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

/** The first `cap` bytes of a file as text: asks for a range and stops reading at the cap either way. */
async function readCapped(url: string, cap: number): Promise<string> {
  const res = await fetch(url, { headers: { Range: `bytes=0-${cap - 1}` } });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  if (!res.body) return (await res.text()).slice(0, cap);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < cap) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  if (size >= cap) await reader.cancel();
  const all = new Uint8Array(Math.min(size, cap));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, all.length - at);
    all.set(part, at);
    at += part.length;
    if (at >= all.length) break;
  }
  return new TextDecoder().decode(all);
}

function Preview({ runId, path }: { runId: string; path: string }) {
  const url = artifactUrl(runId, path);
  const isImage = IMAGE.test(path);
  const isText = TEXT.test(path);
  const text = useQuery({
    queryKey: ["artifact-text", runId, path],
    enabled: isText,
    queryFn: async () => {
      const cut = await readCapped(url, PREVIEW_CAP);
      if (/\.json$/i.test(path)) {
        try {
          return JSON.stringify(JSON.parse(cut), null, 2);
        } catch {
          return cut;
        }
      }
      return cut;
    },
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {path}
        </Text>
        <Anchor href={url} download size="sm">
          Download
        </Anchor>
      </Group>
      {PDF.test(path) ? (
        <PdfPreview url={url} />
      ) : isImage ? (
        <Image src={url} alt={path} maw={640} fit="contain" />
      ) : isText ? (
        text.error ? (
          <Alert color="red">{errorText(text.error)}</Alert>
        ) : text.data === undefined ? (
          <Loader size="sm" />
        ) : TABLE.test(path) ? (
          <TablePreview text={text.data} sep={/\.tsv$/i.test(path) ? "\t" : ","} />
        ) : HTML.test(path) ? (
          <iframe
            title="HTML preview"
            sandbox=""
            // scripts could not run in the sandbox anyway; dropping them keeps the console quiet
            srcDoc={text.data.replace(/<script\b[\s\S]*?<\/script>/gi, "")}
            data-testid="artifact-html"
            style={{ width: "100%", height: "65vh", border: "1px solid var(--mantine-color-default-border)" }}
          />
        ) : (
          <ScrollArea.Autosize mah="65vh">
            <Code block data-testid="artifact-preview">
              {text.data}
            </Code>
          </ScrollArea.Autosize>
        )
      ) : (
        <Text c="dimmed" size="sm">
          No preview for this file type.
        </Text>
      )}
    </Stack>
  );
}

function ArtifactBrowser(props: { runId: string; selected: string; onSelect: (p: string) => void }) {
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
