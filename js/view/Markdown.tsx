// Untrusted markdown, rendered by `renderMarkdown` (sanitized) into an element Preact leaves alone.

import { useLayoutEffect, useRef } from "preact/hooks";
import { renderMarkdown } from "../markdown";

export function Markdown({ text, streaming }: { text: string; streaming?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    ref.current?.replaceChildren(renderMarkdown(text));
  }, [text]);
  return <div ref={ref} class={`rw-md${streaming ? " rw-streaming" : ""}`} data-testid="markdown" />;
}
