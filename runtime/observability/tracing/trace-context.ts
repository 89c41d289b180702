import type { SpanContext } from "@opentelemetry/api";
import type { OtelApiModule } from "./otel-api.js";

/** Metadata keys of W3C Trace Context (https://www.w3.org/TR/trace-context/), lower case as HTTP/2 headers are. */
export const traceparentKey = "traceparent";
export const tracestateKey = "tracestate";

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The trace id of a `traceparent` value, or undefined if it is not a valid one (for log lines). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  if (traceparent === undefined) return undefined;
  const match = traceparentPattern.exec(traceparent.trim());
  return match === null || /^0+$/.test(match[2]!) ? undefined : match[2];
}

/**
 * The remote span context a call's metadata carries, or undefined. Version 00
 * must have exactly four fields; a higher version may append more (read as 00);
 * version ff and all-zero ids are invalid.
 */
export function extractSpanContext(api: OtelApiModule, metadata: Readonly<Record<string, string>>): SpanContext | undefined {
  const header = metadata[traceparentKey];
  if (header === undefined) return undefined;
  const match = traceparentPattern.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (!api.isValidTraceId(traceId) || !api.isValidSpanId(spanId)) return undefined;
  const state = metadata[tracestateKey];
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 0xff,
    isRemote: true,
    traceState: state === undefined || state === "" ? undefined : api.createTraceState(state),
  };
}

/** Writes `context` into outgoing metadata as `traceparent` (and `tracestate` when it has one). */
export function injectSpanContext(context: SpanContext, metadata: Record<string, string>): void {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, "0");
  metadata[traceparentKey] = `00-${context.traceId}-${context.spanId}-${flags}`;
  const state = context.traceState?.serialize();
  if (state !== undefined && state !== "") metadata[tracestateKey] = state;
}
