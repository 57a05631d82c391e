// How the UI writes durations and dates for people.

const UNITS: readonly [number, string][] = [
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
  [1_000, "s"],
];

/** Milliseconds as "2 d 4 h", "3 h 5 min", "45 s": the largest unit and the next one down. */
export function formatDuration(ms: number): string {
  for (let i = 0; i < UNITS.length; i++) {
    const [size, name] = UNITS[i]!;
    if (ms >= size) {
      let out = `${Math.floor(ms / size)} ${name}`;
      const next = UNITS[i + 1];
      if (next) {
        const minor = Math.floor((ms % size) / next[0]);
        if (minor > 0) out += ` ${minor} ${next[1]}`;
      }
      return out;
    }
  }
  return "0 s";
}

/** Bytes as "12.3 MB" (decimal units, as disks are sold and file managers show). */
export function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${Math.max(0, bytes)} B`;
}

/** Unix milliseconds as a local date and time, e.g. "Tue, 24 Nov 2026, 23:30". */
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
