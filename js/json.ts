// JSON text from tools (arguments, outputs): parsed and pretty-printed when it is JSON, kept raw
// with a note when it is not. Tokens are plain strings for the view to wrap in spans (as text).

export type Parsed = { ok: true; value: unknown; pretty: string } | { ok: false; error: string };

export function parseJson(text: string): Parsed {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value, pretty: JSON.stringify(value, null, 2) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: message.replace(/^JSON\.parse: /, "") };
  }
}

/** Does this text look like it was meant to be JSON (an object or an array)? */
export function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith("{") || t.startsWith("[");
}

export type TokenKind = "key" | "string" | "number" | "literal" | "punct" | "space";
export interface Token {
  kind: TokenKind;
  text: string;
}

const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:])|(\s+)/g;

/** Split pretty JSON into tokens for colouring. Past `limit` characters, one plain token. */
export function tokenize(pretty: string, limit = 40000): Token[] {
  if (pretty.length > limit) return [{ kind: "space", text: pretty }];
  const tokens: Token[] = [];
  let last = 0;
  for (const m of pretty.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    if (index > last) tokens.push({ kind: "space", text: pretty.slice(last, index) });
    if (m[1] !== undefined) {
      tokens.push({ kind: m[2] ? "key" : "string", text: m[1] });
      if (m[2]) tokens.push({ kind: "punct", text: m[2] });
    } else if (m[3] !== undefined) tokens.push({ kind: "number", text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: "literal", text: m[4] });
    else if (m[5] !== undefined) tokens.push({ kind: "punct", text: m[5] });
    else tokens.push({ kind: "space", text: m[0] });
    last = index + m[0].length;
  }
  if (last < pretty.length) tokens.push({ kind: "space", text: pretty.slice(last) });
  return tokens;
}

/** One-line rendering of call arguments: `city="Paris", days=3` (for titles and form labels). */
export function inlineArgs(text: string, max = 120): string {
  const parsed = parseJson(text);
  let out: string;
  if (parsed.ok && parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value)) {
    out = Object.entries(parsed.value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(", ");
  } else {
    out = text.replace(/\s+/g, " ").trim();
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
