import type { EntryInput } from '../../shared/records/entry';
import type { OrgInput } from '../../shared/records/org';

/*
 * What the demo network holds: its organizations and hand-written entries in Chinese and English,
 * and the generated entries that try the library at scale. demoNetwork.ts writes them to a store.
 */

export const DEMO_ORG_ID = 'xishan-coop';

export interface DemoOrg {
  readonly id: string;
  readonly input: OrgInput;
}

export const demoOrgs: readonly DemoOrg[] = [
  {
    id: DEMO_ORG_ID,
    input: {
      name: '西山生态农业合作社 Xishan Eco-farming Co-op',
      region: ['云南省', '大理州', '洱源县'],
      capabilities: ['生态农业', '节水灌溉', 'training'],
      staffSize: 6,
      stage: 'growing',
      topics: ['water', '农业'],
      contact: { person: '李梅', phone: '', email: '' },
    },
  },
  {
    id: 'qiandongnan-gardens',
    input: {
      name: 'Qiandongnan School Gardens',
      region: ['Guizhou', 'Qiandongnan'],
      capabilities: ['education', 'school gardens'],
      staffSize: 4,
      stage: 'seed',
      topics: ['education', 'water'],
      contact: { person: 'Wang Jun', phone: '', email: 'gardens@example.org' },
    },
  },
  {
    id: 'nujiang-water',
    input: {
      name: '怒江山区饮水安全小组',
      region: ['云南省', '怒江州'],
      capabilities: ['饮水安全', '社区动员'],
      staffSize: 12,
      stage: 'established',
      topics: ['water'],
      contact: { person: '和建华', phone: '', email: '' },
    },
  },
  {
    id: 'gansu-drylands',
    input: {
      name: 'Gansu Drylands Alliance',
      region: ['Gansu', 'Dingxi'],
      capabilities: ['rainwater harvesting', 'research'],
      staffSize: 20,
      stage: 'mature',
      topics: ['water', 'climate'],
      contact: { person: 'Ma Li', phone: '', email: 'info@example.org' },
    },
  },
  {
    id: 'secretariat',
    input: { name: '网络秘书处 Network Secretariat', region: ['北京市'], capabilities: ['coordination'], staffSize: 5, stage: 'established' },
  },
];

const community = (holderName: string) => ({ holderKind: 'community', holderName, consent: 'community-approved' }) as const;
const person = (holderName: string) => ({ holderKind: 'person', holderName, consent: 'credit-by-name' }) as const;

/** [owner organization, entry], oldest first. */
export const demoEntries: readonly (readonly [string, EntryInput])[] = [
  [
    DEMO_ORG_ID,
    {
      kind: 'local-wisdom',
      title: '用草木灰防治菜虫',
      summary: '清晨露水未干时把草木灰撒在菜叶上，可以赶走菜青虫，不用农药。',
      body: '村里老人传下来的办法，已经在合作社的三块菜地试了两季。\n草木灰要过筛，撒得薄而匀。',
      sections: {
        context: '洱源县海拔两千米，夏季菜青虫多，农户不愿意用农药。',
        approach: '清晨露水未干时撒草木灰，每亩约五公斤，七天一次。',
        results: '虫害减少约一半，菜叶没有药味，卖价更高。',
        resourcesNeeded: '草木灰（灶里就有）、筛子、半个工日。',
        lessonsLearned: '雨后要补撒；草木灰碱性强，不要撒在幼苗上。',
      },
      tags: ['病虫害', '生态农业'],
      region: ['云南省', '大理州', '洱源县'],
      language: 'zh-CN',
      author: '李梅',
      attribution: community('西山村老年协会'),
      sharing: 'network',
    },
  ],
  [
    DEMO_ORG_ID,
    {
      kind: 'practice',
      title: '节水灌溉：塑料瓶滴灌',
      summary: '把旧塑料瓶埋在每株菜旁边，三天加一次水，旱季省水一半以上。',
      sections: { approach: '瓶底扎两个小孔，埋入土中十厘米，瓶口露出地面。', resourcesNeeded: '回收的塑料瓶、锥子。' },
      tags: ['水', '节水灌溉'],
      region: ['云南省', '大理州'],
      language: 'zh-CN',
      author: '李梅',
      attribution: person('赵大姐'),
      sharing: 'network',
    },
  ],
  [
    DEMO_ORG_ID,
    {
      kind: 'lesson',
      title: '合作社账目公开的经验',
      summary: '每月在村委会公告栏贴出收支明细，社员的信任明显提高。',
      tags: ['治理'],
      region: ['云南省', '大理州', '洱源县'],
      language: 'zh-CN',
      author: '李梅',
      sharing: 'private',
    },
  ],
  [
    'qiandongnan-gardens',
    {
      kind: 'practice',
      title: 'Rainwater harvesting for school gardens',
      summary: 'Roof gutters feed two tanks that water the beds through the dry season.',
      sections: {
        context: 'Village schools in Qiandongnan have gardens but no piped water after October.',
        approach: 'Parents fitted gutters to the classroom roof; two 2-ton tanks collect the run-off.',
        results: 'The garden now grows vegetables through the dry season; the canteen uses them.',
        resourcesNeeded: 'About 1,800 yuan per school for tanks and gutters; two days of parent labour.',
        lessonsLearned: 'Cover the tanks: open tanks breed mosquitoes.',
      },
      tags: ['water', 'schools'],
      region: ['Guizhou', 'Qiandongnan'],
      language: 'en',
      author: 'Wang Jun',
      attribution: community('Parents committee'),
      sharing: 'network',
    },
  ],
  [
    'qiandongnan-gardens',
    {
      kind: 'challenge',
      title: 'Left-behind children skip the garden club',
      summary: 'Grandparents need the children at home after school, so the club meets at lunch instead.',
      tags: ['education'],
      region: ['Guizhou'],
      language: 'en',
      author: 'Wang Jun',
      attribution: person('Teacher Yang'),
      sharing: 'network',
    },
  ],
  [
    'nujiang-water',
    {
      kind: 'practice',
      title: '山区引水管道的冬季防冻',
      summary: '把水管埋深到六十厘米以下，并在出水口加装保温棉，冬季断水天数从二十天降到两天。',
      sections: { approach: '村民分段包干，每户负责五十米管道。', lessonsLearned: '保温棉要用防水布包好，否则吸水后反而结冰。' },
      tags: ['饮水安全', 'water'],
      region: ['云南省', '怒江州'],
      language: 'zh-CN',
      author: '和建华',
      attribution: community('老姆登村民小组'),
      sharing: 'network',
    },
  ],
  [
    'nujiang-water',
    {
      kind: 'challenge',
      title: '水费收缴难',
      summary: '部分农户认为山泉水不该收费，管护资金不足，需要村规民约支持。',
      tags: ['治理', '饮水安全'],
      region: ['云南省', '怒江州'],
      language: 'zh-CN',
      author: '和建华',
      attribution: person('和建华'),
      sharing: 'network',
    },
  ],
  [
    'gansu-drylands',
    {
      kind: 'local-wisdom',
      title: 'Stone mulch keeps melon fields moist',
      summary: 'Farmers in Dingxi cover fields with river stones; evaporation drops and the soil stays warm in spring.',
      tags: ['water', 'drylands'],
      region: ['Gansu', 'Dingxi'],
      language: 'en',
      author: 'Ma Li',
      attribution: community('Dingxi farmers'),
      sharing: 'public',
    },
  ],
  [
    'gansu-drylands',
    {
      kind: 'lesson',
      title: 'What we learned from three years of water cellars',
      summary: 'Cellars work when households maintain them; a yearly cleaning day made the difference.',
      tags: ['water', 'maintenance'],
      region: ['Gansu'],
      language: 'en',
      author: 'Ma Li',
      attribution: person('Ma Li'),
      sharing: 'network',
    },
  ],
];

const generatedTitles = ['堆肥', '滴灌', '梯田', '种子', 'rain tank', 'seed bank', 'compost', 'water cellar', '护林', '养蜂'];

/** Extra generated entries, for trying the library with thousands of entries (`?demo-entries=10000`). */
export function generatedEntry(index: number): [string, EntryInput] {
  const owner = demoOrgs[index % (demoOrgs.length - 1)]!.id;
  const word = generatedTitles[index % generatedTitles.length]!;
  const isChinese = index % 2 === 0;
  return [
    owner,
    {
      kind: (['practice', 'local-wisdom', 'challenge', 'lesson'] as const)[index % 4]!,
      title: isChinese ? `${word}实践记录 第${index + 1}号` : `Field note ${index + 1}: ${word}`,
      summary: isChinese ? `关于${word}的第${index + 1}条记录。` : `Notes on ${word}, number ${index + 1}.`,
      tags: [word],
      region: isChinese ? ['云南省', '大理州'] : ['Gansu'],
      language: isChinese ? 'zh-CN' : 'en',
      attribution: community('demo'),
      sharing: 'network',
    },
  ];
}
