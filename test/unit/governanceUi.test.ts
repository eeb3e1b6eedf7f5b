import { describe, expect, it } from 'vitest';
import { ballotDelivery } from '../../renderer/governance/ballotDelivery';
import { barsOf, niceMax } from '../../renderer/governance/barScale';
import { commentTree } from '../../renderer/governance/commentTree';
import { fromLocalInput, toLocalInput } from '../../renderer/governance/localTime';
import { nextOptionId } from '../../renderer/governance/nextOptionId';
import { canRunProposals } from '../../renderer/governance/useGovernance';
import { areResultsVisible, graceEndsAt, proposalPhase } from '../../shared/governance/proposalPhase';
import { initialRanking, moveTo, rankKeyMove, targetIndex } from '../../renderer/governance/rankedOrder';

/* The governance screens' pure parts: ranked reordering, chart scaling, phases, delivery wording, threads. */

const HOUR = 3_600_000;

describe('ranked ballot reordering', () => {
  it('moves an item to a new index and keeps every other item in order', () => {
    expect(moveTo(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveTo(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveTo(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'b', 'c']);
  });

  it('clamps a target outside the list and ignores a source outside it', () => {
    expect(moveTo(['a', 'b', 'c'], 0, 99)).toEqual(['b', 'c', 'a']);
    expect(moveTo(['a', 'b', 'c'], 2, -5)).toEqual(['c', 'a', 'b']);
    expect(moveTo(['a', 'b'], 7, 0)).toEqual(['a', 'b']);
  });

  it('never loses or repeats an option, whatever the moves', () => {
    let list = ['a', 'b', 'c', 'd', 'e'];
    for (let step = 0; step < 200; step += 1) {
      list = moveTo(list, (step * 7) % 5, (step * 3) % 6);
      expect([...list].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    }
  });

  it('reads Alt+arrows and Alt+Home/End as moves, plain keys as none', () => {
    expect(rankKeyMove({ key: 'ArrowUp', altKey: true })).toBe('up');
    expect(rankKeyMove({ key: 'ArrowDown', altKey: true })).toBe('down');
    expect(rankKeyMove({ key: 'Home', altKey: true })).toBe('top');
    expect(rankKeyMove({ key: 'End', altKey: true })).toBe('bottom');
    expect(rankKeyMove({ key: 'ArrowUp', altKey: false })).toBeNull();
    expect(rankKeyMove({ key: 'Enter', altKey: true })).toBeNull();
  });

  it('stops at the ends of the list', () => {
    expect(targetIndex(0, 'up', 4)).toBe(0);
    expect(targetIndex(3, 'down', 4)).toBe(3);
    expect(targetIndex(2, 'up', 4)).toBe(1);
    expect(targetIndex(2, 'top', 4)).toBe(0);
    expect(targetIndex(1, 'bottom', 4)).toBe(3);
  });

  it('shows the ballot order first, then unranked options; drops unknown and repeated ids', () => {
    expect(initialRanking(['a', 'b', 'c', 'd'], ['c', 'a'])).toEqual(['c', 'a', 'b', 'd']);
    expect(initialRanking(['a', 'b'], ['gone', 'b', 'b'])).toEqual(['b', 'a']);
    expect(initialRanking(['a', 'b'], [])).toEqual(['a', 'b']);
  });
});

describe('chart scaling', () => {
  it('rounds the scale up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 23, 51, 0.3].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 50, 100, 0.5]);
    expect(niceMax(Number.NaN)).toBe(1);
  });

  it('gives bar shares of the scale, a fixed maximum where given, empty bars for bad values', () => {
    const { bars, scaleMax } = barsOf([
      { id: 'a', value: 3 },
      { id: 'b', value: 1 },
      { id: 'c', value: -2 },
      { id: 'd', value: Number.POSITIVE_INFINITY },
    ]);
    expect(scaleMax).toBe(5);
    expect(bars.map((bar) => bar.share)).toEqual([0.6, 0.2, 0, 0]);
    expect(barsOf([{ id: 'x', value: 2.5 }], 5).bars[0]!.share).toBe(0.5);
    expect(barsOf([{ id: 'x', value: 9 }], 5).bars[0]!.share).toBe(1);
    expect(barsOf([]).scaleMax).toBe(1);
  });
});

describe('proposal phases', () => {
  const p = { state: 'open' as const, opensAt: 1000, closesAt: 2000, graceHours: 72, resultsVisibility: 'after-close' as const };
  it('follows the voting window, with drafts and cancelled proposals apart', () => {
    expect(proposalPhase(p, 999)).toBe('upcoming');
    expect(proposalPhase(p, 1000)).toBe('open');
    expect(proposalPhase(p, 1999)).toBe('open');
    expect(proposalPhase(p, 2000)).toBe('closed');
    expect(proposalPhase({ ...p, state: 'draft' }, 1500)).toBe('draft');
    expect(proposalPhase({ ...p, state: 'cancelled' }, 1500)).toBe('cancelled');
  });
  it('ends the grace period graceHours after closing; results after closing unless live', () => {
    expect(graceEndsAt(p)).toBe(2000 + 72 * HOUR);
    expect(areResultsVisible(p, 1999)).toBe(false);
    expect(areResultsVisible(p, 2000)).toBe(true);
    expect(areResultsVisible({ ...p, resultsVisibility: 'live' }, 1500)).toBe(true);
  });
});

describe('what the ballot screen says about delivery', () => {
  const base = { isCast: true, pendingCount: 0, refusal: null, isConnected: true };
  it('nothing cast, saved offline, sending, received', () => {
    expect(ballotDelivery({ ...base, isCast: false, pendingCount: 2 })).toEqual({ kind: 'not-cast' });
    expect(ballotDelivery({ ...base, pendingCount: 1, isConnected: false })).toEqual({ kind: 'saved-offline' });
    expect(ballotDelivery({ ...base, pendingCount: 1 })).toEqual({ kind: 'sending' });
    expect(ballotDelivery(base)).toEqual({ kind: 'received' });
  });
  it("tells a refusal for arriving after the grace period from any other refusal", () => {
    expect(ballotDelivery({ ...base, pendingCount: 1, refusal: { code: 'grace-expired', message: 'too late' } })).toEqual({ kind: 'refused-late' });
    expect(ballotDelivery({ ...base, pendingCount: 1, refusal: { code: 'poll-sealed', message: 'sealed' } })).toEqual({ kind: 'refused-late' });
    expect(ballotDelivery({ ...base, pendingCount: 1, refusal: { code: 'forbidden', message: 'not eligible' } })).toEqual({ kind: 'refused', code: 'forbidden', message: 'not eligible' });
  });
});

describe('comment threads', () => {
  const c = (id: string, parentId: string | null, createdAt: number) => ({ id, parentId, createdAt, comment: id });
  const shape = (nodes: ReturnType<typeof commentTree<string>>): unknown => nodes.map((n) => (n.replies.length ? { [n.id]: shape(n.replies) } : n.id));
  it('nests replies under their parents, oldest first at each level', () => {
    expect(shape(commentTree([c('r2', 'a', 5), c('b', null, 2), c('a', null, 1), c('r1', 'a', 3), c('rr', 'r1', 4)]))).toEqual([{ a: [{ r1: ['rr'] }, 'r2'] }, 'b']);
  });
  it('shows a reply whose parent is missing at the top level, and survives a cycle in bad data', () => {
    expect(shape(commentTree([c('x', 'hidden-parent', 1)]))).toEqual(['x']);
    const tree = commentTree([c('p', 'q', 1), c('q', 'p', 2), c('s', 's', 3)]);
    const ids: string[] = [];
    const walk = (nodes: typeof tree) => nodes.forEach((n) => (ids.push(n.id), walk(n.replies)));
    walk(tree);
    expect(ids.sort()).toEqual(['p', 'q', 's']);
  });
});

describe('proposal form helpers', () => {
  it('round-trips datetime-local values in the local time zone, and refuses junk', () => {
    const ms = new Date(2026, 10, 26, 14, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-26T14:05');
    expect(fromLocalInput('2026-11-26T14:05')).toBe(ms);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
  it('gives option ids that never repeat', () => {
    expect(nextOptionId([])).toBe('o1');
    expect(nextOptionId(['o1', 'o3', 'custom'])).toBe('o4');
  });
});

describe('who sees the buttons that run proposals', () => {
  const network = { name: '', topic: '', stages: [], regions: [], topics: [], regionTree: [], members: [], hubKey: '', assessment: null, maxAttachmentBytes: 50 * 1024 * 1024, optionalSections: [], createdAt: 0, updatedAt: 0, stewardGrants: [{ orgId: 'st-yes', scopes: ['proposals' as const] }, { orgId: 'st-offers', scopes: ['offers' as const] }] };
  it('the secretariat, and stewards granted proposals; not other stewards, members or observers', () => {
    expect(canRunProposals({ orgId: 'sec', role: 'secretariat' }, null)).toBe(true);
    expect(canRunProposals({ orgId: 'st-yes', role: 'steward' }, network)).toBe(true);
    expect(canRunProposals({ orgId: 'st-offers', role: 'steward' }, network)).toBe(false);
    expect(canRunProposals({ orgId: 'st-yes', role: 'steward' }, null)).toBe(false);
    expect(canRunProposals({ orgId: 'st-yes', role: 'member' }, network)).toBe(false);
    expect(canRunProposals({ orgId: 'st-yes', role: 'observer' }, network)).toBe(false);
  });
});
