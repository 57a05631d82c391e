// The arithmetic of the "before downloading" choice, shared by Add by link and the Catalog.

import type { ChoiceInput } from "./bindings/ChoiceInput";
import type { LinkChoices } from "./bindings/LinkChoices";

/** Estimated bytes of what is chosen (null when a size is unknown). */
export function chosenBytes(offer: LinkChoices, video: string, audio: string[], subtitles: string[]): number | null {
  if (offer.kind === "progressive") return offer.file_bytes;
  let total = 0;
  const v = offer.video.find((o) => o.choice === video);
  const parts = [
    ...(v ? [v.bytes] : []),
    ...offer.audio.filter((a) => audio.includes(a.language)).map((a) => a.bytes),
    ...offer.subtitles.filter((s) => subtitles.includes(s.language)).map((s) => s.bytes),
  ];
  for (const b of parts) {
    if (b === null) return null;
    total += b;
  }
  return total;
}

/** Bytes missing for the chosen size plus the engine's safety margin (10 %, at least 50 MB). */
export function shortBy(offer: LinkChoices, bytes: number | null): number {
  if (bytes === null || offer.free_bytes === null) return 0;
  const want = bytes + Math.max(bytes / 10, offer.min_margin_bytes);
  return Math.max(0, want - offer.free_bytes);
}

/** What to send for the choice (a progressive file has none; every language means all). */
export function choiceInput(
  offer: LinkChoices,
  video: string,
  audio: string[],
  subtitles: string[],
): ChoiceInput | undefined {
  if (offer.kind === "progressive") return undefined;
  const everyAudio = offer.audio.every((a) => audio.includes(a.language));
  return { video: video || undefined, audio: everyAudio ? undefined : audio, subtitles };
}
