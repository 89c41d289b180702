import type { RegisteredMethod } from "../dispatch-contract.js";

/** The IDL annotation that marks a method (or every method of a service) as callable without authentication. */
export const AUTH_ANNOTATION = "auth";

/**
 * True for a method that needs no authentication: annotated `(auth = "none")`
 * itself, or in a service annotated so (a method's own `auth = "required"` wins
 * over its service's `none`).
 */
export function isPublicMethod(registered: RegisteredMethod): boolean {
  const own = registered.method.annotations?.[AUTH_ANNOTATION];
  if (own !== undefined) return own === "none";
  return registered.service.annotations?.[AUTH_ANNOTATION] === "none";
}
