import type { EntryInput } from '../../shared/records/entry';

/*
 * A deterministic corpus of field entries for benchmarks: about half English, half Chinese, on
 * farming, water, health, education and disaster preparedness, from several organizations and
 * regions. Same seed, same corpus, so runs on different days measure the same work.
 */

export interface CorpusEntry {
  readonly ownerOrg: string;
  /** The device clock at creation, ms since the epoch; strictly increasing through the corpus. */
  readonly createdAt: number;
  readonly input: EntryInput;
}

/** mulberry32: small, fast, and good enough to pick words. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const corpusOrgs = [
  'org-yunnan-green',
  'org-erhai-water',
  'org-village-health',
  'org-left-behind-children',
  'org-liangshan-relief',
  'org-loess-farmers',
] as const;

export const corpusRegions: readonly (readonly string[])[] = [
  ['云南省', '大理州', '洱源县'],
  ['云南省', '大理州', '洱源县', '茈碧湖镇'],
  ['云南省', '大理州', '宾川县'],
  ['云南省', '怒江州', '泸水市'],
  ['云南省', '红河州', '元阳县'],
  ['云南省'],
  ['贵州省', '黔东南州', '雷山县'],
  ['贵州省', '毕节市', '威宁县'],
  ['四川省', '凉山州', '昭觉县'],
  ['四川省', '凉山州', '布拖县'],
  ['四川省', '阿坝州', '汶川县'],
  ['甘肃省', '定西市', '安定区'],
  ['甘肃省', '定西市', '通渭县'],
  ['宁夏回族自治区', '固原市', '西吉县'],
  ['陕西省', '延安市', '宝塔区'],
  ['广西壮族自治区', '河池市', '都安瑶族自治县'],
  ['湖南省', '湘西州', '花垣县'],
  ['Nepal', 'Gandaki', 'Kaski'],
  ['Bangladesh', 'Khulna', 'Satkhira'],
];

interface Topic {
  readonly en: {
    readonly subjects: readonly string[];
    readonly methods: readonly string[];
    readonly people: readonly string[];
    readonly outcomes: readonly string[];
    readonly problems: readonly string[];
    readonly tags: readonly string[];
  };
  readonly zh: {
    readonly subjects: readonly string[];
    readonly methods: readonly string[];
    readonly people: readonly string[];
    readonly outcomes: readonly string[];
    readonly problems: readonly string[];
    readonly tags: readonly string[];
  };
  readonly name: string;
}

const topics: readonly Topic[] = [
  {
    name: 'farming',
    en: {
      subjects: ['terrace vegetable plots', 'maize fields', 'potato seed stock', 'walnut orchards', 'tea gardens', 'rice paddies', 'compost heaps', 'seed banks', 'intercropped beans', 'mountain pastures'],
      methods: ['wood ash against aphids', 'green manure rotation', 'saving local seed varieties', 'mulching with rice straw', 'pest traps made of yellow boards', 'a cooperative buying fertilizer together', 'fermented plant juice', 'contour ploughing', 'rice-fish-duck farming', 'agroforestry with walnut and pepper'],
      people: ['smallholder farmers', 'women farmers', 'the cooperative members', 'returning migrant workers', 'elderly growers', 'village extension workers'],
      outcomes: ['yields rose by about a fifth', 'pesticide spending fell by half', 'the soil held more moisture through the dry season', 'seed costs dropped', 'more households joined the cooperative', 'harvest losses to pests were much lower'],
      problems: ['soil erosion on steep slopes', 'falling prices at harvest time', 'aphids and corn borers', 'hybrid seed that cannot be saved', 'a labour shortage at planting time', 'degraded soil after years of chemical fertilizer'],
      tags: ['organic farming', 'seed saving', 'pest control', 'cooperative', 'soil health', 'agroforestry'],
    },
    zh: {
      subjects: ['梯田蔬菜', '玉米地', '马铃薯种薯', '核桃林', '茶园', '稻田', '堆肥', '社区种子库', '间作豆类', '高山牧场'],
      methods: ['草木灰防治蚜虫', '绿肥轮作', '老品种留种', '稻草覆盖保墒', '黄板诱虫', '合作社统一采购化肥', '自制酵素', '等高耕作', '稻鱼鸭共生', '核桃花椒林下种植'],
      people: ['小农户', '妇女农户', '合作社社员', '返乡青年', '老年农户', '村级农技员'],
      outcomes: ['产量提高了两成左右', '农药开支减少一半', '旱季土壤保水明显改善', '种子成本下降', '更多农户加入合作社', '病虫害损失大幅减少'],
      problems: ['坡地水土流失', '收获季价格下跌', '蚜虫和玉米螟', '杂交种无法留种', '农忙时劳动力不足', '长期使用化肥导致土壤板结'],
      tags: ['生态农业', '留种', '病虫害防治', '合作社', '土壤健康', '农林复合'],
    },
  },
  {
    name: 'water',
    en: {
      subjects: ['village water cisterns', 'drip lines', 'spring catchments', 'irrigation channels', 'rainwater tanks', 'the lake shore wetland', 'hand pumps', 'school water points'],
      methods: ['drip irrigation from recycled bottles', 'rainwater harvesting from rooftops', 'a water user association', 'slow sand filters', 'rotating irrigation schedules', 'lining channels with local stone', 'biosand filters for drinking water', 'water-saving irrigation'],
      people: ['water user groups', 'village committees', 'women who fetch water', 'school caretakers', 'downstream households'],
      outcomes: ['irrigation water use fell by a third', 'the cistern lasted through the dry season', 'diarrhoea cases dropped at the school', 'disputes over water became rare', 'runoff into the lake carried less fertilizer'],
      problems: ['drought in spring', 'nitrogen runoff into the lake', 'broken pumps with no spare parts', 'unfair sharing of irrigation water', 'contaminated wells after floods'],
      tags: ['irrigation', 'drinking water', 'rainwater harvesting', 'water governance', 'wetland'],
    },
    zh: {
      subjects: ['村级水窖', '滴灌管', '山泉集水点', '灌溉沟渠', '雨水收集池', '湖滨湿地', '手压井', '学校饮水点'],
      methods: ['节水灌溉', '屋面雨水收集', '用水户协会', '慢砂过滤', '轮灌制度', '用本地石材衬砌沟渠', '生物砂滤器净化饮用水', '废旧瓶子改造滴灌'],
      people: ['用水户小组', '村委会', '负责挑水的妇女', '学校管理员', '下游农户'],
      outcomes: ['灌溉用水减少三分之一', '水窖撑过了整个旱季', '学校腹泻病例下降', '用水纠纷明显减少', '入湖径流中的化肥减少'],
      problems: ['春旱', '氮磷流失进入洱海', '水泵损坏缺少配件', '灌溉用水分配不公', '洪水后水井受污染'],
      tags: ['灌溉', '饮水安全', '雨水收集', '水资源管理', '湿地保护'],
    },
  },
  {
    name: 'health',
    en: {
      subjects: ['village clinics', 'maternal health checks', 'hygiene corners in schools', 'household latrines', 'herbal gardens', 'elderly care visits'],
      methods: ['training village doctors in first aid', 'handwashing stations with foot pedals', 'home visits by health volunteers', 'growing medicinal herbs in courtyards', 'a mobile clinic once a month', 'peer groups for new mothers'],
      people: ['village doctors', 'health volunteers', 'pregnant women', 'elderly people living alone', 'primary school pupils'],
      outcomes: ['more births happened in the township hospital', 'children washed hands before meals', 'blood pressure checks became routine', 'fewer emergency trips in winter'],
      problems: ['long distances to the township hospital', 'low awareness of hypertension', 'no running water in school toilets', 'medicines running out in winter'],
      tags: ['public health', 'maternal health', 'hygiene', 'elderly care', 'herbal medicine'],
    },
    zh: {
      subjects: ['村卫生室', '孕产妇健康检查', '学校卫生角', '户用厕所', '中草药园', '空巢老人探访'],
      methods: ['培训乡村医生急救技能', '脚踏式洗手台', '健康志愿者入户', '庭院种植中草药', '每月一次流动诊所', '新妈妈互助小组'],
      people: ['乡村医生', '健康志愿者', '孕妇', '独居老人', '小学生'],
      outcomes: ['更多产妇到乡镇卫生院分娩', '孩子们饭前洗手成了习惯', '定期测量血压', '冬季急诊转运减少'],
      problems: ['离乡镇卫生院太远', '对高血压认识不足', '学校厕所没有自来水', '冬季药品断供'],
      tags: ['公共卫生', '妇幼健康', '卫生习惯', '养老照护', '中草药'],
    },
  },
  {
    name: 'education',
    en: {
      subjects: ['after-school programmes', 'village libraries', 'boarding schools', 'reading corners', 'nature classes', 'teacher training'],
      methods: ['volunteer tutors for left-behind children', 'letters and video calls with parents', 'a rotating book box between villages', 'school gardens as outdoor classrooms', 'mother-tongue storytelling sessions', 'peer mentoring by older pupils'],
      people: ['left-behind children', 'rural teachers', 'grandparents raising children', 'university volunteers', 'boarding pupils'],
      outcomes: ['reading levels improved over one term', 'children reported feeling less lonely', 'attendance rose in the planting season', 'teachers stayed longer in the village'],
      problems: ['parents working far away in cities', 'teachers leaving after one year', 'no books in the local language', 'long walks to school in the rainy season'],
      tags: ['left-behind children', 'rural education', 'reading', 'teacher support', 'nature education'],
    },
    zh: {
      subjects: ['课后辅导班', '乡村图书室', '寄宿制学校', '阅读角', '自然课堂', '教师培训'],
      methods: ['志愿者陪伴留守儿童', '与外出父母书信和视频通话', '图书箱在村寨间轮换', '学校菜园作户外课堂', '母语讲故事活动', '高年级学生结对帮扶'],
      people: ['留守儿童', '乡村教师', '隔代抚养的祖辈', '大学生志愿者', '寄宿学生'],
      outcomes: ['一个学期内阅读水平提高', '孩子们说不那么孤单了', '农忙季节出勤率上升', '教师在村里留得更久'],
      problems: ['父母在城里打工', '教师一年后就离开', '没有本民族语言的图书', '雨季上学路途遥远'],
      tags: ['留守儿童', '乡村教育', '阅读推广', '教师支持', '自然教育'],
    },
  },
  {
    name: 'disaster',
    en: {
      subjects: ['landslide warning points', 'village evacuation routes', 'emergency grain stores', 'flood early warning', 'earthquake drills', 'community shelters'],
      methods: ['community risk mapping', 'rain gauges read by volunteers', 'evacuation drills twice a year', 'gongs and loudspeakers as warning signals', 'an emergency kit for every household', 'first responder teams of young villagers'],
      people: ['village emergency teams', 'households on steep slopes', 'school teachers', 'township officials', 'people with disabilities'],
      outcomes: ['everyone left the danger zone within twenty minutes', 'the village evacuated before the landslide', 'no one was hurt in the flood', 'households kept three days of food and water'],
      problems: ['landslides after heavy rain', 'flash floods at night', 'no mobile signal in the valley', 'old houses not built for earthquakes'],
      tags: ['disaster preparedness', 'early warning', 'landslide', 'flood', 'community resilience'],
    },
    zh: {
      subjects: ['滑坡监测点', '村庄疏散路线', '应急粮仓', '山洪预警', '地震演练', '社区避难所'],
      methods: ['社区灾害风险地图', '志愿者读取雨量计', '每年两次疏散演练', '用锣和喇叭发出预警', '每户一个应急包', '村里青年组成应急队'],
      people: ['村级应急队', '陡坡上的住户', '学校老师', '乡镇干部', '残障人士'],
      outcomes: ['所有人二十分钟内撤离危险区', '滑坡发生前全村已经转移', '洪水中无人受伤', '各户储备三天的食物和饮水'],
      problems: ['强降雨后的滑坡', '夜间山洪', '山谷里没有手机信号', '老房子不抗震'],
      tags: ['防灾减灾', '预警', '滑坡', '洪水', '社区韧性'],
    },
  },
];

const kinds = ['practice', 'local-wisdom', 'challenge', 'lesson'] as const;

const enTitles = [
  (m: string, s: string) => `${capitalize(m)} for ${s}`,
  (m: string, s: string) => `How ${s} changed with ${m}`,
  (m: string, s: string) => `Notes on ${m} in ${s}`,
  (m: string, s: string) => `What we learned from ${m} and ${s}`,
];
const zhTitles = [
  (m: string, s: string) => `${s}中的${m}`,
  (m: string, s: string) => `${m}：${s}的经验`,
  (m: string, s: string) => `关于${s}和${m}的记录`,
  (m: string, s: string) => `${m}在${s}的做法`,
];

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `count` entries in creation order. Private drafts only ever belong to the first organization
 * (the local one in the benchmark): others' private drafts never reach this device.
 */
export function generateEntries(count: number, seed = 20240601): CorpusEntry[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pickSome = <T>(items: readonly T[], n: number): T[] => {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < n && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
    return chosen;
  };

  const entries: CorpusEntry[] = [];
  let clock = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    clock += 60_000 + Math.floor(random() * 3_600_000);
    const topic = pick(topics);
    const isChinese = random() < 0.5;
    const words = isChinese ? topic.zh : topic.en;
    const kind = pick(kinds);
    const ownerOrg = pick(corpusOrgs);
    const method = pick(words.methods);
    const subject = pick(words.subjects);
    const title = pick(isChinese ? zhTitles : enTitles)(method, subject);
    const sentence = (): string => {
      const p = pick(words.people);
      const m = pick(words.methods);
      const s = pick(words.subjects);
      const o = pick(words.outcomes);
      const pr = pick(words.problems);
      return isChinese
        ? pick([
            `${p}面对${pr}，开始尝试${m}。`,
            `在${s}，${m}之后${o}。`,
            `${p}说，最大的困难是${pr}。`,
            `我们和${p}一起在${s}推广${m}，${o}。`,
            `第二年${o}，但${pr}仍然存在。`,
          ])
        : pick([
            `Faced with ${pr}, ${p} started trying ${m}.`,
            `In the ${s}, ${o} after ${m}.`,
            `${capitalize(p)} told us the hardest part was ${pr}.`,
            `Together with ${p} we brought ${m} to the ${s}, and ${o}.`,
            `By the second year ${o}, although ${pr} remained.`,
          ]);
    };
    const paragraph = (sentences: number) => Array.from({ length: sentences }, sentence).join(isChinese ? '' : ' ');
    const summary = paragraph(1 + Math.floor(random() * 2));
    const body = Array.from({ length: 1 + Math.floor(random() * 3) }, () => paragraph(2 + Math.floor(random() * 3))).join('\n');
    const sections =
      kind === 'practice'
        ? { context: paragraph(2), approach: paragraph(2), results: paragraph(1), lessonsLearned: paragraph(1) }
        : {};
    const tags = [...pickSome(words.tags, 1 + Math.floor(random() * 3)), ...(random() < 0.2 ? [topic.name] : [])];
    const isLocal = ownerOrg === corpusOrgs[0];
    const sharing = isLocal && random() < 0.3 ? 'private' : random() < 0.8 ? 'network' : 'public';
    const consent = sharing === 'private' ? 'pending' : pick(['credit-by-name', 'anonymous', 'community-approved'] as const);
    entries.push({
      ownerOrg,
      createdAt: clock,
      input: {
        kind,
        title,
        summary,
        body,
        sections,
        tags,
        topic: topic.name,
        region: [...pick(corpusRegions)],
        language: isChinese ? 'zh-CN' : 'en',
        author: isChinese ? pick(['李梅', '杨建国', '段雪', '和志强', '阿果']) : pick(['Mei Li', 'Tom Baker', 'Sita Gurung', 'Ana Costa']),
        attribution: {
          holderKind: kind === 'local-wisdom' ? 'community' : 'person',
          holderName: isChinese ? pick(['洱源县西山村', '杨奶奶', '雷山县苗寨', '阿普']) : pick(['Kaski farmers group', 'Grandmother Yang', 'Satkhira women']),
          consent,
        },
        sharing,
      },
    });
  }
  return entries;
}

/** Queries as people type them: whole words, prefixes, a typo, Chinese words and phrases. */
export function searchQueries(count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const english = ['irrigation', 'rainwater', 'aphids', 'cooperative', 'landslide', 'teachers', 'compost', 'walnut', 'drought', 'evacuation', 'hygiene', 'mulching', 'wetland', 'seed', 'village doctors', 'drip irrigation', 'flood warning', 'left-behind children'];
  const prefixes = ['irrig', 'rainw', 'coop', 'landsl', 'evac', 'mulch', 'agrofor', 'hyg'];
  const typos = ['irigation', 'cooperatve', 'landslid', 'drougth', 'compots'];
  const chinese = ['节水灌溉', '草木灰', '合作社', '留守儿童', '灌溉', '滑坡', '雨水收集', '乡村医生', '洱海', '防灾', '堆肥', '蚜虫', '寄宿', '应急包', '核桃'];
  const queries: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    queries.push(r < 0.35 ? pick(english) : r < 0.5 ? pick(prefixes) : r < 0.6 ? pick(typos) : pick(chinese));
  }
  return queries;
}
