import type { Field } from "../ast.js";
import type { ProgramFile } from "../program.js";
import {
  E_DUPLICATE_FIELD_ID,
  E_DUPLICATE_FIELD_NAME,
  E_FIELD_ID_RANGE,
  E_UNION_MULTIPLE_DEFAULTS,
  E_UNION_REQUIRED_FIELD,
  W_OPTIONAL_PARAM,
} from "../diagnostic-codes.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { where } from "./source-location.js";
import { type FieldList, fieldListsOf } from "./walk.js";

/** Field ids go on the wire as i16; 0 and negatives are reserved for Thrift's implicit ids. */
const MAX_FIELD_ID = 32767;

/**
 * Rules for every field list: ids in range and unique, names unique; unions
 * without required fields and with at most one default; `optional` on a
 * parameter is ignored (Thrift warns too).
 */
export function checkFieldLists(file: ProgramFile, sink: DiagnosticSink): void {
  for (const list of fieldListsOf(file.document)) {
    checkIds(list, sink);
    checkNames(list, sink);
    if (list.kind === "union") checkUnion(list, sink);
    if (list.kind === "params") checkParams(list, sink);
  }
}

function checkIds(list: FieldList, sink: DiagnosticSink): void {
  const byId = new Map<number, Field>();
  for (const field of list.fields) {
    const idRange = field.idRange ?? field.range;
    if (field.idExplicit && (field.id < 1 || field.id > MAX_FIELD_ID)) {
      sink.error(
        E_FIELD_ID_RANGE,
        `field id ${field.id} of "${field.name.name}" is out of range: ids must be 1..${MAX_FIELD_ID}`,
        idRange,
      );
      continue;
    }
    const first = byId.get(field.id);
    if (first !== undefined) {
      sink.error(
        E_DUPLICATE_FIELD_ID,
        `field id ${field.id} is already used by "${first.name.name}" (${where(first)}) in ${list.owner}`,
        idRange,
      );
    } else {
      byId.set(field.id, field);
    }
  }
}

function checkNames(list: FieldList, sink: DiagnosticSink): void {
  const byName = new Map<string, Field>();
  for (const field of list.fields) {
    const first = byName.get(field.name.name);
    if (first !== undefined) {
      sink.error(
        E_DUPLICATE_FIELD_NAME,
        `field "${field.name.name}" is already defined (${where(first)}) in ${list.owner}`,
        field.name.range,
      );
    } else {
      byName.set(field.name.name, field);
    }
  }
}

function checkUnion(list: FieldList, sink: DiagnosticSink): void {
  let withDefault: Field | undefined;
  for (const field of list.fields) {
    if (field.requiredness === "required") {
      sink.error(
        E_UNION_REQUIRED_FIELD,
        `field "${field.name.name}" of ${list.owner} cannot be required: exactly one union field is set`,
        field.range,
      );
    }
    if (field.defaultValue === undefined) continue;
    if (withDefault === undefined) {
      withDefault = field;
    } else {
      sink.error(
        E_UNION_MULTIPLE_DEFAULTS,
        `field "${field.name.name}" gives ${list.owner} a second default value ("${withDefault.name.name}" has one)`,
        field.defaultValue.range,
      );
    }
  }
}

function checkParams(list: FieldList, sink: DiagnosticSink): void {
  for (const field of list.fields) {
    if (field.requiredness === "optional") {
      sink.warning(
        W_OPTIONAL_PARAM,
        `"optional" is ignored on parameter "${field.name.name}" of ${list.owner.replace(/^parameters of /, "")}`,
        field.range,
      );
    }
  }
}
