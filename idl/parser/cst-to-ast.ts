import type { CstNode, IToken } from "chevrotain";
import type * as ast from "../ast.js";
import type { BuildContext } from "./build-context.js";
import { buildAnnotations, buildTypeRef } from "./build-types.js";
import { buildConstValue, buildIntConst } from "./build-values.js";
import { integerLiteralValue } from "./number-literals.js";
import { firstToken, nodesOf, tokensOf } from "./cst-access.js";
import { E_MISPLACED_HEADER, E_SYNTAX, W_IMPLICIT_FIELD_ID } from "../diagnostic-codes.js";
import { didYouMean } from "../suggest-name.js";
import { describeFound } from "./error-messages.js";
import { Identifier, InvalidNumber } from "./tokens.js";

/** The words that can start a header or definition, for suggestions (`servce` is likely `service`). */
const TOP_LEVEL_KEYWORDS: readonly string[] = [
  "include", "cpp_include", "namespace", "typedef", "const", "enum", "struct", "union", "exception", "service",
];

/** Hands out Thrift's ids for fields written without one: -1, -2, ... within one list. */
class ImplicitFieldIds {
  private next = -1;
  take(): number {
    return this.next--;
  }
}

/**
 * Builds the AST from the parser's CST. Parts the parser could not recover
 * (a struct without a name, a field without a type) are left out; the syntax
 * error that caused the gap has already been reported.
 */
export class CstToAst {
  constructor(
    private readonly context: BuildContext,
    /** Offsets of tokens where the parser already reported an error. */
    private readonly errorOffsets: ReadonlySet<number>,
  ) {}

  document(node: CstNode, textLength: number): ast.ThriftDocument {
    const byOffset = (a: ast.Node, b: ast.Node) => a.range.start.offset - b.range.start.offset;
    const headers = nodesOf(node, "header")
      .map((header) => this.header(header))
      .filter((header) => header !== undefined)
      .sort(byOffset);
    const definitions = nodesOf(node, "definition")
      .map((definition) => this.definition(definition))
      .filter((definition) => definition !== undefined)
      .sort(byOffset);
    this.reportMisplacedHeaders(headers, definitions[0]);
    this.reportUnexpectedTopLevelTokens(tokensOf(node, "unexpected"));
    const { source } = this.context;
    return { file: source.file, range: source.range(0, textLength), headers, definitions };
  }

  // ------------------------------------------------------------ headers

  private header(node: CstNode): ast.Header | undefined {
    const { context } = this;
    const include = nodesOf(node, "includeHeader")[0];
    if (include !== undefined) {
      const path = context.stringValue(firstToken(include, "StringLiteral"));
      if (path === undefined) return undefined;
      const fileName = path.split(/[\\/]/).pop() ?? path;
      const scope = fileName.replace(/\.[^.]*$/, "");
      return { kind: "include", range: context.nodeRange(include, ["listSeparator"]), path, scope };
    }
    const cppInclude = nodesOf(node, "cppIncludeHeader")[0];
    if (cppInclude !== undefined) {
      const path = context.stringValue(firstToken(cppInclude, "StringLiteral"));
      if (path === undefined) return undefined;
      return { kind: "cpp_include", range: context.nodeRange(cppInclude, ["listSeparator"]), path };
    }
    const namespace = nodesOf(node, "namespaceHeader")[0];
    if (namespace !== undefined) {
      const scope = firstToken(namespace, "scope");
      const name = firstToken(namespace, "name");
      if (scope === undefined || name === undefined) return undefined;
      return {
        kind: "namespace",
        range: context.nodeRange(namespace, ["listSeparator"]),
        scope: scope.image,
        name: name.image,
        annotations: buildAnnotations(context, namespace),
      };
    }
    return undefined;
  }

  private reportMisplacedHeaders(headers: ast.Header[], firstDefinition: ast.Definition | undefined): void {
    if (firstDefinition === undefined) return;
    for (const header of headers) {
      if (header.range.start.offset < firstDefinition.range.start.offset) continue;
      this.context.error(
        E_MISPLACED_HEADER,
        `'${header.kind}' must come before the first definition (here '${firstDefinition.name.name}' at line ${firstDefinition.range.start.line})`,
        header.range,
      );
    }
  }

  // ------------------------------------------------------------ definitions

  private definition(node: CstNode): ast.Definition | undefined {
    const [kind] = Object.keys(node.children);
    const inner = kind === undefined ? undefined : nodesOf(node, kind)[0];
    if (inner === undefined) return undefined;
    switch (kind) {
      case "typedefDefinition":
        return this.typedef(inner);
      case "constDefinition":
        return this.constant(inner);
      case "enumDefinition":
        return this.enumeration(inner);
      case "structDefinition":
        return this.struct(inner);
      case "serviceDefinition":
        return this.service(inner);
      default:
        return undefined;
    }
  }

  private typedef(node: CstNode): ast.Typedef | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    const type = buildTypeRef(context, nodesOf(node, "fieldType")[0]);
    if (name === undefined || type === undefined) return undefined;
    const range = context.nodeRange(node, ["listSeparator"]);
    const annotations = buildAnnotations(context, node);
    return { kind: "typedef", range, doc: context.doc(range), name, type, annotations };
  }

  private constant(node: CstNode): ast.Const | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    const type = buildTypeRef(context, nodesOf(node, "fieldType")[0]);
    const value = buildConstValue(context, nodesOf(node, "constValue")[0]);
    if (name === undefined || type === undefined || value === undefined) return undefined;
    const range = context.nodeRange(node, ["listSeparator"]);
    const annotations = buildAnnotations(context, node);
    return { kind: "const", range, doc: context.doc(range), name, type, value, annotations };
  }

  private enumeration(node: CstNode): ast.Enum | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    if (name === undefined) return undefined;
    const values: ast.EnumValue[] = [];
    let previous = -1;
    for (const valueNode of nodesOf(node, "enumValue")) {
      const valueName = context.identifier(firstToken(valueNode, "name"));
      if (valueName === undefined) continue;
      const literal = firstToken(valueNode, "value");
      const explicitValue = literal === undefined ? undefined : buildIntConst(context, literal);
      const value = explicitValue === undefined ? previous + 1 : Number(explicitValue.value);
      previous = value;
      const range = context.nodeRange(valueNode);
      const annotations = buildAnnotations(context, valueNode);
      values.push({ range, doc: context.doc(range), name: valueName, explicitValue, value, annotations });
    }
    const range = context.nodeRange(node);
    return { kind: "enum", range, doc: context.doc(range), name, values, annotations: buildAnnotations(context, node) };
  }

  private struct(node: CstNode): ast.Struct | undefined {
    const { context } = this;
    const keyword = firstToken(node, "keyword");
    const name = context.identifier(firstToken(node, "name"));
    if (keyword === undefined || name === undefined) return undefined;
    const range = context.nodeRange(node);
    return {
      kind: keyword.image as ast.Struct["kind"],
      range,
      doc: context.doc(range),
      name,
      fields: this.fields(nodesOf(node, "field")),
      annotations: buildAnnotations(context, node),
    };
  }

  private service(node: CstNode): ast.Service | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    if (name === undefined) return undefined;
    const functions = nodesOf(node, "functionDefinition")
      .map((fn) => this.function(fn))
      .filter((fn) => fn !== undefined);
    const range = context.nodeRange(node);
    return {
      kind: "service",
      range,
      doc: context.doc(range),
      name,
      extends: context.identifier(firstToken(node, "base")),
      functions,
      annotations: buildAnnotations(context, node),
    };
  }

  private function(node: CstNode): ast.FunctionDef | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    const voidToken = firstToken(node, "Void");
    const returnType: ast.TypeRef | ast.VoidType | undefined =
      voidToken !== undefined
        ? { kind: "void", range: context.tokenRange(voidToken) }
        : buildTypeRef(context, nodesOf(node, "fieldType")[0]);
    if (name === undefined || returnType === undefined) return undefined;
    const range = context.nodeRange(node);
    return {
      range,
      doc: context.doc(range),
      name,
      oneway: tokensOf(node, "oneway").length > 0,
      returnType,
      params: this.fields(nodesOf(node, "param")),
      throws: this.fields(nodesOf(node, "throw")),
      annotations: buildAnnotations(context, node),
    };
  }

  private fields(nodes: CstNode[]): ast.Field[] {
    const implicitIds = new ImplicitFieldIds();
    const fields: ast.Field[] = [];
    for (const node of nodes) {
      const field = this.field(node, implicitIds);
      if (field !== undefined) fields.push(field);
    }
    return fields;
  }

  private field(node: CstNode, implicitIds: ImplicitFieldIds): ast.Field | undefined {
    const { context } = this;
    const name = context.identifier(firstToken(node, "name"));
    const type = buildTypeRef(context, nodesOf(node, "fieldType")[0]);
    if (name === undefined || type === undefined) return undefined;
    const range = context.nodeRange(node);
    const idToken = firstToken(node, "id");
    const requiredness = firstToken(node, "requiredness");
    const defaultNode = nodesOf(node, "constValue")[0];
    let id: number;
    if (idToken === undefined) {
      id = implicitIds.take();
      context.warning(
        W_IMPLICIT_FIELD_ID,
        `field '${name.name}' has no id, so Thrift numbers it ${id}; write an explicit id such as '1: ...'`,
        range,
      );
    } else {
      // A malformed number was reported by the lexer; 0 keeps the field (see buildIntConst).
      id = idToken.tokenType === InvalidNumber ? 0 : Number(integerLiteralValue(idToken.image));
    }
    return {
      range,
      doc: context.doc(range),
      id,
      idExplicit: idToken !== undefined,
      idRange: idToken === undefined ? undefined : context.tokenRange(idToken),
      requiredness: requiredness === undefined ? "default" : (requiredness.image as ast.Requiredness),
      type,
      name,
      defaultValue: defaultNode === undefined ? undefined : buildConstValue(context, defaultNode),
      annotations: buildAnnotations(context, node),
    };
  }

  // ------------------------------------------------------------ stray tokens

  private reportUnexpectedTopLevelTokens(tokens: IToken[]): void {
    let previousIndex = Number.NEGATIVE_INFINITY;
    for (const token of tokens) {
      const index = this.context.tokens.tokenIndexAt(token.startOffset) ?? Number.NaN;
      const continuesRun = index === previousIndex + 1;
      previousIndex = index;
      // One report per run of skipped tokens, and none when the run is the
      // tail of a definition whose syntax error was already reported.
      if (continuesRun || this.errorOffsets.has(token.startOffset)) continue;
      const suggestion = token.tokenType === Identifier ? didYouMean(token.image, TOP_LEVEL_KEYWORDS) : "";
      this.context.error(
        E_SYNTAX,
        `expected a definition such as 'struct', 'enum' or 'service' but found ${describeFound(token)}${suggestion}`,
        this.context.tokenRange(token),
      );
    }
  }
}
