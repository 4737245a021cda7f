import type { Command } from "commander";

/** `mlflow-ts server`: MLflow's flags and environment variables, one process. */
export function registerServerCommand(program: Command): void {
  program
    .command("server")
    .description("Run the tracking server (REST API, artifact proxy).")
    .helpOption("--help", "display help for command")
    .option("-h, --host <host>", "address to bind (env MLFLOW_HOST)", undefined)
    .option("-p, --port <port>", "port to listen on (env MLFLOW_PORT)", undefined)
    .option("--backend-store-uri <uri>", "database URI (env MLFLOW_BACKEND_STORE_URI), default sqlite:///mlflow.db")
    .option("--registry-store-uri <uri>", "accepted for compatibility; the registry shares the backend store")
    .option("--default-artifact-root <uri>", "root for new experiments' artifacts (env MLFLOW_DEFAULT_ARTIFACT_ROOT)")
    .option(
      "--artifacts-destination <uri>",
      "where proxied artifacts are stored: a directory or s3://bucket/prefix (env MLFLOW_ARTIFACTS_DESTINATION), default ./mlartifacts; S3 access from MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION, MLFLOW_S3_IGNORE_TLS, MLFLOW_S3_UPLOAD_EXTRA_ARGS",
    )
    .option("--serve-artifacts", "serve the artifact proxy (default)")
    .option("--no-serve-artifacts", "disable the artifact proxy")
    .option("--artifacts-only", "serve only the artifact proxy (env MLFLOW_ARTIFACTS_ONLY)")
    .option("--static-prefix <prefix>", "path prefix for the UI, utility routes and the API (env MLFLOW_STATIC_PREFIX)")
    .option(
      "--cors-allowed-origins <origins>",
      "comma-separated origins allowed to call the API from a browser, besides localhost; * for any (env MLFLOW_SERVER_CORS_ALLOWED_ORIGINS)",
    )
    .option("-w, --workers <n>", "accepted for compatibility; mlflow-ts serves from one process")
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const { ConfigError, resolveServerConfig, StartupError, startServer } = await import("@mlflow-ts/server");
      const { redactUri } = await import("@mlflow-ts/store");
      let config: ReturnType<typeof resolveServerConfig>;
      try {
        config = resolveServerConfig(
          {
            host: opts.host as string | undefined,
            port: opts.port as string | undefined,
            backendStoreUri: opts.backendStoreUri as string | undefined,
            defaultArtifactRoot: opts.defaultArtifactRoot as string | undefined,
            artifactsDestination: opts.artifactsDestination as string | undefined,
            // commander sets serveArtifacts=true by default because of --no-serve-artifacts;
            // only an explicit flag overrides the environment.
            serveArtifacts: explicitFlag(program, "serveArtifacts", opts.serveArtifacts as boolean | undefined),
            artifactsOnly: opts.artifactsOnly as boolean | undefined,
            staticPrefix: opts.staticPrefix as string | undefined,
            corsAllowedOrigins: opts.corsAllowedOrigins as string | undefined,
          },
          process.env,
        );
      } catch (e) {
        if (e instanceof ConfigError) {
          process.stderr.write(`mlflow-ts server: error: ${e.message}\n`);
          process.exit(2);
        }
        throw e;
      }
      try {
        const running = await startServer(config);
        process.stderr.write(
          `mlflow-ts server listening on ${running.url}${config.staticPrefix} (backend ${redactUri(config.backendStoreUri)}, artifacts ${config.serveArtifacts ? config.artifactsDestination : "not served"})\n`,
        );
        const stop = () => {
          void running.close().then(() => process.exit(0));
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      } catch (e) {
        if (e instanceof StartupError) {
          process.stderr.write(`mlflow-ts server: error: ${e.message}\n`);
          process.exit(1);
        }
        throw e;
      }
    });
}

function explicitFlag(program: Command, name: string, value: boolean | undefined): boolean | undefined {
  const cmd = program.commands.find((c) => c.name() === "server");
  return cmd?.getOptionValueSource(name) === "cli" ? value : undefined;
}
