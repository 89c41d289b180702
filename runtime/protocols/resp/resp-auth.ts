import { Code, RpcError } from "../../errors.js";
import { resp, type RespValue } from "../../resp/resp-value.js";

/**
 * Logging in over RESP the way Redis does, so redis-cli (`-a`, `--user`) and
 * Redis client libraries work unchanged: `AUTH <token>`, `AUTH <user> <token>`
 * and `HELLO <proto> AUTH <user> <token> [SETNAME name]`; before that every
 * other command (calls to public methods aside) gets Redis's NOAUTH error.
 */

export const noAuthReply = resp.error("NOAUTH Authentication required.");

/** A method call answered noAuthReply, as the dispatch's observer counts and traces it (one instance: a refusal flood allocates nothing). */
export const noAuthError = new RpcError(Code.UNAUTHENTICATED, "Authentication required.");

export const helloNoAuthReply = resp.error(
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
);

const wrongPassReply = resp.error("WRONGPASS invalid username-password pair or user is disabled.");

const noPasswordReply = resp.error(
  "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
);

/** A login a command asks for: the credentials, and for HELLO the arguments left once AUTH is taken out. */
export interface RespLogin {
  readonly username: string | undefined;
  readonly token: string;
  /** HELLO's other arguments (protocol version, SETNAME), to run once logged in; undefined for AUTH. */
  readonly helloArgs: Buffer[] | undefined;
}

/**
 * What `AUTH ...` or `HELLO ...` asks for: a login, an error reply (bad arity,
 * or AUTH on a server without authentication), or undefined for a HELLO
 * without AUTH (an ordinary HELLO). `name` is upper-case.
 */
export function readLogin(name: "AUTH" | "HELLO", args: readonly Buffer[], authenticationConfigured: boolean): RespLogin | RespValue | undefined {
  if (name === "AUTH") {
    if (args.length < 1 || args.length > 2) return resp.error("ERR wrong number of arguments for 'auth' command");
    if (!authenticationConfigured) return noPasswordReply;
    return args.length === 1
      ? { username: undefined, token: args[0]!.toString("utf8"), helloArgs: undefined }
      : { username: args[0]!.toString("utf8"), token: args[1]!.toString("utf8"), helloArgs: undefined };
  }
  // HELLO [protover [AUTH username password] [SETNAME clientname]]
  const at = args.findIndex((word, index) => index > 0 && word.toString("utf8").toUpperCase() === "AUTH");
  if (at === -1 || !authenticationConfigured) return undefined;
  if (at + 2 >= args.length) return resp.error("ERR Syntax error in HELLO option 'auth'");
  return {
    username: args[at + 1]!.toString("utf8"),
    token: args[at + 2]!.toString("utf8"),
    helloArgs: [...args.slice(0, at), ...args.slice(at + 3)],
  };
}

/** The reply to a refused login: Redis's WRONGPASS, or the refusal's own words for anything but bad credentials. */
export function loginRefusedReply(error: RpcError): RespValue {
  return error.code === Code.UNAUTHENTICATED && !error.message.startsWith("too many") ? wrongPassReply : resp.error(`ERR ${error.message}`);
}
