/**
 * Marks generated text whose layout the generator does not work out itself
 * (constant values: nested lists, maps and struct literals, which prettier
 * lays out by rules of their own). A top-level declaration holding the mark is
 * formatted by prettier; the mark never reaches the output.
 */
export const NEEDS_PRETTIER = "\uE000";

/** `expression`, marked when it holds brackets or parentheses (anything but a plain literal or name). */
export function markIfComplex(expression: string): string {
  return /[[{(]/.test(expression) ? `${expression}${NEEDS_PRETTIER}` : expression;
}
