export * from "./descriptor.js";
export * from "./errors.js";
export * from "./call.js";
export { DeclaredException } from "./declared-exception.js";
