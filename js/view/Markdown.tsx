// Untrusted markdown, rendered sanitized (see ../markdown.ts) into an element Preact leaves alone.
// While the text grows, only its changed blocks are rendered again.

import { useLayoutEffect, useRef } from "preact/hooks";
import { MarkdownView } from "../markdown";

export function Markdown({ text, streaming }: { text: string; streaming?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const view = useRef<MarkdownView | null>(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    view.current ??= new MarkdownView(ref.current);
    view.current.update(text);
  }, [text]);
  return <div ref={ref} class={`rw-md${streaming ? " rw-streaming" : ""}`} data-testid="markdown" />;
}
