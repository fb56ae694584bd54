// The model-level store: the card's data (folded from traits, patches and snapshots) and the view
// state that must survive a re-render (open steps, drafts, fetched details, requests in flight).
// One store per model, made in `initialize`; views render from it. Updates replace only what changed,
// so rows can be memoised by reference.
//
// Live texts: a running step's texts grow by the patches' `appends`, past the cap of the synced views.
// The store keeps them per step and part, and shows them in place of the view's text for as long as
// they extend it (a later view, trait checkpoint or snapshot of that step keeps them). An append that
// starts past the text the store has (a page opened mid-stream, a resync) fetches the step once with
// `detail` and goes on from its full text.

import type {
  Caps,
  CardTraits,
  NoticeView,
  PatchMessage,
  RunView,
  SnapshotMessage,
  StepView,
  TextAppend,
} from "./protocol";
import { markLive, partsOf, partText, withPart } from "./live";
import { sameJson } from "./util/equal";

export interface CardData {
  seq: number;
  run: RunView | null;
  steps: readonly StepView[];
  following: boolean;
  notice: NoticeView | null;
  pythonTools: readonly string[];
  autoTools: boolean;
  caps: Caps;
  readonly: boolean;
}

/** A full step fetched with a `detail` request, and the capped step it was fetched for. */
export type DetailEntry =
  | { state: "loading"; base: StepView }
  | { state: "ready"; base: StepView; full: StepView }
  | { state: "error"; base: StepView; error: string };

export type Busy = null | "submit" | "run_tools";

export interface FormState {
  busy: Busy;
  error: string | null;
  /** Tool call ids whose output the kernel is computing (a `run_tools` request in flight). */
  running: readonly string[];
}

export interface CardUi {
  /** Step id → explicitly opened (true) or closed (false); absent means "the default". */
  expanded: ReadonlyMap<string, boolean>;
  details: ReadonlyMap<string, DetailEntry>;
  /** What the user typed per tool call id. Never synced: it lives here until submitted. */
  drafts: ReadonlyMap<string, string>;
  form: FormState;
  cancel: { busy: boolean; error: string | null };
}

export interface CardState {
  data: CardData;
  ui: CardUi;
}

type Listener = () => void;

const DEFAULT_CAPS: Caps = { text: 4000, json: 4000 }; // the kernel's (used only if `caps` is missing)

export class CardStore {
  state: CardState;
  private listeners = new Set<Listener>();
  private resyncWanted = false;
  /** Called when the store finds a gap in the patches and needs a `snapshot`. */
  onResync: () => void = () => {};
  /** Called when an append starts past a step's live text: fetch the step, then `takeLiveBase`. */
  onLiveGap: (stepId: string) => void = () => {};
  /** Step id → part → live text (longer than the view's, which it extends). */
  private live = new Map<string, Map<string, string>>();
  /** Steps whose full text was asked for after a gap; their appends wait for it. */
  private liveWaiting = new Set<string>();
  /** Steps whose full text could not be had: they show their synced (capped) view. */
  private liveLost = new Set<string>();

  constructor(traits: Partial<CardTraits>) {
    this.state = {
      data: {
        seq: 0,
        run: null,
        steps: [],
        following: false,
        notice: null,
        pythonTools: [],
        autoTools: false,
        caps: DEFAULT_CAPS,
        readonly: false,
      },
      ui: {
        expanded: new Map(),
        details: new Map(),
        drafts: new Map(),
        form: { busy: null, error: null, running: [] },
        cancel: { busy: false, error: null },
      },
    };
    this.state.data = this.foldTraits(this.state.data, traits, true);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private setData(data: CardData): void {
    if (data === this.state.data) return;
    this.state = { ...this.state, data };
    this.emit();
  }

  updateUi(change: (ui: CardUi) => Partial<CardUi>): void {
    this.state = { ...this.state, ui: { ...this.state.ui, ...change(this.state.ui) } };
    this.emit();
  }

  // --- from the kernel ------------------------------------------------------------------------

  /** The traits changed (a checkpoint, or the first state): take them if they are not older. */
  takeTraits(traits: Partial<CardTraits>): void {
    this.setData(this.foldTraits(this.state.data, traits, false));
  }

  private foldTraits(data: CardData, traits: Partial<CardTraits>, first: boolean): CardData {
    const next: CardData = {
      ...data,
      following: traits.following ?? data.following,
      notice: traits.notice !== undefined ? traits.notice : data.notice,
      pythonTools: traits.python_tools ?? data.pythonTools,
      autoTools: traits.auto_tools ?? data.autoTools,
      caps: traits.caps ?? data.caps,
      readonly: traits.readonly ?? data.readonly,
    };
    const seq = traits.seq ?? 0;
    if (first || seq >= data.seq) {
      next.seq = seq;
      next.run = reuse(data.run, traits.run ?? null);
      next.steps = mergeSteps(data.steps, this.withLive(traits.steps ?? []));
    }
    return unchanged(data, next) ? data : next;
  }

  /** A `patch` message: folded in when it is the next one; a gap asks for a snapshot. */
  applyPatch(patch: PatchMessage): void {
    const data = this.state.data;
    if (patch.seq <= data.seq) return; // already folded (e.g. a checkpoint overtook it)
    if (patch.seq !== data.seq + 1) {
      this.requestResync();
      return;
    }
    let steps = data.steps;
    const changed = patch.steps?.length ? this.withLive(patch.steps) : [];
    if (patch.order) {
      const byId = new Map(steps.map((s) => [s.id, s]));
      for (const step of changed) byId.set(step.id, step);
      steps = patch.order.map((id) => byId.get(id)).filter((s): s is StepView => s !== undefined);
    } else if (changed.length) {
      // A step or two changed: replace them in place, by index.
      const index = this.indexOf(steps);
      const next = steps.slice();
      for (const step of changed) {
        const at = index.get(step.id);
        if (at === undefined) next.push(step);
        else next[at] = step;
      }
      // Same ids in the same places: the index still holds for the new array.
      if (next.length === steps.length) this.index.steps = next;
      steps = next;
    }
    if (Array.isArray(patch.appends) && patch.appends.length) steps = this.applyAppends(steps, patch.appends);
    this.setData({
      ...data,
      seq: patch.seq,
      run: patch.run !== undefined ? patch.run : data.run,
      steps,
    });
  }

  /** Step id → position, kept while the order stays the same. */
  private index: { steps: readonly StepView[] | null; ids: string[]; at: Map<string, number> } = {
    steps: null,
    ids: [],
    at: new Map(),
  };

  private indexOf(steps: readonly StepView[]): Map<string, number> {
    const cache = this.index;
    if (cache.steps === steps) return cache.at;
    let same = cache.ids.length === steps.length;
    for (let i = 0; same && i < steps.length; i++) same = cache.ids[i] === steps[i].id;
    if (!same) {
      cache.ids = steps.map((s) => s.id);
      cache.at = new Map(cache.ids.map((id, i) => [id, i]));
    }
    cache.steps = steps;
    return cache.at;
  }

  /** The answer to `resync`: the whole state at `seq`. */
  applySnapshot(snapshot: SnapshotMessage): void {
    this.resyncWanted = false;
    const data = this.state.data;
    if (snapshot.seq < data.seq) return;
    this.setData({
      ...data,
      seq: snapshot.seq,
      run: reuse(data.run, snapshot.run),
      steps: mergeSteps(data.steps, this.withLive(snapshot.steps)),
      following: snapshot.following ?? data.following,
      notice: snapshot.notice !== undefined ? snapshot.notice : data.notice,
    });
  }

  // --- live texts ------------------------------------------------------------------------------

  /** Steps from the kernel (capped views), each showing the live texts that extend its own. */
  private withLive(steps: readonly StepView[]): readonly StepView[] {
    if (!this.live.size) return steps;
    return steps.map((step) => this.shown(step));
  }

  private shown(step: StepView): StepView {
    const parts = this.live.get(step.id);
    if (!parts) return step;
    let out = step;
    for (const [part, text] of parts) {
      const base = partText(step, part);
      // Gone, rewritten, or the view holds all of it now: the view is the truth.
      if (base === null || text.length <= base.length || !text.startsWith(base)) parts.delete(part);
      else out = withPart(out, part, text);
    }
    if (!parts.size) this.live.delete(step.id);
    return out === step ? step : markLive(out);
  }

  /** A patch's appends, on the steps it left (the kernel sends them after the steps and order). */
  private applyAppends(steps: readonly StepView[], appends: readonly TextAppend[]): readonly StepView[] {
    const index = this.indexOf(steps);
    let next: StepView[] | null = null;
    for (const append of appends) {
      if (!append || typeof append.text !== "string" || typeof append.at !== "number" || append.at < 0) continue;
      const id = append.step_id;
      const at = index.get(id);
      if (at === undefined || this.liveWaiting.has(id) || this.liveLost.has(id)) continue;
      const step = (next ?? steps)[at];
      const current = partText(step, append.part);
      if (current === null) continue;
      if (append.at > current.length) {
        this.liveGap(id); // characters are missing in between: start again from the full step
        continue;
      }
      const text = current.slice(0, append.at) + append.text;
      this.setLive(id, append.part, text);
      next ??= steps.slice();
      next[at] = markLive(withPart(step, append.part, text));
    }
    if (!next) return steps;
    this.index.steps = next; // same ids in the same places
    return next;
  }

  private setLive(stepId: string, part: string, text: string): void {
    let parts = this.live.get(stepId);
    if (!parts) this.live.set(stepId, (parts = new Map()));
    parts.set(part, text);
  }

  private liveGap(stepId: string): void {
    if (this.liveWaiting.has(stepId)) return;
    this.liveWaiting.add(stepId);
    this.onLiveGap(stepId);
  }

  /** The answer to the `detail` a gap asked for: the step's full texts become its live texts. */
  takeLiveBase(stepId: string, full: StepView | null): void {
    this.liveWaiting.delete(stepId);
    if (!full || full.truncated) {
      this.liveLost.add(stepId); // even the full step was cut: the view (and `detail` on expand) it is
      return;
    }
    const data = this.state.data;
    const at = this.indexOf(data.steps).get(stepId);
    if (at === undefined) return;
    const step = data.steps[at];
    let shown = step;
    for (const part of partsOf(full)) {
      const text = partText(full, part);
      const current = partText(step, part);
      if (text === null || current === null || text.length <= current.length) continue;
      this.setLive(stepId, part, text);
      shown = withPart(shown, part, text);
    }
    if (shown === step) return;
    const steps = data.steps.slice();
    steps[at] = markLive(shown);
    this.index.steps = steps;
    this.setData({ ...data, steps });
  }

  private requestResync(): void {
    if (this.resyncWanted) return;
    this.resyncWanted = true;
    this.onResync();
  }

  /** Allow another resync (its request failed or timed out). */
  resyncFailed(): void {
    this.resyncWanted = false;
  }
}

/** Keep the old object when the new one holds the same JSON, so memoised views skip it. */
function reuse<T>(old: T, next: T): T {
  return old !== null && next !== null && sameJson(old, next) ? old : next;
}

function mergeSteps(old: readonly StepView[], next: readonly StepView[]): readonly StepView[] {
  if (!old.length) return next;
  const byId = new Map(old.map((s) => [s.id, s]));
  let same = old.length === next.length;
  const merged = next.map((step, i) => {
    const kept = reuse(byId.get(step.id) ?? null, step) ?? step;
    if (kept !== old[i]) same = false;
    return kept;
  });
  return same ? old : merged;
}

function unchanged(a: CardData, b: CardData): boolean {
  return (
    a.seq === b.seq &&
    a.run === b.run &&
    a.steps === b.steps &&
    a.following === b.following &&
    sameJson(a.notice, b.notice) &&
    sameJson(a.pythonTools, b.pythonTools) &&
    a.autoTools === b.autoTools &&
    sameJson(a.caps, b.caps) &&
    a.readonly === b.readonly
  );
}
