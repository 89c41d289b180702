/**
 * Who is calling, as an authenticator established it. The runtime reads only
 * `id` (for logs) and hands the whole object to `authorize` and to the handler
 * (`context.principal`); anything else an authenticator puts on it travels along.
 */
export interface Principal {
  /** A stable name of the caller: a user, a service account, a certificate's CN. Never a secret. */
  readonly id: string;
  /** Roles or groups, for authorization rules. */
  readonly roles?: readonly string[];
  readonly [attribute: string]: unknown;
}
