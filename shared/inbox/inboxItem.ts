import type { Choice, FacilitationChannel } from '../records/ballot';
import type { PipelineStage } from '../records/interest';
import type { VersionedField } from '../records/proposal';
import type { RecordType } from '../records/recordType';
import type { SealedTally } from '../records/result';

/*
 * What the inbox shows: typed items, each about one subject (the record or organization it
 * concerns), keyed so that a read marker names exactly one event. An item's `at` is when the event
 * happened (by the clock of whoever caused it), which orders the inbox and decides what is new
 * since the device started keeping its inbox.
 */

/** One version of a proposal after the one a ballot was cast on: who made it, the fields it changed, the editor's note. */
export interface BallotConfirmChange {
  readonly orgId: string;
  readonly at: number;
  readonly fields: readonly VersionedField[];
  readonly note: string;
}

/** What an item is about: the group it is shown under. */
export interface InboxSubject {
  readonly type: RecordType | 'org-status';
  readonly id: string;
  readonly title: string;
}

interface ItemBase {
  /** Unique per event and stable across computations: the read marker's key. */
  readonly key: string;
  readonly at: number;
  readonly subject: InboxSubject;
}

export type InboxItem =
  /** A vote this organization may cast and has not; `isClosingSoon` within REMINDER_WINDOW_MS of closing. */
  | (ItemBase & { readonly kind: 'vote-open'; readonly closesAt: number; readonly timeLeftMs: number; readonly isClosingSoon: boolean })
  /** The hub sealed a decision; `statement` is its outcome statement once decisions have one. */
  | (ItemBase & { readonly kind: 'result-sealed'; readonly outcome: SealedTally['outcome']['status'] | null; readonly statement: string | null })
  /** A comment on this organization's entry or proposal, or a reply to one of its comments. */
  | (ItemBase & { readonly kind: 'comment'; readonly commentId: string; readonly byOrgId: string; readonly authorName: string; readonly text: string; readonly isReply: boolean; readonly isSuggestion: boolean })
  /** A reviewer's note on this organization's entry. */
  | (ItemBase & { readonly kind: 'review-note'; readonly byOrgId: string; readonly text: string })
  /** This organization's entry is endorsed; `note` is the reviewer's word with it ('' without). */
  | (ItemBase & { readonly kind: 'entry-endorsed'; readonly byOrgId: string | null; readonly note: string })
  /** A reviewer asked for changes to this organization's entry, saying what. */
  | (ItemBase & { readonly kind: 'review-changes-requested'; readonly byOrgId: string; readonly text: string })
  /** For reviewers (the secretariat, stewards with the review scope): an entry submitted for review awaits them. */
  | (ItemBase & { readonly kind: 'review-request'; readonly byOrgId: string; readonly note: string })
  /**
   * This organization's ballot was cast on an earlier version of a proposal still open: it does not
   * count until confirmed or replaced. `changes` are the versions since, who made them, what they changed.
   */
  | (ItemBase & { readonly kind: 'ballot-confirm'; readonly castOnVersion: number; readonly version: number; readonly changes: readonly BallotConfirmChange[] })
  /**
   * A facilitator (a steward with the proposals scope, or the secretariat) recorded a ballot for
   * this organization, on a field visit or a call; it counts until the organization casts its own.
   * `isOpen`: the vote is still open, so the organization can confirm or replace it until `closesAt`.
   */
  | (ItemBase & { readonly kind: 'ballot-facilitated'; readonly byOrgId: string; readonly channel: FacilitationChannel; readonly witness: string; readonly choice: Choice; readonly options: readonly { readonly id: string; readonly label: string }[]; readonly closesAt: number; readonly isOpen: boolean })
  /** An outcome statement written (or rewritten) for a sealed decision: what was decided, who does what, the review date. */
  | (ItemBase & { readonly kind: 'outcome-written'; readonly byOrgId: string; readonly decided: string; readonly actions: string; readonly reviewOn: string })
  /** The review date of a decision's outcome statement has come. */
  | (ItemBase & { readonly kind: 'review-date-due'; readonly reviewOn: string; readonly decided: string })
  /** An open offer this organization is eligible for and has not answered. */
  | (ItemBase & { readonly kind: 'offer-matching'; readonly closesAt: number })
  /** The secretariat moved this organization's interest in an offer. */
  | (ItemBase & { readonly kind: 'interest-moved'; readonly stage: PipelineStage; readonly note: string })
  /** A new entry by another organization in a topic this device follows. */
  | (ItemBase & { readonly kind: 'followed-entry'; readonly byOrgId: string; readonly topic: string })
  /** For the secretariat: a member organization not heard from, and nothing contributed, for a while. */
  | (ItemBase & { readonly kind: 'org-silent'; readonly orgId: string; readonly lastSeenAt: number | null })
  /** For the secretariat: a device credential revoked. */
  | (ItemBase & { readonly kind: 'device-revoked'; readonly orgId: string; readonly deviceName: string; readonly reason: string | null })
  /** For the secretariat: an organization revoked, with every device it had. */
  | (ItemBase & { readonly kind: 'org-revoked'; readonly orgId: string; readonly reason: string | null });

export type InboxItemKind = InboxItem['kind'];
export type VoteItem = Extract<InboxItem, { kind: 'vote-open' }>;

/** The items about one subject, newest first; the group's `latestAt` is its newest item's. */
export interface InboxGroup {
  readonly subject: InboxSubject;
  readonly latestAt: number;
  readonly items: readonly InboxItem[];
}

export interface Inbox {
  /** Unread open votes, closing soonest first. */
  readonly votes: readonly VoteItem[];
  /** Every other unread item, grouped by subject, the group with the newest item first. */
  readonly groups: readonly InboxGroup[];
  readonly unreadCount: number;
  /**
   * Every vote this organization has not cast that closes within the reminder window, read or not,
   * closing soonest first: the sync bar's and the system notification's reminder.
   */
  readonly closingSoon: readonly VoteItem[];
  /** The keys of every item that exists now, read or not: what a read marker may name. */
  readonly liveKeys: readonly string[];
}
