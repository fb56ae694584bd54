// What the user can do on a card, as methods the views call: open steps, type and submit tool
// outputs, run Python tools, cancel, fetch full details, copy and export JSON. Requests go through
// `Requests` (ids + acks + timeout); their outcome lands in the store's view state.

import type { Ack, StepView, ToolCallRequest } from "./protocol";
import { type Requests, UNTIL_ANSWERED } from "./requests";
import type { CardStore, DetailEntry, FormState } from "./store";
import { isLive } from "./live";
import { stepEnd } from "./protocol";
import { copyText, downloadText, safeName } from "./util/clipboard";

export type CopyResult = { ok: true; note?: string } | { ok: false; error: string };

export class Actions {
  constructor(
    private readonly store: CardStore,
    private readonly requests: Requests,
  ) {}

  // --- steps -------------------------------------------------------------------------------------

  setOpen(stepId: string, open: boolean): void {
    this.store.updateUi((ui) => {
      const expanded = new Map(ui.expanded);
      expanded.set(stepId, open);
      return { expanded };
    });
  }

  /** Fetch the uncapped step when the capped one is shown and a newer full version may exist. */
  ensureDetail(step: StepView): void {
    if (!step.truncated) return;
    // A running step whose texts stream in as appends shows them whole: its end fetches the rest.
    if (isLive(step) && stepEnd(step) === null) return;
    const entry = this.store.state.ui.details.get(step.id);
    if (entry) {
      if (entry.base === step || entry.state === "loading") return;
      // The step changed since: fetch again once it has stopped changing.
      if (stepEnd(step) === null) return;
    }
    void this.fetchDetail(step);
  }

  async fetchDetail(step: StepView): Promise<void> {
    this.setDetail(step.id, { state: "loading", base: step });
    const ack = await this.requests.send("detail", { step_id: step.id });
    if (ack.ok && ack.step && typeof ack.step === "object") {
      this.setDetail(step.id, { state: "ready", base: step, full: ack.step });
      // Still running: its live texts go on from this full step (no second fetch on the next append).
      if (stepEnd(ack.step) === null) this.store.takeLiveBase(step.id, ack.step);
    } else {
      this.setDetail(step.id, { state: "error", base: step, error: ack.error ?? "the kernel sent no step" });
    }
  }

  private setDetail(stepId: string, entry: DetailEntry): void {
    this.store.updateUi((ui) => {
      const details = new Map(ui.details);
      details.set(stepId, entry);
      return { details };
    });
  }

  // --- the tool-output form ------------------------------------------------------------------------

  setDraft(toolCallId: string, text: string): void {
    this.store.updateUi((ui) => {
      const drafts = new Map(ui.drafts);
      drafts.set(toolCallId, text);
      return { drafts };
    });
  }

  /**
   * The calls whose output would be sent empty (blank or only spaces), leaving out those the kernel's
   * Python tools will answer. The form asks before sending these.
   */
  emptyOutputs(calls: readonly ToolCallRequest[], answeredByTools: readonly string[] = []): ToolCallRequest[] {
    const drafts = this.store.state.ui.drafts;
    return calls.filter((call) => !answeredByTools.includes(call.id) && (drafts.get(call.id) ?? "").trim() === "");
  }

  /** The form's request in flight: when it was sent (ms since the epoch) and whether it submits. */
  formRequest: { since: number; submits: boolean } | null = null;

  // Submissions wait for their ack however long it takes: the kernel may be busy (a cell running)
  // or running slow Python tools, and still submit afterwards. Unlocking the form on a time-out would
  // invite a second submission; a late outcome is shown when it comes.

  async submitAll(calls: readonly ToolCallRequest[]): Promise<boolean> {
    if (this.store.state.ui.form.busy) return false;
    const drafts = this.store.state.ui.drafts;
    const outputs = calls.map((call) => ({ tool_call_id: call.id, output: drafts.get(call.id) ?? "" }));
    this.setForm({ busy: "submit", error: null }, true);
    const ack = await this.requests.send("submit_tool_outputs", { outputs }, UNTIL_ANSWERED);
    this.finishForm(ack, calls.map((c) => c.id));
    return ack.ok;
  }

  /** Run the kernel's Python tools for these calls; with `submit`, submit everything together. */
  async runTools(toolCallIds: readonly string[], submit: boolean, allCalls: readonly ToolCallRequest[]): Promise<boolean> {
    if (this.store.state.ui.form.busy) return false;
    const drafts: Record<string, string> = {};
    for (const call of allCalls) {
      if (!toolCallIds.includes(call.id)) drafts[call.id] = this.store.state.ui.drafts.get(call.id) ?? "";
    }
    this.setForm({ busy: "run_tools", error: null, running: [...toolCallIds] }, submit);
    const ack = await this.requests.send(
      "run_tools",
      { tool_call_ids: [...toolCallIds], submit, drafts },
      UNTIL_ANSWERED,
    );
    if (ack.outputs && typeof ack.outputs === "object") {
      // Show what the tools returned in their fields, whether or not the submit went through.
      for (const [id, output] of Object.entries(ack.outputs)) {
        if (typeof output === "string") this.setDraft(id, output);
      }
    }
    this.finishForm(ack, submit ? allCalls.map((c) => c.id) : []);
    return ack.ok;
  }

  private setForm(change: Partial<FormState>, submits: boolean): void {
    this.formRequest = { since: Date.now(), submits };
    this.store.updateUi((ui) => ({ form: { ...ui.form, running: [], ...change } }));
  }

  private finishForm(ack: Ack, submittedIds: readonly string[]): void {
    this.formRequest = null;
    this.store.updateUi((ui) => {
      let drafts = ui.drafts;
      if (ack.ok && submittedIds.length) {
        const kept = new Map(ui.drafts);
        for (const id of submittedIds) kept.delete(id);
        drafts = kept;
      }
      return { drafts, form: { busy: null, running: [], error: ack.ok ? null : describe(ack) } };
    });
  }

  // --- the run -------------------------------------------------------------------------------------

  async cancel(): Promise<void> {
    if (this.store.state.ui.cancel.busy) return;
    this.store.updateUi(() => ({ cancel: { busy: true, error: null } }));
    const ack = await this.requests.send("cancel");
    this.store.updateUi(() => ({ cancel: { busy: false, error: ack.ok ? null : describe(ack) } }));
  }

  /** The run (or one step) as pretty JSON: the kernel's full export, else the card's own state. */
  async json(stepId?: string): Promise<{ text: string; fromState: boolean; error?: string }> {
    const ack = await this.requests.send("export", stepId ? { step_id: stepId } : {});
    if (ack.ok && typeof ack.json === "string") return { text: ack.json, fromState: false };
    const { run, steps } = this.store.state.data;
    const value = stepId ? (steps.find((s) => s.id === stepId) ?? null) : { run, steps };
    return { text: JSON.stringify(value, null, 2), fromState: true, error: describe(ack) };
  }

  async exportRun(): Promise<CopyResult> {
    const runId = this.store.state.data.run?.id ?? "run";
    const { text, fromState, error } = await this.json();
    const base = safeName(runId);
    downloadText(`${base.startsWith("run_") ? base : `run_${base}`}.json`, text);
    return { ok: true, note: fromState ? `saved the card's capped state (${error})` : undefined };
  }

  async copyJson(stepId?: string): Promise<CopyResult> {
    const { text, fromState, error } = await this.json(stepId);
    const ok = await copyText(text);
    if (!ok) return { ok: false, error: "the browser refused to copy" };
    return { ok: true, note: fromState ? `copied the card's capped state (${error})` : undefined };
  }

  async copy(text: string): Promise<CopyResult> {
    return (await copyText(text)) ? { ok: true } : { ok: false, error: "the browser refused to copy" };
  }
}

function describe(ack: Ack): string {
  return (ack.error ?? "").trim() || "the kernel refused the request";
}
