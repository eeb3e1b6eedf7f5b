import { describe, expect, it } from 'vitest';
import { isCalendarDate } from '../../shared/records/calendarDate';
import { hasVisibleText } from '../../shared/records/visibleText';
import { currentOutcome, earlierOutcomes, outcomeInputSchema, type OutcomeStatement } from '../../shared/records/proposal';

describe('isCalendarDate', () => {
  it.each(['2026-09-01', '2028-02-29', '2000-02-29', '2026-12-31', '0001-01-01'])('takes %s, a day that exists', (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each(['2026-02-30', '2027-02-29', '1900-02-29', '2026-04-31', '9999-99-99', '2026-00-10', '2026-13-01', '2026-01-00', '2026-1-5', '20260901', '', 'garbage', '2026-09-01T00:00'])(
    'refuses %j',
    (text) => {
      expect(isCalendarDate(text)).toBe(false);
    },
  );
});

describe('hasVisibleText', () => {
  it('refuses spaces, zero-width and other invisible characters alone', () => {
    for (const text of ['', '   ', '\u200b', '\u200b\u200d\ufeff', '\u3000\u00a0', '\u2800', '\u3164', '\u2066\u2069']) expect(hasVisibleText(text)).toBe(false);
  });

  it('takes a visible character among them', () => {
    for (const text of ['a', '\u200b决定\u200b', ' 1 ', '✓']) expect(hasVisibleText(text)).toBe(true);
  });
});

describe('the outcome statement as the app writes it', () => {
  const statement = { decided: 'Half the fund goes to the river villages', actions: '', reviewOn: '2026-09-01' };

  it('refuses a review date that does not exist and an invisible decision, with the field', () => {
    expect(outcomeInputSchema.safeParse({ ...statement, reviewOn: '2026-02-30' }).error?.issues[0]?.path).toEqual(['reviewOn']);
    expect(outcomeInputSchema.safeParse({ ...statement, decided: '\u200b' }).error?.issues[0]?.path).toEqual(['decided']);
    expect(outcomeInputSchema.safeParse(statement).success).toBe(true);
  });

  it('reads the latest revision as the one in force and keeps the others, newest first', () => {
    const revision = (at: number, decided: string): OutcomeStatement => ({ ...statement, decided, orgId: 'org-a', at });
    const revisions = [revision(20, 'second'), revision(10, 'first'), revision(30, 'third')];
    expect(currentOutcome(revisions)?.decided).toBe('third');
    expect(earlierOutcomes(revisions).map((r) => r.decided)).toEqual(['second', 'first']);
    expect(currentOutcome([])).toBeNull();
    // Two written at the same moment: the later in the log stands.
    const tied = [revision(10, 'one'), revision(10, 'two')];
    expect(currentOutcome(tied)?.decided).toBe('two');
    expect(earlierOutcomes(tied).map((r) => r.decided)).toEqual(['one']);
  });
});
