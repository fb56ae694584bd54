// Kernel-less pages (`RunCard.to_html()`): the same card, mounted from an inlined state with a
// read-only model. Requests are answered "not connected to a kernel"; controls that need a kernel
// are hidden or disabled because the state carries `readonly: true`.

import type { AnyModel } from "@anywidget/types";
import { createCard } from "./card";
import type { CardTraits } from "./protocol";
import { mountView } from "./view/mount";

type Handler = (...args: unknown[]) => void;

class ReadonlyModel {
  private handlers = new Map<string, Set<Handler>>();
  constructor(private readonly state: Record<string, unknown>) {}
  get(key: string): unknown {
    return this.state[key];
  }
  set(key: string, value: unknown): void {
    this.state[key] = value;
    for (const handler of this.handlers.get(`change:${key}`) ?? []) handler();
  }
  save_changes(): void {}
  send(): void {}
  on(name: string, handler: Handler): void {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)?.add(handler);
  }
  off(name?: string | null, handler?: Handler | null): void {
    if (!name) this.handlers.clear();
    else if (!handler) this.handlers.delete(name);
    else this.handlers.get(name)?.delete(handler);
  }
  widget_manager = {
    get_model(): Promise<never> {
      return Promise.reject(new Error(NO_KERNEL));
    },
  };
}

const NO_KERNEL = "not connected to a kernel";

/** Render a saved card state into `el`, read-only. Returns a function that unmounts it. */
export function mountStatic(el: HTMLElement, state: Partial<CardTraits>): () => void {
  const model = new ReadonlyModel({ ...state, readonly: true }) as unknown as AnyModel<CardTraits>;
  const card = createCard(model);
  const unmount = mountView(el, card);
  return () => {
    unmount();
    card.dispose();
  };
}
