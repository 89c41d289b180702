/**
 * A set of names already taken in one scope (a module's top level, a parameter
 * list, an object's properties). Names are handed out in a fixed order so the
 * same input always yields the same names; a clash is resolved by appending `_`.
 */
export class NameScope {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** Takes `candidate`, or the first of `candidate_`, `candidate__`, ... that is free. */
  claim(candidate: string): string {
    let name = candidate;
    while (this.taken.has(name)) name = `${name}_`;
    this.taken.add(name);
    return name;
  }
}
