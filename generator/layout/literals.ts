/**
 * String and number literals written the way prettier prints them, so
 * generated code needs no reformatting: double quotes unless the text holds
 * more double than single quotes, and numbers in their shortest usual form.
 */

/** A JavaScript string literal for `value`, as prettier would print it. */
export function stringLiteral(value: string): string {
  const json = JSON.stringify(value);
  if (!value.includes('"')) return json;
  const doubles = value.split('"').length - 1;
  const singles = value.split("'").length - 1;
  if (doubles <= singles) return json;
  // prettier's makeString: re-quote with single quotes, unescaping the double quotes.
  const content = json.slice(1, -1).replace(/\\(.)|(')/gs, (match: string, escaped: string | undefined, quote: string | undefined) => {
    if (quote !== undefined) return "\\'";
    return escaped === '"' ? '"' : match;
  });
  return `'${content}'`;
}

/** A JavaScript number literal that reads back as exactly `value` (including -0), as prettier prints it. */
export function numberLiteral(value: number): string {
  if (Object.is(value, -0)) return "-0";
  if (!Number.isFinite(value)) return String(value);
  return normalizeNumber(String(value));
}

/** prettier's printNumber: lower case, no `+` or leading zeros in the exponent, no trailing zeros or dot. */
function normalizeNumber(text: string): string {
  return text
    .toLowerCase()
    .replace(/^([+-]?[\d.]+e)(?:\+|(-))?0*(\d)/, "$1$2$3")
    .replace(/^([+-]?[\d.]+)e[+-]?0+$/, "$1")
    .replace(/^([+-])?\./, "$10.")
    .replace(/(\.\d+?)0+(?=e|$)/, "$1")
    .replace(/\.(?=e|$)/, "");
}
