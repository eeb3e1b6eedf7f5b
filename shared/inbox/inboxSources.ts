import { countedCast, hasCast, needsConfirmation } from '../governance/countedCast';
import { proposalPhase } from '../governance/proposalPhase';
import { votersOf } from '../governance/voters';
import { orgActivity } from '../matching/networkHealth';
import { offersFor } from '../matching/offersFor';
import { ballotId } from '../records/ballot';
import { isAwaitingReview, latestSubmission } from '../records/entryReview';
import { interestId } from '../records/interest';
import { isStewardAuthorized } from '../records/network';
import type { InboxInput } from './inboxInput';
import type { BallotConfirmChange, InboxItem, InboxSubject, VoteItem } from './inboxItem';

/*
 * One small function per source of inbox items, each reading the input and returning every item
 * that exists now, read or not (the computation drops the read ones). A new kind of item (an
 * outcome's review date, a ballot to confirm after a proposal changed, a review request) is one
 * more function here, one more entry in `inboxSources`, and its line in the catalogs.
 */

const HOUR_MS = 3_600_000;
/** A vote this organization has not cast is flagged from this long before it closes. */
export const REMINDER_WINDOW_MS = 48 * HOUR_MS;

export type InboxSource = (input: InboxInput) => readonly InboxItem[];

const subjectOf = (type: InboxSubject['type'], id: string, title: string): InboxSubject => ({ type, id, title });

/**
 * Open votes this organization may cast and has not (itself or through a facilitator: hasCast), with
 * the time left; the voters are those fixed when the vote opened.
 */
export const openVotes: InboxSource = ({ me, now, network, proposals, ballots }) => {
  if (!network) return [];
  const cast = new Set(ballots.filter((b) => b.header.ownerOrg === me.orgId && hasCast(b.projection)).map((b) => b.header.id));
  return proposals.flatMap(({ header, projection: p }): VoteItem[] => {
    if (proposalPhase(p, now) !== 'open') return [];
    if (!votersOf(p, network.members).includes(me.orgId)) return [];
    if (cast.has(ballotId(header.id, me.orgId))) return [];
    const timeLeftMs = p.closesAt - now;
    const isClosingSoon = timeLeftMs <= REMINDER_WINDOW_MS;
    // Read once when it opens and once more when it comes within the reminder window.
    return [
      {
        kind: 'vote-open',
        key: `${isClosingSoon ? 'vote-soon' : 'vote'}:${header.id}`,
        at: isClosingSoon ? Math.max(p.opensAt, p.closesAt - REMINDER_WINDOW_MS) : p.opensAt,
        subject: subjectOf('proposal', header.id, p.title),
        closesAt: p.closesAt,
        timeLeftMs,
        isClosingSoon,
      },
    ];
  });
};

/** The outcome statement of a sealed decision, as the proposal holds it: what was decided. */
const outcomeStatementOf = (input: InboxInput, proposalId: string): string | null => input.proposals.find((p) => p.header.id === proposalId)?.projection.outcome?.decided ?? null;

/** The start of a calendar day 'YYYY-MM-DD', in UTC: when an outcome's review date comes (the same on every device). */
export const reviewDateStart = (reviewOn: string): number => Date.parse(`${reviewOn}T00:00:00Z`);

/** Outcome statements whose review date has come: the network said it would look at the decision again. */
export const reviewDatesDue: InboxSource = ({ now, proposals }) =>
  proposals.flatMap(({ header, projection: p }): InboxItem[] => {
    const outcome = p.outcome;
    if (!outcome) return [];
    const at = reviewDateStart(outcome.reviewOn);
    if (!Number.isFinite(at) || at > now) return [];
    // Keyed by the date: a statement rewritten with a later review date is news again when that comes.
    return [{ kind: 'review-date-due', key: `review-due:${header.id}:${outcome.reviewOn}`, at, subject: subjectOf('proposal', header.id, p.title), reviewOn: outcome.reviewOn, decided: outcome.decided }];
  });

/**
 * This organization's ballots cast on an earlier version of a proposal that is still open: they do
 * not count until confirmed (countedCast), so the organization is told, with who changed what since.
 * Keyed by the version, so a further edit asks again.
 */
export const ballotsToConfirm: InboxSource = ({ me, now, proposals, ballots }) => {
  const byProposal = new Map(proposals.map((p) => [p.header.id, p]));
  return ballots.flatMap(({ header, projection: b }): InboxItem[] => {
    const proposal = byProposal.get(b.proposalId);
    if (header.ownerOrg !== me.orgId || !proposal || proposalPhase(proposal.projection, now) !== 'open') return [];
    const p = proposal.projection;
    if (!needsConfirmation(b, p.version)) return [];
    const castOnVersion = countedCast(b, p.version)!.proposalVersion;
    // history[i] made version i + 2: the versions after the cast's are the entries from castOnVersion - 1 on.
    const changes = p.history.slice(Math.max(0, castOnVersion - 1)).map((entry): BallotConfirmChange => ({ orgId: entry.orgId, at: entry.at, fields: entry.changes.map((c) => c.field), note: entry.note }));
    const at = Math.max(...changes.map((c) => c.at), 0);
    return [{ kind: 'ballot-confirm', key: `confirm:${proposal.header.id}:${p.version}`, at, subject: subjectOf('proposal', proposal.header.id, p.title), castOnVersion, version: p.version, changes }];
  });
};

/**
 * Decisions the hub sealed, with their outcome, and the outcome statement where one was written
 * before the result reached this device; one written later is its own item (outcomeStatements).
 */
export const sealedResults: InboxSource = (input) =>
  input.results.flatMap(({ projection: r }): InboxItem[] => {
    if (r.proposalId === '' || r.terms === null) return [];
    return [
      {
        kind: 'result-sealed',
        key: `result:${r.proposalId}`,
        at: r.sealedAt,
        subject: subjectOf('proposal', r.proposalId, r.terms.title),
        outcome: r.tally?.outcome.status ?? null,
        statement: outcomeStatementOf(input, r.proposalId),
      },
    ];
  });

/**
 * Outcome statements, whenever written: the statement comes after the seal (the hub refuses one
 * before), often after the sealed result was read, so it is its own event. Keyed by the statement's
 * time, so a statement rewritten later is news again; the organization's own writing is not news.
 */
export const outcomeStatements: InboxSource = ({ me, proposals }) =>
  proposals.flatMap(({ header, projection: p }): InboxItem[] => {
    const outcome = p.outcome;
    if (!outcome || outcome.orgId === me.orgId) return [];
    return [{ kind: 'outcome-written', key: `outcome:${header.id}:${outcome.at}`, at: outcome.at, subject: subjectOf('proposal', header.id, p.title), byOrgId: outcome.orgId, decided: outcome.decided, actions: outcome.actions, reviewOn: outcome.reviewOn }];
  });

/**
 * Ballots a facilitator recorded for this organization that count as its ballot now (it has cast
 * none of its own on the current version): it should know who spoke for it, how, before whom and
 * what, and that it can confirm or replace the ballot until closing. Keyed by the facilitated cast,
 * so a second facilitation is news again; the organization's own cast ends the item.
 */
export const facilitatedBallots: InboxSource = ({ me, now, proposals, ballots }) => {
  const byProposal = new Map(proposals.map((p) => [p.header.id, p]));
  return ballots.flatMap(({ header, projection: b }): InboxItem[] => {
    const proposal = byProposal.get(b.proposalId);
    if (header.ownerOrg !== me.orgId || !proposal) return [];
    const p = proposal.projection;
    const cast = countedCast(b, p.version);
    if (!cast?.facilitation || cast.facilitation.byOrgId === me.orgId) return [];
    return [
      {
        kind: 'ballot-facilitated',
        key: `facilitated:${proposal.header.id}:${cast.castAt}:${cast.deviceId}`,
        at: cast.castAt,
        subject: subjectOf('proposal', proposal.header.id, p.title),
        byOrgId: cast.facilitation.byOrgId,
        channel: cast.facilitation.channel,
        witness: cast.facilitation.witness,
        choice: cast.choice,
        options: p.options.map((o) => ({ id: o.id, label: o.label })),
        closesAt: p.closesAt,
        isOpen: proposalPhase(p, now) === 'open',
      },
    ];
  });
};

/** Comments by others on this organization's entries and proposals, and replies to its comments. */
export const commentsOnMine: InboxSource = ({ me, entries, proposals, comments }) => {
  const mine = new Map<string, InboxSubject>();
  for (const e of entries) if (e.header.ownerOrg === me.orgId) mine.set(e.header.id, subjectOf('entry', e.header.id, e.projection.title));
  for (const p of proposals) if (p.header.ownerOrg === me.orgId) mine.set(p.header.id, subjectOf('proposal', p.header.id, p.projection.title));
  const myComments = new Set(comments.filter((c) => c.header.ownerOrg === me.orgId).map((c) => c.header.id));
  const titles = new Map<string, string>([...entries.map((e) => [e.header.id, e.projection.title] as const), ...proposals.map((p) => [p.header.id, p.projection.title] as const)]);
  return comments.flatMap(({ header, projection: c }): InboxItem[] => {
    if (header.ownerOrg === me.orgId || c.hidden !== null || c.text === '') return [];
    const isReply = c.parentId !== null && myComments.has(c.parentId);
    const subject = mine.get(c.targetId) ?? (isReply ? subjectOf(entries.some((e) => e.header.id === c.targetId) ? 'entry' : 'proposal', c.targetId, titles.get(c.targetId) ?? '') : null);
    if (!subject) return [];
    return [
      {
        kind: 'comment',
        key: `comment:${header.id}`,
        at: header.createdAt,
        subject,
        commentId: header.id,
        byOrgId: header.ownerOrg,
        authorName: c.authorName,
        text: c.text,
        isReply,
        isSuggestion: c.kind === 'suggestion',
      },
    ];
  });
};

/**
 * Review outcomes on this organization's entries, by reviewers of other organizations: their
 * comments in the review thread and older review notes, changes requested, and endorsements.
 */
export const reviewOutcomes: InboxSource = ({ me, entries }) =>
  entries.flatMap(({ header, projection: e }): InboxItem[] => {
    if (header.ownerOrg !== me.orgId) return [];
    const subject = subjectOf('entry', header.id, e.title);
    const notes = e.reviewNotes
      .filter((note) => note.byOrg !== me.orgId)
      .map((note): InboxItem => ({ kind: 'review-note', key: `review:${header.id}:${note.at}:${note.byOrg}`, at: note.at, subject, byOrgId: note.byOrg, text: note.text }));
    const steps = e.reviewSteps
      .filter((step) => step.byOrg !== me.orgId)
      .map((step): InboxItem => {
        const base = { key: `review-step:${header.id}:${step.id}`, at: step.at, subject };
        if (step.kind === 'endorsed') return { ...base, kind: 'entry-endorsed', key: `endorsed:${header.id}:${step.id}`, byOrgId: step.byOrg, note: step.note };
        if (step.kind === 'changes-requested') return { ...base, kind: 'review-changes-requested', byOrgId: step.byOrg, text: step.note };
        return { ...base, kind: 'review-note', byOrgId: step.byOrg, text: step.note };
      });
    // An entry endorsed before the review workflow (status only, no step) reads as shared
    // (records/entrySharing.ts): every endorsement here is a step, with its reviewer.
    return [...notes, ...steps];
  });

/**
 * For reviewers (the secretariat, a steward granted the review scope): entries of other
 * organizations submitted for review and not yet answered. Keyed by the submission, so a
 * resubmission is a new request; answered, it leaves the inbox.
 */
export const reviewRequests: InboxSource = ({ me, network, entries }) => {
  const isReviewer = me.role === 'secretariat' || (me.role === 'steward' && network !== null && isStewardAuthorized(network, me.orgId, 'review'));
  if (!isReviewer) return [];
  return entries.flatMap(({ header, projection: e }): InboxItem[] => {
    const submission = latestSubmission(e);
    if (header.ownerOrg === me.orgId || !submission || !isAwaitingReview(e)) return [];
    return [{ kind: 'review-request', key: `review-request:${header.id}:${submission.id}`, at: submission.at, subject: subjectOf('entry', header.id, e.title), byOrgId: header.ownerOrg, note: submission.note }];
  });
};

/** Open offers this organization is eligible for and has not expressed interest in. */
export const matchingOffers: InboxSource = ({ me, now, orgs, offers, interests }) => {
  if (me.role === 'secretariat' || me.role === 'observer') return [];
  const profile = orgs.find((o) => o.header.id === me.orgId);
  if (!profile) return [];
  const answered = new Set(interests.map((i) => i.header.id));
  const byId = new Map(offers.map((o) => [o.header.id, o]));
  return offersFor({ id: me.orgId, projection: profile.projection }, offers.map((o) => ({ id: o.header.id, projection: o.projection })), now).flatMap((match): InboxItem[] => {
    const offer = byId.get(match.id);
    if (!offer || answered.has(interestId(match.id, me.orgId))) return [];
    return [{ kind: 'offer-matching', key: `offer:${match.id}`, at: Math.max(offer.header.createdAt, offer.projection.opensAt), subject: subjectOf('offer', match.id, match.title), closesAt: offer.projection.closesAt }];
  });
};

/** Moves of this organization's interests through the pipeline by someone else (the secretariat). */
export const interestMoves: InboxSource = ({ me, offers, interests }) => {
  const titles = new Map(offers.map((o) => [o.header.id, o.projection.title]));
  return interests.flatMap(({ header, projection: i }): InboxItem[] => {
    if (header.ownerOrg !== me.orgId) return [];
    const subject = subjectOf('offer', i.offerId, titles.get(i.offerId) ?? '');
    return i.steps.flatMap((step, index): InboxItem[] =>
      step.byOrg === me.orgId || (step.stage === 'new' && step.from === undefined) ? [] : [{ kind: 'interest-moved', key: `interest:${header.id}:${index}`, at: step.at, subject, stage: step.stage, note: step.note }],
    );
  });
};

/**
 * New entries by other organizations in the topics this device follows, timed by when they reached
 * this device (entryArrivals.ts): an entry written long ago and shared, or carried in, today is new
 * today. Entries that came while their topic was not followed (stamped 0) are not new.
 */
export const followedEntries: InboxSource = ({ me, entries, followedTopics, entryArrivals }) => {
  if (followedTopics.length === 0) return [];
  const topics = new Set(followedTopics);
  return entries.flatMap(({ header, projection: e }): InboxItem[] =>
    header.ownerOrg === me.orgId || !topics.has(e.topic) || e.status === 'draft'
      ? []
      : [{ kind: 'followed-entry', key: `followed:${header.id}`, at: entryArrivals[header.id] ?? header.createdAt, subject: subjectOf('entry', header.id, e.title), byOrgId: header.ownerOrg, topic: e.topic }],
  );
};

/** For the secretariat: member organizations gone silent (the network health's own reckoning). */
export const silentOrgs: InboxSource = ({ me, now, network, orgs, entries, comments, proposals, ballots, interests, lastSeenAt, silentAfterMs }) => {
  if (me.role !== 'secretariat' || !network || lastSeenAt.size === 0) return [];
  const members = network.members.filter((m) => m.role !== 'secretariat' && m.orgId !== me.orgId);
  const records = [...entries, ...comments, ...proposals, ...ballots, ...interests].map((r) => r.header);
  const activity = orgActivity(members.map((m) => m.orgId), records, [], 0, lastSeenAt, { now, months: 1, silentAfterMs });
  const names = new Map([...members.map((m) => [m.orgId, m.name] as const), ...orgs.map((o) => [o.header.id, o.projection.name] as const)]);
  return activity.flatMap((a): InboxItem[] => {
    if (!a.isSilent) return [];
    const seen = lastSeenAt.get(a.orgId) ?? null;
    const since = seen ?? orgs.find((o) => o.header.id === a.orgId)?.header.createdAt ?? 0;
    // Keyed by the last sync, so an organization that comes back and falls silent again is news again.
    return [{ kind: 'org-silent', key: `silent:${a.orgId}:${seen ?? 'never'}`, at: Math.min(now, since + silentAfterMs), subject: subjectOf('org-status', a.orgId, names.get(a.orgId) ?? ''), orgId: a.orgId, lastSeenAt: seen }];
  });
};

/**
 * For the secretariat: organizations and device credentials revoked (the hub's administration,
 * fetched after each sync). Revoking an organization revokes its devices with the same words: the
 * organization's item stands for them, and only a device revoked on its own is listed apart.
 */
export const revocations: InboxSource = ({ me, orgs, revokedDevices: devices, revokedOrgs }) => {
  if (me.role !== 'secretariat') return [];
  const names = new Map([...revokedOrgs.map((o) => [o.orgId, o.name] as const), ...orgs.map((o) => [o.header.id, o.projection.name] as const)]);
  const orgAt = new Map(revokedOrgs.map((o) => [o.orgId, o.revokedAt]));
  const orgItems = revokedOrgs.map((o): InboxItem => ({ kind: 'org-revoked', key: `org-revoked:${o.orgId}`, at: o.revokedAt, subject: subjectOf('org-status', o.orgId, names.get(o.orgId) ?? ''), orgId: o.orgId, reason: o.reason }));
  const deviceItems = devices
    .filter((d) => orgAt.get(d.orgId) === undefined || d.revokedAt < orgAt.get(d.orgId)!)
    .map((d): InboxItem => ({ kind: 'device-revoked', key: `revoked:${d.credentialId}`, at: d.revokedAt, subject: subjectOf('org-status', d.orgId, names.get(d.orgId) ?? ''), orgId: d.orgId, deviceName: d.deviceName, reason: d.reason }));
  return [...orgItems, ...deviceItems];
};

/** Every source, in no particular order (the computation orders the items). */
export const inboxSources: readonly InboxSource[] = [
  openVotes,
  ballotsToConfirm,
  facilitatedBallots,
  sealedResults,
  outcomeStatements,
  reviewDatesDue,
  commentsOnMine,
  reviewOutcomes,
  reviewRequests,
  matchingOffers,
  interestMoves,
  followedEntries,
  silentOrgs,
  revocations,
];
