import type { ProgramFile } from "../../idl/program.js";
import { NameScope } from "../name-scope.js";
import { bindingCandidate, identifierChars } from "../safe-identifier.js";

/** The exported names generated for one type definition. */
export interface TypeNames {
  /** Interface, type alias, enum object + type, or exception class. */
  readonly type: string;
  /** StructDescriptor or EnumDescriptor constant (typedefs have none). */
  readonly descriptor: string;
  /** Factory applying defaults (structs only; empty otherwise). */
  readonly create: string;
  /** Validator (structs, unions, exceptions; empty otherwise). */
  readonly validate: string;
}

/** The exported names generated for one service. */
export interface ServiceNames {
  readonly descriptor: string;
  readonly client: string;
  readonly handler: string;
  readonly register: string;
  /** Class name of the `--skeleton` starter implementation. */
  readonly handlerImpl: string;
}

const cache = new WeakMap<ProgramFile, FileNames>();

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * Every top-level name a generated `x.ts` exports, decided once per IDL file so
 * that the file itself and every file importing it agree. IDL names are taken
 * first (kept as written when safe), derived names (`XClient`, `createX`, ...)
 * after, so a derived name never takes a name the IDL asked for.
 */
export class FileNames {
  private readonly types = new Map<string, TypeNames>();
  private readonly constants = new Map<string, string>();
  private readonly services = new Map<string, ServiceNames>();
  /** The module scope after the exported names; imports are allocated in a copy of it. */
  readonly exported: readonly string[];

  static of(file: ProgramFile): FileNames {
    let names = cache.get(file);
    if (names === undefined) {
      names = new FileNames(file);
      cache.set(file, names);
    }
    return names;
  }

  private constructor(file: ProgramFile) {
    const scope = new NameScope();
    const definitions = file.document.definitions;
    const primary = new Map<string, string>();
    // Safe names first so that an escaped name (`Error` -> `Error_`) never displaces a real IDL name.
    for (const pass of [true, false]) {
      for (const definition of definitions) {
        if (definition.kind === "service") continue;
        const idlName = definition.name.name;
        const candidate = bindingCandidate(idlName);
        if ((candidate === idlName) === pass && !primary.has(`${definition.kind}:${idlName}`)) {
          primary.set(`${definition.kind}:${idlName}`, scope.claim(candidate));
        }
      }
    }
    for (const definition of definitions) {
      const idlName = definition.name.name;
      const base = identifierChars(idlName);
      switch (definition.kind) {
        case "const":
          this.constants.set(idlName, primary.get(`const:${idlName}`)!);
          break;
        case "typedef":
          this.types.set(idlName, { type: primary.get(`typedef:${idlName}`)!, descriptor: "", create: "", validate: "" });
          break;
        case "enum":
          this.types.set(idlName, {
            type: primary.get(`enum:${idlName}`)!,
            descriptor: scope.claim(bindingCandidate(`${base}Descriptor`)),
            create: "",
            validate: "",
          });
          break;
        case "struct":
        case "union":
        case "exception":
          this.types.set(idlName, {
            type: primary.get(`${definition.kind}:${idlName}`)!,
            descriptor: scope.claim(bindingCandidate(`${base}Descriptor`)),
            create: definition.kind === "struct" ? scope.claim(bindingCandidate(`create${upperFirst(base)}`)) : "",
            validate: scope.claim(bindingCandidate(`validate${upperFirst(base)}`)),
          });
          break;
        case "service":
          this.services.set(idlName, {
            descriptor: scope.claim(bindingCandidate(`${base}Service`)),
            client: scope.claim(bindingCandidate(`${base}Client`)),
            handler: scope.claim(bindingCandidate(`${base}Handler`)),
            register: scope.claim(bindingCandidate(`register${upperFirst(base)}`)),
            handlerImpl: bindingCandidate(`${base}HandlerImpl`),
          });
          break;
      }
    }
    this.exported = [...primary.values(), ...this.derivedNames()];
  }

  private derivedNames(): string[] {
    const names: string[] = [];
    for (const t of this.types.values()) names.push(...[t.descriptor, t.create, t.validate].filter((n) => n !== ""));
    for (const s of this.services.values()) names.push(s.descriptor, s.client, s.handler, s.register);
    return names;
  }

  /** Names for the type definition `idlName` declared in this file. */
  type(idlName: string): TypeNames {
    const names = this.types.get(idlName);
    if (names === undefined) throw new Error(`internal: no type ${idlName} in this file`);
    return names;
  }

  constant(idlName: string): string {
    const name = this.constants.get(idlName);
    if (name === undefined) throw new Error(`internal: no constant ${idlName} in this file`);
    return name;
  }

  service(idlName: string): ServiceNames {
    const names = this.services.get(idlName);
    if (names === undefined) throw new Error(`internal: no service ${idlName} in this file`);
    return names;
  }

  /** A fresh scope holding every exported name, for allocating import aliases and locals. */
  moduleScope(): NameScope {
    return new NameScope(this.exported);
  }
}
