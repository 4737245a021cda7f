import { Alert, Button, Checkbox, Group, Modal, Radio, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { client, errorText } from "../api.js";

const quoteValue = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * The ids plus every descendant run (tag `mlflow.parentRunId`) in the experiment, any lifecycle,
 * found level by level with OR filters (a few requests, not one per run).
 */
export async function withChildRuns(experimentId: string, ids: readonly string[]): Promise<string[]> {
  const all = new Set(ids);
  let frontier = [...ids];
  for (let depth = 0; frontier.length && depth < 10; depth++) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += 50) {
      const filter = frontier
        .slice(i, i + 50)
        .map((id) => `tags.\`mlflow.parentRunId\` = ${quoteValue(id)}`)
        .join(" OR ");
      let token: string | undefined;
      do {
        const page = await client.searchRuns([experimentId], {
          filter,
          runViewType: "ALL",
          maxResults: 1000,
          pageToken: token,
        });
        for (const r of page.items) {
          if (!all.has(r.info.run_id)) {
            all.add(r.info.run_id);
            next.push(r.info.run_id);
          }
        }
        token = page.nextPageToken || undefined;
      } while (token);
    }
    frontier = next;
  }
  return [...all];
}

/** "Move runs": pick a target experiment (searchable), optionally with child runs. */
export function MoveRunsModal(props: {
  opened: boolean;
  experimentId: string;
  runIds: string[];
  onClose: () => void;
  onMoved: (count: number, target: { id: string; name: string }) => void;
}) {
  const [query, setQuery] = useState("");
  const [target, setTarget] = useState<string | null>(null);
  const [children, setChildren] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (props.opened) {
      setQuery("");
      setTarget(null);
      setChildren(true);
      setError(null);
    }
  }, [props.opened]);
  const q = query.trim();
  const experiments = useQuery({
    queryKey: ["move-targets", q],
    enabled: props.opened,
    queryFn: () =>
      client.searchExperiments({
        filter: q ? `name ILIKE ${quoteValue(`%${q}%`)}` : undefined,
        orderBy: ["name ASC"],
        maxResults: 50,
      }),
  });
  const options = (experiments.data?.items ?? []).filter((e) => e.experiment_id !== props.experimentId);
  const targetName = options.find((e) => e.experiment_id === target)?.name ?? "";
  const n = props.runIds.length;
  const submit = async () => {
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      const ids = children ? await withChildRuns(props.experimentId, props.runIds) : props.runIds;
      let moved = 0;
      for (let i = 0; i < ids.length; i += 1000) moved += await client.moveRuns(ids.slice(i, i + 1000), target);
      props.onMoved(moved, { id: target, name: targetName });
      props.onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={`Move ${n} run${n === 1 ? "" : "s"}`}>
      <Stack>
        <TextInput
          label="Target experiment"
          placeholder="Search experiments"
          aria-label="Search experiments"
          value={query}
          data-autofocus
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
        <ScrollArea.Autosize mah={240}>
          <Radio.Group value={target} onChange={setTarget} aria-label="Experiments">
            <Stack gap={6}>
              {options.map((e) => (
                <Radio key={e.experiment_id} value={e.experiment_id} label={e.name} />
              ))}
              {!experiments.isLoading && options.length === 0 && (
                <Text size="sm" c="dimmed">
                  No other experiment matches.
                </Text>
              )}
            </Stack>
          </Radio.Group>
        </ScrollArea.Autosize>
        <Checkbox
          label="Include child runs"
          checked={children}
          onChange={(e) => setChildren(e.currentTarget.checked)}
        />
        <Text size="xs" c="dimmed">
          Runs keep their ids, data and artifacts; their datasets are added to the target experiment.
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={busy} disabled={!target}>
            Move
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** "Delete permanently" for deleted runs: the user types the run count to confirm. */
export function DeletePermanentlyModal(props: {
  opened: boolean;
  runIds: string[];
  onClose: () => void;
  onDeleted: (count: number, artifactsLeft: number) => void;
}) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (props.opened) {
      setTyped("");
      setError(null);
    }
  }, [props.opened]);
  const n = props.runIds.length;
  const word = "delete";
  const ok = typed.trim().toLowerCase() === word;
  const submit = async () => {
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      let deleted = 0;
      let left = 0;
      for (let i = 0; i < props.runIds.length; i += 1000) {
        const r = await client.deleteRunsPermanently(props.runIds.slice(i, i + 1000));
        deleted += r.deletedRunIds.length;
        left += r.artifactsLeft.length;
      }
      props.onDeleted(deleted, left);
      props.onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={`Delete ${n} run${n === 1 ? "" : "s"} permanently`}>
      <Stack>
        <Text size="sm">
          The run{n === 1 ? "" : "s"}, {n === 1 ? "its" : "their"} metrics, parameters, tags and artifacts will be
          removed for good. This cannot be undone.
        </Text>
        <TextInput
          label={`Type "${word}" to confirm`}
          value={typed}
          data-autofocus
          onChange={(e) => setTyped(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && submit()}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={submit} loading={busy} disabled={!ok}>
            Delete permanently
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A short-lived message in the corner (success or failure of a bulk action). */
export function Notice(props: { notice: { text: string; color: string } | null; onClose: () => void }) {
  const { notice, onClose } = props;
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(onClose, 8000);
    return () => clearTimeout(t);
  }, [notice, onClose]);
  if (!notice) return null;
  return (
    <Alert
      role="status"
      color={notice.color}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
      style={{ position: "fixed", right: 16, bottom: 16, zIndex: 300, maxWidth: 420 }}
      data-testid="notice"
    >
      {notice.text}
    </Alert>
  );
}
