// Placeholder card module: the RunCard front end replaces this (see docs/card-protocol.md).
import type { RenderProps } from "@anywidget/types";

interface CardModel {
  run: { id?: string; status?: string };
}

function render({ model, el }: RenderProps<CardModel>): () => void {
  const badge = document.createElement("span");
  badge.className = "rw-badge";
  const update = (): void => {
    const run = model.get("run") ?? {};
    badge.dataset.status = run.status ?? "unknown";
    badge.textContent = `${run.id ?? "run"}: ${run.status ?? "unknown"}`;
  };
  update();
  model.on("change:run", update);
  el.appendChild(badge);
  return () => model.off("change:run", update);
}

export default { render };
