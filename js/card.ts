// One card per model: the store, the request channel and the actions, wired to the model's traits
// and custom messages. Made in `initialize` (so no kernel message is missed before a view exists)
// and shared by every view of the model.

import type { AnyModel } from "@anywidget/types";
import { Actions } from "./actions";
import type { CardTraits, KernelMessage } from "./protocol";
import { Requests } from "./requests";
import { CardStore } from "./store";

export const TRAITS = [
  "protocol",
  "seq",
  "run",
  "steps",
  "following",
  "notice",
  "python_tools",
  "auto_tools",
  "caps",
  "readonly",
] as const;

export interface Card {
  store: CardStore;
  actions: Actions;
  dispose(): void;
}

function readTraits(model: AnyModel<CardTraits>): Partial<CardTraits> {
  const traits: Record<string, unknown> = {};
  for (const key of TRAITS) traits[key] = model.get(key);
  return traits as Partial<CardTraits>;
}

export function createCard(model: AnyModel<CardTraits>, options: { timeoutMs?: number } = {}): Card {
  const store = new CardStore(readTraits(model));
  const requests = new Requests(model, options.timeoutMs);
  const actions = new Actions(store, requests);

  store.onResync = () => {
    void requests.send("resync").then((ack) => {
      if (!ack.ok) store.resyncFailed();
    });
  };
  store.onLiveGap = (stepId) => {
    void requests.send("detail", { step_id: stepId }).then((ack) => {
      store.takeLiveBase(stepId, ack.ok && ack.step && typeof ack.step === "object" ? ack.step : null);
    });
  };

  // Several traits change together (one `update` message fires several `change:` events): fold
  // them once, after the last one.
  let traitsPending = false;
  const flushTraits = (): void => {
    if (!traitsPending) return;
    traitsPending = false;
    store.takeTraits(readTraits(model));
  };
  const onTraitChange = (): void => {
    if (traitsPending) return;
    traitsPending = true;
    queueMicrotask(flushTraits);
  };

  const onMessage = (msg: unknown): void => {
    if (!msg || typeof msg !== "object") return;
    const message = msg as KernelMessage;
    switch (message.type) {
      case "patch":
        flushTraits();
        store.applyPatch(message);
        break;
      case "snapshot":
        flushTraits();
        store.applySnapshot(message);
        break;
      case "ack":
        if (typeof message.req_id === "string") requests.settle(message);
        break;
      default:
        break; // messages of a later protocol version: ignore rather than fail
    }
  };

  model.on("msg:custom", onMessage);
  for (const key of TRAITS) model.on(`change:${key}`, onTraitChange);

  return {
    store,
    actions,
    dispose() {
      model.off("msg:custom", onMessage);
      for (const key of TRAITS) model.off(`change:${key}`, onTraitChange);
      requests.dispose();
    },
  };
}
