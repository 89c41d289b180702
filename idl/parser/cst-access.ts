import type { CstNode, IToken } from "chevrotain";

/** Children under `key` that are rule nodes. */
export function nodesOf(node: CstNode, key: string): CstNode[] {
  return (node.children[key] ?? []) as CstNode[];
}

/** Real tokens under `key`; tokens invented by error recovery are left out (they have no position). */
export function tokensOf(node: CstNode, key: string): IToken[] {
  return ((node.children[key] ?? []) as IToken[]).filter((token) => token.isInsertedInRecovery !== true);
}

/** The first real token under `key` (see tokensOf), without building the list. */
export function firstToken(node: CstNode, key: string): IToken | undefined {
  const children = node.children[key] as IToken[] | undefined;
  if (children === undefined) return undefined;
  for (const token of children) if (token.isInsertedInRecovery !== true) return token;
  return undefined;
}

/** Offset just after the token. */
export function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}
