import { Button, Checkbox, Group, Popover, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useMemo, useState } from "react";

export interface PickerGroup {
  group: string;
  /** Column ids (`metrics.<key>`, `params.<key>`, `tags.<key>`). */
  ids: string[];
}

/** How many matching keys are listed at once; the search narrows the rest (keeps 5,000 keys usable). */
const SHOWN = 200;

/** A searchable checklist of metric, param and tag columns. */
export function ColumnPicker(props: {
  groups: PickerGroup[];
  value: string[];
  onChange: (ids: string[]) => void;
  /** Called when the picker opens (the page loads every key of the experiment then). */
  onOpen?: () => void;
}) {
  const [query, setQuery] = useState("");
  const chosen = useMemo(() => new Set(props.value), [props.value]);
  const q = query.trim().toLowerCase();
  const total = props.groups.reduce((s, g) => s + g.ids.length, 0);
  let budget = SHOWN;
  const shown = props.groups.map((g) => {
    const ids = g.ids.filter((id) => !q || id.toLowerCase().includes(q)).slice(0, Math.max(0, budget));
    budget -= ids.length;
    return { group: g.group, ids };
  });
  const toggle = (id: string) =>
    props.onChange(chosen.has(id) ? props.value.filter((x) => x !== id) : [...props.value, id]);
  return (
    <Popover width={340} position="bottom-end" shadow="md" trapFocus onOpen={props.onOpen}>
      <Popover.Target>
        <Button variant="default" aria-label="Columns">
          Columns ({props.value.length}/{total})
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <TextInput
            placeholder="Search metrics, params, tags"
            aria-label="Search columns"
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
            data-autofocus
          />
          <ScrollArea.Autosize mah={360}>
            <Stack gap={4}>
              {shown.map((g) =>
                g.ids.length ? (
                  <div key={g.group}>
                    <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
                      {g.group}
                    </Text>
                    {g.ids.map((id) => (
                      <Checkbox
                        key={id}
                        size="xs"
                        mb={4}
                        label={id.slice(id.indexOf(".") + 1)}
                        checked={chosen.has(id)}
                        onChange={() => toggle(id)}
                      />
                    ))}
                  </div>
                ) : null,
              )}
              {budget <= 0 && (
                <Text size="xs" c="dimmed">
                  Showing the first {SHOWN}; type to narrow.
                </Text>
              )}
            </Stack>
          </ScrollArea.Autosize>
          <Group justify="space-between">
            <Group gap={4}>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => {
                  const add = props.groups.flatMap((g) => g.ids.filter((id) => !q || id.toLowerCase().includes(q)));
                  props.onChange([...props.value, ...add.filter((id) => !chosen.has(id))]);
                }}
              >
                {q ? "Add all matching" : "Add all"}
              </Button>
              <Button size="compact-xs" variant="subtle" onClick={() => props.onChange([])}>
                Clear
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              {props.value.length} shown
            </Text>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
