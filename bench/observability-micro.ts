// The per-call cost of metrics + tracing alone, without sockets (issue 12):
//
// - client: a Channel-like fake invoker (replies in one batch per microtask,
//   like the replies of one socket read) called bare, against the same invoker
//   under `withInterceptors(invoker, observeClient({ metrics: true, tracing: true }))`;
// - server: the dispatch's handler step as runtime/server/dispatch.ts runs it
//   (a handler returning a plain value is answered at once), bare against the
//   server's observing interceptor composed as a Server with
//   `observability: { metrics: true, tracing: true }` composes it.
//
// @opentelemetry/api with no SDK registered, as in the bench's
// `[metrics+tracing]` row. Reports CPU ns per call of each side and their
// paired difference, and bytes allocated per call (method: bench/micro-support.ts).
// Run: npm run build --workspace=@rpcgen/runtime &&
//      npx tsx --tsconfig bench/tsconfig.run.json bench/observability-micro.ts [--calls N] [--rounds R]
import { observeClient, withInterceptors, type CallContext, type CallOptions, type Invoker, type MethodDescriptor } from "@rpcgen/runtime";
import type { RegisteredMethod } from "@rpcgen/runtime/internal/dispatch-contract.js";
import { composeInterceptors, type CallHandler } from "@rpcgen/runtime/internal/interceptors/interceptor.js";
import { invokeHandler, ServerCallView } from "@rpcgen/runtime/internal/interceptors/server-call-view.js";
import { ServerObservability } from "@rpcgen/runtime/internal/observability/server-observability.js";
import { benchEcho, BenchService } from "./echo-descriptor.js";
import { compare, inFlightLoops, numberOption, type Round } from "./micro-support.js";

const CALLS = numberOption("--calls", 200_000);
const ROUNDS = numberOption("--rounds", 9);
const args = ["hello"];
/** As the bench's rpcgen client calls (bench/clients/rpcgen-client.ts). */
const callOptions: CallOptions = { timeoutMs: 60_000 };

/** Answers every call of one turn in one microtask, as a Channel answers the replies of one read. */
class FakeInvoker implements Invoker {
  private readonly resolvers: Array<(value: unknown) => void> = [];
  private scheduled = false;

  invoke(_method: MethodDescriptor, _args: readonly unknown[], _options?: CallOptions): Promise<unknown> {
    const reply = new Promise<unknown>((resolve) => this.resolvers.push(resolve));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
    return reply;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const resolvers = this.resolvers;
    for (let i = 0; i < resolvers.length; i++) resolvers[i]!("hello");
    resolvers.length = 0;
  };
}

const bareClient = new FakeInvoker();
const observedClient = withInterceptors(new FakeInvoker(), observeClient({ metrics: true, tracing: true }));
const clientRound =
  (invoker: Invoker): Round =>
  (calls, inFlight) =>
    inFlightLoops(() => invoker.invoke(benchEcho, args, callOptions), calls, inFlight);

// The server: one registered echo whose handler returns its argument (a plain value).
const registered = { method: benchEcho, invoke: (callArgs: readonly unknown[]) => callArgs[0] } as unknown as RegisteredMethod;
const controller = new AbortController();
/** The ServerCall fields interceptors read (one, reused: the dispatch's own call object is not what is measured). */
const serverCall = {
  service: BenchService,
  method: benchEcho,
  deadline: undefined,
  signal: controller.signal,
  metadata: {} as Record<string, string>,
  peer: "127.0.0.1:40000",
  principal: undefined,
  tlsPeer: undefined,
  protocol: "rpcgen",
  finished: false,
} as CallContext & { protocol: string; finished: boolean };
const observability = new ServerObservability({ metrics: true, tracing: true }, { info() {}, warn() {}, error() {}, debug() {} } as never);
// As the dispatch composes its interceptors around the handler.
const intercepted: CallHandler = composeInterceptors(observability.interceptors, invokeHandler);
const isPromiseLike = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown> | null)?.then === "function";

/** Runs `inFlight` calls at a time through the dispatch's handler step, waiting for each batch's outcomes. */
const serverRound =
  (observed: boolean): Round =>
  async (calls, inFlight) => {
    let remaining = 0;
    let wake: (() => void) | undefined;
    const done = (): void => {
      if (--remaining === 0) wake?.();
    };
    for (let sent = 0; sent < calls; sent += inFlight) {
      remaining = inFlight;
      for (let i = 0; i < inFlight; i++) {
        const outcome = observed ? intercepted(new ServerCallView(registered, args, serverCall)) : registered.invoke(args, serverCall);
        if (isPromiseLike(outcome)) outcome.then(done, done);
        else done();
      }
      if (remaining > 0) await new Promise<void>((resolve) => (wake = resolve));
      else await Promise.resolve();
      wake = undefined;
    }
  };

console.log(`observability micro: ${CALLS} calls per round, ${ROUNDS} rounds per side, median CPU ns per call`);
for (const inFlight of [1, 64]) {
  await compare("client observeClient({ metrics, tracing })", clientRound(bareClient), clientRound(observedClient), CALLS, ROUNDS, inFlight);
}
for (const inFlight of [1, 64]) {
  await compare("server observability { metrics, tracing }", serverRound(false), serverRound(true), CALLS, ROUNDS, inFlight);
}
