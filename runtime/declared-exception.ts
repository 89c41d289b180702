/**
 * Base class of every exception generated from an IDL `exception` definition.
 *
 * Generated classes extend it, take one argument (an object with their fields),
 * set `name` to the IDL name, and so can be told apart with `instanceof`. A
 * handler throws them; the caller's promise rejects with an instance of the same
 * generated class.
 */
export abstract class DeclaredException extends Error {
  constructor(message?: string) {
    super(message);
    // Keep the prototype chain right even when compiled to an older target.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
