import type { CallContext } from "@rpcgen/runtime";
import { DivideByZero, Operation, type CalculatorHandler, type Report, type Work } from "./gen/calculator.js";

/** The calculator's business logic: what a user of rpcgen writes by hand. */
export class CalculatorHandlerImpl implements CalculatorHandler {
  readonly logLines: string[] = [];

  add(a: number, b: number): number {
    return (a + b) | 0;
  }

  subtract(a: number, b: number): number {
    return (a - b) | 0;
  }

  multiply(a: bigint, b: bigint): bigint {
    return BigInt.asIntN(64, a * b);
  }

  divide(dividend: number, divisor: number): number {
    if (divisor === 0) {
      throw new DivideByZero({ message: `cannot divide ${dividend} by zero`, dividend });
    }
    return Math.trunc(dividend / divisor);
  }

  log(line: string, context: CallContext): void {
    this.logLines.push(line);
    console.log(`log from ${context.peer}: ${line}`);
  }

  calculate(batch: Work[]): Report {
    const results: bigint[] = [];
    const countsByOperation = new Map<string, number>();
    const comments = new Set<string>();
    for (const work of batch) {
      results.push(BigInt(this.apply(work)));
      const name = Operation[work.op] ?? String(work.op);
      countsByOperation.set(name, (countsByOperation.get(name) ?? 0) + 1);
      if (work.comment !== undefined) comments.add(work.comment);
    }
    const mean = results.length === 0 ? undefined : Number(results.reduce((s, r) => s + r, 0n)) / results.length;
    return { results, countsByOperation, comments, mean };
  }

  private apply(work: Work): number {
    switch (work.op) {
      case Operation.ADD:
        return this.add(work.num1, work.num2);
      case Operation.SUBTRACT:
        return this.subtract(work.num1, work.num2);
      case Operation.MULTIPLY:
        return Number(this.multiply(BigInt(work.num1), BigInt(work.num2)));
      case Operation.DIVIDE:
        return this.divide(work.num1, work.num2);
    }
  }
}
