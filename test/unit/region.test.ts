import { describe, expect, it } from 'vitest';
import {
  formatRegion,
  formatRegions,
  isWithinRegion,
  MAX_REGION_LEVELS,
  parseRegion,
  parseRegions,
  regionKey,
  regionPathSchema,
  sharedLevels,
} from '../../shared/records/region';

/* The one home of region paths: how they are typed, shown, keyed and compared. */

describe('reading a region as typed', () => {
  it('splits on either slash, >, commas and the enumeration comma, and trims each level', () => {
    expect(parseRegion('云南省 / 大理州／洱源县')).toEqual(['云南省', '大理州', '洱源县']);
    expect(parseRegion('云南省、大理州，洱源县')).toEqual(['云南省', '大理州', '洱源县']);
    expect(parseRegion('Guizhou > Qiandongnan,Liping')).toEqual(['Guizhou', 'Qiandongnan', 'Liping']);
  });

  it('drops empty levels and cuts the path at the deepest level a record holds', () => {
    expect(parseRegion(' / Yunnan // Dali / ')).toEqual(['Yunnan', 'Dali']);
    expect(parseRegion('')).toEqual([]);
    const deep = parseRegion('a/b/c/d/e/f/g/h');
    expect(deep).toHaveLength(MAX_REGION_LEVELS);
    expect(regionPathSchema.safeParse(deep).success).toBe(true);
    expect(regionPathSchema.safeParse([...deep, 'g']).success).toBe(false);
  });

  it('reads back what it shows', () => {
    const path = ['云南省', '大理州', '洱源县'];
    expect(formatRegion(path)).toBe('云南省 / 大理州 / 洱源县');
    expect(parseRegion(formatRegion(path))).toEqual(path);
    expect(formatRegion([])).toBe('');
  });

  it('reads and shows several regions in one field, separated by semicolons or lines', () => {
    const paths = [['云南省', '大理州'], ['Guizhou']];
    expect(formatRegions(paths)).toBe('云南省 / 大理州; Guizhou');
    expect(parseRegions(formatRegions(paths))).toEqual(paths);
    expect(parseRegions('云南省/怒江州；Gansu\nGuizhou, Qiandongnan;;')).toEqual([['云南省', '怒江州'], ['Gansu'], ['Guizhou', 'Qiandongnan']]);
    expect(parseRegions(' ; ')).toEqual([]);
  });
});

describe('comparing regions', () => {
  it('counts the levels two paths share from the top', () => {
    expect(sharedLevels(['Yunnan', 'Dali', 'Xizhou'], ['Yunnan', 'Dali', 'Eryuan'])).toBe(2);
    expect(sharedLevels(['Yunnan'], ['Guizhou'])).toBe(0);
    expect(sharedLevels(['Yunnan', 'Dali'], ['Yunnan', 'Dali'])).toBe(2);
  });

  it('holds a path within an area level by level, never by a prefix of the joined text', () => {
    expect(isWithinRegion(['Yunnan', 'Dali'], ['Yunnan'])).toBe(true);
    expect(isWithinRegion(['Yunnan', 'Dali'], ['Yunnan', 'Dali'])).toBe(true);
    expect(isWithinRegion(['Yunnanx', 'Dali'], ['Yunnan'])).toBe(false);
    expect(isWithinRegion(['Yunnan'], ['Yunnan', 'Dali'])).toBe(false);
    expect(isWithinRegion(['Yunnan', 'Dali/Xizhou'], ['Yunnan', 'Dali'])).toBe(false);
    expect(isWithinRegion([], [])).toBe(true);
    expect(isWithinRegion(['Gansu'], [])).toBe(true);
  });

  it('keys a path for an index as its levels joined by slashes', () => {
    expect(regionKey(['云南省', '大理州'])).toBe('云南省/大理州');
    expect(regionKey([])).toBe('');
  });
});
