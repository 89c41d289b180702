import { CstParser } from "./chevrotain.js";
import { thriftErrorMessages } from "./error-messages.js";
import * as t from "./tokens.js";

/**
 * Apache Thrift's grammar (thrifty.yy) as a chevrotain CST parser.
 *
 * List separators (`,` / `;`) are consumed by the rule that holds the list, so
 * an element's range never includes its separator. Any token that cannot start
 * a header or definition at top level is collected as `unexpected`: after a
 * syntax error the parser skips to the next definition keyword and reports
 * the skipped run once.
 */
export class ThriftGrammar extends CstParser {
  /**
   * `validate` runs chevrotain's grammar checks (ambiguities, left recursion).
   * The grammar is fixed and a test builds it validated; checking it on every
   * start would cost as much as parsing a large file.
   */
  constructor(validate = false) {
    super(t.allTokens, {
      recoveryEnabled: true,
      // Every decision in the grammar is LL(1) (the validated build in the tests checks it at
      // this setting); looking further only adds work to the grammar analysis at construction.
      maxLookahead: 1,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: thriftErrorMessages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  readonly document = this.RULE("document", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.header) },
        { ALT: () => this.SUBRULE(this.definition) },
        { ALT: () => this.CONSUME(t.StrayToken, { LABEL: "unexpected" }) },
      ]);
    });
  });

  readonly header = this.RULE("header", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.includeHeader) },
      { ALT: () => this.SUBRULE(this.cppIncludeHeader) },
      { ALT: () => this.SUBRULE(this.namespaceHeader) },
    ]);
  });

  readonly includeHeader = this.RULE("includeHeader", () => {
    this.CONSUME(t.Include);
    this.CONSUME(t.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.listSeparator));
  });

  readonly cppIncludeHeader = this.RULE("cppIncludeHeader", () => {
    this.CONSUME(t.CppInclude);
    this.CONSUME(t.StringLiteral);
    this.OPTION(() => this.SUBRULE(this.listSeparator));
  });

  readonly namespaceHeader = this.RULE("namespaceHeader", () => {
    this.CONSUME(t.Namespace);
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(t.Star, { LABEL: "scope" }) },
        { ALT: () => this.CONSUME1(t.Identifier, { LABEL: "scope" }) },
      ],
      ERR_MSG: "a language scope such as 'java', 'py.twisted' or '*'",
    });
    this.CONSUME2(t.Identifier, { LABEL: "name" });
    this.OPTION(() => this.SUBRULE(this.annotations));
    this.OPTION2(() => this.SUBRULE(this.listSeparator));
  });

  readonly definition = this.RULE("definition", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.typedefDefinition) },
      { ALT: () => this.SUBRULE(this.constDefinition) },
      { ALT: () => this.SUBRULE(this.enumDefinition) },
      { ALT: () => this.SUBRULE(this.structDefinition) },
      { ALT: () => this.SUBRULE(this.serviceDefinition) },
    ]);
  });

  readonly typedefDefinition = this.RULE("typedefDefinition", () => {
    this.CONSUME(t.Typedef);
    this.SUBRULE(this.fieldType);
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.OPTION(() => this.SUBRULE(this.annotations));
    this.OPTION2(() => this.SUBRULE(this.listSeparator));
  });

  readonly constDefinition = this.RULE("constDefinition", () => {
    this.CONSUME(t.Const);
    this.SUBRULE(this.fieldType);
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.CONSUME(t.Equals);
    this.SUBRULE(this.constValue);
    this.OPTION(() => this.SUBRULE(this.annotations));
    this.OPTION2(() => this.SUBRULE(this.listSeparator));
  });

  readonly enumDefinition = this.RULE("enumDefinition", () => {
    this.CONSUME(t.Enum);
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.enumValue);
      this.OPTION(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RCurly);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly enumValue = this.RULE("enumValue", () => {
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.CONSUME(t.IntegerLiteral, { LABEL: "value" });
    });
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly structDefinition = this.RULE("structDefinition", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Struct, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(t.Union, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(t.Exception, { LABEL: "keyword" }) },
    ]);
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.OPTION3(() => this.CONSUME(t.XsdAll));
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.field);
      this.OPTION(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RCurly);
    this.OPTION2(() => this.SUBRULE(this.annotations));
  });

  readonly serviceDefinition = this.RULE("serviceDefinition", () => {
    this.CONSUME(t.Service);
    this.CONSUME1(t.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(t.Extends);
      this.CONSUME2(t.Identifier, { LABEL: "base" });
    });
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.functionDefinition);
      this.OPTION2(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RCurly);
    this.OPTION3(() => this.SUBRULE(this.annotations));
  });

  readonly functionDefinition = this.RULE("functionDefinition", () => {
    this.OPTION(() => {
      this.OR1([
        { ALT: () => this.CONSUME(t.Oneway, { LABEL: "oneway" }) },
        { ALT: () => this.CONSUME(t.Async, { LABEL: "oneway" }) },
      ]);
    });
    this.OR2({
      DEF: [{ ALT: () => this.CONSUME(t.Void) }, { ALT: () => this.SUBRULE(this.fieldType) }],
      ERR_MSG: "a return type (a type or 'void')",
    });
    this.CONSUME(t.Identifier, { LABEL: "name" });
    this.CONSUME1(t.LParen);
    this.MANY(() => {
      this.SUBRULE1(this.field, { LABEL: "param" });
      this.OPTION2(() => this.SUBRULE1(this.listSeparator));
    });
    this.CONSUME1(t.RParen);
    this.OPTION3(() => {
      this.CONSUME(t.Throws);
      this.CONSUME2(t.LParen, { LABEL: "throwsLParen" });
      this.MANY2(() => {
        this.SUBRULE2(this.field, { LABEL: "throw" });
        this.OPTION4(() => this.SUBRULE2(this.listSeparator));
      });
      this.CONSUME2(t.RParen, { LABEL: "throwsRParen" });
    });
    this.OPTION5(() => this.SUBRULE(this.annotations));
  });

  readonly field = this.RULE("field", () => {
    this.OPTION(() => {
      this.CONSUME(t.IntegerLiteral, { LABEL: "id" });
      this.CONSUME(t.Colon);
    });
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Required, { LABEL: "requiredness" }) },
        { ALT: () => this.CONSUME(t.Optional, { LABEL: "requiredness" }) },
      ]);
    });
    this.SUBRULE(this.fieldType);
    // Thrift's C++ "reference" marker (`RecList & next`); it changes nothing outside C++.
    this.OPTION3(() => this.CONSUME(t.Ampersand));
    this.OR2({
      DEF: [
        { ALT: () => this.CONSUME(t.Identifier, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(t.FieldNameKeyword, { LABEL: "name" }) },
      ],
      ERR_MSG: "a field name",
    });
    this.OPTION4(() => {
      this.CONSUME(t.Equals);
      this.SUBRULE(this.constValue);
    });
    this.OPTION6(() => this.CONSUME(t.XsdOptional));
    this.OPTION7(() => this.CONSUME(t.XsdNillable));
    this.OPTION8(() => {
      this.CONSUME(t.XsdAttrs);
      this.CONSUME(t.LCurly);
      this.MANY(() => {
        this.SUBRULE(this.field, { LABEL: "xsdAttribute" });
        this.OPTION9(() => this.SUBRULE(this.listSeparator));
      });
      this.CONSUME(t.RCurly);
    });
    this.OPTION5(() => this.SUBRULE(this.annotations));
  });

  readonly fieldType = this.RULE("fieldType", () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(t.BaseTypeKeyword, { LABEL: "baseType" }) },
        { ALT: () => this.SUBRULE(this.mapType) },
        { ALT: () => this.SUBRULE(this.setType) },
        { ALT: () => this.SUBRULE(this.listType) },
        { ALT: () => this.CONSUME(t.Identifier, { LABEL: "namedType" }) },
      ],
      ERR_MSG: "a field type",
    });
    this.OPTION(() => this.SUBRULE(this.annotations));
  });

  readonly mapType = this.RULE("mapType", () => {
    this.CONSUME(t.Map);
    this.OPTION(() => this.SUBRULE(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE1(this.fieldType, { LABEL: "keyType" });
    this.CONSUME(t.Comma);
    this.SUBRULE2(this.fieldType, { LABEL: "valueType" });
    this.CONSUME(t.RAngle);
  });

  readonly setType = this.RULE("setType", () => {
    this.CONSUME(t.Set);
    this.OPTION(() => this.SUBRULE(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE(this.fieldType, { LABEL: "elementType" });
    this.CONSUME(t.RAngle);
  });

  readonly listType = this.RULE("listType", () => {
    this.CONSUME(t.List);
    this.OPTION(() => this.SUBRULE1(this.cppType));
    this.CONSUME(t.LAngle);
    this.SUBRULE(this.fieldType, { LABEL: "elementType" });
    this.CONSUME(t.RAngle);
    // Older Thrift wrote the C++ type after the list: `list<i32> cpp_type "std::list<int>"`.
    this.OPTION2(() => this.SUBRULE2(this.cppType));
  });

  readonly cppType = this.RULE("cppType", () => {
    this.CONSUME(t.CppType);
    this.CONSUME(t.StringLiteral);
  });

  readonly annotations = this.RULE("annotations", () => {
    this.CONSUME(t.LParen);
    this.MANY(() => {
      this.SUBRULE(this.annotation);
      this.OPTION(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RParen);
  });

  readonly annotation = this.RULE("annotation", () => {
    this.CONSUME(t.Identifier, { LABEL: "key" });
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.CONSUME(t.StringLiteral, { LABEL: "value" });
    });
  });

  readonly constValue = this.RULE("constValue", () => {
    this.OR({
      DEF: [
        { ALT: () => this.CONSUME(t.IntegerLiteral) },
        { ALT: () => this.CONSUME(t.DoubleLiteral) },
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Identifier) },
        { ALT: () => this.SUBRULE(this.constList) },
        { ALT: () => this.SUBRULE(this.constMap) },
      ],
      ERR_MSG: "a constant value",
    });
  });

  readonly constList = this.RULE("constList", () => {
    this.CONSUME(t.LSquare);
    this.MANY(() => {
      this.SUBRULE(this.constValue);
      this.OPTION(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RSquare);
  });

  readonly constMap = this.RULE("constMap", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.constMapEntry);
      this.OPTION(() => this.SUBRULE(this.listSeparator));
    });
    this.CONSUME(t.RCurly);
  });

  readonly constMapEntry = this.RULE("constMapEntry", () => {
    this.SUBRULE1(this.constValue, { LABEL: "key" });
    this.CONSUME(t.Colon);
    this.SUBRULE2(this.constValue, { LABEL: "value" });
  });

  readonly listSeparator = this.RULE("listSeparator", () => {
    this.OR([{ ALT: () => this.CONSUME(t.Comma) }, { ALT: () => this.CONSUME(t.Semicolon) }]);
  });
}

/** The one parser instance: construction runs grammar analysis, so it is built once and reused. */
export const thriftGrammar = new ThriftGrammar();
