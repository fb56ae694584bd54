// The steps, in order, keyed by id, on a shared time axis.
//
// Built for long runs: rows are grouped in blocks of BLOCK steps, and both blocks and rows are
// memoised. The store replaces only the steps that changed, so a patch re-renders one block and one
// row in it, not a thousand. Collapsed rows are a handful of elements; details mount on expand.
// One click listener on the list serves every row.

import { Component } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Actions } from "../actions";
import { type RunView, runEnd, type StepView, stepEnd } from "../protocol";
import { statusKey, statusLook, stepTypeLook } from "../status";
import type { CardData, CardUi, DetailEntry } from "../store";
import { axisFor, runIsActive } from "../timeline";
import { formatDuration } from "../util/format";
import { memo, shallowEqual } from "./memo";
import { StepAnnouncer } from "./StepAnnouncer";
import { StepBody } from "./StepBody";
import { type StepFacts, StepFactsContext } from "./ToolCall";

const BLOCK = 50;
/** Blocks rendered at once in a long list; the others follow while the browser is idle. */
const EAGER_BLOCKS = 2;
/** The height a collapsed row is given before its block renders (it is about that). */
const ROW_PX = 30;

interface Props {
  run: RunView;
  data: CardData;
  ui: CardUi;
  actions: Actions;
  now: number;
  uid: string;
}

/**
 * Steps that were open by default and stay open once a newer step takes over the default: the reader
 * keeps what they were reading. Only the latest few are kept, so a long live run does not end up
 * with hundreds of open messages.
 */
const KEEP_OPEN = 20;

/** The steps open by default: the latest message (so streaming text shows) and the failing step. */
function defaultOpen(steps: readonly StepView[], run: RunView): string {
  let message = "";
  for (let i = steps.length - 1; i >= 0; i--) {
    if (steps[i].type === "message_creation") {
      message = steps[i].id;
      break;
    }
  }
  return `${message}\n${run.failed_step_id ?? ""}`;
}

/** Slices of `steps`, reusing last render's slice arrays when their contents did not change. */
function useBlocks(steps: readonly StepView[]): (readonly StepView[])[] {
  const previous = useRef<(readonly StepView[])[]>([]);
  const blocks: (readonly StepView[])[] = [];
  for (let start = 0, b = 0; start < steps.length; start += BLOCK, b++) {
    const end = Math.min(start + BLOCK, steps.length);
    const old = previous.current[b];
    let same = old !== undefined && old.length === end - start;
    for (let i = start; same && i < end; i++) same = old[i - start] === steps[i];
    blocks.push(same ? old : steps.slice(start, end));
  }
  previous.current = blocks;
  return blocks;
}

/**
 * How many leading blocks are rendered. A long list shows its first blocks at once, and one more each
 * time the browser is idle, so a 1,000-step run paints quickly and the page stays responsive.
 */
function useRenderedBlocks(count: number): number {
  const [rendered, setRendered] = useState(count > 2 * EAGER_BLOCKS ? EAGER_BLOCKS : Number.MAX_SAFE_INTEGER);
  useEffect(() => {
    if (rendered >= count) return undefined;
    if (typeof requestIdleCallback === "function") {
      const handle = requestIdleCallback(() => setRendered((n) => n + 1), { timeout: 50 });
      return () => cancelIdleCallback(handle);
    }
    const timer = setTimeout(() => setRendered((n) => n + 1), 0);
    return () => clearTimeout(timer);
  }, [rendered, count]);
  return rendered;
}

/** Blocks holding an open step: rendered whatever their turn (a link may open a step far down). */
function blocksWithOpenSteps(steps: readonly StepView[], expanded: CardUi["expanded"], opened: string): Set<number> {
  const ids = new Set(opened.split("\n").filter(Boolean));
  for (const [id, open] of expanded) if (open) ids.add(id);
  const blocks = new Set<number>();
  if (!ids.size) return blocks;
  for (let i = 0; i < steps.length; i++) if (ids.has(steps[i].id)) blocks.add(Math.floor(i / BLOCK));
  return blocks;
}

/**
 * Record in `ui.expanded` the steps that leave the default-open set without the user having chosen
 * (a newer message started): they stay open. Runs before paint, so they never flicker shut.
 */
function useKeptOpen(opened: string, expanded: CardUi["expanded"], actions: Actions): { userChose(id: string): void } {
  const last = useRef(opened);
  const kept = useRef<string[]>([]);
  useLayoutEffect(() => {
    const before = last.current;
    last.current = opened;
    if (before === opened) return;
    const still = new Set(opened.split("\n"));
    for (const id of before.split("\n")) {
      if (!id || still.has(id) || expanded.has(id)) continue;
      actions.setOpen(id, true);
      kept.current.push(id);
    }
    while (kept.current.length > KEEP_OPEN) {
      const oldest = kept.current.shift() as string;
      actions.setOpen(oldest, false);
    }
  }, [opened]);
  return {
    userChose(id: string): void {
      kept.current = kept.current.filter((k) => k !== id);
    },
  };
}

export function Steps({ run, data, ui, actions, now, uid }: Props) {
  const { steps } = data;
  const axis = axisFor(run, steps, now);
  const blocks = useBlocks(steps);
  const active = runIsActive(run);
  const stoppedAt = active ? null : (runEnd(run) ?? null);
  const pending = run.status === "requires_action" ? (run.required_action ?? []).map((c) => c.id).join("\n") : "";
  const opened = defaultOpen(steps, run);
  const kept = useKeptOpen(opened, ui.expanded, actions);
  const rendered = useRenderedBlocks(blocks.length);
  const forced = rendered < blocks.length ? blocksWithOpenSteps(steps, ui.expanded, opened) : null;
  const many = steps.length > 40;
  const wrap = useRef<HTMLDivElement>(null);
  // A long list scrolls inside the card. Someone reading at its end keeps seeing the newest steps;
  // anyone scrolled elsewhere stays where they are.
  const atEnd = useRef(false);
  const lastTop = useRef(0);
  const onScroll = (): void => {
    const el = wrap.current;
    if (!el) return;
    // Near the end (rows off screen have estimated heights until shown) means "follow"; only
    // scrolling up stops following, not rows growing as they come into view.
    const near = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (near) atEnd.current = true;
    else if (el.scrollTop < lastTop.current) atEnd.current = false;
    lastTop.current = el.scrollTop;
  };
  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el || !many || !atEnd.current) return undefined;
    el.scrollTop = el.scrollHeight;
    // Rows scrolled into view take their real height only now (content-visibility): go again.
    const frame = requestAnimationFrame(() => {
      el.scrollTop = el.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [steps.length, many]);
  const onClick = (event: MouseEvent): void => {
    const head = (event.target as HTMLElement).closest?.(".rw-step-head");
    const row = head?.parentElement;
    if (!head || !row?.dataset.stepId || !(event.currentTarget as HTMLElement).contains(head)) return;
    kept.userChose(row.dataset.stepId);
    actions.setOpen(row.dataset.stepId, head.getAttribute("aria-expanded") !== "true");
  };
  return (
    <div ref={wrap} class={`rw-steps-wrap${many ? " rw-steps-many" : ""}`} onScroll={many ? onScroll : undefined}>
      {data.readonly ? null : <StepAnnouncer steps={steps} />}
      <div class="rw-steps-head">
        <span class="rw-steps-label">
          Steps <span class="rw-count">{steps.length}</span>
        </span>
        {axis.start !== null && steps.length ? (
          <span class="rw-axis" aria-hidden="true">
            <span>0 s</span>
            <span>{formatDuration(axis.span)}</span>
          </span>
        ) : null}
      </div>
      {steps.length === 0 ? (
        <div class="rw-empty" data-testid="no-steps">
          {active ? "Waiting for the first step…" : "No steps."}
        </div>
      ) : (
        <ol class="rw-steps" style={{ "--rw-span": String(axis.span) }} data-testid="steps" onClick={onClick}>
          {blocks.map((block, b) =>
            b >= rendered && !forced?.has(b) ? (
              <li key={b} class="rw-step-placeholder" aria-hidden="true" style={`height:${block.length * ROW_PX}px`} />
            ) : (
              <StepBlock
                key={b}
                steps={block}
                expanded={ui.expanded}
                details={ui.details}
                opened={opened}
                pending={pending}
                start={axis.start}
                // Only blocks with a step still running need the clock.
                now={active && block.some((s) => stepEnd(s) === null) ? now : 0}
                stoppedAt={stoppedAt}
                active={active}
                readonly={data.readonly}
                textCap={data.caps.text}
                jsonCap={data.caps.json}
                actions={actions}
                uid={uid}
              />
            ),
          )}
        </ol>
      )}
    </div>
  );
}

interface BlockProps {
  steps: readonly StepView[];
  expanded: CardUi["expanded"];
  details: CardUi["details"];
  opened: string;
  pending: string;
  start: number | null;
  now: number;
  stoppedAt: number | null;
  active: boolean;
  readonly: boolean;
  textCap: number;
  jsonCap: number;
  actions: Actions;
  uid: string;
}

const StepBlock = memo(function StepBlock(props: BlockProps) {
  const { steps, expanded, details, opened, pending, start, now, stoppedAt } = props;
  const defaults = opened.split("\n");
  const pendingIds = pending ? pending.split("\n") : [];
  return (
    <>
      {steps.map((step) => {
        const open = expanded.get(step.id) ?? defaults.includes(step.id);
        let end = stepEnd(step);
        if (end === null && typeof step.created_at === "number") {
          // Still running: up to now; left open by a run that stopped: up to the run's end.
          end = Math.max(step.created_at, now || stoppedAt || step.created_at);
        }
        return (
          <StepRow
            key={step.id}
            step={step}
            open={open}
            start={start}
            end={end}
            detail={open ? details.get(step.id) : undefined}
            pending={open && pendingIds.length > 0 && step.tool_calls?.some((c) => pendingIds.includes(c.id)) === true}
            readonly={props.readonly}
            textCap={props.textCap}
            jsonCap={props.jsonCap}
            live={props.active}
            actions={props.actions}
            uid={props.uid}
          />
        );
      })}
    </>
  );
});

interface RowProps {
  step: StepView;
  open: boolean;
  start: number | null;
  end: number | null;
  detail: DetailEntry | undefined;
  pending: boolean;
  readonly: boolean;
  textCap: number;
  jsonCap: number;
  /** The run has not stopped (a step left "in progress" by a stopped run is not arriving any more). */
  live: boolean;
  actions: Actions;
  uid: string;
}

function fallbackTitle(step: StepView): string {
  if (step.message) return step.message.text.slice(0, 100).replace(/\s+/g, " ").trim() || "(empty message)";
  if (step.tool_calls?.length) {
    return step.tool_calls.map((c) => (c.type === "function" ? `${c.name ?? "?"}(…)` : c.type.replace(/_/g, " "))).join(", ");
  }
  return step.type.replace(/_/g, " ");
}

/** What the calls in an open step need to know: is what they show cut, or still arriving? */
function stepFacts(step: StepView, detail: DetailEntry | undefined, cap: number, live: boolean): StepFacts {
  const full = detail?.state === "ready" && detail.base === step ? detail.full : null;
  const running = live && stepEnd(step) === null && step.status === "in_progress";
  return { cut: (full ?? step).truncated === true, cap, running };
}

/** One step: a lean collapsed row (a button), and its details once opened. */
class StepRow extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps): boolean {
    return !shallowEqual(this.props as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>);
  }

  render({ step, open, start, end, detail, pending, readonly, textCap, jsonCap, live, actions, uid }: RowProps) {
    const type = stepTypeLook(step.type, step.tool_calls?.[0]?.type);
    const look = statusLook(step.status);
    const bodyId = `${uid}-step-${step.id.replace(/[^\w-]/g, "_")}`;
    const created = typeof step.created_at === "number" ? step.created_at : null;
    const offset = start !== null && created !== null ? created - start : null;
    const length = created !== null && end !== null ? Math.max(0, end - created) : null;
    return (
      <li class="rw-step" data-step-id={step.id} data-status={statusKey(step.status)} data-type={step.type}>
        <button type="button" class="rw-step-head" aria-expanded={open} aria-controls={open ? bodyId : undefined}>
          <span class={`rw-i rw-i-${type.icon} rw-type`} role="img" aria-label={type.word} />
          <span class={`rw-i rw-i-${look.icon} rw-step-status`} role="img" aria-label={look.word} title={look.word} />
          <span class="rw-step-title">{step.title || fallbackTitle(step)}</span>
          <span class="rw-track">
            {offset !== null && length !== null ? (
              <span class="rw-bar" style={`--rw-s:${offset};--rw-d:${length}`} />
            ) : null}
          </span>
          <span class="rw-step-dur">{length !== null && (length > 0 || stepEnd(step) !== null) ? formatDuration(length) : ""}</span>
        </button>
        {open ? (
          <StepFactsContext.Provider value={stepFacts(step, detail, jsonCap, live)}>
            <StepBody
              id={bodyId}
              step={step}
              detail={detail}
              pending={pending}
              readonly={readonly}
              textCap={textCap}
              actions={actions}
            />
          </StepFactsContext.Provider>
        ) : null}
      </li>
    );
  }
}
