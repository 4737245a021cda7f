import { MlflowError } from "@mlflow-ts/protocol";

/** The message MLflow answers with for every rejected artifact path. */
export const INVALID_PATH_MESSAGE = "Invalid path";

/**
 * How many percent-decoding rounds are tried before giving up. Same bound as MLflow's `_decode`:
 * if the value still changes after this many rounds the path is refused.
 */
export const MAX_DECODE_ROUNDS = 10;

export interface ValidateArtifactPathOptions {
  /** Accept a path that normalises to "" (the repository root). Default: false. */
  allowEmpty?: boolean;
}

export function invalidPathError(): MlflowError {
  return MlflowError.invalidParameter(INVALID_PATH_MESSAGE);
}

/**
 * Checks an artifact path the way MLflow's `validate_path_is_safe` does and returns the
 * normalised relative path as received (segments joined by "/", no empty or "." segments, no
 * trailing slash); percent escapes are decoded only to check what they hide.
 *
 * Rules, in order: percent-decode until stable (bounded); refuse `#` and NUL; turn a `file:` URI
 * into its path; refuse backslashes, any `..` segment, a leading `/` (POSIX absolute, also covers
 * `//host/share`) and a leading drive letter (`C:`, `C:\`, `C:/`).
 *
 * Every refusal is `MlflowError("INVALID_PARAMETER_VALUE", "Invalid path")`.
 */
export function validateArtifactPath(path: string, options: ValidateArtifactPathOptions = {}): string {
  if (typeof path !== "string") throw invalidPathError();
  // The checks run on the fully decoded value (so `%252e%252e` cannot hide a `..`), but the path
  // that is stored is the one received, as MLflow's server does: a file legitimately named
  // `a%17b` keeps its name.
  checkSafe(path);
  checkSafe(decodeUntilStable(path));
  const value = /^file:/i.test(path) ? pathOfFileUri(path) : path;
  const normalized = value
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
  if (normalized === "" && !options.allowEmpty) throw invalidPathError();
  return normalized;
}

function checkSafe(raw: string): void {
  let value = raw;
  if (value.includes("#") || value.includes("\0")) throw invalidPathError();
  if (/^file:/i.test(value)) value = pathOfFileUri(value);
  if (value.includes("\\") || value.startsWith("/") || /^[A-Za-z]:/.test(value) || value.split("/").includes("..")) {
    throw invalidPathError();
  }
}

/**
 * Like {@link validateArtifactPath} but for places where the repository root is meaningful
 * (listing, deleting everything): `undefined`, "" and "." all give "".
 */
export function validateArtifactPathOrRoot(path: string | undefined): string {
  if (path === undefined) return "";
  return validateArtifactPath(path, { allowEmpty: true });
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * One round of lenient percent-decoding, like Python's `urllib.parse.unquote`: runs of valid
 * `%XX` escapes become bytes decoded as UTF-8 (invalid sequences become U+FFFD); malformed
 * escapes such as `%zz` are left as they are instead of throwing.
 */
function percentDecodeOnce(value: string): string {
  if (!value.includes("%")) return value;
  return value.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    }
    return utf8.decode(bytes);
  });
}

function decodeUntilStable(value: string): string {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const decoded = percentDecodeOnce(current);
    if (decoded === current) return current;
    current = decoded;
  }
  throw invalidPathError();
}

/**
 * The path component of a `file:` URI, as Python's `urlparse(uri).path` sees it: the authority of
 * `file://host/...` is dropped and so is a `?query`. The value is already fully decoded.
 */
function pathOfFileUri(uri: string): string {
  let rest = uri.slice("file:".length);
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    rest = slash === -1 ? "" : rest.slice(slash);
  }
  const query = rest.indexOf("?");
  return query === -1 ? rest : rest.slice(0, query);
}
