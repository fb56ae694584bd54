// A button that copies something (an id, a step's JSON) and says whether it worked.

import type { CopyResult } from "../actions";
import { useFlash } from "./hooks";

interface Props {
  label: string;
  copy: () => Promise<CopyResult>;
  /** Visible text next to the icon (icon only when absent). */
  text?: string;
  testid?: string;
}

export function CopyButton({ label, copy, text, testid }: Props) {
  const [flash, setFlash] = useFlash();
  const onClick = async (): Promise<void> => {
    const result = await copy();
    setFlash(result.ok ? (result.note ? `Copied: ${result.note}` : "Copied") : `Copy failed: ${result.error}`);
  };
  const ok = flash?.startsWith("Copied");
  return (
    <button
      type="button"
      class={text ? "rw-btn rw-btn-ghost" : "rw-icon-btn"}
      aria-label={text ? undefined : label}
      title={flash ?? label}
      data-testid={testid}
      data-copied={ok ? "" : undefined}
      onClick={() => void onClick()}
    >
      <span class={`rw-i rw-i-${ok ? "check" : "copy"}`} aria-hidden="true" />
      {text ? <span>{ok ? "Copied" : text}</span> : null}
      <span class="rw-sr" aria-live="polite">
        {flash ?? ""}
      </span>
    </button>
  );
}
