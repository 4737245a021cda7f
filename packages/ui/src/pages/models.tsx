import type { KeyValue } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { client, errorText, formatTime } from "../api.js";
import { useSlashFocus } from "./experiments.js";

export function Tags({ tags }: { tags: KeyValue[] | undefined }) {
  if (!tags?.length)
    return (
      <Text c="dimmed" size="sm">
        No tags.
      </Text>
    );
  return (
    <Group gap={6}>
      {tags.map((t) => (
        <Badge key={t.key} variant="outline" tt="none">
          {t.key}: {t.value}
        </Badge>
      ))}
    </Group>
  );
}

export function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("searchInput") ?? "";
  const [text, setText] = useState(search);
  const ref = useRef<HTMLInputElement>(null);
  useSlashFocus(ref);
  const filter = search ? `name ILIKE '%${search.replace(/'/g, "\\'")}%'` : undefined;
  const models = useQuery({
    queryKey: ["models", filter],
    queryFn: () => client.searchRegisteredModels({ filter, maxResults: 1000, orderBy: ["name ASC"] }),
  });
  return (
    <Stack>
      <Title order={2}>Registered models</Title>
      <TextInput
        ref={ref}
        w={360}
        aria-label="Search models"
        placeholder="Search models by name  ( / )"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Enter" && setParams(text ? { searchInput: text } : {}, { replace: true })}
      />
      {models.error && <Alert color="red">{errorText(models.error)}</Alert>}
      {models.isLoading && <Loader size="sm" />}
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Latest version</Table.Th>
            <Table.Th>Aliases</Table.Th>
            <Table.Th>Last modified</Table.Th>
            <Table.Th>Tags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.data?.items.map((m) => {
            const latest = [...(m.latest_versions ?? [])].sort((a, b) => Number(b.version) - Number(a.version))[0];
            return (
              <Table.Tr key={m.name} data-testid="model-row">
                <Table.Td>
                  <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}`} size="sm">
                    {m.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {latest && (
                    <Anchor
                      component={Link}
                      to={`/models/${encodeURIComponent(m.name)}/versions/${latest.version}`}
                      size="sm"
                    >
                      Version {latest.version}
                    </Anchor>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {m.aliases?.map((a) => (
                      <Badge key={a.alias} size="sm" variant="light" tt="none">
                        @{a.alias}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{formatTime(m.last_updated_timestamp)}</Table.Td>
                <Table.Td>
                  <Text size="xs" lineClamp={1}>
                    {m.tags?.map((t) => `${t.key}=${t.value}`).join(", ")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {models.data && models.data.items.length === 0 && <Text c="dimmed">No registered models.</Text>}
    </Stack>
  );
}

export function ModelPage() {
  const { modelName = "" } = useParams();
  const qc = useQueryClient();
  const model = useQuery({ queryKey: ["model", modelName], queryFn: () => client.getRegisteredModel(modelName) });
  const versions = useQuery({
    queryKey: ["model-versions", modelName],
    queryFn: () =>
      client.searchModelVersions({ filter: `name = '${modelName.replace(/'/g, "\\'")}'`, maxResults: 1000 }),
  });
  if (model.error) return <Alert color="red">{errorText(model.error)}</Alert>;
  if (!model.data) return <Loader />;
  const m = model.data;
  const aliasesOf = (v: string) => (m.aliases ?? []).filter((a) => String(a.version) === v).map((a) => a.alias);
  return (
    <Stack>
      <div>
        <Anchor component={Link} to="/models" size="sm">
          Registered models
        </Anchor>
        <Title order={2}>{m.name}</Title>
      </div>
      <Text size="sm" c="dimmed">
        Created {formatTime(m.creation_timestamp)} · Last modified {formatTime(m.last_updated_timestamp)}
      </Text>
      <Paper withBorder p="md">
        <Title order={4} mb="xs">
          Description
        </Title>
        <EditableDescription
          value={m.description ?? ""}
          onSave={async (text) => {
            await client.updateRegisteredModel(modelName, text);
            await qc.invalidateQueries({ queryKey: ["model", modelName] });
          }}
        />
      </Paper>
      <Paper withBorder p="md">
        <Title order={4} mb="xs">
          Tags
        </Title>
        <Tags tags={m.tags} />
      </Paper>
      <Title order={4}>Versions</Title>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Registered at</Table.Th>
            <Table.Th>Stage</Table.Th>
            <Table.Th>Aliases</Table.Th>
            <Table.Th>Description</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...(versions.data?.items ?? [])]
            .sort((a, b) => Number(b.version) - Number(a.version))
            .map((v) => (
              <Table.Tr key={v.version} data-testid="version-row">
                <Table.Td>
                  <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}/versions/${v.version}`} size="sm">
                    Version {v.version}
                  </Anchor>
                </Table.Td>
                <Table.Td>{formatTime(v.creation_timestamp)}</Table.Td>
                <Table.Td>{v.current_stage}</Table.Td>
                <Table.Td>
                  {aliasesOf(String(v.version)).map((a) => (
                    <Badge key={a} size="sm" variant="light" tt="none" mr={4}>
                      @{a}
                    </Badge>
                  ))}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={1}>
                    {v.description}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** A description paragraph with an edit button (markdown source shown as text). */
export function EditableDescription({ value, onSave }: { value: string; onSave: (text: string) => Promise<unknown> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value);
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
          <Button
            size="xs"
            onClick={async () => {
              await onSave(text);
              setEditing(false);
            }}
          >
            Save
          </Button>
          <Button size="xs" variant="default" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Group justify="space-between" align="flex-start">
      <Text size="sm" c={value ? undefined : "dimmed"} style={{ whiteSpace: "pre-wrap" }} data-testid="description">
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
