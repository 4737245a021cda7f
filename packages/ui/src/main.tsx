import "@mantine/core/styles.css";
import { AppShell, Anchor, Group, MantineProvider, Text } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createHashRouter, Link, NavLink, Navigate, Outlet, RouterProvider, useParams } from "react-router";
import { ExperimentPage } from "./pages/experiment.js";
import { ExperimentsPage } from "./pages/experiments.js";
import { ModelPage, ModelsPage, ModelVersionPage } from "./pages/models.js";
import { RunPage, RunRedirect } from "./pages/run.js";

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, retry: false, refetchOnWindowFocus: false } },
});

function Shell() {
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" gap="xl">
          <Anchor component={Link} to="/experiments" underline="never" fw={800} size="lg" c="blue">
            mlflow
            <Text span c="dimmed" inherit>
              -ts
            </Text>
          </Anchor>
          <NavLink to="/experiments" className="nav">
            Experiments
          </NavLink>
          <NavLink to="/models" className="nav">
            Models
          </NavLink>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

/** MLflow's older artifact deep link, `/experiments/:id/runs/:runId/artifactPath/<path>`. */
function LegacyArtifactRedirect() {
  const { experimentId = "", runId = "", "*": path = "" } = useParams();
  return <Navigate to={`/experiments/${experimentId}/runs/${runId}/artifacts/${path}`} replace />;
}

function NotFound() {
  return (
    <Text>
      Page not found.{" "}
      <Anchor component={Link} to="/experiments">
        Go to experiments
      </Anchor>
    </Text>
  );
}

const router = createHashRouter([
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/experiments" replace /> },
      { path: "experiments", element: <ExperimentsPage /> },
      { path: "experiments/:experimentId", element: <ExperimentPage /> },
      { path: "experiments/:experimentId/s", element: <ExperimentPage /> },
      { path: "experiments/:experimentId/runs", element: <ExperimentPage /> },
      { path: "experiments/:experimentId/runs/:runId", element: <RunPage /> },
      { path: "experiments/:experimentId/runs/:runId/artifactPath/*", element: <LegacyArtifactRedirect /> },
      { path: "experiments/:experimentId/runs/:runId/:tab/*", element: <RunPage /> },
      { path: "runs/:runId", element: <RunRedirect /> },
      { path: "models", element: <ModelsPage /> },
      { path: "models/:modelName", element: <ModelPage /> },
      { path: "models/:modelName/versions/:version", element: <ModelVersionPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

const css = document.createElement("style");
css.textContent = `
.nav { color: var(--mantine-color-text); text-decoration: none; font-weight: 500; font-size: 14px; }
.nav.active { color: var(--mantine-color-blue-filled); }
.runs-row:hover { background: var(--mantine-color-default-hover); }
.runs-row[data-selected="true"] { background: var(--mantine-color-blue-light); }
.runs-row[data-cursor="true"] { box-shadow: inset 3px 0 0 var(--mantine-color-blue-filled); }
.runs-row .pin { background: none; border: 0; cursor: pointer; color: var(--mantine-color-dimmed); padding: 0 4px 0 0; font-size: 14px; visibility: hidden; }
.runs-row:hover .pin, .runs-row .pin[data-pinned="true"] { visibility: visible; }
.runs-row .pin[data-pinned="true"] { color: var(--mantine-color-yellow-6); }
.runs-row .expander { background: none; border: 1px solid var(--mantine-color-default-border); border-radius: 4px; cursor: pointer; color: var(--mantine-color-text); font-size: 11px; margin-right: 6px; padding: 0 4px; }
.run-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 8px; vertical-align: 1px; }
.run-link { color: var(--mantine-color-anchor); text-decoration: none; }
.run-link:hover { text-decoration: underline; }
.cell { padding: 0 8px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: none; font-size: 13px; }
`;
document.head.append(css);

const root = document.getElementById("root");
if (root)
  createRoot(root).render(
    <StrictMode>
      <MantineProvider defaultColorScheme="auto">
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
