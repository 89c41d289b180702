/**
 * Splits a telnet-style inline command (`SET "a b" c`) into its arguments the way
 * Redis does: blanks separate arguments; double quotes allow `\n`, `\r`, `\t`,
 * `\b`, `\a`, `\\`, `\"` and `\xHH` escapes; single quotes allow only `\'`.
 * Returns undefined when a quote is left open or a closing quote is not followed
 * by a blank, so the caller can report a protocol error.
 */
export function splitInlineCommand(line: Buffer): Buffer[] | undefined {
  const args: Buffer[] = [];
  let i = 0;
  const n = line.length;
  const isBlank = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
  while (i < n) {
    while (i < n && isBlank(line[i])) i++;
    if (i >= n) break;
    const bytes: number[] = [];
    const quote = line[i] === 0x22 ? 0x22 : line[i] === 0x27 ? 0x27 : 0;
    if (quote === 0) {
      while (i < n && !isBlank(line[i])) bytes.push(line[i++]!);
      args.push(Buffer.from(bytes));
      continue;
    }
    i++;
    let closed = false;
    while (i < n) {
      const b = line[i]!;
      if (b === quote) {
        closed = true;
        i++;
        break;
      }
      if (b === 0x5c && i + 1 < n) {
        const escaped = readEscape(line, i, quote);
        bytes.push(escaped.byte);
        i += escaped.length;
        continue;
      }
      bytes.push(b);
      i++;
    }
    if (!closed) return undefined;
    if (i < n && !isBlank(line[i])) return undefined;
    args.push(Buffer.from(bytes));
  }
  return args;
}

const doubleQuoteEscapes: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, a: 0x07 };

function readEscape(line: Buffer, at: number, quote: number): { byte: number; length: number } {
  const next = line[at + 1]!;
  if (quote === 0x27) {
    return next === 0x27 ? { byte: 0x27, length: 2 } : { byte: 0x5c, length: 1 };
  }
  if (next === 0x78 && at + 3 < line.length) {
    const hex = line.toString("latin1", at + 2, at + 4);
    if (/^[0-9a-fA-F]{2}$/.test(hex)) return { byte: parseInt(hex, 16), length: 4 };
  }
  const mapped = doubleQuoteEscapes[String.fromCharCode(next)];
  return { byte: mapped ?? next, length: 2 };
}
