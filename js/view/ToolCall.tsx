// One tool call inside a step: function (name, arguments, output), code interpreter (input, logs,
// images), file search (results with scores), or any other type as raw JSON.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Actions } from "../actions";
import type { FileSearchResultView, ToolCallView } from "../protocol";
import { formatScore } from "../util/format";
import { ImageView } from "./Images";
import { type Incomplete, JsonBlock } from "./JsonBlock";

/** What a call needs to know of the step it is shown in (given by the step's row). */
export interface StepFacts {
  /** The step as shown was capped by the kernel (texts at `cap` characters may be cut). */
  cut: boolean;
  cap: number;
  /** The step is still in progress: its texts are still arriving. */
  running: boolean;
}

export const StepFactsContext = createContext<StepFacts>({ cut: false, cap: 0, running: false });

/** Whether this text may be incomplete, and why; null when it is whole. */
function incomplete(facts: StepFacts, text: string | null | undefined): Incomplete {
  // The kernel cuts a text to exactly `cap` characters; shorter texts of a capped step are whole.
  if (facts.cut && typeof text === "string" && text.length >= facts.cap) return { kind: "cut", cap: facts.cap };
  if (facts.running) return { kind: "streaming" };
  return null;
}

interface Props {
  call: ToolCallView;
  actions: Actions;
  /** The run is waiting for this call's output. */
  pending: boolean;
}

export function ToolCall({ call, actions, pending }: Props) {
  const facts = useContext(StepFactsContext);
  return (
    <div class="rw-call" data-call-type={call.type} data-tool-call-id={call.id}>
      {call.type === "function" ? <FunctionCall call={call} actions={actions} pending={pending} /> : null}
      {call.type === "code_interpreter" ? <CodeInterpreter call={call} actions={actions} /> : null}
      {call.type === "file_search" ? <FileSearch call={call} /> : null}
      {!["function", "code_interpreter", "file_search"].includes(call.type) ? (
        <>
          <CallHead icon="tool" title={call.type} />
          <JsonBlock
            label="Raw"
            text={call.raw ?? JSON.stringify(call)}
            partial={incomplete(facts, call.raw)}
            actions={actions}
          />
        </>
      ) : null}
    </div>
  );
}

function CallHead({ icon, title, kind }: { icon: string; title: string; kind?: string }) {
  return (
    <div class="rw-call-head">
      <span class={`rw-i rw-i-${icon}`} aria-hidden="true" />
      {kind ? <span class="rw-call-kind">{kind}</span> : null}
      <code class="rw-call-name" data-testid="call-name">
        {title}
      </code>
    </div>
  );
}

function FunctionCall({ call, actions, pending }: Props) {
  const facts = useContext(StepFactsContext);
  // Arguments stream while the step runs; the output comes whole (submitted) but may be capped.
  return (
    <>
      <CallHead icon="braces" kind="function" title={call.name ?? "(unnamed)"} />
      <JsonBlock
        label="Arguments"
        text={call.arguments ?? ""}
        strict
        partial={incomplete(facts, call.arguments)}
        actions={actions}
        testid="call-arguments"
      />
      {typeof call.output === "string" ? (
        <JsonBlock
          label="Output"
          text={call.output}
          partial={incomplete({ ...facts, running: false }, call.output)}
          actions={actions}
          testid="call-output"
        />
      ) : (
        <div class="rw-note">{pending ? "Waiting for the output (see the form above)." : "No output."}</div>
      )}
    </>
  );
}

function CodeInterpreter({ call, actions }: Omit<Props, "pending">) {
  return (
    <>
      <CallHead icon="terminal" title="code interpreter" />
      <div class="rw-block">
        <div class="rw-block-head">
          <span class="rw-block-label">Input</span>
        </div>
        <pre class="rw-code rw-wrap" data-testid="code-input">
          {call.input ?? ""}
        </pre>
      </div>
      {call.logs ? (
        <div class="rw-block">
          <div class="rw-block-head">
            <span class="rw-block-label">Logs</span>
          </div>
          <pre class="rw-code rw-logs rw-wrap" data-testid="code-logs">
            {call.logs}
          </pre>
        </div>
      ) : null}
      {call.images?.length ? (
        <div class="rw-images" data-testid="code-images">
          {call.images.map((image, i) => (
            <ImageView key={image.file_id ?? i} image={image} />
          ))}
        </div>
      ) : null}
      {!call.logs && !call.images?.length ? (
        <JsonBlock label="Outputs" text="" actions={actions} />
      ) : null}
    </>
  );
}

function FileSearch({ call }: { call: ToolCallView }) {
  const results = call.results ?? [];
  const options = call.ranking_options
    ? Object.entries(call.ranking_options)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" · ")
    : "";
  return (
    <>
      <CallHead icon="search" title="file search" />
      {options ? <div class="rw-note">Ranking: {options}</div> : null}
      {results.length ? (
        <table class="rw-results" data-testid="search-results">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Score</th>
              <th scope="col">Content</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result, i) => (
              <ResultRow key={`${result.file_id ?? ""}-${i}`} result={result} />
            ))}
          </tbody>
        </table>
      ) : (
        <div class="rw-note">No results.</div>
      )}
    </>
  );
}

function ResultRow({ result }: { result: FileSearchResultView }) {
  const score = typeof result.score === "number" ? Math.max(0, Math.min(1, result.score)) : null;
  return (
    <tr>
      <td class="rw-result-file" title={result.file_id}>
        {result.file_name || result.file_id || "?"}
      </td>
      <td class="rw-result-score">
        <span class="rw-score">
          <span class="rw-score-fill" style={{ width: `${(score ?? 0) * 100}%` }} />
        </span>
        <span class="rw-score-num">{formatScore(result.score)}</span>
      </td>
      <td class="rw-result-content">{result.content ?? <span class="rw-muted">(content not included)</span>}</td>
    </tr>
  );
}
