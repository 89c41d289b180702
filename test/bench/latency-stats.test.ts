import { describe, expect, it } from "vitest";
import { median, quantile, spreadPct } from "../../bench/latency-stats.js";

describe("bench latency stats", () => {
  it("takes nearest-rank quantiles of sorted samples", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile(sorted, 1)).toBe(100);
    expect(quantile([], 0.5)).toBe(0);
  });

  it("takes the median of unsorted odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it("reports the spread as (max - min) / median in percent", () => {
    expect(spreadPct([90, 100, 110])).toBeCloseTo(20);
    expect(spreadPct([100])).toBe(0);
  });
});
