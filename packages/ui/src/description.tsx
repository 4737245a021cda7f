// The editable description of a run, a registered model or a model version: MLflow stores
// markdown (a run's `mlflow.note.content` tag, the registry's description field). Shown rendered,
// edited as source; Ctrl/Cmd+Enter saves, Esc cancels; the server's error stays inline.
import { Alert, Button, Group, Loader, Stack, Text, Textarea } from "@mantine/core";
import { lazy, Suspense, useState } from "react";
import { useAction } from "./registry-editors.js";

const Markdown = lazy(() => import("./markdown.js"));

export function EditableDescription({ value, onSave }: { value: string; onSave: (text: string) => Promise<unknown> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value);
  const action = useAction();
  const save = async () => {
    if (await action.run(() => onSave(text))) setEditing(false);
  };
  if (editing)
    return (
      <Stack gap="xs">
        <Textarea
          aria-label="Description"
          description="Markdown"
          autosize
          minRows={3}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={async (e) => {
            if (e.key === "Escape") setEditing(false);
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) await save();
          }}
          autoFocus
        />
        {action.error && (
          <Alert color="red" p="xs">
            {action.error}
          </Alert>
        )}
        <Group gap="xs">
          <Button size="xs" loading={action.busy} onClick={save}>
            Save
          </Button>
          <Button size="xs" variant="default" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap">
      <div data-testid="description" style={{ minWidth: 0, flex: 1 }}>
        {value ? (
          <Suspense fallback={<Loader size="xs" />}>
            <Markdown source={value} />
          </Suspense>
        ) : (
          <Text size="sm" c="dimmed">
            No description.
          </Text>
        )}
      </div>
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => {
          setText(value);
          action.clear();
          setEditing(true);
        }}
      >
        Edit description
      </Button>
    </Group>
  );
}
