import type { EnumValue } from "../ast.js";
import type { ProgramFile } from "../program.js";
import { E_DUPLICATE_ENUM_VALUE, E_ENUM_VALUE_RANGE } from "../diagnostic-codes.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { where } from "./source-location.js";

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;

/**
 * Enum value names are unique within their enum and every value fits an i32
 * (Thrift rejects both). Two names with the same number are allowed, as in Thrift.
 */
export function checkEnums(file: ProgramFile, sink: DiagnosticSink): void {
  for (const definition of file.document.definitions) {
    if (definition.kind !== "enum") continue;
    const byName = new Map<string, EnumValue>();
    for (const value of definition.values) {
      const first = byName.get(value.name.name);
      if (first !== undefined) {
        sink.error(
          E_DUPLICATE_ENUM_VALUE,
          `enum ${definition.name.name} already has a value "${value.name.name}" (${where(first)})`,
          value.name.range,
        );
      } else {
        byName.set(value.name.name, value);
      }
      checkRange(definition.name.name, value, sink);
    }
  }
}

function checkRange(enumName: string, value: EnumValue, sink: DiagnosticSink): void {
  if (value.explicitValue !== undefined) {
    const n = value.explicitValue.value;
    if (n < I32_MIN || n > I32_MAX) {
      sink.error(
        E_ENUM_VALUE_RANGE,
        `value ${value.explicitValue.text} of ${enumName}.${value.name.name} does not fit in an i32`,
        value.explicitValue.range,
      );
    }
    return;
  }
  // An implicit value is the previous one plus one, which can step just past the i32
  // maximum; anything further out follows an explicit value already reported.
  if (BigInt(value.value) === I32_MAX + 1n) {
    sink.error(
      E_ENUM_VALUE_RANGE,
      `implicit value ${value.value} of ${enumName}.${value.name.name} does not fit in an i32`,
      value.name.range,
    );
  }
}
