import type { Experiment } from "@mlflow-ts/client";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { FolderIcon } from "../icons.js";
import { client, errorText, formatTime } from "../api.js";
import { compareExperimentsPath } from "../links.js";

/** Focus the element when `/` is pressed outside an input. */
export function useSlashFocus(ref: React.RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !["INPUT", "TEXTAREA"].includes(t.tagName)) {
        e.preventDefault();
        ref.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [ref]);
}

export function ExperimentsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  const view = params.get("view") === "deleted" ? "DELETED_ONLY" : "ACTIVE_ONLY";
  const order = params.get("orderBy") ?? "last_update_time DESC";
  const [text, setText] = useState(search);
  const [layout, setLayout] = useState(() => localStorage.getItem("mlflow-ts.experiments.layout") ?? "list");
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Experiment | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const navigate = useNavigate();
  const check = (id: string, on: boolean) =>
    setChecked((c) => {
      const n = new Set(c);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const inputRef = useRef<HTMLInputElement>(null);
  useSlashFocus(inputRef);
  const qc = useQueryClient();

  const filter = search ? `name ILIKE '%${search.replace(/'/g, "\\'")}%'` : undefined;
  const query = useInfiniteQuery({
    queryKey: ["experiments", filter, view, order],
    queryFn: ({ pageParam }) =>
      client.searchExperiments({ filter, viewType: view, orderBy: [order], maxResults: 100, pageToken: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const experiments = query.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: ["experiments"] });
  const del = useMutation({ mutationFn: (id: string) => client.deleteExperiment(id), onSuccess: refresh });
  const restore = useMutation({ mutationFn: (id: string) => client.restoreExperiment(id), onSuccess: refresh });

  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const sortBy = (col: string) => {
    const [c, dir] = order.split(" ");
    set("orderBy", `${col} ${c === col && dir === "DESC" ? "ASC" : "DESC"}`);
  };
  const arrow = (col: string) => (order.startsWith(`${col} `) ? (order.endsWith("ASC") ? " ↑" : " ↓") : "");

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Experiments</Title>
        <Group gap="xs">
          <Button
            variant="default"
            disabled={checked.size < 2}
            title={checked.size < 2 ? "Select two or more experiments to see their runs in one table" : undefined}
            onClick={() => navigate(compareExperimentsPath([...checked]))}
          >
            Compare{checked.size ? ` (${checked.size})` : ""}
          </Button>
          <Button onClick={() => setCreating(true)}>Create experiment</Button>
        </Group>
      </Group>
      <Group>
        <TextInput
          ref={inputRef}
          placeholder="Search experiments by name  ( / )"
          aria-label="Search experiments"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && set("search", text)}
          onBlur={() => text !== search && set("search", text)}
          w={360}
        />
        <SegmentedControl
          value={view === "DELETED_ONLY" ? "deleted" : "active"}
          onChange={(v) => set("view", v === "deleted" ? "deleted" : null)}
          data={[
            { label: "Active", value: "active" },
            { label: "Deleted", value: "deleted" },
          ]}
        />
        <SegmentedControl
          aria-label="Layout"
          value={layout}
          onChange={(v) => {
            setLayout(v);
            localStorage.setItem("mlflow-ts.experiments.layout", v);
          }}
          data={[
            { label: "List", value: "list" },
            { label: "Tree", value: "tree" },
          ]}
        />
      </Group>
      {query.error && <Alert color="red">{errorText(query.error)}</Alert>}
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36} />
            <Table.Th style={{ cursor: "pointer" }} onClick={() => sortBy("name")}>
              Name{arrow("name")}
            </Table.Th>
            <Table.Th>ID</Table.Th>
            <Table.Th style={{ cursor: "pointer" }} onClick={() => sortBy("creation_time")}>
              Created{arrow("creation_time")}
            </Table.Th>
            <Table.Th style={{ cursor: "pointer" }} onClick={() => sortBy("last_update_time")}>
              Last modified{arrow("last_update_time")}
            </Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(layout === "tree" ? treeRows(experiments, collapsed) : experiments.map((e) => ({ e, depth: -1 }))).map(
            (row) =>
              "folder" in row ? (
                <Table.Tr key={`folder:${row.folder}`} data-testid="folder-row">
                  <Table.Td />
                  <Table.Td colSpan={6} style={{ paddingLeft: 10 + row.depth * 20 }}>
                    <UnstyledButton
                      fw={600}
                      size="sm"
                      onClick={() =>
                        setCollapsed((c) => {
                          const n = new Set(c);
                          if (n.has(row.folder)) n.delete(row.folder);
                          else n.add(row.folder);
                          return n;
                        })
                      }
                    >
                      {collapsed.has(row.folder) ? "▸ " : "▾ "}
                      <FolderIcon />
                      {row.folder.slice(row.folder.lastIndexOf("/") + 1)}{" "}
                      <Text span c="dimmed" size="xs">
                        ({row.count})
                      </Text>
                    </UnstyledButton>
                  </Table.Td>
                </Table.Tr>
              ) : (
                <Table.Tr key={row.e.experiment_id} data-testid="experiment-row">
                  <Table.Td>
                    <Checkbox
                      size="xs"
                      aria-label={`Select ${row.e.name}`}
                      checked={checked.has(row.e.experiment_id)}
                      onChange={(ev) => check(row.e.experiment_id, ev.currentTarget.checked)}
                    />
                  </Table.Td>
                  <Table.Td style={row.depth >= 0 ? { paddingLeft: 10 + row.depth * 20 } : undefined}>
                    {row.depth >= 0 ? (
                      <Anchor component={Link} to={`/experiments/${row.e.experiment_id}`} size="sm">
                        {row.e.name.slice(row.e.name.lastIndexOf("/") + 1)}
                      </Anchor>
                    ) : (
                      <ExperimentName name={row.e.name} id={row.e.experiment_id} />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {row.e.experiment_id}
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatTime(row.e.creation_time)}</Table.Td>
                  <Table.Td>{formatTime(row.e.last_update_time)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {row.e.tags?.find((t) => t.key === "mlflow.note.content")?.value ?? ""}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      {view === "ACTIVE_ONLY" ? (
                        <>
                          <Button size="compact-xs" variant="subtle" onClick={() => setRenaming(row.e)}>
                            Rename
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            color="red"
                            onClick={() => del.mutate(row.e.experiment_id)}
                          >
                            Delete
                          </Button>
                        </>
                      ) : (
                        <Button size="compact-xs" variant="subtle" onClick={() => restore.mutate(row.e.experiment_id)}>
                          Restore
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ),
          )}
        </Table.Tbody>
      </Table>
      {query.isLoading && <Loader size="sm" />}
      {!query.isLoading && experiments.length === 0 && <Text c="dimmed">No experiments.</Text>}
      {query.hasNextPage && (
        <Button variant="light" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage} w={160}>
          Load more
        </Button>
      )}
      <NameModal
        opened={creating}
        title="Create experiment"
        initial=""
        onClose={() => setCreating(false)}
        onSubmit={async (name) => {
          await client.createExperiment(name);
          await refresh();
        }}
      />
      <NameModal
        opened={renaming !== null}
        title="Rename experiment"
        initial={renaming?.name ?? ""}
        onClose={() => setRenaming(null)}
        onSubmit={async (name) => {
          if (renaming) await client.renameExperiment(renaming.experiment_id, name);
          await refresh();
        }}
      />
    </Stack>
  );
}

type TreeRow = { folder: string; depth: number; count: number } | { e: Experiment; depth: number };

/** Experiments named like folders (`team/project/exp`) as a tree: folder rows, then their experiments. */
export function treeRows(experiments: Experiment[], collapsed: Set<string>): TreeRow[] {
  const sorted = [...experiments].sort((a, b) => a.name.localeCompare(b.name));
  const counts = new Map<string, number>();
  for (const e of sorted) {
    const parts = e.name.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const f = parts.slice(0, i).join("/");
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
  }
  const out: TreeRow[] = [];
  const opened = new Set<string>();
  for (const e of sorted) {
    const parts = e.name.split("/").slice(0, -1);
    let hidden = false;
    for (let i = 1; i <= parts.length && !hidden; i++) {
      const f = parts.slice(0, i).join("/");
      if (!opened.has(f)) {
        opened.add(f);
        out.push({ folder: f, depth: i - 1, count: counts.get(f) ?? 0 });
      }
      if (collapsed.has(f)) hidden = true;
    }
    if (!hidden) out.push({ e, depth: parts.length });
  }
  return out;
}

/** Experiment names like `team/project/exp` show their folders dimmed. */
function ExperimentName({ name, id }: { name: string; id: string }) {
  const cut = name.lastIndexOf("/");
  return (
    <Anchor component={Link} to={`/experiments/${id}`} size="sm">
      {cut > 0 && (
        <Text span c="dimmed" inherit>
          {name.slice(0, cut + 1)}
        </Text>
      )}
      {name.slice(cut + 1)}
    </Anchor>
  );
}

export function NameModal(props: {
  opened: boolean;
  title: string;
  initial: string;
  label?: string;
  onClose: () => void;
  onSubmit: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (props.opened) {
      setName(props.initial);
      setError(null);
    }
  }, [props.opened, props.initial]);
  const submit = async () => {
    setBusy(true);
    try {
      await props.onSubmit(name.trim());
      props.onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      <Stack>
        <TextInput
          label={props.label ?? "Name"}
          value={name}
          data-autofocus
          onChange={(e) => setName(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && submit()}
          error={error}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={busy} disabled={!name.trim()}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function LifecycleBadge({ stage }: { stage?: string }) {
  return stage === "deleted" ? <Badge color="red">deleted</Badge> : null;
}
