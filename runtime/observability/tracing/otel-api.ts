import type * as OtelApi from "@opentelemetry/api";
import { requireOptional } from "../optional-module.js";

export type OtelApiModule = typeof OtelApi;

let loaded: OtelApiModule | undefined;

/**
 * @opentelemetry/api, an optional peer dependency: loaded when tracing is
 * first turned on, never by a process that does not trace.
 */
export function otelApi(): OtelApiModule {
  loaded ??= requireOptional<OtelApiModule>("@opentelemetry/api", "rpcgen tracing");
  return loaded;
}
