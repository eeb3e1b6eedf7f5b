import { sameNameKey } from '../../shared/records/regionTree';
import type { RegionLevel, RegionNode } from './adminApi';

/*
 * The network's region list as a tree (docs/PROTOCOL.md, Network settings): each node has a zh and
 * an en name. Records keep a region as the path of zh names from the top (the hub rewrites the
 * network's `regions` list the same way), so "云南省" and "Yunnan" are one region in every count;
 * people see and choose it in their own language.
 */

export interface RegionOption {
  readonly id: string;
  /** The path of zh names from the top: what a record stores. */
  readonly path: readonly string[];
  /** The path as the reader's language names it, "Yunnan / Dali". */
  readonly label: string;
  readonly depth: number;
}

const levelOrder: Readonly<Record<RegionLevel, number>> = { province: 0, prefecture: 1, county: 2, township: 3 };

export const nameIn = (node: RegionNode, language: string): string => (language.startsWith('zh') ? node.names.zh : node.names.en) || node.names.zh || node.names.en;

/** Every node with its path from the top, depth first in the tree's own order; a node in a cycle or under a missing parent is left out. */
export function regionOptions(tree: readonly RegionNode[], language: string): RegionOption[] {
  const children = new Map<string | null, RegionNode[]>();
  for (const node of tree) children.set(node.parentId, [...(children.get(node.parentId) ?? []), node]);
  const options: RegionOption[] = [];
  const visit = (parentId: string | null, zhPath: readonly string[], labels: readonly string[], seen: ReadonlySet<string>) => {
    for (const node of children.get(parentId) ?? []) {
      if (seen.has(node.id)) continue;
      const path = [...zhPath, node.names.zh];
      const label = [...labels, nameIn(node, language)];
      options.push({ id: node.id, path, label: label.join(' / '), depth: path.length - 1 });
      visit(node.id, path, label, new Set([...seen, node.id]));
    }
  };
  visit(null, [], [], new Set());
  return options;
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((part, i) => part === b[i]);

/** The option a stored path names: by its zh path, or by the same names in English (a record written before the tree). */
export function optionOfPath(options: readonly RegionOption[], tree: readonly RegionNode[], path: readonly string[]): RegionOption | null {
  if (path.length === 0) return null;
  const direct = options.find((option) => samePath(option.path, path));
  if (direct) return direct;
  const byId = new Map(tree.map((node) => [node.id, node]));
  return (
    options.find((option) => {
      const enPath: string[] = [];
      for (let node = byId.get(option.id); node; node = node.parentId === null ? undefined : byId.get(node.parentId)) enPath.unshift(node.names.en);
      return samePath(enPath, path);
    }) ?? null
  );
}

/** What is wrong with a tree before it is sent (the hub checks the same and refuses with `bad-region-tree`). */
export type RegionTreeProblem =
  | { readonly kind: 'duplicate-id'; readonly id: string }
  | { readonly kind: 'missing-parent'; readonly id: string }
  | { readonly kind: 'cycle'; readonly id: string }
  | { readonly kind: 'level-not-below-parent'; readonly id: string }
  | { readonly kind: 'bad-id'; readonly id: string }
  | { readonly kind: 'missing-name'; readonly id: string }
  | { readonly kind: 'duplicate-name'; readonly id: string; readonly name: string };

export function regionTreeProblems(tree: readonly RegionNode[]): RegionTreeProblem[] {
  const problems: RegionTreeProblem[] = [];
  const byId = new Map<string, RegionNode>();
  for (const node of tree) {
    if (!/^[A-Za-z0-9._-]{1,60}$/.test(node.id)) problems.push({ kind: 'bad-id', id: node.id });
    if (byId.has(node.id)) problems.push({ kind: 'duplicate-id', id: node.id });
    byId.set(node.id, node);
    if (node.names.zh.trim() === '' || node.names.en.trim() === '') problems.push({ kind: 'missing-name', id: node.id });
  }
  const namesUnder = new Set<string>();
  for (const node of tree) {
    for (const language of ['zh', 'en'] as const) {
      const name = node.names[language];
      if (name.trim() === '') continue;
      const key = `${node.parentId ?? ''}\u0000${language}\u0000${sameNameKey(name)}`;
      if (namesUnder.has(key)) problems.push({ kind: 'duplicate-name', id: node.id, name: name.trim() });
      namesUnder.add(key);
    }
  }
  for (const node of tree) {
    if (node.parentId === null) continue;
    const parent = byId.get(node.parentId);
    if (!parent) {
      problems.push({ kind: 'missing-parent', id: node.id });
      continue;
    }
    if (levelOrder[node.level] <= levelOrder[parent.level]) problems.push({ kind: 'level-not-below-parent', id: node.id });
    const seen = new Set([node.id]);
    for (let up: RegionNode | undefined = parent; up; up = up.parentId === null ? undefined : byId.get(up.parentId)) {
      if (seen.has(up.id)) {
        problems.push({ kind: 'cycle', id: node.id });
        break;
      }
      seen.add(up.id);
    }
  }
  return problems;
}

/** The level just below, for a child added under `parent`; null below a township. */
export function childLevel(parent: RegionLevel): RegionLevel | null {
  const order = Object.entries(levelOrder).sort(([, a], [, b]) => a - b).map(([level]) => level as RegionLevel);
  return order[order.indexOf(parent) + 1] ?? null;
}
