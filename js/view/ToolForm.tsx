// The tool-output form while the run requires action: one field per pending call (its name and
// arguments shown as text), "Submit all", and for tools the kernel can run itself, "Run and submit".
// Drafts live in the store, so they survive patches, re-renders and failed submissions. Empty outputs
// need a second, deliberate click; while the kernel works the form says what it is doing and stays
// locked until the answer comes, however late.

import { useEffect, useState } from "preact/hooks";
import type { Actions } from "../actions";
import { inlineArgs, parseJson } from "../json";
import type { RunView, ToolCallRequest } from "../protocol";
import type { CardData, CardUi } from "../store";
import { useClock } from "./hooks";

/** After this long without an answer the form says why it is still locked (ms). */
export const SLOW_ANSWER_MS = 15000;

interface Props {
  run: RunView;
  calls: readonly ToolCallRequest[];
  data: CardData;
  ui: CardUi;
  actions: Actions;
  uid: string;
}

/** A click that would send empty outputs: shown as a warning; the same button clicked again sends. */
interface EmptyWarning {
  button: "submit" | "run";
  ids: readonly string[];
}

export function ToolForm({ calls, data, ui, actions, uid }: Props) {
  const python = new Set(data.pythonTools);
  const pythonCalls = calls.filter((call) => python.has(call.name));
  const { busy, error, running } = ui.form;
  const readonly = data.readonly;
  const titleId = `${uid}-form-title`;
  const [warning, setWarning] = useState<EmptyWarning | null>(null);
  // Typing (or a tool filling a field) answers the warning: the next click checks again.
  useEffect(() => setWarning(null), [ui.drafts]);
  const guard = (button: EmptyWarning["button"], answeredByTools: readonly string[], send: () => void): void => {
    if (busy !== null) return;
    if (warning?.button !== button) {
      const empty = actions.emptyOutputs(calls, answeredByTools);
      if (empty.length) {
        setWarning({ button, ids: empty.map((c) => c.id) });
        return;
      }
    }
    setWarning(null);
    send();
  };
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    guard("submit", [], () => void actions.submitAll(calls));
  };
  const onRunAndSubmit = (): void => {
    const ids = pythonCalls.map((c) => c.id);
    guard("run", ids, () => void actions.runTools(ids, true, calls));
  };
  const n = calls.length;
  const warned = new Set(warning?.ids ?? []);
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
            empty={warned.has(call.id)}
            readonly={readonly}
            onRun={() => void actions.runTools([call.id], false, calls)}
            onInput={(text) => actions.setDraft(call.id, text)}
          />
        ))}
      </fieldset>
      {readonly ? null : <Progress calls={calls} ui={ui} actions={actions} />}
      {warning ? <EmptyNote calls={calls} warning={warning} /> : null}
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
              onClick={onRunAndSubmit}
            >
              <span class="rw-i rw-i-play" aria-hidden="true" />
              <span>
                {busy === "run_tools" ? "Running…" : warning?.button === "run" ? "Run and submit with empty outputs" : "Run and submit"}
              </span>
            </button>
          ) : null}
          <button
            type="submit"
            class={`rw-btn rw-btn-primary${warning?.button === "submit" ? " rw-btn-warn" : ""}`}
            data-testid="submit-all"
            disabled={busy !== null}
          >
            {busy === "submit" ? "Submitting…" : warning?.button === "submit" ? "Submit with empty outputs" : "Submit all"}
          </button>
        </div>
      )}
    </form>
  );
}

/** How a call is named in messages: its name, with its arguments when another call has the same name. */
function callLabel(call: ToolCallRequest, calls: readonly ToolCallRequest[]): string {
  const twin = calls.some((other) => other !== call && other.name === call.name);
  return twin ? `${call.name}(${inlineArgs(call.arguments, 40)})` : call.name;
}

function EmptyNote({ calls, warning }: { calls: readonly ToolCallRequest[]; warning: EmptyWarning }) {
  const names = calls.filter((c) => warning.ids.includes(c.id)).map((c) => callLabel(c, calls));
  const button = warning.button === "submit" ? "Submit with empty outputs" : "Run and submit with empty outputs";
  return (
    <div class="rw-form-warn" role="alert" data-testid="empty-warning">
      <span class="rw-i rw-i-alert" aria-hidden="true" />
      <span>
        {names.length === 1 ? "No output for " : "No outputs for "}
        {names.join(", ")}. Fill {names.length === 1 ? "it" : "them"} in, or click “{button}” to send{" "}
        {names.length === 1 ? "it" : "them"} empty.
      </span>
    </div>
  );
}

/**
 * What the kernel is doing for the form ("Running get_weather…"), in a polite live region that is
 * always there (so screen readers hear it change). Past SLOW_ANSWER_MS it says why the form stays locked.
 */
function Progress({ calls, ui, actions }: { calls: readonly ToolCallRequest[]; ui: CardUi; actions: Actions }) {
  const { busy, running } = ui.form;
  useClock(busy !== null); // re-render every second while waiting, for the elapsed time
  const request = actions.formRequest;
  const elapsed = busy !== null && request ? Math.max(0, Date.now() - request.since) : 0;
  let text = "";
  if (busy === "run_tools") {
    const names = [...new Set(calls.filter((c) => running.includes(c.id)).map((c) => c.name))];
    text = `Running ${names.join(", ") || "the Python tools"}${request?.submits ? ", then submitting all outputs" : ""}…`;
  } else if (busy === "submit") {
    text = "Submitting the outputs…";
  }
  const slow = busy !== null && elapsed >= SLOW_ANSWER_MS;
  return (
    <div class={`rw-form-progress${busy !== null ? " rw-form-progress-on" : ""}`} data-testid="form-progress">
      <span role="status" class="rw-form-status">
        {busy !== null ? <span class="rw-i rw-i-spinner" aria-hidden="true" /> : null}
        <span data-testid="form-progress-text">{text}</span>
        {slow ? (
          <span class="rw-form-slow" data-testid="form-slow">
            {" "}
            The kernel has not answered yet: the tools may be slow, or a cell is still running. The form stays
            locked until it answers, so nothing is sent twice.
          </span>
        ) : null}
      </span>
      {busy !== null && elapsed >= 2000 ? (
        <span class="rw-muted rw-form-elapsed" aria-hidden="true">
          {Math.floor(elapsed / 1000)} s
        </span>
      ) : null}
    </div>
  );
}

interface FieldProps {
  call: ToolCallRequest;
  fieldId: string;
  draft: string;
  isPython: boolean;
  auto: boolean;
  running: boolean;
  /** Empty, and the user was just warned about it. */
  empty: boolean;
  readonly: boolean;
  onRun: () => void;
  onInput: (text: string) => void;
}

function ToolField({ call, fieldId, draft, isPython, auto, running, empty, readonly, onRun, onInput }: FieldProps) {
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
        {call.truncated ? (
          // Cut by the kernel to keep the synced state small: not a fault of the model's JSON.
          <span class="rw-note" data-testid="args-shortened">
            arguments shortened by the kernel; open the step below to see them all
          </span>
        ) : !parsed.ok ? (
          <span class="rw-note rw-note-warn" data-testid="args-invalid">
            arguments are not valid JSON
          </span>
        ) : null}
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
            aria-invalid={empty ? "true" : undefined}
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
