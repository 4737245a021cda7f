import { MlflowError } from "@mlflow-ts/protocol";
import type { Database } from "./database.js";

/**
 * Opens a database by URI scheme. Drivers load lazily inside their dialect, so importing the
 * store never pulls in a driver that is not used.
 */
export async function openDatabase(uri: string): Promise<Database> {
  const scheme = /^([a-zA-Z][\w]*)(\+\w+)?:/.exec(uri)?.[1]?.toLowerCase();
  switch (scheme) {
    case "sqlite": {
      const { openSqlite } = await import("../dialects/sqlite.js");
      return openSqlite(uri);
    }
    case "postgresql":
    case "postgres": {
      const { openPostgres } = await import("../dialects/postgres.js");
      return openPostgres(uri);
    }
    case "mysql":
    case "mariadb": {
      const { openMysql } = await import("../dialects/mysql.js");
      return openMysql(uri);
    }
    case "mssql":
      throw MlflowError.invalidParameter(
        `The '${scheme}' backend store is not available in this build of mlflow-ts yet; use sqlite:///<path>, postgresql://<user>@<host>:<port>/<database> or mysql://<user>@<host>:<port>/<database>.`,
      );
    default:
      throw MlflowError.invalidParameter(
        `Invalid backend store URI '${uri}'. Supported database engines are {sqlite, postgresql, mysql} (e.g. sqlite:///mlflow.db, postgresql://user@host:5432/db, mysql://user@host:3306/db).`,
      );
  }
}

/** The URI with its password masked, for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-zA-Z][\w+]*:\/\/[^:/@?#]*):[^@/?#]*@/, "$1:***@");
}
