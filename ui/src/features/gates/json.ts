/** JSON with object keys sorted (how Rust stores parameters), to compare two parameter sets. */
export function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Parameters as people read them: pretty JSON, keys in Rust's order (sorted). */
export function prettyParams(params: Record<string, unknown>): string {
  return JSON.stringify(JSON.parse(sortedJson(params)), null, 2);
}

/** `$.params.amount "abc" is not an amount like 59.00` pieces of an invalid-input message. */
export function paramErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of message.matchAll(/\$\.params\.([A-Za-z0-9_]+) ([^;]*)/g)) {
    const name = m[1]!;
    out[name] = out[name] ? `${out[name]}; ${m[2]!.trim()}` : m[2]!.trim();
  }
  return out;
}
