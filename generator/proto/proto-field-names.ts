/**
 * Field names of one proto message. protoc (proto3) rejects two fields whose
 * JSON names clash, which it checks as the names lower-cased with underscores
 * removed: `ClassAndProp` and `ClassAndProp_`, or `userId` and `user_id`. A
 * field whose name clashes so with an earlier one gets `_2`, `_3`, ...
 * appended, after any trailing underscores are dropped (docs/PROTO-MAPPING.md);
 * names never change the bytes.
 */
export class ProtoFieldNames {
  private readonly folded = new Set<string>();

  /** Takes `candidate`, or the first of `candidate_2`, `candidate_3`, ... that clashes with no earlier name. */
  claim(candidate: string): string {
    let name = candidate;
    const stem = candidate.replace(/_+$/, "");
    for (let n = 2; this.folded.has(fold(name)); n++) name = `${stem}_${n}`;
    this.folded.add(fold(name));
    return name;
  }
}

function fold(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}
