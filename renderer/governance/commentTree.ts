/*
 * Comments arrive as flat records linked by parentId; a thread shows them as a tree, oldest first
 * at each level. A reply whose parent this device does not have (hidden from it, or not synced yet)
 * shows at the top level rather than disappearing.
 */

export interface CommentNode<C> {
  readonly id: string;
  readonly comment: C;
  readonly replies: CommentNode<C>[];
}

export function commentTree<C>(comments: readonly { readonly id: string; readonly parentId: string | null; readonly createdAt: number; readonly comment: C }[]): CommentNode<C>[] {
  const sorted = [...comments].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const nodes = new Map(sorted.map((c) => [c.id, { id: c.id, comment: c.comment, replies: [] as CommentNode<C>[] }]));
  const roots: CommentNode<C>[] = [];
  for (const c of sorted) {
    const node = nodes.get(c.id)!;
    const parent = c.parentId !== null && c.parentId !== c.id ? nodes.get(c.parentId) : undefined;
    if (parent && !isAbove(node, parent)) parent.replies.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Whether `candidate` is already among `node`'s replies, at any depth: bad data with a cycle would otherwise hide both. */
function isAbove<C>(node: CommentNode<C>, candidate: CommentNode<C>): boolean {
  const stack = [...node.replies];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === candidate) return true;
    stack.push(...next.replies);
  }
  return false;
}
