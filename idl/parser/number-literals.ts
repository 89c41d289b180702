/**
 * The exact value of an integer literal as the lexer accepted it:
 * decimal (leading zeros are decimal, as in Thrift) or `0x` hex, with an optional sign.
 */
export function integerLiteralValue(text: string): bigint {
  // Field ids and enum values are short decimals: a JS number holds them exactly, and is quicker to make.
  if (text.length <= 15 && /^[+-]?\d+$/.test(text)) return BigInt(Number.parseInt(text, 10));
  const negative = text.startsWith("-");
  const digits = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  const magnitude = BigInt(digits.startsWith("0x") ? digits : digits.replace(/^0+(?=\d)/, ""));
  return negative ? -magnitude : magnitude;
}

/** The value of a floating-point literal (`1.5`, `-1e10`, `.5`, `+2.5E-3`). */
export function doubleLiteralValue(text: string): number {
  return Number(text);
}
