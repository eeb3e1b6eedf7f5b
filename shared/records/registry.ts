import { ballot, type BallotInput } from './ballot';
import { comment, type CommentInput } from './comment';
import { entry, type EntryInput } from './entry';
import { draft, type DraftInput } from './entryDraft';
import { interest, type InterestInput } from './interest';
import { network, type NetworkInput } from './network';
import { offer, type OfferInput } from './offer';
import { org, type OrgInput } from './org';
import { proposal, type ProposalInput } from './proposal';
import type { RecordModule } from './recordModule';
import { result, type ResultInput } from './result';
import type { RecordType } from './recordType';

/** The module of each record type; the store, the client and the hub look types up here. */
export const recordModules = { network, org, entry, proposal, ballot, comment, offer, interest, result, draft } as const;

export type ProjectionOf<T extends RecordType> = ReturnType<(typeof recordModules)[T]['read']>;

/** What `create` accepts for each type (before defaults are filled in). */
export interface InputTypes {
  network: NetworkInput;
  org: OrgInput;
  entry: EntryInput;
  proposal: ProposalInput;
  ballot: BallotInput;
  comment: CommentInput;
  offer: OfferInput;
  interest: InterestInput;
  result: ResultInput;
  draft: DraftInput;
}

/** The type-erased view of a module, for code that handles any record (store, hub). */
export function moduleFor(type: RecordType): RecordModule {
  return recordModules[type] as unknown as RecordModule;
}
