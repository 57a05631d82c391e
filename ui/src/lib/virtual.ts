// Which rows of a fixed-height list to render for a view onto part of it.

/**
 * The rows `[start, end)` to render: those overlapping the view plus `overscan` on each side.
 * `offset` is how far the view's top is below the list's top (negative: the list starts lower
 * in the view).
 */
export function visibleRange(
  offset: number,
  viewHeight: number,
  rowHeight: number,
  count: number,
  overscan: number,
): { start: number; end: number } {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, offset) / rowHeight);
  const last = Math.ceil(Math.max(0, offset + Math.max(0, viewHeight)) / rowHeight);
  return {
    start: Math.min(count, Math.max(0, first - overscan)),
    end: Math.min(count, Math.max(0, last + overscan)),
  };
}
