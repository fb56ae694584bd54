// Live texts: a running step's texts grow through the patches' `appends` (docs/card-protocol.md,
// "Live texts"), past the cap the synced views keep. This file reads and replaces those texts in a
// StepView, by the JSON Pointer an append names, and marks the step objects that carry one.

import type { StepView, ToolCallView } from "./protocol";

type CallField = "arguments" | "input" | "logs";

/** The parts an append may name, and nothing else (no arbitrary pointer is ever followed). */
const PART = /^\/(?:message\/text|tool_calls\/(\d{1,6})\/(arguments|input|logs))$/;

const LIVE_FIELDS: Record<string, readonly CallField[]> = {
  function: ["arguments"],
  code_interpreter: ["input", "logs"],
};

/** The text at `part` in a step view, or null when the view has no such text. */
export function partText(step: StepView, part: string): string | null {
  const match = PART.exec(part);
  if (!match) return null;
  if (match[1] === undefined) return typeof step.message?.text === "string" ? step.message.text : null;
  const call = step.tool_calls?.[Number(match[1])];
  const field = match[2] as CallField;
  if (!call || !LIVE_FIELDS[call.type]?.includes(field)) return null;
  const value = call[field];
  return typeof value === "string" ? value : "";
}

/** A copy of the step with the text at `part` replaced (the step itself when it has no such text). */
export function withPart(step: StepView, part: string, text: string): StepView {
  const match = PART.exec(part);
  if (!match || partText(step, part) === null) return step;
  if (match[1] === undefined) return { ...step, message: { ...step.message!, text } };
  const index = Number(match[1]);
  const calls = step.tool_calls!.slice();
  calls[index] = { ...calls[index], [match[2]]: text } as ToolCallView;
  return { ...step, tool_calls: calls };
}

/** The parts of a step view that can stream: its message text, function arguments, code and logs. */
export function partsOf(step: StepView): string[] {
  const parts: string[] = [];
  if (step.message) parts.push("/message/text");
  step.tool_calls?.forEach((call, i) => {
    for (const field of LIVE_FIELDS[call.type] ?? []) parts.push(`/tool_calls/${i}/${field}`);
  });
  return parts;
}

const LIVE = new WeakSet<StepView>();

/** The step object shows a live text, longer than its synced view's (the store made it). */
export function isLive(step: StepView): boolean {
  return LIVE.has(step);
}

export function markLive(step: StepView): StepView {
  LIVE.add(step);
  return step;
}
