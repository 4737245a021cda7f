import type { KeyValue, ModelVersion, RegisteredModel } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { client, errorText, formatTime } from "../api.js";
import { EditableDescription } from "../description.js";
import { AliasesEditor, ConfirmDeleteModal, TagsEditor, useAction } from "../registry-editors.js";
import { NameModal } from "./experiments.js";

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

function VersionTagsCell({ v }: { v: ModelVersion }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ["model-versions", v.name] }),
      qc.invalidateQueries({ queryKey: ["model-version", v.name, String(v.version)] }),
    ]);
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="xs" lineClamp={2} data-testid="version-tags">
        {(v.tags ?? []).map((t) => `${t.key}=${t.value}`).join(", ")}
      </Text>
      <Button
        size="compact-xs"
        variant="subtle"
        aria-label={`Edit tags of version ${v.version}`}
        onClick={() => setOpen(true)}
      >
        Edit
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Tags of version ${v.version}`} size="lg">
        <TagsEditor
          tags={v.tags}
          onSet={async (k, val) => {
            await client.setModelVersionTag(v.name, v.version, k, val);
            await refresh();
          }}
          onDelete={async (k) => {
            await client.deleteModelVersionTag(v.name, v.version, k);
            await refresh();
          }}
        />
      </Modal>
    </Group>
  );
}

function VersionAliasesCell({ v, model }: { v: ModelVersion; model: RegisteredModel }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const mine = (model.aliases ?? []).filter((a) => String(a.version) === String(v.version)).map((a) => a.alias);
  const refresh = () => refreshAliases(qc, model.name);
  return (
    <Group gap={4} wrap="nowrap">
      {mine.map((a) => (
        <Badge key={a} size="sm" variant="light" tt="none">
          @{a}
        </Badge>
      ))}
      <Button
        size="compact-xs"
        variant="subtle"
        aria-label={`Edit aliases of version ${v.version}`}
        onClick={() => setOpen(true)}
      >
        {mine.length ? "Edit" : "Add"}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Aliases of version ${v.version}`}>
        <AliasesEditor
          version={String(v.version)}
          modelAliases={model.aliases ?? []}
          onSet={async (a) => {
            await client.setRegisteredModelAlias(model.name, a, v.version);
            await refresh();
          }}
          onDelete={async (a) => {
            await client.deleteRegisteredModelAlias(model.name, a);
            await refresh();
          }}
        />
      </Modal>
    </Group>
  );
}

/** After an alias change: the model (its alias list), its versions, any open version page, the list. */
export function refreshAliases(qc: QueryClient, name: string) {
  return Promise.all([
    qc.invalidateQueries({ queryKey: ["model", name] }),
    qc.invalidateQueries({ queryKey: ["model-versions", name] }),
    qc.invalidateQueries({ queryKey: ["model-version", name] }),
    qc.invalidateQueries({ queryKey: ["audit", name] }),
    qc.invalidateQueries({ queryKey: ["models"] }),
  ]);
}

/** MLflow's compare-runs link for the selected versions' source runs. */
async function compareLink(versions: ModelVersion[]): Promise<string> {
  const runIds = [...new Set(versions.map((v) => v.run_id).filter((r): r is string => !!r))];
  const runs = await Promise.all(runIds.map((id) => client.getRun(id)));
  const experiments = [...new Set(runs.map((r) => r.info.experiment_id))];
  return `/compare-runs?runs=${JSON.stringify(runIds)}&experiments=${JSON.stringify(experiments)}`;
}

export function ModelPage() {
  const { modelName = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [selected, setSelected] = useState<string[]>([]);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const compare = useAction();
  const model = useQuery({ queryKey: ["model", modelName], queryFn: () => client.getRegisteredModel(modelName) });
  const versions = useQuery({
    queryKey: ["model-versions", modelName],
    queryFn: () =>
      client.searchModelVersions({ filter: `name = '${modelName.replace(/'/g, "\\'")}'`, maxResults: 1000 }),
  });
  if (model.error) return <Alert color="red">{errorText(model.error)}</Alert>;
  if (!model.data) return <Loader />;
  const m = model.data;
  const sorted = [...(versions.data?.items ?? [])].sort((a, b) => Number(b.version) - Number(a.version));
  const chosen = sorted.filter((v) => selected.includes(String(v.version)));
  const comparable = chosen.filter((v) => v.run_id).length >= 2;
  const refreshModel = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ["model", modelName] }),
      qc.invalidateQueries({ queryKey: ["models"] }),
    ]);
  return (
    <Stack>
      <div>
        <Anchor component={Link} to="/models" size="sm">
          Registered models
        </Anchor>
        <Group justify="space-between">
          <Title order={2}>{m.name}</Title>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => setRenaming(true)}>
              Rename
            </Button>
            <Button size="xs" variant="light" color="red" onClick={() => setDeleting(true)}>
              Delete model
            </Button>
          </Group>
        </Group>
      </div>
      <NameModal
        opened={renaming}
        title="Rename model"
        label="New name"
        initial={m.name}
        onClose={() => setRenaming(false)}
        onSubmit={async (name) => {
          if (name === m.name) return;
          await client.renameRegisteredModel(m.name, name);
          // the old name's queries are left to expire: removing them while the page still renders
          // with the old name would refetch them (a 404 in the console)
          navigate(`/models/${encodeURIComponent(name)}`, { replace: true });
          await qc.invalidateQueries({ queryKey: ["models"] });
        }}
      />
      <ConfirmDeleteModal
        opened={deleting}
        title={`Delete model ${m.name}`}
        message={`This deletes the registered model and all ${sorted.length} of its versions. It cannot be undone.`}
        typedName={m.name}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await client.deleteRegisteredModel(m.name);
          navigate("/models");
          await qc.invalidateQueries({ queryKey: ["models"] });
        }}
      />
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
            await refreshModel();
          }}
        />
      </Paper>
      <Paper withBorder p="md">
        <Title order={4} mb="xs">
          Tags
        </Title>
        <TagsEditor
          testId="model-tags"
          tags={m.tags}
          onSet={async (k, v) => {
            await client.setRegisteredModelTag(modelName, k, v);
            await refreshModel();
          }}
          onDelete={async (k) => {
            await client.deleteRegisteredModelTag(modelName, k);
            await refreshModel();
          }}
        />
      </Paper>
      <Group justify="space-between">
        <Title order={4}>Versions</Title>
        <Group gap="xs">
          {compare.error && (
            <Text size="xs" c="red">
              {compare.error}
            </Text>
          )}
          <Button
            size="xs"
            variant="default"
            disabled={!comparable}
            loading={compare.busy}
            title="Select two or more versions made from runs"
            onClick={() => compare.run(async () => navigate(await compareLink(chosen)))}
          >
            Compare{chosen.length ? ` (${chosen.length})` : ""}
          </Button>
        </Group>
      </Group>
      {versions.error && <Alert color="red">{errorText(versions.error)}</Alert>}
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox
                aria-label="Select all versions"
                checked={sorted.length > 0 && chosen.length === sorted.length}
                indeterminate={chosen.length > 0 && chosen.length < sorted.length}
                onChange={(e) => setSelected(e.currentTarget.checked ? sorted.map((v) => String(v.version)) : [])}
              />
            </Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Registered at</Table.Th>
            <Table.Th>Created by</Table.Th>
            <Table.Th>Stage</Table.Th>
            <Table.Th>Aliases</Table.Th>
            <Table.Th>Tags</Table.Th>
            <Table.Th>Description</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((v) => (
            <Table.Tr key={v.version} data-testid="version-row" data-version={v.version}>
              <Table.Td>
                <Checkbox
                  aria-label={`Select version ${v.version}`}
                  checked={selected.includes(String(v.version))}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setSelected((s) => (on ? [...s, String(v.version)] : s.filter((x) => x !== String(v.version))));
                  }}
                />
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <StatusDot status={v.status} />
                  <Anchor component={Link} to={`/models/${encodeURIComponent(m.name)}/versions/${v.version}`} size="sm">
                    Version {v.version}
                  </Anchor>
                </Group>
              </Table.Td>
              <Table.Td>{formatTime(v.creation_timestamp)}</Table.Td>
              <Table.Td>{v.user_id}</Table.Td>
              <Table.Td>{v.current_stage}</Table.Td>
              <Table.Td>
                <VersionAliasesCell v={v} model={m} />
              </Table.Td>
              <Table.Td>
                <VersionTagsCell v={v} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={1}>
                  {v.description?.split("\n")[0]}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {versions.data && sorted.length === 0 && <Text c="dimmed">No versions yet.</Text>}
    </Stack>
  );
}

/** PENDING_REGISTRATION / FAILED_REGISTRATION / READY as a colored dot with a title. */
export function StatusDot({ status }: { status?: string }) {
  const color = status === "READY" ? "green" : status === "FAILED_REGISTRATION" ? "red" : "yellow";
  return (
    <span
      title={status}
      role="img"
      aria-label={status ?? "unknown status"}
      style={{
        display: "inline-block",
        width: 8,
        height: 8,
        borderRadius: 4,
        background: `var(--mantine-color-${color}-6)`,
      }}
    />
  );
}
