import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeCodes } from '../../shared/sync/protocol';

/* The WebSocket close codes both sides import are the ones docs/PROTOCOL.md tells clients about. */

const protocolDoc = readFileSync(join(import.meta.dirname, '../../docs/PROTOCOL.md'), 'utf8');

function documentedCloseCodes(): number[] {
  const section = protocolDoc.split('\n## WebSocket close codes\n')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^\| (\d{4}) \|/.exec(line)?.[1])
    .filter((code): code is string => code !== undefined)
    .map(Number);
}

describe('WebSocket close codes', () => {
  it('documents every close code the hub sends, and no other', () => {
    expect([...new Set(documentedCloseCodes())].sort()).toEqual([...new Set(Object.values(closeCodes))].sort());
  });
});
