/** Percentiles, medians and spreads of the bench's samples. */

/** The q-quantile (0..1) of `sorted`, nearest-rank; 0 for no samples. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ]!;
}

/** Median of `values` (any order). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Spread of `values` as (max - min) / median, in percent: how much repetitions disagree. */
export function spreadPct(values: readonly number[]): number {
  const middle = median(values);
  if (values.length < 2 || middle === 0) return 0;
  return ((Math.max(...values) - Math.min(...values)) / middle) * 100;
}
