import { Alert, Anchor, Group, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { client, errorText } from "../api.js";
import { stateKey } from "./runs-state.js";
import { RunsView } from "./runs-view.js";

export { runColor } from "./runs-row.js";

/** One experiment's runs table (`/#/experiments/:id`). */
export function ExperimentPage() {
  const { experimentId = "0" } = useParams();
  const experiment = useQuery({
    queryKey: ["experiment", experimentId],
    queryFn: () => client.getExperiment(experimentId),
  });
  const header = (
    <>
      <Group justify="space-between">
        <div>
          <Anchor component={Link} to="/experiments" size="sm">
            Experiments
          </Anchor>
          <Title order={2}>{experiment.data?.name ?? " "}</Title>
        </div>
        <Text size="sm" c="dimmed">
          Experiment ID {experimentId}
          {experiment.data?.artifact_location ? ` · ${experiment.data.artifact_location}` : ""}
        </Text>
      </Group>
      {experiment.error && <Alert color="red">{errorText(experiment.error)}</Alert>}
    </>
  );
  return <RunsView key={stateKey([experimentId])} experimentIds={[experimentId]} header={header} />;
}
