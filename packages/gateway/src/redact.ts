/**
 * Removes secrets from text before it leaves the process (responses, logs). Holds every key
 * any loaded configuration resolved (old ones too: in-flight requests may still use them).
 * Upstream messages sometimes echo the key they were given, whole or partly masked.
 */
export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  add(secrets: Iterable<string>): void {
    const all = new Set(this.secrets);
    for (const s of secrets) if (s.length >= 4) all.add(s);
    // Longest first, so a key that contains another is replaced whole.
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join("[REDACTED]");
      // A masked echo (`sk-abcd1234...wxyz`) keeps a prefix: redact any run of 8+ leading characters.
      if (s.length >= 12) out = redactPrefixes(out, s);
    }
    return out;
  }
}

function redactPrefixes(text: string, secret: string): string {
  const head = secret.slice(0, 8);
  let i = text.indexOf(head);
  if (i < 0) return text;
  let out = "";
  let from = 0;
  while (i >= 0) {
    let n = 8;
    while (n < secret.length && i + n < text.length && text[i + n] === secret[n]) n++;
    out += `${text.slice(from, i)}[REDACTED]`;
    from = i + n;
    i = text.indexOf(head, from);
  }
  return out + text.slice(from);
}
