import { Command } from "commander";
import { registerDbCommands } from "./commands/db-upgrade.js";
import { registerModelsCommands } from "./commands/models-resolve-uri.js";
import { registerGatewayCommands } from "./commands/gateway-start.js";
import { registerGcCommand } from "./commands/runs-gc.js";
import { registerServerCommand } from "./commands/server-start.js";

/** The MLflow release whose REST API and SQL schema mlflow-ts serves (the server reports it on /version). */
const MLFLOW_COMPAT_VERSION = "2.22.0";

export async function main(argv: string[]): Promise<void> {
  const program = new Command("mlflow-ts")
    .description("MLflow, rebuilt in TypeScript: tracking server and tools.")
    .version(`mlflow-ts 0.1.0 (MLflow ${MLFLOW_COMPAT_VERSION} compatible)`, "--version");
  registerServerCommand(program);
  registerDbCommands(program);
  registerModelsCommands(program);
  registerGatewayCommands(program);
  registerGcCommand(program);
  await program.parseAsync(argv);
}
