import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, RegionNode } from '../../renderer/admin/adminApi';
import { auditLine } from '../../renderer/admin/adminView';
import { regionTreeProblems } from '../../renderer/admin/regionTree';
import { catalogs } from '../../renderer/i18n/catalogs';

/*
 * Tester's walk (adv-walk). The audit log, read in Chinese after the secretariat saved the
 * network settings, said "更改网络设置 · 田野网 · fields: networkName, regions, secretariatName,
 * topic, topics", and the network's creation "创建网络 · Test network · secretariatName: …":
 * developer keys in the Chinese UI. And the settings form saved two provinces both named
 * 云南省 / Yunnan at the same level without a word, which splits every count by region in two.
 */

let en: TFunction;
let zh: TFunction;
beforeAll(async () => {
  const instance = i18next.createInstance();
  await instance.init({ resources: { en: { translation: catalogs.en }, 'zh-CN': { translation: catalogs['zh-CN'] } }, lng: 'en', interpolation: { escapeValue: false } });
  en = instance.getFixedT('en');
  zh = instance.getFixedT('zh-CN');
});

const actor = { orgId: 'org-s', credentialId: 'cred-s', deviceName: 'Desk' };

describe('the audit log in words', () => {
  it('names the settings that changed in the reader\'s language, not as keys', () => {
    const settings: AuditEntry = { id: 6, at: 0, action: 'settings', actor, target: { kind: 'network', id: 'network', name: '田野网' }, details: { fields: ['networkName', 'regions', 'secretariatName', 'topic', 'topics'] } };
    for (const t of [zh, en]) {
      const line = auditLine(t, settings);
      for (const key of ['fields:', 'networkName', 'secretariatName', 'topics']) expect(line).not.toContain(key);
    }
  });

  it('writes the network\'s creation without a raw key', () => {
    const init: AuditEntry = { id: 1, at: 0, action: 'init', actor: { orgId: null, credentialId: null, deviceName: 'hub command line' } as unknown as AuditEntry['actor'], target: { kind: 'network', id: 'network', name: 'Test network' }, details: { secretariatName: '田野网秘书处' } };
    expect(auditLine(zh, init)).not.toContain('secretariatName');
    expect(auditLine(zh, init)).toContain('田野网秘书处');
  });
});

describe('the region tree', () => {
  it('finds two regions of the same name under the same parent', () => {
    const tree: RegionNode[] = [
      { id: 'r-1', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
      { id: 'r-2', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
    ];
    expect(regionTreeProblems(tree)).not.toEqual([]);
  });
});
