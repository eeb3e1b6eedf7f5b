import * as Y from 'yjs';
import { z } from 'zod';
import { readField, writeFields } from './layout';
import { nonEmptyText, shortText } from './fieldSchemas';
import { regionPathSchema } from './region';
import { regionTreeSchema } from './regionTree';
import { defineMutator, defineRecord, timestampsShape } from './recordModule';
import { recordIdSchema, roleSchema } from './recordType';
import { isOptionalSection, optionalSections, type OptionalSection } from './entryTemplates';

/*
 * The network itself: its name and topic, the stages of development it recognizes, its regions,
 * and its members with their roles. Members live in a Y.Map keyed by organization id, so two
 * changes to different members never collide.
 */

export const stageSchema = z.object({ id: nonEmptyText(60), label: nonEmptyText(120) });
export const memberSchema = z.object({ orgId: recordIdSchema, name: shortText(200), role: roleSchema });
export type Member = z.infer<typeof memberSchema>;

/**
 * What the secretariat has authorized a steward organization to run. A steward's role alone does
 * not let it create proposals or offers: the hub checks this grant too.
 */
export const stewardScopes = ['proposals', 'offers', 'review'] as const;
export type StewardScope = (typeof stewardScopes)[number];
export const stewardGrantSchema = z.object({ orgId: recordIdSchema, scopes: z.array(z.enum(stewardScopes)).max(stewardScopes.length) });
export type StewardGrant = z.infer<typeof stewardGrantSchema>;

const hubKeyFieldSchema = z.string().regex(/^[0-9a-f]{64}$/);
/**
 * The optional capacity self-assessment: each answer carries points (times the question's weight);
 * the total suggests the highest stage whose threshold it reaches (matching/suggestStage).
 */
export const assessmentSchema = z
  .object({
    questions: z
      .array(
        z.object({
          id: nonEmptyText(60),
          text: nonEmptyText(500),
          weight: z.number().min(0).max(100).default(1),
          answers: z
            .array(z.object({ id: nonEmptyText(60), text: nonEmptyText(300), points: z.number().min(-1000).max(1000) }))
            .min(1)
            .max(10)
            .refine((answers) => new Set(answers.map((a) => a.id)).size === answers.length, 'answer ids must be unique'),
        }),
      )
      .max(50)
      .refine((questions) => new Set(questions.map((q) => q.id)).size === questions.length, 'question ids must be unique'),
    thresholds: z.array(z.object({ stage: nonEmptyText(60), minPoints: z.number().min(-100_000).max(100_000) })).max(20),
  });
export type NetworkAssessment = z.infer<typeof assessmentSchema>;

/** The network's topics (network settings), beside its one-line `topic`. */
export const networkTopicsSchema = z
  .array(nonEmptyText(80))
  .max(50)
  .refine((topics) => new Set(topics).size === topics.length, 'topics must be distinct');

/**
 * The largest attachment (one rendition's bytes) the hub takes, a network setting: the hub refuses
 * a larger upload (413 `blob-too-large`), and a device reads it from this record to say so before
 * it stores the attachment at all. 50 MiB by default; at most 2 GiB.
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024;
export const maxAttachmentBytesSchema = z.number().int().min(1024).max(2 * 1024 * 1024 * 1024);

/**
 * The optional entry sections the network has turned on (entryTemplates.ts): the entry form offers
 * them. Each at most once, in template order. Turning one off never hides text written in it.
 */
export const optionalSectionsSchema = z
  .array(z.enum(optionalSections))
  .max(optionalSections.length)
  .refine((names) => new Set(names).size === names.length, 'optional sections must not repeat');

/** `names` in template order, each once: how the setting is stored, so two equal choices are one value. */
export function canonicalOptionalSections(names: readonly string[]): OptionalSection[] {
  return optionalSections.filter((name) => names.includes(name));
}

const stagesSchema = z
  .array(stageSchema)
  .max(20)
  .refine((stages) => new Set(stages.map((s) => s.id)).size === stages.length, 'stage ids must be unique');

export const networkProjectionSchema = z.object({
  name: shortText(200),
  topic: shortText(200),
  stages: z.array(stageSchema),
  regions: z.array(regionPathSchema),
  topics: z.array(z.string()),
  /** The secretariat's list of regions (network settings); `regions` holds its paths of zh names. */
  regionTree: regionTreeSchema,
  members: z.array(memberSchema),
  stewardGrants: z.array(stewardGrantSchema),
  /**
   * The hub's Ed25519 public key (hex), written by the hub itself at `hub init` or its first start
   * and never by a client: results and sync bundles are verified offline against it. Empty until
   * the hub has written it.
   */
  hubKey: z.string(),
  assessment: assessmentSchema.nullable(),
  /** See DEFAULT_MAX_ATTACHMENT_BYTES; a projection stored before the setting existed reads the default. */
  maxAttachmentBytes: maxAttachmentBytesSchema.default(DEFAULT_MAX_ATTACHMENT_BYTES),
  /** See optionalSectionsSchema; a projection stored before the setting existed reads none. */
  optionalSections: optionalSectionsSchema.default([]),
  ...timestampsShape,
});
export type NetworkProjection = z.infer<typeof networkProjectionSchema>;

export const defaultStages = [
  { id: 'seed', label: 'Seed' },
  { id: 'growing', label: 'Growing' },
  { id: 'established', label: 'Established' },
  { id: 'mature', label: 'Mature' },
];

export const networkInputSchema = z.object({
  name: nonEmptyText(200),
  topic: shortText(200).default(''),
  stages: stagesSchema.default(defaultStages),
  regions: z.array(regionPathSchema).max(500).default([]),
  members: z.array(memberSchema).max(5000).default([]),
});
export type NetworkInput = z.input<typeof networkInputSchema>;

function membersMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('members');
}

function stewardGrantsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('stewardGrants');
}

/** Entries of a Y.Map that parse, ordered by key, so every replica reads the same list. */
function parsedValues<T>(map: Y.Map<unknown>, schema: z.ZodType<T>): T[] {
  return [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, value]) => {
      const parsed = schema.safeParse(value);
      return parsed.success ? [parsed.data] : [];
    });
}

/** Whether the network's secretariat authorized `orgId` (a steward) to run `scope`. */
export function isStewardAuthorized(network: Pick<NetworkProjection, 'stewardGrants'>, orgId: string, scope: StewardScope): boolean {
  return network.stewardGrants.some((grant) => grant.orgId === orgId && grant.scopes.includes(scope));
}

/** The one network record's fixed id: the hub creates it at `init` and alone writes it. Every reader finds the network by this id. */
export const NETWORK_RECORD_ID = 'network';

export const network = defineRecord({
  type: 'network',
  projectionSchema: networkProjectionSchema,
  inputSchema: networkInputSchema,
  init(doc, { members, ...plain }) {
    writeFields(doc, plain);
    for (const member of members) membersMap(doc).set(member.orgId, member);
  },
  read(doc) {
    return {
      name: readField(doc, 'name', shortText(200), ''),
      topic: readField(doc, 'topic', shortText(200), ''),
      stages: readField(doc, 'stages', z.array(stageSchema), []),
      regions: readField(doc, 'regions', z.array(regionPathSchema), []),
      topics: readField(doc, 'topics', networkTopicsSchema, []),
      regionTree: readField(doc, 'regionTree', regionTreeSchema, []),
      members: parsedValues(membersMap(doc), memberSchema),
      stewardGrants: parsedValues(stewardGrantsMap(doc), stewardGrantSchema),
      hubKey: readField(doc, 'hubKey', hubKeyFieldSchema, ''),
      assessment: readField(doc, 'assessment', assessmentSchema.nullable(), null),
      maxAttachmentBytes: readField(doc, 'maxAttachmentBytes', maxAttachmentBytesSchema, DEFAULT_MAX_ATTACHMENT_BYTES),
      // Tolerant: a name a newer app turned on that this one does not know is left out, not the whole list.
      optionalSections: canonicalOptionalSections(readField(doc, 'optionalSections', z.array(z.string()), []).filter(isOptionalSection)),
    };
  },
  // Changing who belongs and with which role is managing the network, not editing its text.
  fieldActions: { members: 'manage', stewardGrants: 'manage', hubKey: 'manage' },
  index: (p) => ({ title: p.name, status: '', kind: '', refId: '', tags: [], region: '' }),
});

export const networkMutators = {
  setDetails: defineMutator(
    'network',
    'setDetails',
    'edit',
    z
      .object({
        name: nonEmptyText(200),
        topic: shortText(200),
        stages: stagesSchema,
        regions: z.array(regionPathSchema).max(500),
        topics: networkTopicsSchema,
        regionTree: regionTreeSchema,
        maxAttachmentBytes: maxAttachmentBytesSchema,
        optionalSections: optionalSectionsSchema,
      })
      .partial(),
    (doc, values) => writeFields(doc, values),
  ),
  setMember: defineMutator('network', 'setMember', 'manage', memberSchema, (doc, member) => membersMap(doc).set(member.orgId, member)),
  removeMember: defineMutator('network', 'removeMember', 'manage', recordIdSchema, (doc, orgId) => membersMap(doc).delete(orgId)),
  /** The hub writes its own key (server/hub/hubKey.ts); the hub refuses this change from any client. */
  setHubKey: defineMutator('network', 'setHubKey', 'manage', hubKeyFieldSchema, (doc, hubKey) => writeFields(doc, { hubKey })),
  /** Replaces the self-assessment whole (null removes it); its thresholds should name the network's stages. */
  setAssessment: defineMutator('network', 'setAssessment', 'edit', assessmentSchema.nullable(), (doc, assessment) => writeFields(doc, { assessment })),
  /** Replaces a steward's grant; an empty scope list withdraws it. */
  setStewardGrant: defineMutator('network', 'setStewardGrant', 'manage', stewardGrantSchema, (doc, grant) => {
    if (grant.scopes.length === 0) stewardGrantsMap(doc).delete(grant.orgId);
    else stewardGrantsMap(doc).set(grant.orgId, grant);
  }),
};
