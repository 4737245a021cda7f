import { ALEMBIC_HEAD, ensureSchema, openDatabase, redactUri, schemaState } from "@mlflow-ts/store";
import type { Command } from "commander";

/**
 * `mlflow-ts db upgrade <uri>`: brings a database to the schema mlflow-ts serves (MLflow 2.22,
 * alembic head 0584bdc529eb). An empty database is created at that head; a database already there
 * only gets our extra indexes. Older or newer MLflow schemas are refused with what to do instead.
 */
export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("Database maintenance.");
  db.command("upgrade")
    .argument("<url>", "database URI, e.g. sqlite:///mlflow.db or postgresql://user@host:5432/mlflow")
    .description("Create or upgrade the database schema to MLflow 2.22's (what mlflow-ts serves).")
    .action(async (url: string) => {
      let database: Awaited<ReturnType<typeof openDatabase>>;
      try {
        database = await openDatabase(url);
      } catch (e) {
        process.stderr.write(`mlflow-ts db upgrade: error: cannot open '${redactUri(url)}': ${(e as Error).message}\n`);
        process.exit(1);
      }
      try {
        const before = await schemaState(database);
        await ensureSchema(database, { defaultArtifactRoot: "mlflow-artifacts:/", now: Date.now() });
        process.stdout.write(
          before === "empty"
            ? `Created the MLflow 2.22 schema (alembic ${ALEMBIC_HEAD}) in ${redactUri(url)}.\n`
            : `Database ${redactUri(url)} is at alembic ${ALEMBIC_HEAD}; indexes checked.\n`,
        );
      } catch (e) {
        process.stderr.write(`mlflow-ts db upgrade: error: ${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await database.close();
      }
    });
}
