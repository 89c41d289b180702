import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptor.js";
import type { HandlerModule, OffloadOptions } from "./offload-options.js";

/** The annotation that offloads a method, and the values it takes. */
export const offloadAnnotation = "rpc.offload";
export const offloadAnnotationValues = ["worker", "inline"] as const;

/** Where the worker-side handler of an offloaded method is. */
export interface OffloadTarget {
  readonly moduleUrl: string;
  readonly exportName: string | undefined;
}

/**
 * Decides, once at registration, whether `method` runs in the worker pool: the
 * server option `methods` wins, then the method's `rpc.offload` annotation. A
 * method marked for a worker but with no module to load there is a startup
 * error, as a missing handler method is.
 */
export function offloadTarget(service: ServiceDescriptor, method: MethodDescriptor, options: OffloadOptions): OffloadTarget | undefined {
  const configured = options.methods?.[method.fullName];
  if (configured === "inline") return undefined;
  if (configured !== undefined) return normalizeModule(configured, `offload.methods["${method.fullName}"]`);
  const annotated = method.annotations[offloadAnnotation];
  if (annotated === undefined || annotated === "inline") return undefined;
  if (annotated !== "worker") {
    throw new TypeError(
      `${method.fullName}: ${offloadAnnotation} = ${JSON.stringify(annotated)} is not one of ${offloadAnnotationValues.map((v) => `"${v}"`).join(", ")}`,
    );
  }
  const serviceModule = options.services?.[service.name];
  if (serviceModule === undefined) {
    throw new TypeError(
      `${method.fullName} is annotated ${offloadAnnotation} = "worker", but no module implements it in the workers: ` +
        `set ServerOptions.offload.methods["${method.fullName}"] or offload.services["${service.name}"] (docs/OFFLOAD.md)`,
    );
  }
  return normalizeModule(serviceModule, `offload.services["${service.name}"]`);
}

function normalizeModule(module: HandlerModule, where: string): OffloadTarget {
  const location = typeof module === "object" && !(module instanceof URL) ? module.module : module;
  const exportName = typeof module === "object" && !(module instanceof URL) ? module.export : undefined;
  return { moduleUrl: moduleUrlOf(location, where), exportName };
}

/** A `file:` URL; relative paths are refused because "relative to what" has no good answer in a worker. */
function moduleUrlOf(location: URL | string, where: string): string {
  if (location instanceof URL) return location.href;
  if (location.startsWith("file:")) return new URL(location).href;
  if (isAbsolute(location)) return pathToFileURL(location).href;
  throw new TypeError(
    `${where}: ${JSON.stringify(location)} is neither a URL nor an absolute path; write new URL("./handler.js", import.meta.url)`,
  );
}
