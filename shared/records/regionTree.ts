import { z } from 'zod';
import { nonEmptyText } from './fieldSchemas';

/*
 * The network's list of regions, as the secretariat keeps it in network settings: a tree of
 * administrative units (province, prefecture, county, township), each with a stable id and its
 * names in Chinese and English, so "云南省" and "Yunnan" are one region. Kept flat (each node
 * names its parent) so it fits one field of the network record; `regionTreeProblem` says whether
 * a list is a tree.
 */

export const regionLevels = ['province', 'prefecture', 'county', 'township'] as const;
export type RegionLevel = (typeof regionLevels)[number];

export const MAX_REGION_NODES = 5000;

const regionIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'a region id is 1-60 letters, digits, dots, dashes or underscores');

export const regionNodeSchema = z
  .object({
    id: regionIdSchema,
    parentId: regionIdSchema.nullable(),
    level: z.enum(regionLevels),
    names: z.object({ zh: nonEmptyText(80), en: nonEmptyText(80) }).strict(),
  })
  .strict();
export type RegionNode = z.infer<typeof regionNodeSchema>;

/** A region name as it compares with its siblings': NFKC, trimmed, lower case. */
export function sameNameKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/** Why `nodes` is not a tree (or two siblings share a name) (a duplicate id, an unknown parent, a cycle, a child not below its parent), or null. */
export function regionTreeProblem(nodes: readonly RegionNode[]): string | null {
  const byId = new Map<string, RegionNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) return `region id ${node.id} appears twice`;
    byId.set(node.id, node);
  }
  for (const node of nodes) {
    if (node.parentId === null) continue;
    const parent = byId.get(node.parentId);
    if (!parent) return `region ${node.id} names a parent ${node.parentId} that is not in the list`;
    if (regionLevels.indexOf(node.level) <= regionLevels.indexOf(parent.level)) return `region ${node.id} (${node.level}) is not below its parent ${parent.id} (${parent.level})`;
  }
  // Two siblings of one name split every count by region in two ("云南省" twice): names compare
  // as people read them, ignoring case, width variants and surrounding spaces.
  const namesUnder = new Map<string, RegionNode>();
  for (const node of nodes) {
    for (const language of ['zh', 'en'] as const) {
      const key = `${node.parentId ?? ''}\u0000${language}\u0000${sameNameKey(node.names[language])}`;
      const other = namesUnder.get(key);
      if (other) return `regions ${other.id} and ${node.id} under the same parent are both named ${node.names[language]}`;
      namesUnder.set(key, node);
    }
  }
  // Levels strictly increase downwards, so a cycle would already have failed above; walk anyway,
  // so the answer does not depend on that reasoning.
  for (const node of nodes) {
    const seen = new Set<string>();
    for (let current: RegionNode | undefined = node; current; current = current.parentId === null ? undefined : byId.get(current.parentId)) {
      if (seen.has(current.id)) return `region ${node.id} is its own ancestor`;
      seen.add(current.id);
    }
  }
  return null;
}

export const regionTreeSchema = z
  .array(regionNodeSchema)
  .max(MAX_REGION_NODES)
  .superRefine((nodes, ctx) => {
    const problem = regionTreeProblem(nodes);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A node's path of names from the top, in one language: ['云南省', '大理州']. */
export function regionNamePath(nodes: readonly RegionNode[], id: string, language: 'zh' | 'en'): string[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const path: string[] = [];
  for (let current = byId.get(id); current && path.length <= nodes.length; current = current.parentId === null ? undefined : byId.get(current.parentId)) {
    path.unshift(current.names[language]);
  }
  return path;
}
