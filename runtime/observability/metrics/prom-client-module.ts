import type * as PromClient from "prom-client";
import { requireOptional } from "../optional-module.js";

export type PromClientModule = typeof PromClient;
/** A prom-client Registry (the module's types, loaded only when metrics are on). */
export type PromRegistry = PromClient.Registry;

let loaded: PromClientModule | undefined;

/** prom-client, loaded on the first use of metrics. */
export function promClient(): PromClientModule {
  loaded ??= requireOptional<PromClientModule>("prom-client", "rpcgen metrics");
  return loaded;
}
