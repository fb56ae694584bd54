// Tool arguments and outputs: pretty, coloured JSON with a raw toggle; text that is not JSON shown
// as sent (with a note when it should have been JSON). Text the kernel shortened, or still arriving,
// is incomplete rather than invalid: it says so instead. Everything goes in as text nodes.

import { useMemo, useState } from "preact/hooks";
import type { Actions } from "../actions";
import { looksLikeJson, parseJson, tokenize } from "../json";
import { formatCount } from "../util/format";
import { CopyButton } from "./CopyButton";

/** Why the text may be incomplete: cut at `cap` characters by the kernel, or still streaming. */
export type Incomplete = { kind: "cut"; cap: number } | { kind: "streaming" } | null;

interface Props {
  label: string;
  text: string;
  /** The text must be JSON (function arguments): say so when it is not. */
  strict?: boolean;
  partial?: Incomplete;
  actions: Actions;
  testid?: string;
}

export function JsonBlock({ label, text, strict, partial = null, actions, testid }: Props) {
  const parsed = useMemo(() => parseJson(text), [text]);
  const [raw, setRaw] = useState(false);
  const pretty = parsed.ok && (strict || (typeof parsed.value === "object" && parsed.value !== null));
  const invalid = !parsed.ok && partial === null && text.trim() !== "" && (strict || looksLikeJson(text));
  const cut = partial?.kind === "cut" && !parsed.ok;
  return (
    <div class="rw-block" data-testid={testid}>
      <div class="rw-block-head">
        <span class="rw-block-label">{label}</span>
        {pretty ? (
          <button type="button" class="rw-toggle" aria-pressed={raw} onClick={() => setRaw(!raw)}>
            {raw ? "pretty" : "raw"}
          </button>
        ) : null}
        <CopyButton label={`Copy the ${label.toLowerCase()}`} copy={() => actions.copy(text)} />
      </div>
      {invalid ? (
        <div class="rw-note rw-note-warn" data-testid="invalid-json">
          Not valid JSON ({parsed.ok ? "" : parsed.error}); shown as received.
        </div>
      ) : null}
      {cut ? (
        <div class="rw-note" data-testid="json-shortened">
          Shortened by the kernel to its first {formatCount(partial.cap)} characters; the full step shows once
          loaded (see below).
        </div>
      ) : null}
      {text === "" ? (
        <div class="rw-muted rw-empty-value">{partial?.kind === "streaming" ? "(arriving…)" : "(empty)"}</div>
      ) : (
        <pre class={`rw-code${pretty && !raw ? " rw-json" : " rw-wrap"}`}>
          {pretty && !raw && parsed.ok ? <JsonTokens pretty={parsed.pretty} /> : text}
          {cut ? <span class="rw-cut-mark" aria-label="(shortened)">…</span> : null}
        </pre>
      )}
    </div>
  );
}

function JsonTokens({ pretty }: { pretty: string }) {
  const tokens = useMemo(() => tokenize(pretty), [pretty]);
  return <>{tokens.map((t) => (t.kind === "space" ? t.text : <span class={`rw-j-${t.kind}`}>{t.text}</span>))}</>;
}
