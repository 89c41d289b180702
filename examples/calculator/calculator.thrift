/**
 * The calculator service of rpcgen's examples: arithmetic, a declared exception,
 * a one-way call, and a method that takes and returns structs and containers.
 */
namespace js calculator

/** The arithmetic operations a Work item can ask for. */
enum Operation {
  ADD = 1,
  SUBTRACT = 2,
  MULTIPLY = 3,
  DIVIDE = 4,
}

/** One operation on two operands; `comment` is echoed back in the report. */
struct Work {
  1: required i32 num1,
  2: required i32 num2,
  3: required Operation op,
  4: optional string comment,
}

/** What `calculate` returns for a batch of Work items. */
struct Report {
  1: required list<i64> results,
  2: required map<string, i32> countsByOperation,
  3: required set<string> comments,
  4: optional double mean,
}

/** Thrown by `divide` when the divisor is zero. */
exception DivideByZero {
  1: string message,
  2: i32 dividend,
}

service Calculator {
  /** Adds two numbers. */
  i32 add(1: i32 a, 2: i32 b) (rpc.idempotent = "true"),

  i32 subtract(1: i32 a, 2: i32 b) (rpc.idempotent = "true"),

  i64 multiply(1: i64 a, 2: i64 b) (rpc.idempotent = "true"),

  /** Integer division; a zero divisor throws DivideByZero. */
  i32 divide(1: i32 dividend, 2: i32 divisor) throws (1: DivideByZero oops) (rpc.idempotent = "true"),

  /** Fire and forget: the server logs the line, nothing comes back. */
  oneway void log(1: string line),

  /** Runs a batch of work items and reports on them. */
  Report calculate(1: list<Work> batch) throws (1: DivideByZero oops) (rpc.timeout = "2000"),
} (version = "1.0.0")
