// Hand-written demo catalog for 美多商城 (categories, brands, products, homepage content).
// seed.ts turns it into database rows. Plain data; the only logic is a small helper that
// expands an SPU's spec options into SKU rows with deterministic stock / sales / comments.
import type { DemoCatalog, DemoSku, DemoSpu } from './demo-types.ts';

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

interface SkuDraft {
  name: string;
  caption: string;
  price: number;
  marketPrice?: number; // default: a little above price
  stock?: number; // default: derived from the name (0–500)
  launched?: boolean; // default true
}

interface SpuDraft extends Omit<DemoSpu, 'skus'> {
  popularity: number; // upper bound for generated sales (≤ 5000)
  sku: (options: string[]) => SkuDraft | null; // null = this combination is not sold
}

/** FNV-1a, so the generated numbers are stable between seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const yuan = (n: number): string => n.toFixed(2);

function combinations(lists: string[][]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

function defaultMarketPrice(price: number): number {
  return price < 100 ? Math.ceil(price * 1.2) : Math.ceil((price * 1.08) / 10) * 10;
}

function product(draft: SpuDraft): DemoSpu {
  const { popularity, sku, ...spu } = draft;
  const skus: DemoSku[] = [];
  for (const options of combinations(spu.specs.map((s) => s.options))) {
    const d = sku(options);
    if (!d) continue;
    const h = hash(d.name);
    const sales = Math.min(5000, Math.round(popularity * (0.3 + (h % 700) / 1000)));
    const row: DemoSku = {
      options,
      name: d.name,
      caption: d.caption,
      price: yuan(d.price),
      marketPrice: yuan(d.marketPrice ?? defaultMarketPrice(d.price)),
      costPrice: yuan(Math.round(d.price * 78) / 100),
      stock: d.stock ?? (h >>> 8) % 501,
      sales,
      comments: Math.min(2000, Math.round(sales * (0.2 + ((h >>> 16) % 30) / 100))),
    };
    if (d.launched === false) row.launched = false;
    skus.push(row);
  }
  return { ...spu, skus };
}

function detail(title: string, points: string[]): string {
  return `<p><strong>${title}</strong></p><ul>${points.map((p) => `<li>${p}</li>`).join('')}</ul>`;
}

function table(rows: [string, string][]): string {
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function pack(items: string[]): string {
  return `<p><strong>包装清单</strong></p><p>${items.join('、')}</p>`;
}

const SERVICE =
  '<p><strong>售后保障</strong></p><ul><li>厂家服务：本商品质保周期为1年质保，在此时间范围内可提交维修申请。</li>' +
  '<li>美多承诺：美多商城向您保证所售商品均为正品行货，开具机打发票或电子发票。</li>' +
  '<li>7天无理由退货：在商品完好的前提下，支持7天无理由退货。</li></ul>';

const SERVICE_FOOD =
  '<p><strong>售后保障</strong></p><ul><li>食品类商品一经售出，非质量问题不予退换。</li>' +
  '<li>如收到商品破损、变质，请于签收后48小时内联系客服。</li></ul>';

const SERVICE_BOOK =
  '<p><strong>售后保障</strong></p><ul><li>正版图书，开具电子发票。</li><li>如有缺页、倒装等印装质量问题，可免费换货。</li></ul>';

const PHONE_CAT: [string, string, string] = ['手机', '手机通讯', '手机'];

// ---------------------------------------------------------------------------------------
// catalog
// ---------------------------------------------------------------------------------------

export const demoCatalog: DemoCatalog = {
  groups: [
    {
      channels: [
        {
          name: '手机',
          subs: [
            { name: '手机通讯', subs: ['手机', '游戏手机', '老人机', '对讲机'] },
            { name: '手机配件', subs: ['手机壳', '贴膜', '数据线', '充电器', '移动电源', '蓝牙耳机', '手机支架'] },
            { name: '手机服务', subs: ['以旧换新', '手机保险', '延保服务'] },
          ],
        },
        {
          name: '运营商',
          subs: [
            { name: '合约机', subs: ['选号中心', '购机送费', '0元购机'] },
            { name: '充值缴费', subs: ['话费充值', '流量充值', '宽带缴费'] },
            { name: '上网卡', subs: ['4G上网卡', '物联网卡', '国际漫游'] },
          ],
        },
        {
          name: '数码',
          subs: [
            { name: '摄影摄像', subs: ['数码相机', '单反相机', '微单相机', '运动相机', '镜头'] },
            { name: '影音娱乐', subs: ['耳机', '音箱', '便携播放器', '麦克风'] },
            { name: '智能设备', subs: ['智能手表', '智能手环', '智能家居', 'VR眼镜', '无人机'] },
            { name: '数码配件', subs: ['存储卡', '读卡器', '相机包', '三脚架'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '电脑',
          subs: [
            { name: '电脑整机', subs: ['笔记本', '游戏本', '平板电脑', '台式机', '一体机', '服务器'] },
            { name: '电脑配件', subs: ['CPU', '主板', '显卡', '内存', '固态硬盘', '显示器'] },
            { name: '外设产品', subs: ['鼠标', '键盘', '移动硬盘', 'U盘', '摄像头'] },
            { name: '网络产品', subs: ['路由器', '网卡', '交换机', '网络存储'] },
          ],
        },
        {
          name: '办公',
          subs: [
            { name: '办公设备', subs: ['投影机', '打印机', '复印机', '碎纸机'] },
            { name: '文具耗材', subs: ['笔类', '本册', '硒鼓墨盒', '办公文具'] },
            { name: '办公家具', subs: ['办公桌', '办公椅', '文件柜'] },
          ],
        },
        {
          name: '家用电器',
          subs: [
            { name: '大家电', subs: ['电视', '空调', '冰箱', '洗衣机', '热水器'] },
            { name: '厨房小电', subs: ['电饭煲', '电水壶', '豆浆机', '微波炉', '电磁炉', '榨汁机'] },
            { name: '生活电器', subs: ['扫地机器人', '空气净化器', '吸尘器', '加湿器', '电风扇'] },
            { name: '个护健康', subs: ['剃须刀', '电吹风', '电动牙刷', '按摩器'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '家居',
          subs: [
            { name: '家纺', subs: ['床品套件', '被子', '枕头', '毛巾浴巾'] },
            { name: '生活日用', subs: ['收纳用品', '雨伞雨具', '清洁工具', '保暖防护'] },
            { name: '灯饰照明', subs: ['台灯', '吸顶灯', '落地灯', 'LED灯'] },
          ],
        },
        {
          name: '家具',
          subs: [
            { name: '卧室家具', subs: ['床', '床垫', '衣柜', '床头柜'] },
            { name: '客厅家具', subs: ['沙发', '茶几', '电视柜', '鞋柜'] },
            { name: '餐厅家具', subs: ['餐桌', '餐椅', '酒柜'] },
          ],
        },
        {
          name: '家装',
          subs: [
            { name: '厨房卫浴', subs: ['水龙头', '淋浴花洒', '马桶', '浴室柜'] },
            { name: '五金工具', subs: ['电钻', '手动工具', '门锁', '测量工具'] },
            { name: '装修材料', subs: ['地板', '瓷砖', '涂料油漆', '墙纸'] },
          ],
        },
        {
          name: '厨具',
          subs: [
            { name: '烹饪锅具', subs: ['炒锅', '煎锅', '压力锅', '蒸锅', '汤锅'] },
            { name: '刀剪菜板', subs: ['菜刀', '剪刀', '菜板砧板', '刀具套装'] },
            { name: '水具酒具', subs: ['保温杯', '水杯', '酒杯', '茶具'] },
            { name: '餐具', subs: ['碗', '盘碟', '筷勺'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '男装',
          subs: [
            { name: '男士上装', subs: ['T恤', '衬衫', '夹克', '卫衣', '羽绒服'] },
            { name: '男士下装', subs: ['休闲裤', '牛仔裤', '西裤', '短裤'] },
            { name: '男士套装', subs: ['西服套装', '运动套装', '工装'] },
          ],
        },
        {
          name: '女装',
          subs: [
            { name: '女士上装', subs: ['T恤', '衬衫', '针织衫', '毛呢大衣', '羽绒服'] },
            { name: '裙装', subs: ['连衣裙', '半身裙', '套装裙'] },
            { name: '女士下装', subs: ['休闲裤', '牛仔裤', '打底裤'] },
          ],
        },
        {
          name: '童装',
          subs: [
            { name: '童装上衣', subs: ['T恤', '卫衣', '外套', '羽绒服'] },
            { name: '童装下装', subs: ['裤子', '裙子', '短裤'] },
            { name: '童鞋', subs: ['儿童运动鞋', '凉鞋', '学步鞋', '儿童靴'] },
          ],
        },
        {
          name: '内衣',
          subs: [
            { name: '女士内衣', subs: ['文胸', '内裤', '睡衣', '塑身衣'] },
            { name: '男士内衣', subs: ['内裤', '背心', '睡衣'] },
            { name: '袜子', subs: ['男袜', '女袜', '丝袜'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '女鞋',
          subs: [
            { name: '时尚女鞋', subs: ['单鞋', '高跟鞋', '休闲鞋', '平底鞋'] },
            { name: '女靴', subs: ['短靴', '长靴', '雪地靴'] },
            { name: '凉拖', subs: ['凉鞋', '拖鞋', '鱼嘴鞋'] },
          ],
        },
        {
          name: '箱包',
          subs: [
            { name: '潮流女包', subs: ['单肩包', '手提包', '斜挎包', '钱包'] },
            { name: '精品男包', subs: ['商务公文包', '双肩包', '男士钱包'] },
            { name: '功能箱包', subs: ['拉杆箱', '旅行包', '电脑包'] },
          ],
        },
        {
          name: '钟表',
          subs: [
            { name: '腕表', subs: ['男表', '女表', '情侣表', '儿童手表'] },
            { name: '钟表配件', subs: ['表带', '挂钟', '闹钟'] },
          ],
        },
        {
          name: '珠宝',
          subs: [
            { name: '黄金', subs: ['黄金项链', '黄金手镯', '黄金戒指'] },
            { name: '钻石', subs: ['钻戒', '钻石项链', '钻石耳饰'] },
            { name: '翡翠玉石', subs: ['手镯', '吊坠', '摆件'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '男鞋',
          subs: [
            { name: '流行男鞋', subs: ['商务休闲鞋', '正装鞋', '帆布鞋', '增高鞋'] },
            { name: '男靴', subs: ['工装靴', '马丁靴', '雪地靴'] },
            { name: '凉拖', subs: ['凉鞋', '拖鞋', '沙滩鞋'] },
          ],
        },
        {
          name: '运动',
          subs: [
            { name: '运动鞋包', subs: ['跑步鞋', '篮球鞋', '板鞋', '训练鞋', '运动包'] },
            { name: '运动服饰', subs: ['运动T恤', '运动裤', '运动外套', '卫衣'] },
            { name: '健身训练', subs: ['跑步机', '哑铃', '瑜伽垫', '健身车'] },
          ],
        },
        {
          name: '户外',
          subs: [
            { name: '户外装备', subs: ['帐篷', '睡袋', '登山杖', '户外照明'] },
            { name: '户外服饰', subs: ['冲锋衣', '速干衣', '登山鞋', '户外背包'] },
            { name: '垂钓用品', subs: ['鱼竿', '渔线轮', '鱼饵'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '房产',
          subs: [
            { name: '新房', subs: ['住宅', '别墅', '公寓'] },
            { name: '二手房', subs: ['二手住宅', '学区房', '商铺'] },
            { name: '租房', subs: ['整租', '合租', '短租'] },
          ],
        },
        {
          name: '汽车',
          subs: [
            { name: '新车', subs: ['轿车', 'SUV', 'MPV', '新能源车'] },
            { name: '二手车', subs: ['二手轿车', '二手SUV', '车辆评估'] },
          ],
        },
        {
          name: '汽车用品',
          subs: [
            { name: '维修保养', subs: ['机油', '轮胎', '蓄电池', '雨刷'] },
            { name: '车载电器', subs: ['行车记录仪', '车载充电器', '车载导航', '车载净化器'] },
            { name: '美容清洗', subs: ['洗车机', '车蜡', '洗车液'] },
            { name: '汽车装饰', subs: ['座垫', '脚垫', '香水', '车衣'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '母婴',
          subs: [
            { name: '奶粉', subs: ['1段奶粉', '2段奶粉', '3段奶粉', '孕妈奶粉'] },
            { name: '尿裤湿巾', subs: ['纸尿裤', '拉拉裤', '湿巾'] },
            { name: '喂养用品', subs: ['奶瓶奶嘴', '吸奶器', '辅食料理机', '儿童餐具'] },
            { name: '童车童床', subs: ['婴儿推车', '安全座椅', '婴儿床'] },
          ],
        },
        {
          name: '玩具乐器',
          subs: [
            { name: '玩具', subs: ['积木拼插', '遥控模型', '毛绒玩具', '益智玩具', '娃娃玩具'] },
            { name: '乐器', subs: ['钢琴', '吉他', '电子琴', '尤克里里'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '食品',
          subs: [
            { name: '休闲食品', subs: ['坚果炒货', '饼干蛋糕', '糖果巧克力', '肉干肉脯', '蜜饯果干'] },
            { name: '粮油调味', subs: ['大米', '食用油', '面粉', '调味品'] },
            { name: '饮料冲调', subs: ['饮用水', '牛奶乳品', '咖啡', '茶叶'] },
          ],
        },
        {
          name: '酒类',
          subs: [
            { name: '白酒', subs: ['茅台', '五粮液', '汾酒', '洋河'] },
            { name: '葡萄酒', subs: ['红葡萄酒', '白葡萄酒', '起泡酒'] },
            { name: '洋酒', subs: ['威士忌', '白兰地', '伏特加'] },
            { name: '啤酒黄酒', subs: ['啤酒', '黄酒', '养生酒'] },
          ],
        },
        {
          name: '生鲜',
          subs: [
            { name: '水果', subs: ['苹果', '橙子', '车厘子', '猕猴桃'] },
            { name: '海鲜水产', subs: ['鱼类', '虾类', '蟹类', '贝类'] },
            { name: '肉禽蛋', subs: ['猪肉', '牛肉', '鸡肉', '蛋类'] },
          ],
        },
        {
          name: '特产',
          subs: [
            { name: '地方特产', subs: ['北京', '新疆', '云南', '四川'] },
            { name: '滋补养生', subs: ['阿胶', '燕窝', '枸杞', '人参'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '图书',
          subs: [
            { name: '小说文学', subs: ['小说', '文学', '散文随笔', '诗歌'] },
            { name: '经管励志', subs: ['管理', '经济', '励志成长', '投资理财'] },
            { name: '人文社科', subs: ['历史', '哲学', '心理学', '社会科学'] },
            { name: '少儿教育', subs: ['儿童文学', '绘本', '中小学教辅', '外语学习'] },
          ],
        },
        {
          name: '音像',
          subs: [
            { name: '音乐', subs: ['流行音乐', '古典音乐', '摇滚', '民族音乐'] },
            { name: '影视', subs: ['电影', '电视剧', '动画片'] },
            { name: '教育音像', subs: ['英语学习', '幼儿启蒙', '健身舞蹈'] },
          ],
        },
        {
          name: '电子书',
          subs: [
            { name: '电子图书', subs: ['网络小说', '文学', '经管', '计算机'] },
            { name: '数字内容', subs: ['网络原创', '电子杂志', '有声读物'] },
            { name: '阅读器', subs: ['电纸书', '阅读器配件', '保护套'] },
          ],
        },
      ],
    },
    {
      channels: [
        {
          name: '机票',
          subs: [
            { name: '国内机票', subs: ['特价机票', '往返机票', '头等舱'] },
            { name: '国际机票', subs: ['亚洲航线', '欧美航线', '港澳台'] },
          ],
        },
        {
          name: '酒店',
          subs: [
            { name: '国内酒店', subs: ['经济型', '商务型', '度假村', '民宿'] },
            { name: '海外酒店', subs: ['亚洲', '欧洲', '美洲'] },
          ],
        },
        {
          name: '旅游',
          subs: [
            { name: '旅游度假', subs: ['国内游', '出境游', '周边游', '自由行'] },
            { name: '门票', subs: ['景点门票', '主题乐园', '演出赛事'] },
            { name: '签证保险', subs: ['签证办理', '旅游保险', '境外WiFi'] },
          ],
        },
        {
          name: '生活',
          subs: [
            { name: '生活服务', subs: ['家政保洁', '鲜花绿植', '洗衣洗鞋', '宠物服务'] },
            { name: '缴费充值', subs: ['水电煤', '加油卡', '游戏充值'] },
            { name: '彩票', subs: ['双色球', '大乐透', '足彩'] },
          ],
        },
      ],
    },
  ],

  brands: [
    { name: 'Apple', firstLetter: 'A' },
    { name: '华为', firstLetter: 'H' },
    { name: '360', firstLetter: 'S' },
    { name: '小米', firstLetter: 'X' },
    { name: '荣耀', firstLetter: 'R' },
    { name: '魅族', firstLetter: 'M' },
    { name: '三星', firstLetter: 'S' },
    { name: 'OPPO', firstLetter: 'O' },
    { name: 'vivo', firstLetter: 'V' },
    { name: '联想', firstLetter: 'L' },
    { name: '戴尔', firstLetter: 'D' },
    { name: '华硕', firstLetter: 'H' },
    { name: '惠普', firstLetter: 'H' },
    { name: '索尼', firstLetter: 'S' },
    { name: '罗技', firstLetter: 'L' },
    { name: '绿联', firstLetter: 'L' },
    { name: 'Anker', firstLetter: 'A' },
    { name: '美的', firstLetter: 'M' },
    { name: '海尔', firstLetter: 'H' },
    { name: '格力', firstLetter: 'G' },
    { name: '苏泊尔', firstLetter: 'S' },
    { name: '耐克', firstLetter: 'N' },
    { name: '阿迪达斯', firstLetter: 'A' },
    { name: '李宁', firstLetter: 'L' },
    { name: '三只松鼠', firstLetter: 'S' },
    { name: '中信出版社', firstLetter: 'Z' },
  ],

  spus: [
    // ----------------------------------------------------------------- 手机 / 手机通讯 / 手机
    product({
      name: 'Apple iPhone 8 Plus',
      brand: 'Apple',
      category: PHONE_CAT,
      color: '#d4af37',
      descDetail:
        detail('Apple iPhone 8 Plus', [
          '5.5 英寸视网膜高清显示屏，原彩显示',
          'A11 仿生芯片，新一代神经网络引擎',
          '1200 万像素双摄像头，人像光效',
          '支持无线充电，IP67 级防溅抗水',
        ]) +
        table([
          ['型号', 'A1864'],
          ['屏幕尺寸', '5.5英寸'],
          ['网络', '移动联通电信4G'],
        ]) +
        '<script>alert(1)</script><p>更多细节请见图片<img src=x onerror=alert(1)></p>',
      descPack: pack(['iPhone 手机', '采用 Lightning 接头的 EarPods', 'Lightning 至 USB 连接线', 'USB 电源适配器', '说明书']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['金色', '深空灰色', '银色'] },
        { name: '内存', options: ['64GB', '256GB'] },
      ],
      popularity: 5000,
      sku: ([color, mem]) =>
        color === '银色' && mem === '256GB'
          ? null
          : {
              name: `Apple iPhone 8 Plus (A1864) ${mem} ${color} 移动联通电信4G手机`,
              caption: '选【移动优惠购】新机配新卡，198优质靓号，流量不限量！',
              price: mem === '64GB' ? 6499 : 7988,
              marketPrice: mem === '64GB' ? 6688 : 8188,
            },
    }),
    product({
      name: 'Apple iPhone 8',
      brand: 'Apple',
      category: PHONE_CAT,
      color: '#c0c0c0',
      descDetail: detail('Apple iPhone 8', ['4.7 英寸视网膜高清显示屏', 'A11 仿生芯片', '玻璃金属一体设计，支持无线充电']),
      descPack: pack(['iPhone 手机', 'EarPods 耳机', 'Lightning 至 USB 连接线', 'USB 电源适配器']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['金色', '深空灰色', '银色'] },
        { name: '内存', options: ['64GB', '256GB'] },
      ],
      popularity: 3600,
      sku: ([color, mem]) => ({
        name: `Apple iPhone 8 (A1863) ${mem} ${color} 移动联通电信4G手机`,
        caption: 'A11仿生芯片，无线充电，玻璃金属机身',
        price: mem === '64GB' ? 5888 : 7188,
      }),
    }),
    product({
      name: 'Apple iPhone X',
      brand: 'Apple',
      category: PHONE_CAT,
      color: '#3b3b3f',
      descDetail: detail('Apple iPhone X', ['5.8 英寸超视网膜全面屏', '面容 ID，原深感摄像头', 'A11 仿生芯片']),
      descPack: pack(['iPhone 手机', 'EarPods 耳机', 'Lightning 至 USB 连接线', 'USB 电源适配器']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['深空灰色', '银色'] },
        { name: '内存', options: ['64GB', '256GB'] },
      ],
      popularity: 4600,
      sku: ([color, mem]) => ({
        name: `Apple iPhone X (A1865) ${mem} ${color} 移动联通电信4G手机`,
        caption: '全面屏设计，面容ID，原深感摄像头',
        price: mem === '64GB' ? 8388 : 9688,
        stock: color === '银色' && mem === '256GB' ? 0 : undefined,
      }),
    }),
    product({
      name: '华为 HUAWEI P10 Plus',
      brand: '华为',
      category: PHONE_CAT,
      color: '#2a5caa',
      descDetail:
        detail('华为 HUAWEI P10 Plus', ['徕卡双摄像头，人像摄影大师', '5.5 英寸 2K 屏幕', '麒麟960 八核处理器', 'WiFi 双天线设计']) +
        table([
          ['型号', 'VKY-AL00'],
          ['屏幕尺寸', '5.5英寸'],
          ['电池容量', '3750mAh'],
        ]),
      descPack: pack(['手机', '快速充电器', 'USB Type-C 数据线', '半入耳式线控耳机', '取卡针', '保护壳']),
      descService: SERVICE,
      specs: [
        { name: '版本', options: ['6GB+64GB', '6GB+128GB'] },
        { name: '颜色', options: ['钻雕金', '钻雕蓝', '曜石黑'] },
      ],
      popularity: 4200,
      sku: ([version, color]) => ({
        name: `华为 HUAWEI P10 Plus ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: 'wifi双天线设计！徕卡人像摄影！P10徕卡双摄拍照，低至2988元！',
        price: version === '6GB+64GB' ? 3388 : 3788,
      }),
    }),
    product({
      name: '360手机 N6 Pro',
      brand: '360',
      category: PHONE_CAT,
      color: '#1b1b1b',
      descDetail: detail('360手机 N6 Pro', ['6 英寸 18:9 全面屏', '8.1mm 超薄机身', '5030mAh 大电池，18W 快充']),
      descPack: pack(['手机', '充电器', '数据线', '取卡针', '保护壳']),
      descService: SERVICE,
      specs: [
        { name: '版本', options: ['全网通 6GB+64GB', '全网通 6GB+128GB'] },
        { name: '颜色', options: ['极夜黑', '冰川蓝'] },
      ],
      popularity: 1800,
      sku: ([version, color]) => ({
        name: `360手机 N6 Pro ${version} ${color}`,
        caption: '全面屏，8.1mm超薄机身，5030mAh大电池',
        price: version === '全网通 6GB+64GB' ? 1699 : 2699,
      }),
    }),
    product({
      name: '小米6',
      brand: '小米',
      category: PHONE_CAT,
      color: '#27408b',
      descDetail: detail('小米6', ['变焦双摄，四轴防抖', '骁龙835 旗舰处理器', '5.15 英寸护眼屏']),
      descPack: pack(['手机', '充电器', 'USB Type-C 数据线', 'Type-C 转 3.5mm 耳机转接线']),
      descService: SERVICE,
      specs: [
        { name: '版本', options: ['6GB+64GB', '6GB+128GB'] },
        { name: '颜色', options: ['亮黑色', '亮蓝色', '亮白色'] },
      ],
      popularity: 3900,
      sku: ([version, color]) => ({
        name: `小米6 全网通 ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: '变焦双摄，4轴防抖，骁龙835处理器',
        price: version === '6GB+64GB' ? 2499 : 2899,
      }),
    }),
    product({
      name: '小米 MIX 2',
      brand: '小米',
      category: PHONE_CAT,
      color: '#111111',
      descDetail: detail('小米 MIX 2', ['5.99 英寸全面屏', '全陶瓷机身', '骁龙835 处理器，全球频段']),
      descPack: pack(['手机', '充电器', '数据线', '保护壳']),
      descService: SERVICE,
      specs: [{ name: '版本', options: ['6GB+64GB', '6GB+128GB', '6GB+256GB'] }],
      popularity: 3200,
      sku: ([version]) => ({
        name: `小米 MIX 2 全面屏 ${version} 黑色 全网通4G手机 双卡双待`,
        caption: '全面屏2.0，陶瓷机身，全球频段',
        price: version === '6GB+64GB' ? 3299 : version === '6GB+128GB' ? 3599 : 3999,
      }),
    }),
    product({
      name: '小米5s',
      brand: '小米',
      category: PHONE_CAT,
      color: '#b8b8b8',
      descDetail: detail('小米5s', ['超声波指纹识别', '骁龙821 处理器', '5.15 英寸屏幕']),
      descPack: pack(['手机', '充电器', '数据线']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['银色', '金色'] }],
      popularity: 600,
      sku: ([color]) => ({
        name: `小米5s 全网通 3GB+64GB ${color} 移动联通电信4G手机`,
        caption: '经典机型，超声波指纹识别',
        price: 1599,
        launched: color !== '金色',
      }),
    }),
    product({
      name: '荣耀9',
      brand: '荣耀',
      category: PHONE_CAT,
      color: '#4a5a6a',
      descDetail: detail('荣耀9', ['2000 万 + 1200 万双摄', '15 层工艺光感玻璃机身', '麒麟960 处理器']),
      descPack: pack(['手机', '充电器', '数据线', '耳机', '保护壳']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['海鸥灰', '魅海蓝', '琥珀金'] },
        { name: '版本', options: ['4GB+64GB', '6GB+64GB'] },
      ],
      popularity: 3000,
      sku: ([color, version]) => ({
        name: `荣耀9 全网通 ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: '美得有声有色，2000万+1200万双摄',
        price: version === '4GB+64GB' ? 2299 : 2699,
      }),
    }),
    product({
      name: '荣耀 V10',
      brand: '荣耀',
      category: PHONE_CAT,
      color: '#1f3f7f',
      descDetail: detail('荣耀 V10', ['5.99 英寸全面屏', '麒麟970 AI 芯片', '3750mAh 大电池']),
      descPack: pack(['手机', '充电器', '数据线', '保护壳']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['幻夜黑', '极光蓝', '沙滩金'] },
        { name: '版本', options: ['4GB+64GB', '6GB+64GB'] },
      ],
      popularity: 2600,
      sku: ([color, version]) => ({
        name: `荣耀 V10 全面屏 ${version} ${color} 全网通4G手机 双卡双待`,
        caption: '麒麟970 AI芯片，变了，才能更快！',
        price: version === '4GB+64GB' ? 2699 : 2999,
      }),
    }),
    product({
      name: 'OPPO R11s',
      brand: 'OPPO',
      category: PHONE_CAT,
      color: '#c8102e',
      descDetail: detail('OPPO R11s', ['6.01 英寸全面屏', '前后 2000 万像素，智能美颜', 'VOOC 闪充']),
      descPack: pack(['手机', 'VOOC 闪充充电器', '数据线', '耳机', '保护壳']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['黑色', '香槟色', '红色'] }],
      popularity: 2800,
      sku: ([color]) => ({
        name: `OPPO R11s 全面屏双摄拍照手机 4GB+64GB ${color} 全网通 双卡双待`,
        caption: '前后2000万，拍照更清晰',
        price: 2999,
      }),
    }),
    product({
      name: 'vivo X20',
      brand: 'vivo',
      category: PHONE_CAT,
      color: '#d9b38c',
      descDetail: detail('vivo X20', ['6.01 英寸全面屏', '前后 1200 万双摄', 'Hi-Fi 音质']),
      descPack: pack(['手机', '充电器', '数据线', '耳机', '保护壳']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['磨砂黑', '金色', '玫瑰金'] }],
      popularity: 2500,
      sku: ([color]) => ({
        name: `vivo X20 全面屏双摄拍照手机 4GB+64GB ${color} 移动联通电信全网通4G 双卡双待`,
        caption: '全面屏，双摄拍照，柔光自拍',
        price: 2998,
      }),
    }),
    product({
      name: '魅族 PRO 7',
      brand: '魅族',
      category: PHONE_CAT,
      color: '#20232a',
      descDetail: detail('魅族 PRO 7', ['双屏设计，背面彩色副屏', '索尼双 1200 万像素摄像头', 'mTouch 指纹识别']),
      descPack: pack(['手机', '充电器', '数据线', '取卡针']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['曜石黑', '香槟金'] },
        { name: '版本', options: ['4GB+64GB', '4GB+128GB'] },
      ],
      popularity: 1200,
      sku: ([color, version]) => ({
        name: `魅族 PRO 7 ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: '双屏设计，背面副屏自拍',
        price: version === '4GB+64GB' ? 2299 : 2599,
      }),
    }),
    product({
      name: '三星 Galaxy S8+',
      brand: '三星',
      category: PHONE_CAT,
      color: '#2d3a4a',
      descDetail: detail('三星 Galaxy S8+', ['6.2 英寸全视曲面屏', '骁龙835 处理器', 'IP68 级防尘防水']),
      descPack: pack(['手机', '充电器', '数据线', 'AKG 耳机', 'OTG 转接头']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['谜夜黑', '绮梦金', '雾屿蓝'] },
        { name: '版本', options: ['4GB+64GB', '6GB+128GB'] },
      ],
      popularity: 2000,
      sku: ([color, version]) => ({
        name: `三星 Galaxy S8+ (SM-G9550) ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: '全视曲面屏，IP68防尘防水',
        price: version === '4GB+64GB' ? 5688 : 6688,
      }),
    }),
    product({
      name: '三星 Galaxy Note8',
      brand: '三星',
      category: PHONE_CAT,
      color: '#101820',
      descDetail: detail('三星 Galaxy Note8', ['6.3 英寸全视曲面屏', 'S Pen 手写笔', '双摄像头，双光学防抖']),
      descPack: pack(['手机', 'S Pen', '充电器', '数据线', 'AKG 耳机']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['星镜黑', '旷野灰', '绮梦金'] },
        { name: '版本', options: ['6GB+64GB', '6GB+256GB'] },
      ],
      popularity: 1500,
      sku: ([color, version]) => ({
        name: `三星 Galaxy Note8 (SM-N9500) ${version} ${color} 移动联通电信4G手机 双卡双待`,
        caption: '大屏S Pen，双摄双光学防抖',
        price: version === '6GB+64GB' ? 6988 : 7988,
        stock: color === '绮梦金' && version === '6GB+256GB' ? 0 : undefined,
      }),
    }),

    // ----------------------------------------------------------------- 手机配件
    product({
      name: 'Apple iPhone 8 Plus 硅胶保护壳',
      brand: 'Apple',
      category: ['手机', '手机配件', '手机壳'],
      color: '#1f2a44',
      descDetail: detail('Apple 原装硅胶保护壳', ['柔软硅胶外层，超细纤维内衬', '贴合按键，支持无线充电']),
      descPack: pack(['保护壳 x1']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['午夜蓝', '红色', '黑色', '粉砂色'] }],
      popularity: 1600,
      sku: ([color]) => ({
        name: `Apple iPhone 8 Plus 手机壳 原装硅胶保护壳 ${color}`,
        caption: '原装正品，贴合机身',
        price: 328,
      }),
    }),
    product({
      name: '华为 P10 Plus 原装保护套',
      brand: '华为',
      category: ['手机', '手机配件', '手机壳'],
      color: '#333333',
      descDetail: detail('华为 P10 Plus 智能视窗保护套', ['智能视窗，翻盖免打扰', 'PU 皮质，防摔耐磨']),
      descPack: pack(['保护套 x1']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['黑色', '深灰色', '金色'] }],
      popularity: 900,
      sku: ([color]) => ({
        name: `华为 P10 Plus 手机壳 原装智能视窗皮套 ${color}`,
        caption: '华为原装，智能视窗',
        price: 128,
      }),
    }),
    product({
      name: '绿联 iPhone 8 Plus 钢化膜',
      brand: '绿联',
      category: ['手机', '手机配件', '贴膜'],
      color: '#9ad0ec',
      descDetail: detail('绿联钢化膜', ['9H 硬度，防刮耐磨', '全屏覆盖，高清透光']),
      descPack: pack(['钢化膜 x2', '贴膜工具包']),
      descService: SERVICE,
      specs: [{ name: '规格', options: ['高清全屏', '防蓝光全屏'] }],
      popularity: 2200,
      sku: ([kind]) => ({
        name: `绿联 iPhone 8 Plus 钢化膜 ${kind} 2片装`,
        caption: '9H硬度，送贴膜神器',
        price: kind === '高清全屏' ? 29.9 : 39.9,
      }),
    }),
    product({
      name: '绿联 快充数据线',
      brand: '绿联',
      category: ['手机', '手机配件', '数据线'],
      color: '#2e7d32',
      descDetail: detail('绿联快充数据线', ['尼龙编织线身，耐弯折', '支持 2.4A 快充与数据同步']),
      descPack: pack(['数据线 x1']),
      descService: SERVICE,
      specs: [
        { name: '接口', options: ['Lightning', 'Type-C', 'Micro USB'] },
        { name: '长度', options: ['1米', '2米'] },
      ],
      popularity: 3000,
      sku: ([port, length]) => ({
        name: `绿联 ${port} 数据线 ${length} 尼龙编织快充充电线`,
        caption: '编织线身，耐弯折',
        price: (port === 'Lightning' ? 39 : 25) + (length === '2米' ? 10 : 0),
      }),
    }),
    product({
      name: 'Anker 24W 双口USB充电器',
      brand: 'Anker',
      category: ['手机', '手机配件', '充电器'],
      color: '#00a0e9',
      descDetail: detail('Anker 双口充电器', ['PowerIQ 智能识别', '双口同时充电，总输出 24W']),
      descPack: pack(['充电器 x1']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['黑色', '白色'] }],
      popularity: 1400,
      sku: ([color]) => ({
        name: `Anker 24W 双口USB充电器 ${color} 苹果安卓通用`,
        caption: '智能识别，双口快充',
        price: 69,
        stock: color === '白色' ? 0 : undefined,
      }),
    }),
    product({
      name: '小米 移动电源2',
      brand: '小米',
      category: ['手机', '手机配件', '移动电源'],
      color: '#cfd2d4',
      descDetail: detail('小米移动电源2', ['双向快充', '铝合金外壳', '多重电路保护']),
      descPack: pack(['移动电源 x1', 'Micro USB 数据线 x1']),
      descService: SERVICE,
      specs: [
        { name: '容量', options: ['10000mAh', '20000mAh'] },
        { name: '颜色', options: ['银色', '黑色'] },
      ],
      popularity: 3500,
      sku: ([capacity, color]) => ({
        name: `小米 移动电源2 ${capacity} ${color} 双向快充`,
        caption: '双向快充，轻薄便携',
        price: capacity === '10000mAh' ? 79 : 129,
      }),
    }),

    // ----------------------------------------------------------------- 电脑
    product({
      name: '联想 ThinkPad X1 Carbon 2017',
      brand: '联想',
      category: ['电脑', '电脑整机', '笔记本'],
      color: '#1a1a1a',
      descDetail:
        detail('ThinkPad X1 Carbon', ['14 英寸 FHD 屏幕', '碳纤维机身，仅重 1.13kg', '第七代 Intel 酷睿 i7 处理器']) +
        table([
          ['处理器', 'i7-7500U'],
          ['屏幕', '14英寸 1920x1080'],
          ['系统', 'Windows 10'],
        ]),
      descPack: pack(['笔记本电脑', '电源适配器', '说明书']),
      descService: SERVICE,
      specs: [
        { name: '内存', options: ['8GB', '16GB'] },
        { name: '硬盘', options: ['256GB SSD', '512GB SSD'] },
      ],
      popularity: 900,
      sku: ([mem, disk]) => ({
        name: `联想 ThinkPad X1 Carbon 2017 14英寸轻薄笔记本电脑 i7-7500U ${mem} ${disk} 黑色`,
        caption: '商务旗舰，碳纤维轻薄机身',
        price: (mem === '8GB' ? 9999 : 11999) + (disk === '512GB SSD' ? 1500 : 0),
      }),
    }),
    product({
      name: '戴尔 XPS 13',
      brand: '戴尔',
      category: ['电脑', '电脑整机', '笔记本'],
      color: '#b0b3b8',
      descDetail: detail('戴尔 XPS 13', ['13.3 英寸微边框屏幕', '第八代 Intel 酷睿 i7', '铝合金与碳纤维机身']),
      descPack: pack(['笔记本电脑', '电源适配器', '说明书']),
      descService: SERVICE,
      specs: [
        { name: '内存', options: ['8GB', '16GB'] },
        { name: '硬盘', options: ['256GB SSD', '512GB SSD'] },
      ],
      popularity: 800,
      sku: ([mem, disk]) => ({
        name: `戴尔 XPS 13-9360 13.3英寸超轻薄笔记本电脑 i7-8550U ${mem} ${disk} 银色`,
        caption: '微边框，超轻薄',
        price: (mem === '8GB' ? 8999 : 10499) + (disk === '512GB SSD' ? 1000 : 0),
      }),
    }),
    product({
      name: 'Apple MacBook Pro 13.3英寸',
      brand: 'Apple',
      category: ['电脑', '电脑整机', '笔记本'],
      color: '#7d7e80',
      descDetail: detail('MacBook Pro 13.3 英寸', ['视网膜显示屏，原彩显示', 'Touch Bar 与触控 ID', '雷雳 3 接口']),
      descPack: pack(['MacBook Pro', '61W USB-C 电源适配器', 'USB-C 充电线 (2 米)']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['深空灰色', '银色'] },
        { name: '内存', options: ['8GB', '16GB'] },
        { name: '硬盘', options: ['256GB', '512GB'] },
      ],
      popularity: 1500,
      sku: ([color, mem, disk]) => ({
        name: `Apple MacBook Pro 13.3英寸笔记本电脑 ${color} 2017款 ${mem}内存 ${disk}固态硬盘`,
        caption: 'Touch Bar，触控ID，雷雳3接口',
        price: (mem === '8GB' ? 10699 : 12899) + (disk === '512GB' ? 1500 : 0),
      }),
    }),
    product({
      name: '华硕 顽石五代 FL8000UQ',
      brand: '华硕',
      category: ['电脑', '电脑整机', '笔记本'],
      color: '#c9a96e',
      descDetail: detail('华硕顽石五代', ['15.6 英寸窄边框', '第八代 Intel 酷睿处理器', 'NVIDIA 940MX 2G 独显']),
      descPack: pack(['笔记本电脑', '电源适配器', '说明书']),
      descService: SERVICE,
      specs: [{ name: '配置', options: ['i5-8250U 8GB 1TB', 'i7-8550U 8GB 1TB'] }],
      popularity: 2400,
      sku: ([config]) => ({
        name: `华硕 顽石五代 FL8000UQ 15.6英寸笔记本电脑 ${config} 940MX 2G独显 金色`,
        caption: 'i7顽石低至4199元，八代酷睿',
        price: config === 'i5-8250U 8GB 1TB' ? 3899 : 4199,
      }),
    }),
    product({
      name: '惠普 暗影精灵III',
      brand: '惠普',
      category: ['电脑', '电脑整机', '游戏本'],
      color: '#0b6e4f',
      descDetail: detail('惠普暗影精灵III', ['15.6 英寸 IPS 屏幕', 'GTX1050Ti 4G 独显', '双风扇散热']),
      descPack: pack(['笔记本电脑', '电源适配器', '说明书']),
      descService: SERVICE,
      specs: [{ name: '配置', options: ['i5-7300HQ 8GB 1TB+128GB', 'i7-7700HQ 8GB 1TB+128GB'] }],
      popularity: 1300,
      sku: ([config]) => ({
        name: `惠普 暗影精灵III 15.6英寸游戏本 ${config} GTX1050Ti 4G独显`,
        caption: '电竞游戏本，GTX1050Ti独显',
        price: config.startsWith('i5') ? 6499 : 7499,
      }),
    }),
    product({
      name: 'Apple iPad 9.7英寸',
      brand: 'Apple',
      category: ['电脑', '电脑整机', '平板电脑'],
      color: '#e5c07b',
      descDetail: detail('Apple iPad', ['9.7 英寸视网膜显示屏', 'A9 芯片', '长达 10 小时电池续航']),
      descPack: pack(['iPad', 'Lightning 至 USB 连接线', 'USB 电源适配器']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['金色', '深空灰色', '银色'] },
        { name: '容量', options: ['32GB', '128GB'] },
      ],
      popularity: 2700,
      sku: ([color, capacity]) => ({
        name: `Apple iPad 平板电脑 9.7英寸 ${capacity} WLAN版 ${color}`,
        caption: '9.7英寸视网膜屏，A9芯片',
        price: capacity === '32GB' ? 2588 : 3288,
      }),
    }),
    product({
      name: '华为 HUAWEI MediaPad M5',
      brand: '华为',
      category: ['电脑', '电脑整机', '平板电脑'],
      color: '#8a7f73',
      descDetail: detail('华为 MediaPad M5', ['8.4 英寸 2K 屏幕', '麒麟960 处理器', '哈曼卡顿调音']),
      descPack: pack(['平板电脑', '充电器', '数据线', '取卡针']),
      descService: SERVICE,
      specs: [
        { name: '版本', options: ['4GB+64GB WiFi版', '4GB+64GB 全网通版'] },
        { name: '颜色', options: ['香槟金', '深空灰'] },
      ],
      popularity: 900,
      sku: ([version, color]) => ({
        name: `华为 HUAWEI MediaPad M5 8.4英寸平板电脑 ${version} ${color}`,
        caption: '2K屏，哈曼卡顿调音',
        price: version === '4GB+64GB WiFi版' ? 2088 : 2488,
      }),
    }),
    product({
      name: '罗技 K380 多设备蓝牙键盘',
      brand: '罗技',
      category: ['电脑', '外设产品', '键盘'],
      color: '#4a4a4a',
      descDetail: detail('罗技 K380', ['支持三台设备一键切换', '紧凑小巧，续航长达 2 年']),
      descPack: pack(['键盘', '两节 AAA 电池', '说明书']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['黑色', '白色', '蓝色'] }],
      popularity: 1700,
      sku: ([color]) => ({
        name: `罗技 K380 多设备蓝牙键盘 ${color}`,
        caption: '三设备切换，便携小巧',
        price: 199,
      }),
    }),
    product({
      name: '华为路由 Q1',
      brand: '华为',
      category: ['电脑', '网络产品', '路由器'],
      color: '#f2f2f2',
      descDetail: detail('华为路由 Q1', ['电力线子母路由，穿墙无死角', '双频 WiFi，智能切换']),
      descPack: pack(['路由器', '电源适配器', '网线', '说明书']),
      descService: SERVICE,
      specs: [{ name: '版本', options: ['子母套装', '子路由单只装'] }],
      popularity: 700,
      sku: ([version]) => ({
        name: `华为路由 Q1 ${version} 分布式穿墙无线路由器`,
        caption: '子母路由，一根电线全屋覆盖',
        price: version === '子母套装' ? 459 : 199,
      }),
    }),
    product({
      name: '360安全路由 P4 急速路由',
      brand: '360',
      category: ['电脑', '网络产品', '路由器'],
      color: '#2db84d',
      descDetail: detail('360 急速路由', ['双频 1200M 无线', '四天线高增益', '安全防蹭网']),
      descPack: pack(['路由器', '电源适配器', '网线']),
      descService: SERVICE,
      specs: [{ name: '版本', options: ['标准版', '千兆版'] }],
      popularity: 1100,
      sku: ([version]) => ({
        name: `360安全路由 P4 急速路由 ${version} 双频无线路由器`,
        caption: '急速双频，防蹭网',
        price: version === '标准版' ? 129 : 169,
      }),
    }),

    // ----------------------------------------------------------------- 数码
    product({
      name: '索尼 WH-1000XM2',
      brand: '索尼',
      category: ['数码', '影音娱乐', '耳机'],
      color: '#2b2b2b',
      descDetail: detail('索尼 WH-1000XM2', ['智能降噪', '30 小时续航', 'LDAC 高解析度音频']),
      descPack: pack(['耳机', '收纳盒', '音频线', 'USB 线', '飞机适配器']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['黑色', '香槟金'] }],
      popularity: 1000,
      sku: ([color]) => ({
        name: `索尼 SONY WH-1000XM2 头戴式无线降噪耳机 ${color}`,
        caption: '智能降噪，30小时续航',
        price: 2899,
      }),
    }),
    product({
      name: 'Apple AirPods',
      brand: 'Apple',
      category: ['数码', '影音娱乐', '耳机'],
      color: '#fafafa',
      descDetail: detail('Apple AirPods', ['轻点两下即可操作', '配合充电盒可用 24 小时以上']),
      descPack: pack(['AirPods', '充电盒', 'Lightning 至 USB 连接线']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['白色'] }],
      popularity: 4000,
      sku: ([color]) => ({
        name: `Apple AirPods 无线蓝牙耳机 ${color}`,
        caption: '轻松连接，自动开启',
        price: 1288,
      }),
    }),
    product({
      name: '华为 HUAWEI WATCH 2',
      brand: '华为',
      category: ['数码', '智能设备', '智能手表'],
      color: '#3c4a3e',
      descDetail: detail('华为 WATCH 2', ['独立 eSIM 通话', 'GPS 运动轨迹', '心率监测']),
      descPack: pack(['手表', '充电底座', '数据线']),
      descService: SERVICE,
      specs: [
        { name: '版本', options: ['蓝牙版', '4G版'] },
        { name: '颜色', options: ['碳晶黑', '草木绿'] },
      ],
      popularity: 700,
      sku: ([version, color]) => ({
        name: `华为 HUAWEI WATCH 2 智能手表 ${version} ${color}`,
        caption: '独立通话，运动健康管理',
        price: version === '蓝牙版' ? 1688 : 2188,
      }),
    }),
    product({
      name: 'Apple Watch Series 3',
      brand: 'Apple',
      category: ['数码', '智能设备', '智能手表'],
      color: '#999da0',
      descDetail: detail('Apple Watch Series 3', ['内置 GPS', '50 米防水', '双核处理器']),
      descPack: pack(['手表', '磁力充电线', 'USB 电源适配器']),
      descService: SERVICE,
      specs: [
        { name: '表壳', options: ['38mm', '42mm'] },
        { name: '颜色', options: ['深空灰色', '银色', '金色'] },
      ],
      popularity: 1900,
      sku: ([size, color]) => ({
        name: `Apple Watch Series 3 智能手表 GPS款 ${size} ${color}铝金属表壳 运动型表带`,
        caption: '内置GPS，游泳防水',
        price: size === '38mm' ? 2588 : 2788,
      }),
    }),

    // ----------------------------------------------------------------- 家用电器
    product({
      name: '美的 智能电饭煲',
      brand: '美的',
      category: ['家用电器', '厨房小电', '电饭煲'],
      color: '#e0e0e0',
      descDetail: detail('美的智能电饭煲', ['24 小时预约', '一键柴火饭', '不粘内胆，易清洗']),
      descPack: pack(['电饭煲', '内胆', '饭勺', '量杯', '电源线']),
      descService: SERVICE,
      specs: [{ name: '容量', options: ['3L', '4L', '5L'] }],
      popularity: 2300,
      sku: ([capacity]) => ({
        name: `美的 Midea 智能电饭煲 ${capacity} 24小时预约 一键柴火饭`,
        caption: '智能预约，香甜柴火饭',
        price: capacity === '3L' ? 199 : capacity === '4L' ? 259 : 299,
      }),
    }),
    product({
      name: '苏泊尔 球釜IH电饭煲',
      brand: '苏泊尔',
      category: ['家用电器', '厨房小电', '电饭煲'],
      color: '#b22222',
      descDetail: detail('苏泊尔球釜IH电饭煲', ['IH 电磁立体加热', '球釜内胆，大火力翻滚']),
      descPack: pack(['电饭煲', '内胆', '饭勺', '量杯']),
      descService: SERVICE,
      specs: [{ name: '容量', options: ['4L', '5L'] }],
      popularity: 1600,
      sku: ([capacity]) => ({
        name: `苏泊尔 SUPOR 球釜IH电饭煲 ${capacity} 家用智能`,
        caption: 'IH加热，球釜内胆',
        price: capacity === '4L' ? 399 : 459,
      }),
    }),
    product({
      name: '美的 电水壶',
      brand: '美的',
      category: ['家用电器', '厨房小电', '电水壶'],
      color: '#d0d4d8',
      descDetail: detail('美的电水壶', ['304 不锈钢内胆', '防干烧，自动断电']),
      descPack: pack(['电水壶', '底座']),
      descService: SERVICE,
      specs: [{ name: '容量', options: ['1.5L', '1.7L'] }],
      popularity: 2600,
      sku: ([capacity]) => ({
        name: `美的 Midea 电水壶 ${capacity} 304不锈钢 烧水壶`,
        caption: '304不锈钢，快速烧水',
        price: capacity === '1.5L' ? 69 : 89,
      }),
    }),
    product({
      name: '格力 品悦 壁挂式空调',
      brand: '格力',
      category: ['家用电器', '大家电', '空调'],
      color: '#f5f5f5',
      descDetail: detail('格力品悦变频空调', ['直流变频，节能省电', '冷暖两用', '静音运行']),
      descPack: pack(['室内机', '室外机', '遥控器', '安装配件']),
      descService: SERVICE,
      specs: [{ name: '匹数', options: ['大1匹', '1.5匹'] }],
      popularity: 1800,
      sku: ([hp]) => ({
        name: `格力 GREE 品悦 ${hp} 变频冷暖 壁挂式空调`,
        caption: '格力变频，一晚一度电',
        price: hp === '大1匹' ? 2899 : 3299,
      }),
    }),
    product({
      name: '美的 冷静星 壁挂式空调',
      brand: '美的',
      category: ['家用电器', '大家电', '空调'],
      color: '#ececec',
      descDetail: detail('美的冷静星空调', ['快速制冷制热', '智能除湿', '自清洁']),
      descPack: pack(['室内机', '室外机', '遥控器', '安装配件']),
      descService: SERVICE,
      specs: [{ name: '匹数', options: ['正1匹', '大1匹', '1.5匹'] }],
      popularity: 1500,
      sku: ([hp]) => ({
        name: `美的 Midea 冷静星 ${hp} 定频冷暖 壁挂式空调`,
        caption: '快速冷暖，智能除湿',
        price: hp === '正1匹' ? 1999 : hp === '大1匹' ? 2299 : 2599,
      }),
    }),
    product({
      name: '海尔 风冷无霜冰箱',
      brand: '海尔',
      category: ['家用电器', '大家电', '冰箱'],
      color: '#c7ccd1',
      descDetail: detail('海尔冰箱', ['风冷无霜', '变频节能', '多温区保鲜']),
      descPack: pack(['冰箱', '说明书', '保修卡']),
      descService: SERVICE,
      specs: [{ name: '规格', options: ['216升 三门', '452升 对开门'] }],
      popularity: 800,
      sku: ([size]) => ({
        name: `海尔 Haier ${size}冰箱 风冷无霜 节能静音`,
        caption: '风冷无霜，变频节能',
        price: size === '216升 三门' ? 1999 : 3499,
      }),
    }),
    product({
      name: '小米 米家扫地机器人',
      brand: '小米',
      category: ['家用电器', '生活电器', '扫地机器人'],
      color: '#f0f0f0',
      descDetail: detail('米家扫地机器人', ['激光测距，智能路径规划', 'App 远程控制', '自动回充']),
      descPack: pack(['扫地机器人', '充电座', '清洁工具']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['白色'] }],
      popularity: 2100,
      sku: ([color]) => ({
        name: `小米 米家扫地机器人 激光测距 智能规划 ${color}`,
        caption: '激光测距，规划清扫',
        price: 1699,
      }),
    }),
    product({
      name: '小米 米家空气净化器 2S',
      brand: '小米',
      category: ['家用电器', '生活电器', '空气净化器'],
      color: '#fbfbfb',
      descDetail: detail('米家空气净化器 2S', ['高效除甲醛、除雾霾', 'OLED 显示屏', '手机远程控制']),
      descPack: pack(['空气净化器', '滤芯', '说明书']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['白色'] }],
      popularity: 1900,
      sku: ([color]) => ({
        name: `小米 米家空气净化器 2S 除甲醛雾霾 ${color}`,
        caption: '快速净化，智能互联',
        price: 899,
      }),
    }),

    // ----------------------------------------------------------------- 家居 / 厨具
    product({
      name: '小米 米家 LED智能台灯',
      brand: '小米',
      category: ['家居', '灯饰照明', '台灯'],
      color: '#fff8e1',
      descDetail: detail('米家 LED 智能台灯', ['无频闪，护眼照明', '四种光照模式', '支持手机控制']),
      descPack: pack(['台灯', '电源适配器']),
      descService: SERVICE,
      specs: [{ name: '版本', options: ['标准版', '增强版'] }],
      popularity: 1300,
      sku: ([version]) => ({
        name: `小米 米家 LED智能台灯 ${version} 护眼学习`,
        caption: '护眼无频闪，智能调光',
        price: version === '标准版' ? 169 : 199,
      }),
    }),
    product({
      name: '苏泊尔 火红点炒锅',
      brand: '苏泊尔',
      category: ['厨具', '烹饪锅具', '炒锅'],
      color: '#8b0000',
      descDetail: detail('苏泊尔火红点炒锅', ['火红点温控，油温一目了然', '少油烟不粘涂层', '燃气电磁炉通用']),
      descPack: pack(['炒锅', '锅盖']),
      descService: SERVICE,
      specs: [{ name: '尺寸', options: ['30cm', '32cm'] }],
      popularity: 1700,
      sku: ([size]) => ({
        name: `苏泊尔 SUPOR 火红点无油烟炒锅 ${size} 不粘锅`,
        caption: '少油烟，不粘锅',
        price: size === '30cm' ? 199 : 229,
      }),
    }),
    product({
      name: '苏泊尔 316不锈钢保温杯',
      brand: '苏泊尔',
      category: ['厨具', '水具酒具', '保温杯'],
      color: '#3f51b5',
      descDetail: detail('苏泊尔保温杯', ['316 不锈钢内胆', '12 小时长效保温', '一键弹盖']),
      descPack: pack(['保温杯 x1']),
      descService: SERVICE,
      specs: [{ name: '颜色', options: ['星空黑', '樱花粉', '冰川蓝'] }],
      popularity: 2000,
      sku: ([color]) => ({
        name: `苏泊尔 SUPOR 316不锈钢保温杯 480ml ${color}`,
        caption: '长效保温，一键弹盖',
        price: 89,
      }),
    }),

    // ----------------------------------------------------------------- 运动
    product({
      name: '耐克 AIR ZOOM PEGASUS 34',
      brand: '耐克',
      category: ['运动', '运动鞋包', '跑步鞋'],
      color: '#000000',
      descDetail: detail('NIKE AIR ZOOM PEGASUS 34', ['Zoom Air 气垫，回弹出众', 'Flymesh 鞋面，轻盈透气']),
      descPack: pack(['跑步鞋 x1 双', '鞋盒']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['黑白', '蓝色'] },
        { name: '尺码', options: ['40', '41', '42', '43'] },
      ],
      popularity: 2400,
      sku: ([color, size]) => ({
        name: `耐克 NIKE AIR ZOOM PEGASUS 34 男子跑步鞋 ${color} ${size}码`,
        caption: '气垫缓震，轻盈透气',
        price: 799,
        stock: color === '蓝色' && size === '43' ? 0 : undefined,
      }),
    }),
    product({
      name: '阿迪达斯 UltraBOOST',
      brand: '阿迪达斯',
      category: ['运动', '运动鞋包', '跑步鞋'],
      color: '#222222',
      descDetail: detail('adidas UltraBOOST', ['BOOST 中底，能量回馈', 'Primeknit 编织鞋面']),
      descPack: pack(['跑步鞋 x1 双', '鞋盒']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['一号黑', '亮白'] },
        { name: '尺码', options: ['40', '41', '42', '43'] },
      ],
      popularity: 2000,
      sku: ([color, size]) => ({
        name: `阿迪达斯 adidas UltraBOOST 男子跑步鞋 ${color} ${size}码`,
        caption: 'BOOST缓震，能量回馈',
        price: 1299,
      }),
    }),
    product({
      name: '李宁 韦德之道6',
      brand: '李宁',
      category: ['运动', '运动鞋包', '篮球鞋'],
      color: '#b71c1c',
      descDetail: detail('李宁韦德之道6', ['李宁云缓震中底', '碳板抗扭', '耐磨橡胶大底']),
      descPack: pack(['篮球鞋 x1 双', '鞋盒']),
      descService: SERVICE,
      specs: [
        { name: '颜色', options: ['标准黑', '标准白'] },
        { name: '尺码', options: ['41', '42', '43'] },
      ],
      popularity: 1100,
      sku: ([color, size]) => ({
        name: `李宁 韦德之道6 男子篮球鞋 ${color} ${size}码`,
        caption: '韦德签名战靴',
        price: 1499,
      }),
    }),

    // ----------------------------------------------------------------- 食品
    product({
      name: '三只松鼠 每日坚果',
      brand: '三只松鼠',
      category: ['食品', '休闲食品', '坚果炒货'],
      color: '#8d6e63',
      descDetail: detail('三只松鼠每日坚果', ['六种坚果果干科学配比', '独立小包装，每天一袋']),
      descPack: pack(['每日坚果礼盒']),
      descService: SERVICE_FOOD,
      specs: [{ name: '规格', options: ['750g/30袋', '375g/15袋'] }],
      popularity: 4500,
      sku: ([size]) => ({
        name: `三只松鼠 每日坚果 混合果仁 ${size}`,
        caption: '每天一袋，营养均衡',
        price: size === '750g/30袋' ? 139 : 79,
      }),
    }),
    product({
      name: '三只松鼠 碧根果',
      brand: '三只松鼠',
      category: ['食品', '休闲食品', '坚果炒货'],
      color: '#a0522d',
      descDetail: detail('三只松鼠碧根果', ['奶油味，个大饱满', '附赠开果器']),
      descPack: pack(['碧根果', '开果器', '果壳袋', '湿巾']),
      descService: SERVICE_FOOD,
      specs: [{ name: '规格', options: ['210g', '210g×2袋'] }],
      popularity: 3800,
      sku: ([size]) => ({
        name: `三只松鼠 碧根果 奶油味 ${size} 坚果零食`,
        caption: '个大饱满，奶香浓郁',
        price: size === '210g' ? 25.9 : 45.9,
      }),
    }),

    // ----------------------------------------------------------------- 图书
    product({
      name: '原则',
      brand: '中信出版社',
      category: ['图书', '经管励志', '管理'],
      color: '#263238',
      descDetail: detail('原则', ['作者：瑞·达利欧', '桥水基金创始人的生活与工作原则']),
      descPack: pack(['图书 x1']),
      descService: SERVICE_BOOK,
      specs: [{ name: '装帧', options: ['精装'] }],
      popularity: 3300,
      sku: ([binding]) => ({
        name: `原则 瑞·达利欧 著 ${binding} 中信出版社`,
        caption: '比尔·盖茨推荐，全球畅销',
        price: 64.7,
        marketPrice: 98,
      }),
    }),
    product({
      name: '人类简史：从动物到上帝',
      brand: '中信出版社',
      category: ['图书', '人文社科', '历史'],
      color: '#6d4c41',
      descDetail: detail('人类简史', ['作者：尤瓦尔·赫拉利', '从认知革命到科学革命的人类历史']),
      descPack: pack(['图书 x1']),
      descService: SERVICE_BOOK,
      specs: [{ name: '装帧', options: ['平装', '精装'] }],
      popularity: 2900,
      sku: ([binding]) => ({
        name: `人类简史：从动物到上帝 尤瓦尔·赫拉利 著 ${binding} 中信出版社`,
        caption: '现象级畅销书，新版上市',
        price: binding === '平装' ? 45.5 : 58.5,
        marketPrice: binding === '平装' ? 68 : 88,
      }),
    }),
  ],

  contents: [
    {
      key: 'index_lbt',
      name: '轮播图',
      items: [
        { title: 'iPhone 8 Plus 新品上市', image: true, sku: 'Apple iPhone 8 Plus (A1864) 64GB 金色 移动联通电信4G手机' },
        { title: '华为 P10 Plus 徕卡双摄', image: true, sku: '华为 HUAWEI P10 Plus 6GB+64GB 钻雕金 移动联通电信4G手机 双卡双待' },
        { title: 'MacBook Pro 开学季', image: true, sku: 'Apple MacBook Pro 13.3英寸笔记本电脑 深空灰色 2017款 8GB内存 256GB固态硬盘' },
        { title: '跑鞋节 低至5折起', image: true, sku: '耐克 NIKE AIR ZOOM PEGASUS 34 男子跑步鞋 黑白 42码' },
      ],
    },
    {
      key: 'index_kx',
      name: '快讯',
      items: [
        { title: 'i7顽石低至4199元', url: '/' },
        { title: '奥克斯专场 正1匹空调1313元抢', url: '/' },
        { title: '荣耀9青春版 高配 领券立减220元', url: '/' },
        { title: '美多手机节 爆款直降千元', url: '/' },
        { title: '每日坚果 第二件半价', url: '/' },
        { title: '开学季 笔记本满5000减300', url: '/' },
        { title: '小米6 全网通 限时直降300', url: '/' },
        { title: '厨房小电 199减100', url: '/' },
      ],
    },
    {
      key: 'index_ytgg',
      name: '页头广告',
      items: [{ title: '美多年货节 满999减100', url: '/', image: true }],
    },

    // ---- 1F 手机通讯
    { key: 'index_1f_logo', name: '1楼标题', items: [{ title: '手机通讯' }] },
    {
      key: 'index_1f_pd',
      name: '1楼频道',
      items: [
        { title: '手机', text: '手机' },
        { title: '游戏手机', text: '游戏手机' },
        { title: '充电器', text: '充电器' },
        { title: '话费充值', text: '话费充值' },
      ],
    },
    {
      key: 'index_1f_bq',
      name: '1楼标签',
      items: [
        { title: '老人机', text: '老人机' },
        { title: '手机壳', text: '手机壳' },
        { title: '贴膜', text: '贴膜' },
        { title: '数据线', text: '数据线' },
        { title: '移动电源', text: '移动电源' },
        { title: '蓝牙耳机', text: '蓝牙耳机' },
      ],
    },
    {
      key: 'index_1f_ssxp',
      name: '时尚新品',
      items: [
        { title: 'iPhone X', sku: 'Apple iPhone X (A1865) 64GB 银色 移动联通电信4G手机' },
        { title: 'iPhone 8 Plus', sku: 'Apple iPhone 8 Plus (A1864) 64GB 深空灰色 移动联通电信4G手机' },
        { title: '小米 MIX 2', sku: '小米 MIX 2 全面屏 6GB+64GB 黑色 全网通4G手机 双卡双待' },
        { title: '荣耀 V10', sku: '荣耀 V10 全面屏 4GB+64GB 极光蓝 全网通4G手机 双卡双待' },
        { title: 'vivo X20', sku: 'vivo X20 全面屏双摄拍照手机 4GB+64GB 金色 移动联通电信全网通4G 双卡双待' },
      ],
    },
    {
      key: 'index_1f_cxdj',
      name: '畅想低价',
      items: [
        { title: '360手机 N6 Pro', sku: '360手机 N6 Pro 全网通 6GB+64GB 极夜黑' },
        { title: '荣耀9', sku: '荣耀9 全网通 4GB+64GB 海鸥灰 移动联通电信4G手机 双卡双待' },
        { title: '魅族 PRO 7', sku: '魅族 PRO 7 4GB+64GB 曜石黑 移动联通电信4G手机 双卡双待' },
        { title: '小米6', sku: '小米6 全网通 6GB+64GB 亮蓝色 移动联通电信4G手机 双卡双待' },
        { title: '华为 P10 Plus', sku: '华为 HUAWEI P10 Plus 6GB+128GB 曜石黑 移动联通电信4G手机 双卡双待' },
      ],
    },
    {
      key: 'index_1f_sjpj',
      name: '手机配件',
      items: [
        { title: 'iPhone 8 Plus 手机壳', sku: 'Apple iPhone 8 Plus 手机壳 原装硅胶保护壳 午夜蓝' },
        { title: '华为 P10 Plus 手机壳', sku: '华为 P10 Plus 手机壳 原装智能视窗皮套 黑色' },
        { title: '绿联 数据线', sku: '绿联 Lightning 数据线 1米 尼龙编织快充充电线' },
        { title: 'Anker 充电器', sku: 'Anker 24W 双口USB充电器 黑色 苹果安卓通用' },
        { title: '小米 移动电源', sku: '小米 移动电源2 10000mAh 银色 双向快充' },
      ],
    },

    // ---- 2F 电脑数码
    { key: 'index_2f_logo', name: '2楼标题', items: [{ title: '电脑数码' }] },
    {
      key: 'index_2f_pd',
      name: '2楼频道',
      items: [
        { title: '笔记本', text: '笔记本' },
        { title: '平板电脑', text: '平板电脑' },
        { title: '耳机', text: '耳机' },
        { title: '智能手表', text: '智能手表' },
      ],
    },
    {
      key: 'index_2f_bq',
      name: '2楼标签',
      items: [
        { title: '游戏本', text: '游戏本' },
        { title: '台式机', text: '台式机' },
        { title: '显示器', text: '显示器' },
        { title: '键盘', text: '键盘' },
        { title: '路由器', text: '路由器' },
        { title: '数码相机', text: '数码相机' },
      ],
    },
    {
      key: 'index_2f_cxdj',
      name: '畅想低价',
      items: [
        { title: '罗技 K380', sku: '罗技 K380 多设备蓝牙键盘 黑色' },
        { title: '360 急速路由', sku: '360安全路由 P4 急速路由 标准版 双频无线路由器' },
        { title: '华硕 顽石五代', sku: '华硕 顽石五代 FL8000UQ 15.6英寸笔记本电脑 i7-8550U 8GB 1TB 940MX 2G独显 金色' },
        { title: 'Apple iPad', sku: 'Apple iPad 平板电脑 9.7英寸 32GB WLAN版 金色' },
        { title: '华为 MediaPad M5', sku: '华为 HUAWEI MediaPad M5 8.4英寸平板电脑 4GB+64GB WiFi版 香槟金' },
      ],
    },
    {
      key: 'index_2f_jjhg',
      name: '加价换购',
      items: [
        { title: 'Apple AirPods', sku: 'Apple AirPods 无线蓝牙耳机 白色' },
        { title: '索尼 降噪耳机', sku: '索尼 SONY WH-1000XM2 头戴式无线降噪耳机 黑色' },
        { title: '华为 WATCH 2', sku: '华为 HUAWEI WATCH 2 智能手表 蓝牙版 碳晶黑' },
        { title: '华为路由 Q1', sku: '华为路由 Q1 子母套装 分布式穿墙无线路由器' },
        { title: 'Apple Watch', sku: 'Apple Watch Series 3 智能手表 GPS款 38mm 深空灰色铝金属表壳 运动型表带' },
      ],
    },

    // ---- 3F 家居家装
    { key: 'index_3f_logo', name: '3楼标题', items: [{ title: '家居家装' }] },
    {
      key: 'index_3f_pd',
      name: '3楼频道',
      items: [
        { title: '电饭煲', text: '电饭煲' },
        { title: '炒锅', text: '炒锅' },
        { title: '台灯', text: '台灯' },
        { title: '床品套件', text: '床品套件' },
      ],
    },
    {
      key: 'index_3f_bq',
      name: '3楼标签',
      items: [
        { title: '保温杯', text: '保温杯' },
        { title: '收纳用品', text: '收纳用品' },
        { title: '沙发', text: '沙发' },
        { title: '电水壶', text: '电水壶' },
        { title: '扫地机器人', text: '扫地机器人' },
        { title: '空气净化器', text: '空气净化器' },
      ],
    },
    {
      key: 'index_3f_shyp',
      name: '生活用品',
      items: [
        { title: '米家 LED台灯', sku: '小米 米家 LED智能台灯 标准版 护眼学习' },
        { title: '米家扫地机器人', sku: '小米 米家扫地机器人 激光测距 智能规划 白色' },
        { title: '米家空气净化器', sku: '小米 米家空气净化器 2S 除甲醛雾霾 白色' },
        { title: '苏泊尔保温杯', sku: '苏泊尔 SUPOR 316不锈钢保温杯 480ml 樱花粉' },
        { title: '米家台灯 增强版', sku: '小米 米家 LED智能台灯 增强版 护眼学习' },
      ],
    },
    {
      key: 'index_3f_cfyp',
      name: '厨房用品',
      items: [
        { title: '美的电饭煲', sku: '美的 Midea 智能电饭煲 4L 24小时预约 一键柴火饭' },
        { title: '苏泊尔电饭煲', sku: '苏泊尔 SUPOR 球釜IH电饭煲 5L 家用智能' },
        { title: '苏泊尔炒锅', sku: '苏泊尔 SUPOR 火红点无油烟炒锅 30cm 不粘锅' },
        { title: '美的电水壶', sku: '美的 Midea 电水壶 1.5L 304不锈钢 烧水壶' },
        { title: '苏泊尔保温杯', sku: '苏泊尔 SUPOR 316不锈钢保温杯 480ml 星空黑' },
      ],
    },
  ],
};
