/** Milliseconds per `grpc-timeout` unit: Hours, Minutes, Seconds, milliseconds, microseconds, nanoseconds. */
const unitMs: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * The milliseconds of a `grpc-timeout` header (at most 8 digits and a unit), or
 * undefined when there is none; NaN when it is malformed.
 */
export function parseGrpcTimeout(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== "string" || header.length < 2 || header.length > 9) return NaN;
  const unit = unitMs[header[header.length - 1]!];
  const digits = header.slice(0, -1);
  if (unit === undefined || !/^\d+$/.test(digits)) return NaN;
  return Number(digits) * unit;
}

/** A `grpc-timeout` header for `ms` milliseconds: the finest unit whose value fits in 8 digits, rounded up. */
export function formatGrpcTimeout(ms: number): string {
  if (ms < 100_000_000) return `${Math.max(1, Math.ceil(ms))}m`;
  for (const unit of ["S", "M", "H"] as const) {
    const value = Math.ceil(ms / unitMs[unit]!);
    if (value < 100_000_000) return `${value}${unit}`;
  }
  return "99999999H";
}
