// Shared hooks.

import { useEffect, useRef, useState } from "preact/hooks";

/** Unix seconds (whole), re-rendering the caller once a second while `ticking`. */
export function useClock(ticking: boolean): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return Math.floor(Date.now() / 1000);
}

/** A transient message (e.g. "Copied") that clears itself, and never updates after unmount. */
export function useFlash(ms = 1600): [string | null, (text: string | null) => void] {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const flash = (next: string | null): void => {
    if (!alive.current) return;
    if (timer.current) clearTimeout(timer.current);
    setText(next);
    if (next !== null) timer.current = setTimeout(() => alive.current && setText(null), ms);
  };
  return [text, flash];
}
