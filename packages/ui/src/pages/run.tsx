import { EditableDescription } from "../description.js";
import type { KeyValue, Metric } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { client, errorText, formatDuration, formatNumber, formatTime } from "../api.js";
import { ArtifactBrowser } from "./artifacts.js";
import { DatasetsSection } from "./datasets.js";
import { NameModal } from "./experiments.js";
import { RegisterModelModal } from "./register-model.js";

const NOTE = "mlflow.note.content";

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
  const qc = useQueryClient();
  return (
    <EditableDescription
      value={value}
      onSave={async (text) => {
        await client.setTag(runId, NOTE, text);
        await qc.invalidateQueries({ queryKey: ["run", runId] });
      }}
    />
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
      <RegisterModelModal
        runId={runId}
        artifactPath={registering}
        onClose={() => setRegistering(null)}
        onRegistered={() => registered.refetch()}
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
    await qc.invalidateQueries({ queryKey: ["runs"] });
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
          await qc.invalidateQueries({ queryKey: ["runs"] });
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
              <DatasetsSection inputs={run.data.inputs?.dataset_inputs ?? []} />
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
            </Stack>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
