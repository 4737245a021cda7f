/**
 * Python-style renderings used in error messages, so messages read like MLflow's
 * (e.g. "`order_by` contains duplicate fields: ['metrics.a', 'metrics.a DESC']").
 * Sets are rendered in the given order (Python's own set order is not stable anyway).
 */

/** Python's repr() of a str. */
export function pyStr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of value) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

export function pyList(values: readonly string[]): string {
  return `[${values.map(pyStr).join(", ")}]`;
}

export function pySet(values: readonly string[]): string {
  return `{${values.map(pyStr).join(", ")}}`;
}

export function pyTuple(values: readonly string[]): string {
  return `(${values.map(pyStr).join(", ")})`;
}
