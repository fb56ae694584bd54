// Mount a card view into an element: render from the store, re-render (once per tick of the
// microtask queue) when it changes, and tear everything down on unmount.

import { render } from "preact";
import type { Card as CardModel } from "../card";
import { loadRemoteImage } from "../markdown";
import { Card } from "./Card";

let views = 0;

export function mountView(el: HTMLElement, card: CardModel): () => void {
  views += 1;
  const uid = `rw${views}`;
  let alive = true;
  el.classList.add("rw-root");
  let scheduled = false;
  const draw = (): void => {
    scheduled = false;
    if (alive) render(<Card state={card.store.state} actions={card.actions} uid={uid} />, el);
  };
  const unsubscribe = card.store.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(draw);
  });
  // Remote images inside rendered markdown load only when their button is clicked.
  const onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement | null;
    const button = target?.closest?.(".rw-md .rw-remote-img");
    if (button instanceof HTMLElement && el.contains(button)) loadRemoteImage(button);
  };
  el.addEventListener("click", onClick);
  draw();
  return () => {
    alive = false;
    unsubscribe();
    el.removeEventListener("click", onClick);
    render(null, el);
    el.classList.remove("rw-root");
  };
}
