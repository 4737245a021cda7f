import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mysqlConfigFromUri } from "./mysql.js";
import { mysqlDdl, quoteReserved } from "./mysql-sql.js";

describe("mysql SQL rewriting (no database)", () => {
  it("back-quotes the reserved word key where it names a column, and nowhere else", () => {
    assert.equal(
      quoteReserved("SELECT key, c.key, 'key' AS k, monkey FROM t WHERE key = ? AND keys = 1"),
      "SELECT `key`, c.`key`, 'key' AS k, monkey FROM t WHERE `key` = ? AND keys = 1",
    );
    assert.equal(
      quoteReserved(
        "CREATE TABLE t (key VARCHAR(250), CONSTRAINT p PRIMARY KEY (key), FOREIGN KEY(x) REFERENCES y (x))",
      ),
      "CREATE TABLE t (`key` VARCHAR(250), CONSTRAINT p PRIMARY KEY (`key`), FOREIGN KEY(x) REFERENCES y (x))",
    );
    assert.equal(
      quoteReserved("INSERT INTO t (key) VALUES (?) ON DUPLICATE KEY UPDATE value = 'it''s key'"),
      "INSERT INTO t (`key`) VALUES (?) ON DUPLICATE KEY UPDATE value = 'it''s key'",
    );
  });

  it("gives MLflow's MySQL types", () => {
    assert.match(
      mysqlDdl("CREATE TABLE experiments (\n  experiment_id INTEGER NOT NULL,\n  name VARCHAR(256)\n)"),
      /experiment_id INTEGER NOT NULL AUTO_INCREMENT,/,
    );
    assert.match(mysqlDdl("CREATE TABLE metrics (\n  value FLOAT NOT NULL\n)"), /value DOUBLE NOT NULL/);
    assert.match(
      mysqlDdl("CREATE TABLE datasets (\n  dataset_schema TEXT,\n  dataset_profile TEXT\n)"),
      /dataset_schema MEDIUMTEXT,\n {2}dataset_profile TEXT/,
    );
  });

  it("reads MLflow's MySQL URIs", () => {
    for (const uri of [
      "mysql://bob:s%40cret@db.example:3307/mlflow",
      "mysql+pymysql://bob:s%40cret@db.example:3307/mlflow",
    ]) {
      const c = mysqlConfigFromUri(uri);
      assert.deepEqual(
        [c.host, c.port, c.user, c.password, c.database],
        ["db.example", 3307, "bob", "s@cret", "mlflow"],
      );
    }
  });
});
