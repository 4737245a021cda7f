/**
 * A YAML writer for JSON-like data in the style of PyYAML's `safe_dump` (block style, keys
 * sorted), which is what MLflow's `log_dict` writes for `.yaml`/`.yml`. Strings that could read
 * as anything but a string are double-quoted (JSON escapes are valid YAML).
 */
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_ ./-]*$/;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return ".nan";
    if (!Number.isFinite(v)) return v > 0 ? ".inf" : "-.inf";
    return String(v);
  }
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(" ") ? s : JSON.stringify(s);
}

function isBranch(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === "object" && !(v instanceof Date);
}

function isEmpty(v: Record<string, unknown> | unknown[]): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function lines(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isBranch(item) && !isEmpty(item)) {
        const sub: string[] = [];
        lines(item, "", sub);
        out.push(`${indent}- ${(sub[0] as string).trimStart()}`);
        for (const l of sub.slice(1)) out.push(`${indent}  ${l}`);
      } else out.push(`${indent}- ${isBranch(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
    }
    return;
  }
  const obj = v as Record<string, unknown>;
  for (const key of Object.keys(obj).sort()) {
    const item = obj[key];
    if (item === undefined) continue;
    if (isBranch(item) && !isEmpty(item)) {
      out.push(`${indent}${scalar(key)}:`);
      // PyYAML puts a list under its key without extra indentation.
      lines(item, Array.isArray(item) ? indent : `${indent}  `, out);
    } else out.push(`${indent}${scalar(key)}: ${isBranch(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
  }
}

export function toYaml(value: unknown): string {
  if (!isBranch(value)) return `${scalar(value)}\n`;
  if (isEmpty(value)) return Array.isArray(value) ? "[]\n" : "{}\n";
  const out: string[] = [];
  lines(value, "", out);
  return `${out.join("\n")}\n`;
}
