import type { Action, RuleFacts } from '../../shared/records/recordModule';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';
import { reservedIdRefusal } from '../../shared/records/reservedIds';
import { canChange, canRead, HUB_WRITTEN_TYPES, type Actor } from '../../shared/rules/rules';
import type { RecordLog, StoredRecord } from '../storage/hubStorage';
import { HubError } from './hubError';

/*
 * The write path's first step, before any byte of the update is decoded: does the sender hold
 * any write grant on the record at all? It looks only at the stored header and facts (or, for a
 * new record, the header it would get), so an observer, or a member on another organization's
 * record, costs the hub no decoding. A record the sender may not read is refused exactly as if it
 * were not stored: the same code and message, whatever it holds, so a refusal is no oracle for
 * whether another organization's private draft or secret ballot exists or has changed.
 */

export interface WriteRequestHead {
  readonly id: string;
  readonly type: RecordType;
}

/** Actions that change a stored record; any one of them is a write grant. */
const WRITE_ACTIONS: readonly Action[] = ['edit', 'review', 'moderate', 'manage'];

/** The owner a derived id names (`ballot~<proposal>~<org>`, `interest~<offer>~<org>`), if any. */
export function ownerNamedById(id: string): string | null {
  if (!id.startsWith('ballot~') && !id.startsWith('interest~')) return null;
  const last = id.lastIndexOf('~');
  return last > id.indexOf('~') ? id.slice(last + 1) || null : null;
}

/**
 * The header a new record gets: from the credential, never from the content. A profile's owner
 * is the organization it describes (the secretariat creates it on invite); a derived id names its
 * owner, so another organization's ballot or interest is theirs whether or not it exists yet.
 */
export function newHeader(actor: Actor, request: WriteRequestHead, now: number): RecordHeader {
  const ownerOrg = request.type === 'org' ? request.id : (ownerNamedById(request.id) ?? actor.orgId);
  return { id: request.id, type: request.type, ownerOrg, createdAt: now };
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

function refusal(actor: Actor, action: Action, header: Pick<RecordHeader, 'type' | 'ownerOrg'>, recordId: string): HubError {
  const whose = actor.orgId === header.ownerOrg ? 'its own' : "another organization's";
  return new HubError('forbidden', `${article(actor.role)} ${actor.role} may not ${action} ${whose} ${header.type}`, recordId);
}

/** Refuses (before decoding) a write as a new record with the header it would get. */
function authorizeAsNew(actor: Actor, request: WriteRequestHead, now: number): RecordHeader {
  if (HUB_WRITTEN_TYPES.includes(request.type)) throw new HubError('forbidden', `${article(request.type)} ${request.type} is written by the hub only`, request.id);
  const header = newHeader(actor, request, now);
  // An id reserved for another type or derivation (result~, ballot~, interest~, network).
  const idRefusal = reservedIdRefusal(header);
  if (idRefusal !== null) throw new HubError('wrong-id', idRefusal, request.id);
  if (!canChange(actor, header, ['create'], {}).isAllowed) throw refusal(actor, 'create', header, request.id);
  return header;
}

export interface SenderAuthorization {
  readonly header: RecordHeader;
  /**
   * Set when the sender may read the record but not write it, and the caller takes repeats
   * (`acceptsRepeats`): the refusal stands unless the update turns out to add nothing.
   */
  readonly refusalUnlessUnchanged: HubError | null;
}

export interface SenderOptions {
  /**
   * Take, from a sender who may read a record but not write it, an update that adds nothing (an
   * "everything we can read" bundle carries such records). Pushes leave it off: there a sender
   * without a write grant is refused before anything is decoded.
   */
  readonly acceptsRepeats?: boolean;
}

/** The refusal of a write to a record the sender may not read, stored or not: it says nothing of what is there. */
function unreadableRefusal(actor: Actor, request: WriteRequestHead): HubError {
  return new HubError('forbidden', `${article(actor.role)} ${actor.role} may not write the ${request.type} ${request.id}`, request.id);
}

/**
 * The facts a record the hub does not hold yet will have where another stored record fixes them:
 * a ballot is as secret as its proposal (the hub refuses one that says otherwise,
 * `secrecy-mismatch`). With them, a sender who could not read the ballot once it exists (a
 * steward, on a secret poll) is refused before decoding, exactly as when it exists, so a refusal
 * never tells whether an organization has cast a secret ballot.
 */
export async function factsOfNew(storage: Pick<RecordLog, 'getRecord'>, request: WriteRequestHead): Promise<RuleFacts> {
  const owner = request.type === 'ballot' ? ownerNamedById(request.id) : null;
  if (owner === null) return {};
  const proposal = await storage.getRecord(request.id.slice(request.id.indexOf('~') + 1, request.id.lastIndexOf('~')));
  return proposal?.header.type === 'proposal' && proposal.projection['secrecy'] === 'secret' ? { isSecret: true } : {};
}

/**
 * The header the write will have, or a `forbidden` / `header-mismatch` refusal, from the request's
 * id and type and the stored record alone (for a new record, with the facts it will have:
 * `factsOfNew`).
 */
export function authorizeSender(actor: Actor, request: WriteRequestHead, stored: StoredRecord | null, now: number, options: SenderOptions = {}, newFacts: RuleFacts = {}): SenderAuthorization {
  if (!stored) {
    const header = authorizeAsNew(actor, request, now);
    if (!canRead(actor, header, newFacts)) throw unreadableRefusal(actor, request);
    return { header, refusalUnlessUnchanged: null };
  }
  if (!canRead(actor, stored.header, stored.facts)) {
    // Answer as the same request would be answered were nothing stored; where that would be
    // allowed (the id is free to anyone), the id is simply taken: say no more than that.
    authorizeAsNew(actor, request, now);
    throw unreadableRefusal(actor, request);
  }
  if (HUB_WRITTEN_TYPES.includes(stored.header.type)) throw new HubError('forbidden', `${article(stored.header.type)} ${stored.header.type} is written by the hub only`, request.id);
  const mayWrite = WRITE_ACTIONS.some((action) => canChange(actor, stored.header, [action], stored.facts).isAllowed);
  if (!mayWrite && !options.acceptsRepeats) throw refusal(actor, 'edit', stored.header, request.id);
  if (stored.header.type !== request.type) {
    throw new HubError('header-mismatch', `record ${request.id} is a ${stored.header.type}, not a ${request.type}`, request.id);
  }
  return { header: stored.header, refusalUnlessUnchanged: mayWrite ? null : refusal(actor, 'edit', stored.header, request.id) };
}
