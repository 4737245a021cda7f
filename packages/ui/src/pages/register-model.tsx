// "Register model" from a run's logged model: a new registered model or an existing one, then
// `model-versions/create`, polling the version until it leaves PENDING_REGISTRATION.
import { isMlflowError, type ModelVersion } from "@mlflow-ts/client";
import {
  Alert,
  Button,
  Code,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { client, errorText } from "../api.js";

const POLL_MS = 1000;
const POLL_LIMIT_MS = 120_000;

/** Waits until a version is READY (or FAILED: thrown with the server's status message). */
export async function waitUntilReady(
  version: ModelVersion,
  onStatus: (status: string) => void,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<ModelVersion> {
  let v = version;
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (v.status === "PENDING_REGISTRATION") {
    onStatus(v.status);
    if (Date.now() > deadline) throw new Error(`Version ${v.version} is still pending registration; check back later.`);
    await sleep(POLL_MS);
    v = await client.getModelVersion(v.name, v.version);
  }
  if (v.status === "FAILED_REGISTRATION")
    throw new Error(`Registration failed${v.status_message ? `: ${v.status_message}` : "."}`);
  return v;
}

export function RegisterModelModal(props: {
  runId: string;
  artifactPath: string | null;
  onClose: () => void;
  onRegistered: (v: ModelVersion) => Promise<unknown> | undefined;
}) {
  const opened = props.artifactPath !== null;
  const models = useQuery({
    queryKey: ["models", "names"],
    enabled: opened,
    queryFn: () => client.searchRegisteredModels({ maxResults: 1000, orderBy: ["name ASC"] }),
  });
  const names = (models.data?.items ?? []).map((m) => m.name);
  const [mode, setMode] = useState<"new" | "existing">("new");
  const [newName, setNewName] = useState("");
  const [existing, setExisting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (opened) {
      setNewName("");
      setExisting(null);
      setError(null);
      setStatus(null);
    }
  }, [opened]);
  const name = mode === "new" ? newName.trim() : (existing ?? "");
  const clash = mode === "new" && names.includes(name);
  const submit = async () => {
    if (!name || busy) return;
    setBusy(true);
    setError(null);
    try {
      setStatus("Creating the version…");
      // what MLflow's register_model does, without a create call that would fail (and log a 400)
      // for a model that exists
      if (mode === "new" && !clash)
        await client.createRegisteredModel(name).catch((e: unknown) => {
          // created meanwhile (or the list was not loaded yet): add the version to it
          if (!(isMlflowError(e) && e.errorCode === "RESOURCE_ALREADY_EXISTS")) throw e;
        });
      const root = ((await client.getRun(props.runId)).info.artifact_uri ?? "").replace(/\/+$/, "");
      const created = await client.createModelVersion(
        name,
        props.artifactPath ? `${root}/${props.artifactPath}` : root,
        { runId: props.runId },
      );
      const ready = await waitUntilReady(created, (s) => setStatus(`Version ${created.version}: ${s}…`));
      await props.onRegistered(ready);
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setStatus(null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={props.onClose} title="Register model">
      <Stack>
        <Text size="sm">
          Source: <Code>{`runs:/${props.runId}/${props.artifactPath ?? ""}`}</Code>
        </Text>
        {names.length > 0 && (
          <SegmentedControl
            value={mode}
            onChange={(v) => setMode(v as "new" | "existing")}
            data={[
              { value: "new", label: "New model" },
              { value: "existing", label: "Existing model" },
            ]}
          />
        )}
        {mode === "new" ? (
          <TextInput
            label="Model name"
            value={newName}
            data-autofocus
            onChange={(e) => setNewName(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Enter" && submit()}
            description={clash ? "A model with this name exists: the version is added to it." : undefined}
          />
        ) : (
          <Select
            label="Model"
            placeholder="Pick a registered model"
            searchable
            data={names}
            value={existing}
            onChange={setExisting}
            nothingFoundMessage="No model matches"
          />
        )}
        {error && (
          <Alert color="red" data-testid="register-error">
            {error}
          </Alert>
        )}
        {status && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm" c="dimmed">
              {status}
            </Text>
          </Group>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={busy} disabled={!name}>
            Register
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
