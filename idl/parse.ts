import { EOF } from "./parser/chevrotain.js";
import type { ThriftDocument } from "./ast.js";
import type { Diagnostic } from "./diagnostic.js";
import { BuildContext } from "./parser/build-context.js";
import { CstToAst } from "./parser/cst-to-ast.js";
import { TokenIndex } from "./parser/token-index.js";
import { thriftGrammar } from "./parser/grammar.js";
import { lex } from "./parser/lexer.js";
import { limitNesting } from "./parser/nesting-limit.js";
import { SourceMap } from "./parser/source-map.js";
import { reportSyntaxErrors } from "./parser/syntax-errors.js";

export interface ParseResult {
  document: ThriftDocument;
  diagnostics: Diagnostic[];
}

/**
 * Parses one Thrift IDL file.
 * Never throws on bad input: returns every lexing/parsing diagnostic, and as much of the document as could be recovered.
 */
export function parse(text: string, file: string): ParseResult {
  const source = new SourceMap(file, text);
  const lexed = lex(text, source);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];

  const limited = limitNesting(lexed.tokens, source);
  if (limited.diagnostic !== undefined) diagnostics.push(limited.diagnostic);

  thriftGrammar.input = limited.tokens;
  const cst = thriftGrammar.document();
  // When the input was cut short, complaints about its sudden end are noise.
  const parseErrors = thriftGrammar.errors.filter((error) => !limited.truncated || error.token.tokenType !== EOF);
  // Let the shared parser drop this file's tokens rather than keep them alive until the next call.
  thriftGrammar.input = [];

  const tokenIndex = new TokenIndex(lexed.tokens, lexed.docComments);
  const syntax = reportSyntaxErrors(parseErrors, tokenIndex, lexed.tokens.length, source);
  diagnostics.push(...syntax.diagnostics);

  const builder = new CstToAst(new BuildContext(source, tokenIndex, diagnostics), syntax.errorOffsets);
  const document = builder.document(cst, text.length);

  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset);
  return { document, diagnostics };
}
