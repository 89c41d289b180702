import type { CaseResult } from "./case-result.js";

/** The series of the chart: small echo on one connection, one server process. */
const series = [
  { framework: "rpcgen", codec: "binary", color: "#1f77b4" },
  { framework: "rpcgen", codec: "json", color: "#6baed6" },
  { framework: "rpcgen", codec: "resp", color: "#9ecae1" },
  { framework: "grpc-js", codec: "protobuf", color: "#d62728" },
  { framework: "thrift", codec: "binary", color: "#ff7f0e" },
  { framework: "raw", codec: "json", color: "#7f7f7f" },
];
const inFlightLevels = [1, 64, 256];

const panelWidth = 440;
const panelHeight = 260;
const margin = { top: 40, left: 60, bottom: 40 };
const legendHeight = 30;

interface Panel {
  title: string;
  x: number;
  value: (r: CaseResult) => number;
  /** Log scale for latencies, which span orders of magnitude. */
  log: boolean;
  format: (v: number) => string;
}

/**
 * A hand-built SVG of the small echo: calls/s (linear) and p99 latency (log)
 * per framework and calls in flight.
 */
export function echoChartSvg(results: readonly CaseResult[]): string {
  const pick = (
    framework: string,
    codec: string,
    inFlight: number,
  ): CaseResult | undefined =>
    results.find(
      (r) =>
        r.status === "ok" &&
        r.spec.workload === "echo" &&
        r.spec.server.framework === framework &&
        r.spec.codec === codec &&
        r.spec.connections === 1 &&
        r.spec.server.workers === 0 &&
        r.spec.concurrency === inFlight &&
        r.spec.label === undefined &&
        r.spec.parkCalls === undefined,
    );
  const panels: Panel[] = [
    {
      title: "calls/s (higher is better)",
      x: 0,
      value: (r) => r.callsPerSec,
      log: false,
      format: compact,
    },
    {
      title: "p99 ms, log scale (lower is better)",
      x: panelWidth + 20,
      value: (r) => r.p99Ms,
      log: true,
      format: (v) => v.toPrecision(2),
    },
  ];
  const width = panelWidth * 2 + 20;
  const height = panelHeight + margin.top + margin.bottom + legendHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  for (const panel of panels) parts.push(...drawPanel(panel, pick));
  series.forEach((s, index) => {
    const x = 20 + index * 145;
    const y = height - 14;
    parts.push(
      `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${s.color}"/>`,
    );
    parts.push(`<text x="${x + 14}" y="${y}">${s.framework} ${s.codec}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

function drawPanel(
  panel: Panel,
  pick: (
    framework: string,
    codec: string,
    inFlight: number,
  ) => CaseResult | undefined,
): string[] {
  const values = inFlightLevels.flatMap((inFlight) =>
    series
      .map((s) => pick(s.framework, s.codec, inFlight))
      .filter((r) => r !== undefined)
      .map(panel.value),
  );
  const max = Math.max(...values, 1e-3);
  const min = Math.max(Math.min(...values.filter((v) => v > 0), max), 1e-3);
  const plotWidth = panelWidth - margin.left;
  const baseY = margin.top + panelHeight;
  const logLow = Math.log10(min) - 0.2;
  const scale = (v: number): number =>
    panel.log
      ? (Math.max(0, Math.log10(Math.max(v, 1e-3)) - logLow) /
          (Math.log10(max) - logLow)) *
        panelHeight
      : (v / max) * panelHeight;
  const out: string[] = [
    `<text x="${panel.x + margin.left}" y="20" font-size="13" font-weight="bold">small echo: ${panel.title}</text>`,
    `<line x1="${panel.x + margin.left}" y1="${baseY}" x2="${panel.x + panelWidth}" y2="${baseY}" stroke="black"/>`,
    `<line x1="${panel.x + margin.left}" y1="${margin.top}" x2="${panel.x + margin.left}" y2="${baseY}" stroke="black"/>`,
    `<text x="${panel.x + margin.left - 4}" y="${margin.top + 4}" text-anchor="end">${panel.format(max)}</text>`,
  ];
  const groupWidth = plotWidth / inFlightLevels.length;
  const barWidth = (groupWidth - 20) / series.length;
  inFlightLevels.forEach((inFlight, group) => {
    const groupX = panel.x + margin.left + group * groupWidth + 10;
    out.push(
      `<text x="${(groupX + (groupWidth - 20) / 2).toFixed(1)}" y="${baseY + 16}" text-anchor="middle">${inFlight} in flight</text>`,
    );
    series.forEach((s, index) => {
      const result = pick(s.framework, s.codec, inFlight);
      const x = groupX + index * barWidth;
      if (result === undefined) {
        out.push(
          `<text x="${x + barWidth / 2}" y="${baseY - 4}" text-anchor="middle" font-size="9">n/a</text>`,
        );
        return;
      }
      const h = scale(panel.value(result));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${(baseY - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${s.framework} ${s.codec}, ${inFlight} in flight: ${panel.format(panel.value(result))}</title></rect>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(baseY - h - 3).toFixed(1)}" text-anchor="middle" font-size="8">${panel.format(panel.value(result))}</text>`,
      );
    });
  });
  return out;
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 0 : 1)}k`;
  return value.toFixed(0);
}
