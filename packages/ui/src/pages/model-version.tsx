// The model version page: metadata, stage, description, tags, the MLmodel signature (inputs,
// outputs, params), a usage snippet with the version's `models:/` URIs, audit history, webhooks.
import type { ModelVersion } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Loader,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { baseUrl, client, errorText, formatTime } from "../api.js";
import { FlavorBadges, type MLmodelFile, parseMLmodel, SignatureView } from "../signature-view.js";
import { AliasesEditor, ConfirmDeleteModal, TagsEditor, useAction } from "../registry-editors.js";
import { EditableDescription } from "../description.js";
import { refreshAliases } from "./models.js";

const STAGES = ["None", "Staging", "Production", "Archived"];

function AuditHistory({ name, version }: { name: string; version: string }) {
  const audit = useQuery({
    queryKey: ["audit", name, version],
    queryFn: () => client.listRegistryAudit({ name, version, maxResults: 100 }),
  });
  const entries = audit.data?.items ?? [];
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="xs">
        Audit history
      </Title>
      {audit.error && <Alert color="red">{errorText(audit.error)}</Alert>}
      {!entries.length && !audit.isLoading && (
        <Text size="sm" c="dimmed">
          No recorded changes.
        </Text>
      )}
      {entries.length > 0 && (
        <Table verticalSpacing={4} fz="sm" data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Change</Table.Th>
              <Table.Th>User</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <Table.Tr key={e.id}>
                <Table.Td>{formatTime(e.timestamp)}</Table.Td>
                <Table.Td>{e.action}</Table.Td>
                <Table.Td>
                  {e.alias ? `@${e.alias} ` : ""}
                  {e.from !== undefined || e.to !== undefined ? `${e.from ?? "–"} → ${e.to ?? "–"}` : ""}
                </Table.Td>
                <Table.Td>{e.user_id ?? ""}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

type MLmodelState = { state: "missing" } | { state: "ok"; model: MLmodelFile };

function modelVersionArtifactUrl(name: string, version: string, path: string): string {
  const q = new URLSearchParams({ name, version, path });
  return `${baseUrl}/model-versions/get-artifact?${q}`;
}

/**
 * The version's MLmodel. For a version made from a run, the run's listing says first whether the
 * file exists, so a model without one is an empty state rather than a 404 in the console.
 */
async function loadMLmodel(v: ModelVersion): Promise<MLmodelState> {
  const source = v.source ?? "";
  if (v.run_id) {
    let rel: string | undefined;
    const runs = /^runs:\/[^/]+\/?(.*)$/.exec(source);
    if (runs) rel = runs[1];
    else {
      const root = (await client.getRun(v.run_id).catch(() => undefined))?.info.artifact_uri;
      if (root && (source === root || source.startsWith(`${root.replace(/\/+$/, "")}/`)))
        rel = source.slice(root.replace(/\/+$/, "").length).replace(/^\/+/, "");
    }
    if (rel !== undefined) {
      const dir = rel.replace(/\/+$/, "");
      const files = await client.listArtifacts(v.run_id, dir);
      if (!files.some((f) => f.path === (dir ? `${dir}/MLmodel` : "MLmodel") && !f.is_dir)) return { state: "missing" };
    }
  } else {
    // not made from a run: list the download location through the artifact proxy when it is an
    // mlflow-artifacts: URI; any other scheme cannot be listed from the browser, so nothing is fetched
    const uri = await client.getModelVersionDownloadUri(v.name, v.version);
    const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
    if (!proxied) return { state: "missing" };
    const dir = (proxied[1] ?? "").replace(/\/+$/, "");
    const res = await fetch(`${baseUrl}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: dir })}`);
    if (!res.ok) throw new Error(`Listing ${uri}: ${res.status} ${res.statusText}`);
    const listing = (await res.json()) as { files?: { path: string; is_dir?: boolean }[] };
    if (!(listing.files ?? []).some((f) => f.path === "MLmodel" && !f.is_dir)) return { state: "missing" };
  }
  const res = await fetch(modelVersionArtifactUrl(v.name, String(v.version), "MLmodel"));
  if (res.status === 404) return { state: "missing" };
  if (!res.ok) throw new Error(`MLmodel: ${res.status} ${res.statusText}`);
  return { state: "ok", model: await parseMLmodel(await res.text()) };
}

function SignatureSection({ version }: { version: ModelVersion }) {
  const mlmodel = useQuery({
    queryKey: ["mlmodel", version.name, String(version.version)],
    queryFn: () => loadMLmodel(version),
  });
  let body: React.ReactNode;
  if (mlmodel.error) body = <Alert color="red">{errorText(mlmodel.error)}</Alert>;
  else if (!mlmodel.data) body = <Loader size="sm" />;
  else if (mlmodel.data.state === "missing")
    body = (
      <Text size="sm" c="dimmed" data-testid="signature-empty">
        No MLmodel file at this version's source, so there is no schema to show.
      </Text>
    );
  else body = <SignatureView model={mlmodel.data.model} />;
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Schema</Title>
        {mlmodel.data?.state === "ok" && <FlavorBadges model={mlmodel.data.model} />}
      </Group>
      {body}
    </Paper>
  );
}

function UsageSection({ version }: { version: ModelVersion }) {
  const byVersion = `models:/${version.name}/${version.version}`;
  const aliases = version.aliases ?? [];
  const code = [
    "import mlflow",
    "",
    `model = mlflow.pyfunc.load_model("${byVersion}")`,
    ...aliases.map(
      (a) =>
        `# or through the alias, which follows it when it moves:\n# model = mlflow.pyfunc.load_model("models:/${version.name}@${a}")`,
    ),
    "predictions = model.predict(data)",
  ].join("\n");
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Use this model</Title>
        <CopyButton value={code}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="subtle" onClick={copy}>
              {copied ? "Copied" : "Copy code"}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Stack gap={6}>
        <Group gap={6}>
          <Text size="sm" w={70}>
            URI
          </Text>
          <Code data-testid="model-uri">{byVersion}</Code>
        </Group>
        {aliases.map((a) => (
          <Group gap={6} key={a}>
            <Text size="sm" w={70}>
              Alias
            </Text>
            <Code data-testid="model-alias-uri">{`models:/${version.name}@${a}`}</Code>
          </Group>
        ))}
        <Code block data-testid="usage-snippet">
          {code}
        </Code>
      </Stack>
    </Paper>
  );
}

function WebhooksSummary() {
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: () => client.listWebhooks({ maxResults: 100 }) });
  const items = hooks.data?.items ?? [];
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Webhooks</Title>
        <Anchor component={Link} to="/webhooks" size="sm">
          Manage webhooks
        </Anchor>
      </Group>
      {hooks.error && <Alert color="red">{errorText(hooks.error)}</Alert>}
      {!items.length && !hooks.isLoading && (
        <Text size="sm" c="dimmed">
          No webhooks. Registry events (new versions, aliases, stages) can notify other services.
        </Text>
      )}
      {items.map((w) => (
        <Group key={w.id} gap="xs" data-testid="webhook">
          <Badge size="sm" variant="light" color={w.status === "ACTIVE" ? "green" : "gray"}>
            {w.status}
          </Badge>
          <Anchor component={Link} to={`/webhooks/${w.id}`} size="sm" fw={500}>
            {w.name}
          </Anchor>
          <Text size="xs" c="dimmed">
            {w.url} · {w.events.length} event{w.events.length === 1 ? "" : "s"}
          </Text>
        </Group>
      ))}
    </Paper>
  );
}
/** MLflow 2.x's stage transition: confirm, optionally archiving the versions now in the target stage. */
function StageTransitionModal(props: {
  name: string;
  version: string;
  from: string;
  to: string | null;
  onClose: () => void;
  onDone: () => Promise<unknown>;
}) {
  const [archive, setArchive] = useState(false);
  const action = useAction();
  const { clear } = action;
  const { to } = props;
  useEffect(() => {
    if (to) {
      setArchive(false);
      clear();
    }
  }, [to, clear]);
  const canArchive = to === "Staging" || to === "Production";
  const confirm = async () => {
    if (!to) return;
    const ok = await action.run(async () => {
      await client.transitionModelVersionStage(props.name, props.version, to, canArchive && archive);
      await props.onDone();
    });
    if (ok) props.onClose();
  };
  return (
    <Modal opened={to !== null} onClose={props.onClose} title="Stage transition">
      <Stack>
        <Text size="sm">
          Transition version {props.version} from <b>{props.from}</b> to <b>{to}</b>?
        </Text>
        {canArchive && (
          <Checkbox
            label={`Transition existing ${to} versions to Archived`}
            checked={archive}
            onChange={(e) => setArchive(e.currentTarget.checked)}
          />
        )}
        {action.error && <Alert color="red">{action.error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={confirm} loading={action.busy} data-autofocus>
            Transition
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ModelVersionPage() {
  const { modelName = "", version = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [transition, setTransition] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  // set once the version is deleted: nothing on this page may fetch it again (a 404) on the way out
  const [deleted, setDeleted] = useState(false);
  const mv = useQuery({
    queryKey: ["model-version", modelName, version],
    queryFn: () => client.getModelVersion(modelName, version),
    enabled: !deleted,
  });
  // the model's aliases, to say when adding one here moves it from another version
  const model = useQuery({ queryKey: ["model", modelName], queryFn: () => client.getRegisteredModel(modelName) });
  const otherAliases = (model.data?.aliases ?? []).filter((a) => String(a.version) !== version);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ["model-version", modelName, version] }),
      qc.invalidateQueries({ queryKey: ["model-versions", modelName] }),
      qc.invalidateQueries({ queryKey: ["audit", modelName, version] }),
    ]);
  if (deleted) return <Loader />;
  if (mv.error) return <Alert color="red">{errorText(mv.error)}</Alert>;
  if (!mv.data) return <Loader />;
  const v = mv.data;
  const rows: [string, React.ReactNode][] = [
    ["Registered at", formatTime(v.creation_timestamp)],
    ["Last modified", formatTime(v.last_updated_timestamp)],
    [
      "Stage",
      <Select
        key="stage"
        size="xs"
        w={160}
        aria-label="Stage"
        data={STAGES}
        value={v.current_stage ?? "None"}
        allowDeselect={false}
        onChange={(stage) => {
          if (stage && stage !== (v.current_stage ?? "None")) setTransition(stage);
        }}
      />,
    ],
    ["Status", v.status],
    ["Creator", v.user_id],
    ["Source", v.source],
    [
      "Source run",
      v.run_id ? (
        <Anchor key="run" component={Link} to={`/runs/${v.run_id}`} size="sm">
          {v.run_id}
        </Anchor>
      ) : (
        ""
      ),
    ],
    [
      "Aliases",
      <AliasesEditor
        key="aliases"
        version={String(v.version)}
        modelAliases={(v.aliases ?? []).map((alias) => ({ alias, version: String(v.version) })).concat(otherAliases)}
        onSet={async (a) => {
          await client.setRegisteredModelAlias(modelName, a, version);
          await refreshAliases(qc, modelName);
        }}
        onDelete={async (a) => {
          await client.deleteRegisteredModelAlias(modelName, a);
          await refreshAliases(qc, modelName);
        }}
      />,
    ],
  ];
  return (
    <Stack>
      <Group gap={6}>
        <Anchor component={Link} to="/models" size="sm">
          Registered models
        </Anchor>
        <Text size="sm" c="dimmed">
          /
        </Text>
        <Anchor component={Link} to={`/models/${encodeURIComponent(modelName)}`} size="sm">
          {modelName}
        </Anchor>
      </Group>
      <Group justify="space-between">
        <Title order={2}>
          {modelName} · Version {v.version}
        </Title>
        <Button size="xs" variant="light" color="red" onClick={() => setDeleting(true)}>
          Delete version
        </Button>
      </Group>
      {v.status && v.status !== "READY" && (
        <Alert color={v.status === "FAILED_REGISTRATION" ? "red" : "yellow"} data-testid="status-alert">
          {v.status}
          {v.status_message ? `: ${v.status_message}` : ""}
        </Alert>
      )}
      <StageTransitionModal
        name={modelName}
        version={version}
        from={v.current_stage ?? "None"}
        to={transition}
        onClose={() => setTransition(null)}
        onDone={refresh}
      />
      <ConfirmDeleteModal
        opened={deleting}
        title={`Delete version ${v.version}`}
        message={`Delete version ${v.version} of ${modelName}? Its aliases go with it. This cannot be undone.`}
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await client.deleteModelVersion(modelName, version);
          // unmount the page's parts (their queries stop) before anything is invalidated
          setDeleted(true);
          // drop the version from the cached list first, so the model page never shows it while it refetches
          qc.setQueryData<{ items: ModelVersion[] }>(["model-versions", modelName], (old) =>
            old ? { ...old, items: old.items.filter((x) => String(x.version) !== String(version)) } : old,
          );
          // leave the page first, so its queries are not refetched (a 404) on the way out
          navigate(`/models/${encodeURIComponent(modelName)}`);
          await Promise.all([
            qc.invalidateQueries({ queryKey: ["model-versions", modelName] }),
            qc.invalidateQueries({ queryKey: ["model", modelName] }),
            qc.invalidateQueries({ queryKey: ["models"] }),
          ]);
          for (const key of ["model-version", "mlmodel", "audit"])
            qc.removeQueries({ queryKey: [key, modelName, version] });
        }}
      />
      <Paper withBorder p="md">
        <Table verticalSpacing={4} data-testid="version-details">
          <Table.Tbody>
            {rows.map(([k, val]) => (
              <Table.Tr key={k}>
                <Table.Td w={180} fw={500}>
                  {k}
                </Table.Td>
                <Table.Td style={{ wordBreak: "break-all" }}>{val}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="md">
        <Title order={4} mb="xs">
          Description
        </Title>
        <EditableDescription
          value={v.description ?? ""}
          onSave={async (text) => {
            await client.updateModelVersion(modelName, version, text);
            await refresh();
          }}
        />
      </Paper>
      <Paper withBorder p="md">
        <Title order={4} mb="xs">
          Tags
        </Title>
        <TagsEditor
          testId="version-tags"
          tags={v.tags}
          onSet={async (k, val) => {
            await client.setModelVersionTag(modelName, version, k, val);
            await refresh();
          }}
          onDelete={async (k) => {
            await client.deleteModelVersionTag(modelName, version, k);
            await refresh();
          }}
        />
      </Paper>
      <SignatureSection version={v} />
      <UsageSection version={v} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <AuditHistory name={modelName} version={version} />
        <WebhooksSummary />
      </SimpleGrid>
    </Stack>
  );
}
