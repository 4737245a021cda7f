// Editors shared by the registry pages: a tags table (add, edit value, delete), an aliases editor
// (add, move, remove), and a delete confirmation that can ask for the name to be typed. Every
// mutation shows the server's message inline and leaves refreshing to the caller's `onX`.
import type { KeyValue } from "@mlflow-ts/client";
import { Alert, Badge, Button, CloseButton, Group, Modal, Stack, Table, Text, TextInput } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { errorText } from "./api.js";

/** Runs an async action, keeping its error message and a busy flag for the form. */
export function useAction(): {
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  error: string | null;
  busy: boolean;
  clear: () => void;
} {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const clear = useCallback(() => setError(null), []);
  return {
    error,
    busy,
    clear,
    run: async (fn) => {
      setBusy(true);
      setError(null);
      try {
        await fn();
        return true;
      } catch (e) {
        setError(errorText(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

function TagRow({
  tag,
  onSet,
  onDelete,
}: {
  tag: KeyValue;
  onSet: (key: string, value: string) => Promise<unknown>;
  onDelete: (key: string) => Promise<unknown>;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(tag.value ?? "");
  const action = useAction();
  const save = async () => {
    if (await action.run(() => onSet(tag.key, value))) setEditing(false);
  };
  return (
    <Table.Tr data-testid="tag-row" data-key={tag.key}>
      <Table.Td fw={500} style={{ wordBreak: "break-all" }}>
        {tag.key}
      </Table.Td>
      <Table.Td style={{ wordBreak: "break-all" }}>
        {editing ? (
          <TextInput
            size="xs"
            aria-label={`Value of ${tag.key}`}
            value={value}
            data-autofocus
            autoFocus
            onChange={(e) => setValue(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") save();
              if (e.key === "Escape") setEditing(false);
            }}
            error={action.error}
          />
        ) : (
          <Text size="sm" data-testid="tag-value">
            {tag.value}
          </Text>
        )}
        {!editing && action.error && (
          <Text size="xs" c="red">
            {action.error}
          </Text>
        )}
      </Table.Td>
      <Table.Td w={150}>
        <Group gap={4} wrap="nowrap">
          {editing ? (
            <>
              <Button size="compact-xs" onClick={save} loading={action.busy}>
                Save
              </Button>
              <Button size="compact-xs" variant="default" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </>
          ) : (
            <>
              <Button
                size="compact-xs"
                variant="subtle"
                aria-label={`Edit tag ${tag.key}`}
                onClick={() => {
                  setValue(tag.value ?? "");
                  action.clear();
                  setEditing(true);
                }}
              >
                Edit
              </Button>
              <Button
                size="compact-xs"
                variant="subtle"
                color="red"
                aria-label={`Delete tag ${tag.key}`}
                loading={action.busy}
                onClick={() => action.run(() => onDelete(tag.key))}
              >
                Delete
              </Button>
            </>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

/** A table of tags with an add form; `mlflow.*` tags are shown like any other. */
export function TagsEditor({
  tags,
  onSet,
  onDelete,
  testId = "tags-editor",
}: {
  tags: KeyValue[] | undefined;
  onSet: (key: string, value: string) => Promise<unknown>;
  onDelete: (key: string) => Promise<unknown>;
  testId?: string;
}) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const action = useAction();
  const list = [...(tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const exists = list.some((t) => t.key === key.trim());
  const add = async () => {
    const k = key.trim();
    if (!k) return;
    if (
      await action.run(async () => {
        await onSet(k, value);
      })
    ) {
      setKey("");
      setValue("");
    }
  };
  return (
    <Stack gap="xs" data-testid={testId}>
      {list.length ? (
        <Table verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((t) => (
              <TagRow key={t.key} tag={t} onSet={onSet} onDelete={onDelete} />
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text c="dimmed" size="sm">
          No tags.
        </Text>
      )}
      <Group gap="xs" align="flex-start">
        <TextInput
          size="xs"
          w={200}
          aria-label="Tag key"
          placeholder="Key"
          value={key}
          onChange={(e) => setKey(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && add()}
        />
        <TextInput
          size="xs"
          w={260}
          aria-label="Tag value"
          placeholder="Value"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && add()}
        />
        <Button size="xs" onClick={add} loading={action.busy} disabled={!key.trim()}>
          {exists ? "Update tag" : "Add tag"}
        </Button>
      </Group>
      {action.error && (
        <Alert color="red" p="xs" data-testid="tag-error">
          {action.error}
        </Alert>
      )}
    </Stack>
  );
}

/**
 * The aliases of one version: remove with ×, add by name. An alias another version holds is moved
 * (MLflow's set-alias semantics), and the form says so before it is sent.
 */
export function AliasesEditor({
  version,
  modelAliases,
  onSet,
  onDelete,
}: {
  version: string;
  /** every alias of the model, to tell which version holds a name */
  modelAliases: { alias: string; version: string | number }[];
  onSet: (alias: string) => Promise<unknown>;
  onDelete: (alias: string) => Promise<unknown>;
}) {
  const [name, setName] = useState("");
  const action = useAction();
  const mine = modelAliases.filter((a) => String(a.version) === version).map((a) => a.alias);
  const trimmed = name.trim().replace(/^@/, "");
  const holder = modelAliases.find((a) => a.alias === trimmed && String(a.version) !== version);
  const add = async () => {
    if (!trimmed || mine.includes(trimmed)) return;
    if (await action.run(() => onSet(trimmed))) setName("");
  };
  return (
    <Stack gap={6} data-testid="aliases-editor">
      <Group gap={4}>
        {mine.length === 0 && (
          <Text size="sm" c="dimmed">
            No aliases.
          </Text>
        )}
        {mine.map((a) => (
          <Badge
            key={a}
            variant="light"
            tt="none"
            data-testid="alias"
            pr={2}
            rightSection={
              <CloseButton size="xs" aria-label={`Remove alias @${a}`} onClick={() => action.run(() => onDelete(a))} />
            }
          >
            @{a}
          </Badge>
        ))}
      </Group>
      <Group gap="xs" align="flex-start">
        <TextInput
          size="xs"
          w={200}
          aria-label="New alias"
          placeholder="Alias, e.g. champion"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && add()}
        />
        <Button size="xs" onClick={add} loading={action.busy} disabled={!trimmed || mine.includes(trimmed)}>
          {holder ? "Move alias here" : "Add alias"}
        </Button>
      </Group>
      {holder && (
        <Text size="xs" c="orange" data-testid="alias-move-warning">
          @{holder.alias} is on version {holder.version}; adding it here moves it from version {holder.version}.
        </Text>
      )}
      {action.error && (
        <Alert color="red" p="xs" data-testid="alias-error">
          {action.error}
        </Alert>
      )}
    </Stack>
  );
}

/** A delete confirmation; with `typedName`, the button stays disabled until the name is typed. */
export function ConfirmDeleteModal({
  opened,
  title,
  message,
  typedName,
  onClose,
  onConfirm,
}: {
  opened: boolean;
  title: string;
  message: string;
  typedName?: string;
  onClose: () => void;
  onConfirm: () => Promise<unknown>;
}) {
  const [typed, setTyped] = useState("");
  const action = useAction();
  const { clear } = action;
  useEffect(() => {
    if (opened) {
      setTyped("");
      clear();
    }
  }, [opened, clear]);
  const ok = typedName === undefined || typed === typedName;
  const confirm = async () => {
    if (ok && (await action.run(onConfirm))) onClose();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Stack>
        <Text size="sm">{message}</Text>
        {typedName !== undefined && (
          <TextInput
            label={`Type "${typedName}" to confirm`}
            value={typed}
            data-autofocus
            onChange={(e) => setTyped(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Enter" && confirm()}
          />
        )}
        {action.error && <Alert color="red">{action.error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            onClick={confirm}
            loading={action.busy}
            disabled={!ok}
            data-autofocus={typedName === undefined || undefined}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
