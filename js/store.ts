// The model-level store: the card's data (folded from traits, patches and snapshots) and the view
// state that must survive a re-render (open steps, drafts, fetched details, requests in flight).
// One store per model, made in `initialize`; views render from it. Updates replace only what changed,
// so rows can be memoised by reference.

import type {
  Caps,
  CardTraits,
  NoticeView,
  PatchMessage,
  RunView,
  SnapshotMessage,
  StepView,
} from "./protocol";
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
      next.steps = mergeSteps(data.steps, traits.steps ?? []);
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
    if (patch.order) {
      const byId = new Map(steps.map((s) => [s.id, s]));
      for (const step of patch.steps ?? []) byId.set(step.id, step);
      steps = patch.order.map((id) => byId.get(id)).filter((s): s is StepView => s !== undefined);
    } else if (patch.steps?.length) {
      // The common case (a delta): replace a step or two in place, by index.
      const index = this.indexOf(steps);
      const next = steps.slice();
      for (const step of patch.steps) {
        const at = index.get(step.id);
        if (at === undefined) next.push(step);
        else next[at] = step;
      }
      // Same ids in the same places: the index still holds for the new array.
      if (next.length === steps.length) this.index.steps = next;
      steps = next;
    }
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
      steps: mergeSteps(data.steps, snapshot.steps),
      following: snapshot.following ?? data.following,
      notice: snapshot.notice !== undefined ? snapshot.notice : data.notice,
    });
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
