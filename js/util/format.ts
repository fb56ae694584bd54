// Small formatters for the header and the step rows.

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 1) return "<1 s";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** A countdown such as "4:05" (or "1:02:03"). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const numberFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? numberFormat.format(n) : "–";
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

const timeCache = new Map<number, string>();

export function formatTime(unix: number | null | undefined): string {
  if (typeof unix !== "number" || !Number.isFinite(unix)) return "";
  let text = timeCache.get(unix);
  if (text === undefined) {
    if (timeCache.size > 2000) timeCache.clear();
    text = timeFormat.format(unix * 1000);
    timeCache.set(unix, text);
  }
  return text;
}

/** The visible part of a long id, e.g. `run_abc…xyz9`, keeping the prefix readable. */
export function shortId(id: string, keep = 14): string {
  if (id.length <= keep + 2) return id;
  return `${id.slice(0, keep - 4)}…${id.slice(-4)}`;
}

export function formatScore(score: number | null | undefined): string {
  return typeof score === "number" && Number.isFinite(score) ? score.toFixed(3) : "–";
}
