import { Anchor, Button, Code, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { KeyValue } from "@mlflow-ts/client";
import { useState } from "react";
import { Link } from "react-router";
import { client } from "../api.js";
import { EditableDescription } from "../description.js";
import { TagsEditor } from "../registry-editors.js";
import { RegisterModelModal } from "./register-model.js";

/** Sections of the run page: description, tags, child runs, logged and registered models. */

export const NOTE = "mlflow.note.content";

/** The run's own tags: add, edit a value, delete. System tags (`mlflow.*`) are not shown. */
export function RunTags({ runId, tags }: { runId: string; tags: KeyValue[] }) {
  const qc = useQueryClient();
  const refresh = () =>
    Promise.all([qc.invalidateQueries({ queryKey: ["run", runId] }), qc.invalidateQueries({ queryKey: ["runs"] })]);
  return (
    <TagsEditor
      testId="run-tags"
      tags={tags.filter((t) => !t.key.startsWith("mlflow."))}
      onSet={async (key, value) => {
        if (key.startsWith("mlflow.")) throw new Error("Tags starting with mlflow. are system tags; pick another key.");
        await client.setTag(runId, key, value);
        await refresh();
      }}
      onDelete={async (key) => {
        await client.deleteTag(runId, key);
        await refresh();
      }}
    />
  );
}

export function Description({ runId, value }: { runId: string; value: string }) {
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

export function ChildRuns({ experimentId, runId }: { experimentId: string; runId: string }) {
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

export function LoggedModels({ runId, history }: { runId: string; history: string | undefined }) {
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
