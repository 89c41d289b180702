/** The escapes Apache Thrift's lexer understands; anything else after `\` is an error there too. */
const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

export interface InvalidEscape {
  /** Offset of the backslash inside the literal as written (including its opening quote). */
  offset: number;
  /** The escape as written, e.g. `\q`. */
  text: string;
}

export interface DecodedString {
  value: string;
  invalidEscapes: InvalidEscape[];
}

/**
 * Decodes a string literal as written, quotes included. An unterminated
 * literal (no closing quote) is decoded up to where it stops. Unknown escapes
 * are kept verbatim in the value and listed so the caller can report them.
 */
export function decodeStringLiteral(literal: string): DecodedString {
  const quote = literal[0];
  const closed = literal.length >= 2 && literal[literal.length - 1] === quote && !endsInsideEscape(literal);
  const body = literal.slice(1, closed ? -1 : undefined);
  const invalidEscapes: InvalidEscape[] = [];
  let value = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = body[i + 1];
    const replacement = next === undefined ? undefined : ESCAPES[next];
    if (replacement === undefined) {
      const text = next === undefined ? "\\" : `\\${next}`;
      invalidEscapes.push({ offset: i + 1, text });
      value += text;
    } else {
      value += replacement;
    }
    i++;
  }
  return { value, invalidEscapes };
}

/** True when the final quote is itself escaped (`"abc\"`), i.e. the literal is not closed. */
function endsInsideEscape(literal: string): boolean {
  let backslashes = 0;
  for (let i = literal.length - 2; i >= 1 && literal[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}
