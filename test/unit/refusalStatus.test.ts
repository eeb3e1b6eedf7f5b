import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../server/hub/hubError';
import { refusalResponse, refusalStatus } from '../../server/http/refusalStatus';
import { errorCodes, type ErrorCode } from '../../shared/sync/protocol';

/*
 * The refusal table is the one place a code becomes an HTTP status; docs/PROTOCOL.md is what
 * clients are written from. These hold the two to the protocol's code list and to each other.
 */

const protocolDoc = readFileSync(join(import.meta.dirname, '../../docs/PROTOCOL.md'), 'utf8');
const isErrorCode = (value: string): value is ErrorCode => (errorCodes as readonly string[]).includes(value);

/** Every `| status | codes | …` row of the doc's error tables: one status, the codes in backticks. */
function documentedStatuses(): { status: number; code: string }[] {
  const rows: { status: number; code: string }[] = [];
  for (const line of protocolDoc.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 4 || !/^\d{3}$/.test(cells[1]!)) continue;
    for (const [, code] of cells[2]!.matchAll(/`([^`]+)`/g)) rows.push({ status: Number(cells[1]), code: code! });
  }
  return rows;
}

describe('refusal statuses', () => {
  it('gives every code of the protocol a 4xx status (5xx only for the hub\'s own state), and knows no other code', () => {
    const hubStateCodes: readonly ErrorCode[] = ['internal', 'hub-busy'];
    for (const code of errorCodes) {
      expect({ code, status: refusalStatus[code]?.status }).toEqual({ code, status: expect.any(Number) });
      expect(refusalStatus[code].status).toBeGreaterThanOrEqual(400);
      expect(refusalStatus[code].status).toBeLessThan(hubStateCodes.includes(code) ? 600 : 500);
    }
    expect(Object.keys(refusalStatus).sort()).toEqual([...errorCodes].sort());
  });

  it('answers each code with the status docs/PROTOCOL.md documents for it', () => {
    const documented = documentedStatuses();
    expect(documented.length).toBeGreaterThan(30);
    for (const { status, code } of documented) {
      expect(isErrorCode(code), `${code} in PROTOCOL.md is no protocol error code`).toBe(true);
      if (isErrorCode(code)) expect({ code, status: refusalStatus[code].status }).toEqual({ code, status });
    }
  });

  it('documents every code in an error table of docs/PROTOCOL.md', () => {
    const documented = new Set(documentedStatuses().map((row) => row.code));
    expect(errorCodes.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('sends Retry-After with a rate limit, a records quota and hub-busy, as documented, and with no other refusal', () => {
    expect(protocolDoc).toMatch(/\| 429 \| `rate-limited` \|[^\n]*`Retry-After`/);
    expect(refusalResponse(new HubError('rate-limited', 'too many requests; retry in 7 s', undefined, 7))).toEqual({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { code: 'rate-limited', message: 'too many requests; retry in 7 s' } },
    });
    expect(refusalResponse(new HubError('hub-busy', 'busy', undefined, 5)).headers).toEqual({ 'retry-after': '5' });
    expect(protocolDoc).toMatch(/\| 429 \| `quota-records` \|[^\n]*`Retry-After`/);
    expect(refusalResponse(new HubError('quota-records', 'over the quota', 'entry-1', 42)).headers).toEqual({ 'retry-after': '42' });
    for (const code of errorCodes.filter((c) => c !== 'rate-limited' && c !== 'hub-busy' && c !== 'quota-records')) {
      expect({ code, headers: refusalResponse(new HubError(code, 'refused', 'entry-1', 7)).headers }).toEqual({ code, headers: {} });
    }
  });
});
