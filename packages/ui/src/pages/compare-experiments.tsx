import { Alert, Anchor, Badge, Group, Stack, Text, Title } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { client, errorText } from "../api.js";
import { sortedIds } from "../links.js";
import { stateKey } from "./runs-state.js";
import { RunsView } from "./runs-view.js";

/** The `experiments` parameter (a JSON list of ids, strings or numbers); anything else → []. */
export function parseExperimentIds(text: string | null): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return [];
    return sortedIds(v.filter((x) => typeof x === "string" || typeof x === "number").map(String));
  } catch {
    return [];
  }
}

/** The runs of several experiments in one table, with an Experiment column (`/#/compare-experiments/s`). */
export function CompareExperimentsPage() {
  const [params] = useSearchParams();
  const raw = params.get("experiments");
  const ids = useMemo(() => parseExperimentIds(raw), [raw]);
  const experiments = useQueries({
    queries: ids.map((id) => ({ queryKey: ["experiment", id], queryFn: () => client.getExperiment(id) })),
  });
  const namesKey = experiments.map((q) => q.data?.name ?? "").join("\n");
  // biome-ignore lint/correctness/useExhaustiveDependencies: namesKey stands for the loaded names
  const names = useMemo(() => {
    const m = new Map<string, string>();
    ids.forEach((id, i) => {
      const name = experiments[i]?.data?.name;
      if (name) m.set(id, name);
    });
    return m;
  }, [ids, namesKey]);
  const failed = experiments.find((q) => q.error)?.error;

  if (ids.length === 0)
    return (
      <Stack maw={720}>
        <Title order={2}>Compare experiments</Title>
        <Alert color="yellow" title="No experiments to compare">
          This link names no experiments. Pick two or more on the{" "}
          <Anchor component={Link} to="/experiments" inherit>
            experiments page
          </Anchor>{" "}
          and press Compare.
        </Alert>
      </Stack>
    );
  const header = (
    <>
      <div>
        <Anchor component={Link} to="/experiments" size="sm">
          Experiments
        </Anchor>
        <Title order={2}>
          Runs of {ids.length} experiment{ids.length === 1 ? "" : "s"}
        </Title>
        <Group gap={6} mt={4} data-testid="compared-experiments">
          {ids.map((id) => (
            <Badge
              key={id}
              component={Link}
              to={`/experiments/${id}`}
              variant="light"
              tt="none"
              style={{ cursor: "pointer" }}
            >
              {names.get(id) ?? id}
              <Text span c="dimmed" inherit>
                {" "}
                #{id}
              </Text>
            </Badge>
          ))}
        </Group>
      </div>
      {failed && <Alert color="red">{errorText(failed)}</Alert>}
    </>
  );
  return <RunsView key={stateKey(ids)} experimentIds={ids} experimentNames={names} header={header} />;
}
