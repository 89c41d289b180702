/**
 * The calculator client: the calls a user of the generated stubs makes. The
 * same CalculatorClient runs over any Invoker: a binary-framed Channel (JSON
 * or protobuf bodies) or a RespChannel speaking the Redis protocol.
 */
import type { Invoker } from "@rpcgen/runtime";
import { CalculatorClient, DivideByZero, Operation } from "./gen/calculator.js";

/** Makes one of each call and prints what came back. Throws if an answer is wrong. */
export async function runCalculatorCalls(invoker: Invoker, label: string): Promise<void> {
  const calc = new CalculatorClient(invoker);
  const say = (line: string): void => console.log(`[${label}] ${line}`);

  const sum = await calc.add(1, 2);
  say(`add(1, 2) = ${sum}`);
  expectEqual(sum, 3, "add");

  const difference = await calc.subtract(10, 3, { timeoutMs: 1000 });
  say(`subtract(10, 3) = ${difference}`);
  expectEqual(difference, 7, "subtract");

  const product = await calc.multiply(3_000_000_000n, 3n);
  say(`multiply(3000000000, 3) = ${product} (i64, exact)`);
  expectEqual(product, 9_000_000_000n, "multiply");

  try {
    await calc.divide(1, 0);
    throw new Error("divide(1, 0) should have thrown DivideByZero");
  } catch (error) {
    if (!(error instanceof DivideByZero)) throw error;
    say(`divide(1, 0) threw DivideByZero: "${error.message}" (dividend ${error.dividend})`);
  }

  await calc.log(`hello from the ${label} client`);
  say("log(...) sent one-way");

  const report = await calc.calculate([
    { num1: 6, num2: 7, op: Operation.MULTIPLY, comment: "the answer" },
    { num1: 9, num2: 3, op: Operation.DIVIDE },
    { num1: 1, num2: 1, op: Operation.ADD, comment: "warm-up" },
  ]);
  say(
    `calculate(3 items) = results [${report.results.join(", ")}], counts ${JSON.stringify(
      Object.fromEntries(report.countsByOperation),
    )}, comments [${[...report.comments].join(", ")}], mean ${report.mean}`,
  );
  expectEqual(report.results.join(","), "42,3,2", "calculate results");
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}
