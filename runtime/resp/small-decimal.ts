/**
 * `[+-]?` and 1 to 15 ASCII digits in `bytes[start..end)` as a number, exactly as
 * `Number(text)` reads them (leading zeros allowed, `-0` is -0); undefined for
 * anything else, which then takes the text path (regexp, range check and error
 * messages). Integer arguments are nearly always this short, and reading them
 * from the bytes costs no string.
 */
export function readSmallDecimal(bytes: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let sign = 1;
  if (end > start && (bytes[start] === 0x2d || bytes[start] === 0x2b)) {
    if (bytes[start] === 0x2d) sign = -1;
    i++;
  }
  if (end === i || end - i > 15) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return sign * value;
}
