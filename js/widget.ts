// The RunCard front end: an anywidget module (AFM). `initialize` runs once per model and builds the
// card's store (listening for kernel messages from the start); `render` runs once per view.
// The default export is a factory, so every model gets its own closure (and its own store).

import type { AnyModel, Initialize, Render } from "@anywidget/types";
import { type Card, createCard } from "./card";
import type { CardTraits } from "./protocol";
import { mountView } from "./view/mount";

export default function widget(): { initialize: Initialize<CardTraits>; render: Render<CardTraits> } {
  let card: Card | null = null;
  return {
    initialize({ model }) {
      card = createCard(model as AnyModel<CardTraits>);
      return () => {
        card?.dispose();
        card = null;
      };
    },
    render({ model, el }) {
      // Hosts that skip `initialize` still get a card, owned by this view.
      const own = card === null ? createCard(model as AnyModel<CardTraits>) : null;
      const unmount = mountView(el, (own ?? card) as Card);
      return () => {
        unmount();
        own?.dispose();
      };
    },
  };
}
