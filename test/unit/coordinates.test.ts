import { describe, expect, it } from 'vitest';
import { formatCoordinates, parseCoordinates } from '../../shared/records/coordinates';

describe('an organization position as people type it', () => {
  it.each([
    ['27.7136, 100.5023', { lat: 27.7136, lon: 100.5023 }],
    ['27.7136 100.5023', { lat: 27.7136, lon: 100.5023 }],
    ['27.7136，100.5023', { lat: 27.7136, lon: 100.5023 }],
    ['27.7136 N, 100.5023 E', { lat: 27.7136, lon: 100.5023 }],
    ['100.5023E 27.7136N', { lat: 27.7136, lon: 100.5023 }],
    ['N27.7136 E100.5023', { lat: 27.7136, lon: 100.5023 }],
    ['-33.8688, 151.2093', { lat: -33.8688, lon: 151.2093 }],
    ['33.8688 S 151.2093 E', { lat: -33.8688, lon: 151.2093 }],
    ['27°42\'49"N 100°30\'08"E', { lat: 27.71361, lon: 100.50222 }],
    ['北纬27.7136 东经100.5023', { lat: 27.7136, lon: 100.5023 }],
    ['东经100.5023，北纬27.7136', { lat: 27.7136, lon: 100.5023 }],
    ['２７．７１３６, １００．５０２３', { lat: 27.7136, lon: 100.5023 }],
    ['27.71361234, 100.50229876', { lat: 27.71361, lon: 100.5023 }],
  ])('reads %s', (text, value) => {
    expect(parseCoordinates(text)).toEqual({ kind: 'ok', value });
  });

  it('reads nothing typed as no position', () => {
    expect(parseCoordinates('  ')).toEqual({ kind: 'empty' });
  });

  it.each([['27.7136'], ['27.7136, 100.5023, 5'], ['Dali'], ['27.7 N 100.5 N'], ['-27 S, 100 E'], ['27.7136 N E 100'], ['27..7, 100']])('refuses %s as not a position (format)', (text) => {
    expect(parseCoordinates(text)).toEqual({ kind: 'bad', reason: 'format' });
  });

  it.each([['91, 100'], ['27, 181'], ['-90.5, 0'], ['27°61\'N 100E']])('refuses %s as off the globe (range)', (text) => {
    expect(parseCoordinates(text)).toEqual({ kind: 'bad', reason: 'range' });
  });

  it('writes a position back as it reads, latitude first', () => {
    const parsed = parseCoordinates(formatCoordinates({ lat: -33.8688, lon: 151.2093 }));
    expect(parsed).toEqual({ kind: 'ok', value: { lat: -33.8688, lon: 151.2093 } });
    expect(formatCoordinates(null)).toBe('');
  });
});
