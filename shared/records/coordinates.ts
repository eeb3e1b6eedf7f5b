import type { z } from 'zod';
import type { coordinatesSchema } from './org';

/*
 * An organization's position as people type it: decimal degrees ("27.7136, 100.5023"), with
 * hemisphere letters ("27.7136 N, 100.5023 E"), in degrees, minutes and seconds
 * ("27°42'49"N 100°30'08"E"), or as Chinese maps write it ("北纬27.7136 东经100.5023"). Latitude
 * comes first unless the letters say otherwise. The partner finder weighs distance from it.
 */

export type Coordinates = z.infer<typeof coordinatesSchema>;

export type ParsedCoordinates =
  | { readonly kind: 'empty' }
  | { readonly kind: 'ok'; readonly value: Coordinates }
  /** `format`: not two numbers; `range`: a latitude past ±90 or a longitude past ±180. */
  | { readonly kind: 'bad'; readonly reason: 'format' | 'range' };

const HEMISPHERES: Readonly<Record<string, { readonly axis: 'lat' | 'lon'; readonly sign: 1 | -1 }>> = {
  N: { axis: 'lat', sign: 1 },
  S: { axis: 'lat', sign: -1 },
  E: { axis: 'lon', sign: 1 },
  W: { axis: 'lon', sign: -1 },
  北纬: { axis: 'lat', sign: 1 },
  南纬: { axis: 'lat', sign: -1 },
  东经: { axis: 'lon', sign: 1 },
  西经: { axis: 'lon', sign: -1 },
};

// Tokens: a hemisphere, or a number with optional degree sign, minutes and seconds.
const TOKEN = /\s*(?:(北纬|南纬|东经|西经|[NSEW])|([+-]?\d+(?:\.\d+)?)(?:\s*°(?:\s*(\d+(?:\.\d+)?)\s*['′])?(?:\s*(\d+(?:\.\d+)?)\s*["″])?)?)/y;

type Token = { readonly hemisphere: string } | { readonly value: number; readonly isSigned: boolean } | 'bad-range';

function tokensOf(input: string): Token[] | null {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < input.length) {
    const match = TOKEN.exec(input);
    if (!match) return input.slice(TOKEN.lastIndex).trim() === '' ? tokens : null;
    const [, hemisphere, degrees, minutes, seconds] = match;
    if (hemisphere) {
      tokens.push({ hemisphere });
      continue;
    }
    if ((minutes !== undefined && Number(minutes) >= 60) || (seconds !== undefined && Number(seconds) >= 60)) tokens.push('bad-range');
    else tokens.push({ value: Math.abs(Number(degrees)) + Number(minutes ?? 0) / 60 + Number(seconds ?? 0) / 3600, isSigned: degrees!.startsWith('-') });
  }
  return tokens;
}

export function parseCoordinates(text: string): ParsedCoordinates {
  const input = text.normalize('NFKC').trim().toUpperCase().replace(/[，,;]/g, ' ').replace(/\s+/g, ' ');
  if (input === '') return { kind: 'empty' };
  const tokens = tokensOf(input);
  if (!tokens) return { kind: 'bad', reason: 'format' };
  if (tokens.includes('bad-range')) return { kind: 'bad', reason: 'range' };
  const numbers = tokens.filter((token): token is { value: number; isSigned: boolean } => token !== 'bad-range' && 'value' in token);
  const letters = tokens.filter((token): token is { hemisphere: string } => token !== 'bad-range' && 'hemisphere' in token).map((token) => HEMISPHERES[token.hemisphere]!);
  if (numbers.length !== 2) return { kind: 'bad', reason: 'format' };
  const shape = tokens.map((token) => (token !== 'bad-range' && 'value' in token ? 'n' : 'h')).join('');
  // Plain numbers, or each number with its letter, all before or all after: "N27 E100", "27N 100E".
  if (!['nn', 'hnhn', 'nhnh'].includes(shape)) return { kind: 'bad', reason: 'format' };
  const [first, second] = numbers as [(typeof numbers)[0], (typeof numbers)[0]];
  if (letters.length === 0) {
    return inRange(first.value * (first.isSigned ? -1 : 1), second.value * (second.isSigned ? -1 : 1));
  }
  // A signed number with a hemisphere letter ("-27 S") says the sign twice: refused as unclear.
  if (first.isSigned || second.isSigned) return { kind: 'bad', reason: 'format' };
  const [firstAxis, secondAxis] = letters as [(typeof letters)[0], (typeof letters)[0]];
  if (firstAxis.axis === secondAxis.axis) return { kind: 'bad', reason: 'format' };
  const [lat, lon] = firstAxis.axis === 'lat' ? [first.value * firstAxis.sign, second.value * secondAxis.sign] : [second.value * secondAxis.sign, first.value * firstAxis.sign];
  return inRange(lat, lon);
}

function inRange(lat: number, lon: number): ParsedCoordinates {
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return { kind: 'bad', reason: 'range' };
  // Five decimals is about a metre: more is noise from a map, not a better position.
  return { kind: 'ok', value: { lat: round5(lat), lon: round5(lon) } };
}

const round5 = (value: number) => Math.round(value * 1e5) / 1e5 || 0;

/** As the profile shows it: "27.7136, 100.5023" (decimal degrees, latitude first). */
export function formatCoordinates(coordinates: Coordinates | null): string {
  return coordinates ? `${coordinates.lat}, ${coordinates.lon}` : '';
}
