import "@mantine/core/styles.css";
import { Alert, AppShell, Anchor, Button, Center, Group, Loader, MantineProvider, Stack, Text } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ComponentType, lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import {
  createHashRouter,
  Link,
  NavLink,
  Navigate,
  Outlet,
  RouterProvider,
  useParams,
  useRouteError,
} from "react-router";

// Route-level code splitting: each page module is its own chunk, fetched when a route first
// needs it, so the experiments list does not download the run page, the registry or webhooks.
function page<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}
const ExperimentsPage = page(() => import("./pages/experiments.js"), "ExperimentsPage");
const ExperimentPage = page(() => import("./pages/experiment.js"), "ExperimentPage");
const CompareExperimentsPage = page(() => import("./pages/compare-experiments.js"), "CompareExperimentsPage");
const RunPage = page(() => import("./pages/run.js"), "RunPage");
const RunRedirect = page(() => import("./pages/run.js"), "RunRedirect");
const ModelsPage = page(() => import("./pages/models-list.js"), "ModelsPage");
const ModelPage = page(() => import("./pages/models.js"), "ModelPage");
const ModelVersionPage = page(() => import("./pages/model-version.js"), "ModelVersionPage");
const WebhooksPage = page(() => import("./pages/webhooks.js"), "WebhooksPage");
const WebhookPage = page(() => import("./pages/webhooks.js"), "WebhookPage");

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
          <NavLink to="/webhooks" className="nav">
            Webhooks
          </NavLink>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Suspense
          fallback={
            <Center h={200}>
              <Loader data-testid="page-loading" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
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

/**
 * A page that failed to render or to load. A chunk that no longer exists (the server was updated
 * while this tab stayed open) is fixed by a reload, which fetches the new index.html.
 */
function RouteError() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  const stale = /dynamically imported module|Importing a module script failed|error loading/i.test(message);
  return (
    <Stack p="md" maw={720}>
      <Alert color="red" title={stale ? "This page could not be loaded" : "Something went wrong"}>
        <Text size="sm">
          {stale ? "The web UI was probably updated on the server since this tab was opened. " : ""}
          {message}
        </Text>
      </Alert>
      <Group>
        <Button onClick={() => window.location.reload()}>Reload</Button>
        <Anchor component={Link} to="/experiments" reloadDocument>
          Go to experiments
        </Anchor>
      </Group>
    </Stack>
  );
}

const router = createHashRouter([
  {
    path: "/",
    element: <Shell />,
    children: [
      {
        // errors render inside the shell, so the navigation stays usable
        errorElement: <RouteError />,
        children: [
          { index: true, element: <Navigate to="/experiments" replace /> },
          { path: "experiments", element: <ExperimentsPage /> },
          { path: "experiments/:experimentId", element: <ExperimentPage /> },
          { path: "experiments/:experimentId/s", element: <ExperimentPage /> },
          { path: "experiments/:experimentId/runs", element: <ExperimentPage /> },
          { path: "experiments/:experimentId/runs/:runId", element: <RunPage /> },
          { path: "compare-experiments/:searchString", element: <CompareExperimentsPage /> },
          { path: "experiments/:experimentId/runs/:runId/artifactPath/*", element: <LegacyArtifactRedirect /> },
          { path: "experiments/:experimentId/runs/:runId/:tab/*", element: <RunPage /> },
          { path: "runs/:runId", element: <RunRedirect /> },
          { path: "models", element: <ModelsPage /> },
          { path: "models/:modelName", element: <ModelPage /> },
          { path: "models/:modelName/versions/:version", element: <ModelVersionPage /> },
          { path: "webhooks", element: <WebhooksPage /> },
          { path: "webhooks/:webhookId", element: <WebhookPage /> },
          { path: "*", element: <NotFound /> },
        ],
      },
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
.run-link, .cell-link { color: var(--mantine-color-anchor); text-decoration: none; }
.run-link:hover, .cell-link:hover { text-decoration: underline; }
.dataset-row { padding: 4px 6px; border-radius: 4px; width: 100%; }
.dataset-row:hover { background: var(--mantine-color-default-hover); }
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
