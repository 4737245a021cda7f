import { Alert, Anchor, Badge, Button, Grid, Group, Loader, Paper, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { client, errorText, formatDuration, formatTime } from "../api.js";
import { ArtifactBrowser } from "./artifacts.js";
import { DatasetsSection } from "./datasets.js";
import { NameModal } from "./experiments.js";
import { ChildRuns, Description, LoggedModels, NOTE, RunTags } from "./run-sections.js";
import { KeyValueTable, MetricsTable, ParamsTable } from "./run-tables.js";

export function RunRedirect() {
  const { runId = "" } = useParams();
  const run = useQuery({ queryKey: ["run", runId], queryFn: () => client.getRun(runId) });
  if (run.error) return <Alert color="red">{errorText(run.error)}</Alert>;
  if (!run.data) return <Loader />;
  return <Navigate to={`/experiments/${run.data.info.experiment_id}/runs/${runId}`} replace />;
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
                <RunTags runId={runId} tags={tags} />
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
                <ParamsTable params={data.params ?? []} />
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
