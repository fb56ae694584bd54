// The tool-output form while the run requires action: one field per pending call (its name and
// arguments shown as text), "Submit all", and for tools the kernel can run itself, "Run and submit".
// Drafts live in the store, so they survive patches, re-renders and failed submissions.

import type { Actions } from "../actions";
import { inlineArgs, parseJson } from "../json";
import type { RunView, ToolCallRequest } from "../protocol";
import type { CardData, CardUi } from "../store";

interface Props {
  run: RunView;
  calls: readonly ToolCallRequest[];
  data: CardData;
  ui: CardUi;
  actions: Actions;
  uid: string;
}

export function ToolForm({ calls, data, ui, actions, uid }: Props) {
  const python = new Set(data.pythonTools);
  const pythonCalls = calls.filter((call) => python.has(call.name));
  const { busy, error, running } = ui.form;
  const readonly = data.readonly;
  const titleId = `${uid}-form-title`;
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void actions.submitAll(calls);
  };
  const n = calls.length;
  return (
    <form class="rw-form" onSubmit={onSubmit} aria-labelledby={titleId} data-testid="tool-form" aria-busy={busy !== null}>
      <div class="rw-form-head">
        <span class="rw-i rw-i-pause" aria-hidden="true" />
        <span id={titleId} class="rw-form-title">
          The run is waiting for {n === 1 ? "a tool output" : `${n} tool outputs`}
        </span>
      </div>
      {readonly ? (
        <p class="rw-note" data-testid="readonly-note">
          This saved card is not connected to a kernel: outputs cannot be submitted from here.
        </p>
      ) : null}
      <fieldset class="rw-fields" disabled={busy !== null || readonly}>
        <legend class="rw-sr">Tool outputs</legend>
        {calls.map((call) => (
          <ToolField
            key={call.id}
            call={call}
            fieldId={`${uid}-out-${call.id.replace(/[^\w-]/g, "_")}`}
            draft={ui.drafts.get(call.id) ?? ""}
            isPython={python.has(call.name)}
            auto={data.autoTools}
            running={running.includes(call.id)}
            readonly={readonly}
            onRun={() => void actions.runTools([call.id], false, calls)}
            onInput={(text) => actions.setDraft(call.id, text)}
          />
        ))}
      </fieldset>
      {error ? (
        <div class="rw-form-error" role="alert" data-testid="form-error">
          <span class="rw-i rw-i-alert" aria-hidden="true" />
          <span>{error}</span>
        </div>
      ) : null}
      {readonly ? null : (
        <div class="rw-form-actions">
          {data.autoTools && pythonCalls.length ? (
            <span class="rw-muted rw-auto-note">Python tools run and submit automatically.</span>
          ) : null}
          {pythonCalls.length ? (
            <button
              type="button"
              class="rw-btn"
              data-testid="run-and-submit"
              disabled={busy !== null}
              onClick={() => void actions.runTools(pythonCalls.map((c) => c.id), true, calls)}
            >
              <span class="rw-i rw-i-play" aria-hidden="true" />
              <span>{busy === "run_tools" ? "Running…" : "Run and submit"}</span>
            </button>
          ) : null}
          <button type="submit" class="rw-btn rw-btn-primary" data-testid="submit-all" disabled={busy !== null}>
            {busy === "submit" ? "Submitting…" : "Submit all"}
          </button>
        </div>
      )}
    </form>
  );
}

interface FieldProps {
  call: ToolCallRequest;
  fieldId: string;
  draft: string;
  isPython: boolean;
  auto: boolean;
  running: boolean;
  readonly: boolean;
  onRun: () => void;
  onInput: (text: string) => void;
}

function ToolField({ call, fieldId, draft, isPython, auto, running, readonly, onRun, onInput }: FieldProps) {
  const parsed = parseJson(call.arguments);
  const args = parsed.ok ? inlineArgs(call.arguments, 400) : call.arguments;
  return (
    <div class="rw-field" data-tool-call-id={call.id}>
      <div class="rw-field-call">
        <label for={readonly ? undefined : fieldId} class="rw-field-label">
          <span class="rw-sr">Output of </span>
          <code class="rw-call-name" data-testid="field-name">
            {call.name}
          </code>
        </label>
        <code class="rw-field-args" id={`${fieldId}-args`} data-testid="field-args" title={call.arguments}>
          ({args}){call.truncated ? " …" : ""}
        </code>
        {isPython ? (
          <span class="rw-chip" title="A Python function in the kernel can compute this output">
            Python{auto ? " · auto" : ""}
          </span>
        ) : null}
        {!parsed.ok ? <span class="rw-note rw-note-warn">arguments are not valid JSON</span> : null}
      </div>
      {readonly ? (
        <div class="rw-field-input rw-muted">no output yet</div>
      ) : (
        <div class="rw-field-input">
          <textarea
            id={fieldId}
            name={call.id}
            rows={1}
            spellcheck={false}
            aria-describedby={`${fieldId}-args`}
            placeholder="Output (text or JSON)"
            value={draft}
            onInput={(event) => onInput((event.currentTarget as HTMLTextAreaElement).value)}
          />
          {isPython ? (
            <button
              type="button"
              class="rw-btn rw-btn-small"
              data-testid="run-tool"
              onClick={onRun}
              title="Run the Python function in the kernel and put its output here"
            >
              <span class="rw-i rw-i-play" aria-hidden="true" />
              <span>{running ? "Running…" : "Run"}</span>
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}
