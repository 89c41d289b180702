import { createRequire } from "node:module";

const requireHere = createRequire(import.meta.url);

/**
 * Loads an optional dependency synchronously (prom-client and
 * @opentelemetry/api are CommonJS or ship a CommonJS build), only when a
 * feature that needs it is turned on, so a process that does not use the
 * feature never loads it. A missing package is reported with what to install.
 */
export function requireOptional<T>(name: string, feature: string): T {
  try {
    return requireHere(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(name)) {
      throw new Error(`${feature} needs the package ${name}: npm install ${name}`, { cause: error });
    }
    throw error;
  }
}
