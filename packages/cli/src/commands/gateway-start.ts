import cluster from "node:cluster";
import type { Command } from "commander";

interface GatewayFlags {
  configPath?: string;
  host?: string;
  port?: string;
  workers?: string;
  limitsStorage?: string;
}

function fail(code: number, message: string): never {
  process.stderr.write(`mlflow-ts gateway: error: ${message}\n`);
  process.exit(code);
}

/** `mlflow-ts gateway start` (and MLflow 2.9's name, `mlflow-ts deployments start-server`). */
export function registerGatewayCommands(program: Command): void {
  const gateway = program.command("gateway").description("Run the AI gateway (one endpoint for many LLM providers).");
  addStart(gateway.command("start"));
  const deployments = program.command("deployments").description("MLflow deployments commands.");
  addStart(deployments.command("start-server"));
}

function addStart(cmd: Command): void {
  cmd
    .description("Start the AI gateway from a YAML config (reloaded when the file changes).")
    .helpOption("--help", "display help for command")
    .option("--config-path <file>", "the gateway config YAML (env MLFLOW_GATEWAY_CONFIG)")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port to listen on", "5000")
    .option("--workers <n>", "worker processes sharing the port", "1")
    .option(
      "--limits-storage <uri>",
      "where rate-limit counters live: 'memory' (per process) or redis://host:port (shared by replicas); env MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI",
    )
    .action(async (flags: GatewayFlags) => {
      // loaded on use, so other commands (the tracking server) never load the gateway
      const { ConfigError, GatewayStartupError, runPrimary, runWorker, startGateway } = await import(
        "@mlflow-ts/gateway"
      );
      const env = process.env;
      const configPath = flags.configPath ?? env.MLFLOW_GATEWAY_CONFIG;
      if (!configPath) fail(2, "--config-path is required (or set MLFLOW_GATEWAY_CONFIG).");
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port ?? "") || port > 65535) fail(2, `Invalid port '${flags.port}': expected 0-65535.`);
      const workers = Number(flags.workers);
      if (!/^\d+$/.test(flags.workers ?? "") || workers < 1 || workers > 64)
        fail(2, `Invalid --workers '${flags.workers}': expected 1-64.`);
      const limitsStorage = flags.limitsStorage ?? env.MLFLOW_GATEWAY_RATE_LIMITS_STORAGE_URI;
      const host = flags.host ?? "127.0.0.1";
      const log = (m: string) => process.stderr.write(`${m}\n`);
      if (cluster.isWorker) {
        runWorker({ configPath, host, port, env, limitsStorage, log });
        return;
      }
      try {
        if (workers > 1) {
          const primary = await runPrimary({ configPath, workers, env, limitsStorage, log });
          log(`mlflow-ts gateway listening on ${primary.url} (${workers} workers, config ${configPath})`);
          const stop = () => void primary.close().then(() => process.exit(0));
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
          return;
        }
        const running = await startGateway({ configPath, host, port, env, limitsStorage, log });
        log(
          `mlflow-ts gateway listening on ${running.url} (${running.config().endpoints.length} endpoints, config ${configPath})`,
        );
        const stop = () => void running.close().then(() => process.exit(0));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      } catch (e) {
        if (e instanceof ConfigError) fail(2, e.message);
        if (e instanceof GatewayStartupError) fail(1, e.message);
        throw e;
      }
    });
}
