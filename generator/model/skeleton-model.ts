import type { FunctionDef, Service } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import { fragment, parenthesizedList } from "../layout/code-docs.js";
import { stringLiteral } from "../layout/literals.js";
import { NameScope } from "../name-scope.js";
import { propertyKey } from "../safe-identifier.js";
import type { SkeletonPaths } from "../skeleton-paths.js";
import { FileContext } from "./file-context.js";
import { methodProperty } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import { ImportCollector } from "./import-collector.js";
import { ancestors, methodDocs, params, returnTsType, type ServiceInFile } from "./service-model.js";
import type { SkeletonMethodModel, SkeletonModel } from "./template-model.js";
import { type ModelInputs, moduleExtension } from "./ts-file-model.js";

/**
 * The model of the `--skeleton` starter implementation of one service: a
 * class implementing its handler with a method per method it declares, each
 * throwing UNIMPLEMENTED. A child service's class extends its parent's, so it
 * inherits those methods. Parameters start with `_` until the user implements
 * the method (noUnusedParameters).
 */
export function skeletonModel(inputs: ModelInputs, skeletons: SkeletonPaths, file: ProgramFile, service: Service): SkeletonModel {
  const extension = moduleExtension(inputs);
  const names = FileNames.of(file).service(service.name.name);
  const here = skeletons.of(file, service.name.name);
  const imports = new ImportCollector(file, new NameScope([names.handlerImpl]), (other) => skeletons.toModule(here, other, extension), true);
  const ctx = new FileContext(inputs.program, file, inputs.resolver, imports, inputs.diagnostics);
  const self: ServiceInFile = { file, service };
  const parent = ancestors(ctx, self)[0];
  const parentClass =
    parent === undefined
      ? undefined
      : imports.namedValue(
          FileNames.of(parent.file).service(parent.service.name.name).handlerImpl,
          skeletons.toSkeleton(here, skeletons.of(parent.file, parent.service.name.name), extension),
        );
  const handler = imports.qualify(file, names.handler);
  const methods = service.functions.map((method) => skeletonMethod(ctx, self, method));
  const heritage = parentClass === undefined ? "" : ` extends ${parentClass}`;
  return {
    source: inputs.paths.sourceName(file),
    imports: imports.statements(),
    classHeader: `export class ${names.handlerImpl}${heritage} implements ${handler}`,
    methods,
  };
}

function skeletonMethod(ctx: FileContext, owner: ServiceInFile, method: FunctionDef): SkeletonMethodModel {
  const { scope, list } = params(ctx, owner, method, []);
  // A fresh scope for the `_` names: a parameter `_a` and a parameter `a` must not meet.
  const underscored = new NameScope();
  const named = list.map((p) => ({ ...p, name: underscored.claim(`_${p.name}`) }));
  const context = underscored.claim(`_${scope.claim("context")}`);
  const signature = [
    "async ",
    propertyKey(methodProperty(method)),
    parenthesizedList([...named.map((p) => `${p.name}: ${p.tsType}`), `${context}: ${ctx.imports.runtimeType("CallContext")}`]),
    `: Promise<${returnTsType(ctx, owner, method)}> {`,
  ];
  const message = stringLiteral(`${owner.service.name.name}.${method.name.name} is not implemented yet`);
  const body = [
    `throw new ${ctx.imports.runtimeValue("RpcError")}`,
    parenthesizedList([`${ctx.imports.runtimeValue("Code")}.UNIMPLEMENTED`, message]),
    ";",
  ];
  return {
    docLines: methodDocs(ctx, owner, method, named.map((p) => p.name), null).lines(),
    signature: fragment(signature, 2),
    body: fragment(body, 4),
  };
}
