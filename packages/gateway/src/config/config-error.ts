/** A configuration file that cannot be used; the message names the file, endpoint and field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
