import { mulberry32 } from '../test/support/random.js';

/**
 * A seeded, mixed-length multilingual corpus for the embedder benchmarks:
 * passages assembled from sentences written for this benchmark (office,
 * travel, support and product topics in nine languages, four scripts) with
 * slots filled at random. Lengths follow a long-tailed mix, from one-line
 * notes to passages that reach the model's 512-token limit, because that mix
 * is what makes padding and batching matter.
 */

interface Language {
  code: string;
  sentences: string[];
  fill: Record<string, string[]>;
  /** How sentences are joined (CJK needs no space). */
  join: string;
}

const LANGUAGES: Language[] = [
  {
    code: 'en',
    join: ' ',
    sentences: [
      'The {thing} arrived in {city} on {day}, two days later than the carrier promised.',
      'Please send the signed contract back before {day} so that we can book the rooms.',
      'Our support team answers questions about the {thing} from eight in the morning until six.',
      'If the {thing} does not start, hold the power button for ten seconds and try again.',
      'The quarterly report shows that sales in {city} grew by {n} percent.',
      'Staff who travel to {city} can claim the train fare and one night in a hotel.',
      'A refund is paid to the original card within {n} working days.',
      'The meeting about the new {thing} has moved to {day} afternoon.',
      'Every invoice must carry the order number, otherwise accounting cannot match it.',
      'We replaced the old {thing} because spare parts were no longer available.',
      'Visitors to the {city} office sign in at the front desk and wear a badge.',
      'The warranty covers defects for {n} months but not damage caused by water.',
    ],
    fill: {
      thing: ['printer', 'laptop', 'coffee machine', 'delivery', 'router', 'projector', 'parcel'],
      city: ['Leeds', 'Boston', 'Dublin', 'Toronto', 'Perth'],
      day: ['Monday', 'Tuesday', 'Thursday', 'Friday'],
    },
  },
  {
    code: 'de',
    join: ' ',
    sentences: [
      'Die Lieferung mit dem {thing} ist am {day} in {city} angekommen.',
      'Bitte schicken Sie die unterschriebene Vereinbarung bis {day} an die Personalabteilung zurück.',
      'Wenn der {thing} nicht mehr reagiert, ziehen Sie den Stecker und warten Sie eine Minute.',
      'Die Rechnung wird per E-Mail verschickt und ist innerhalb von {n} Tagen zu bezahlen.',
      'Für Dienstreisen nach {city} übernimmt die Firma die Bahnfahrt in der zweiten Klasse.',
      'Der Kundendienst ist werktags von acht bis achtzehn Uhr telefonisch erreichbar.',
      'Die Besprechung über den neuen {thing} wurde auf {day} verschoben.',
      'Im Büro in {city} gibt es seit letzter Woche eine zweite Kaffeeküche.',
      'Rücksendungen werden nur mit beiliegendem Lieferschein angenommen.',
      'Der Umsatz in {city} ist im letzten Quartal um {n} Prozent gestiegen.',
      'Neue Mitarbeitende erhalten am ersten Tag einen Laptop und einen Ausweis.',
    ],
    fill: {
      thing: ['Drucker', 'Router', 'Beamer', 'Kühlschrank', 'Server', 'Scanner'],
      city: ['Hamburg', 'Leipzig', 'Köln', 'Graz', 'Basel'],
      day: ['Montag', 'Mittwoch', 'Donnerstag', 'Freitag'],
    },
  },
  {
    code: 'fr',
    join: ' ',
    sentences: [
      'Le colis contenant la {thing} est arrivé à {city} {day} matin.',
      'Merci de renvoyer le contrat signé avant {day} pour que nous puissions réserver la salle.',
      'Si la {thing} ne démarre plus, débranchez-la pendant une minute puis rallumez-la.',
      'Le remboursement est effectué sur la carte d’origine sous {n} jours ouvrés.',
      'Les déplacements à {city} sont remboursés sur présentation des billets de train.',
      'Le service client répond du lundi au vendredi, de neuf heures à dix-sept heures.',
      'La réunion sur la nouvelle {thing} a été déplacée à {day}.',
      'Le chiffre d’affaires de l’agence de {city} a progressé de {n} pour cent.',
      'Chaque facture doit mentionner le numéro de commande.',
      'Les visiteurs du bureau de {city} doivent se présenter à l’accueil.',
    ],
    fill: {
      thing: ['imprimante', 'machine à café', 'livraison', 'tablette', 'caméra'],
      city: ['Lyon', 'Nantes', 'Lille', 'Genève', 'Montréal'],
      day: ['lundi', 'mardi', 'jeudi', 'vendredi'],
    },
  },
  {
    code: 'es',
    join: ' ',
    sentences: [
      'El paquete con la {thing} llegó a {city} el {day} por la tarde.',
      'Por favor, devuelva el contrato firmado antes del {day} para reservar la sala.',
      'Si la {thing} no enciende, desconéctela un minuto y vuelva a intentarlo.',
      'El reembolso se abona en la tarjeta original en un plazo de {n} días hábiles.',
      'Los viajes a {city} se reembolsan con el billete de tren y una noche de hotel.',
      'El servicio de atención al cliente responde de lunes a viernes.',
      'La reunión sobre la nueva {thing} se ha trasladado al {day}.',
      'Las ventas de la oficina de {city} crecieron un {n} por ciento.',
      'Cada factura debe indicar el número de pedido.',
      'Los visitantes deben registrarse en la recepción de {city}.',
    ],
    fill: {
      thing: ['impresora', 'cafetera', 'entrega', 'pantalla', 'nevera'],
      city: ['Sevilla', 'Bilbao', 'Valencia', 'Lima', 'Quito'],
      day: ['lunes', 'martes', 'jueves', 'viernes'],
    },
  },
  {
    code: 'it',
    join: ' ',
    sentences: [
      'Il pacco con la {thing} è arrivato a {city} {day} pomeriggio.',
      'Vi preghiamo di restituire il contratto firmato entro {day}.',
      'Se la {thing} non si accende, scollegatela per un minuto e riprovate.',
      'Il rimborso viene accreditato sulla carta originale entro {n} giorni lavorativi.',
      'Le trasferte a {city} sono rimborsate con il biglietto del treno.',
      'La riunione sulla nuova {thing} è stata spostata a {day}.',
      'Le vendite della sede di {city} sono cresciute del {n} per cento.',
      'Ogni fattura deve riportare il numero d’ordine.',
      'I visitatori si registrano alla reception della sede di {city}.',
    ],
    fill: {
      thing: ['stampante', 'macchina del caffè', 'consegna', 'lavatrice'],
      city: ['Torino', 'Bologna', 'Napoli', 'Trieste'],
      day: ['lunedì', 'martedì', 'giovedì', 'venerdì'],
    },
  },
  {
    code: 'pl',
    join: ' ',
    sentences: [
      'Paczka z {thing} dotarła do miasta {city} w {day}.',
      'Prosimy o odesłanie podpisanej umowy do {day}.',
      'Jeśli {thing} się nie włącza, odłącz zasilanie na minutę i spróbuj ponownie.',
      'Zwrot pieniędzy trafia na kartę w ciągu {n} dni roboczych.',
      'Koszty podróży służbowej do miasta {city} pokrywa firma.',
      'Spotkanie w sprawie nowej usługi przeniesiono na {day}.',
      'Sprzedaż w biurze w mieście {city} wzrosła o {n} procent.',
      'Każda faktura musi zawierać numer zamówienia.',
    ],
    fill: {
      thing: ['drukarka', 'ekspres do kawy', 'laptop', 'router'],
      city: ['Gdańsk', 'Kraków', 'Poznań', 'Wrocław'],
      day: ['poniedziałek', 'wtorek', 'czwartek', 'piątek'],
    },
  },
  {
    code: 'zh',
    join: '',
    sentences: [
      '装有{thing}的包裹于{day}送到了{city}。',
      '请在{day}之前把签好的合同寄回人事部。',
      '如果{thing}无法开机，请拔掉电源一分钟后再试。',
      '退款将在{n}个工作日内退回原支付卡。',
      '去{city}出差的员工可以报销火车票和一晚住宿。',
      '客服中心周一至周五上午九点到下午六点接听电话。',
      '关于新{thing}的会议改到了{day}下午。',
      '{city}分公司上季度的销售额增长了百分之{n}。',
      '每张发票都必须写明订单号，否则财务无法核对。',
    ],
    fill: {
      thing: ['打印机', '咖啡机', '笔记本电脑', '路由器', '投影仪'],
      city: ['上海', '成都', '杭州', '广州'],
      day: ['星期一', '星期二', '星期四', '星期五'],
    },
  },
  {
    code: 'ja',
    join: '',
    sentences: [
      '{thing}の入った荷物は{day}に{city}へ届きました。',
      '署名した契約書を{day}までに人事部へ返送してください。',
      '{thing}が起動しない場合は、電源を一分間抜いてから再度お試しください。',
      '返金は{n}営業日以内に元のカードへ行われます。',
      '{city}への出張では、電車代と一泊分の宿泊費が支給されます。',
      '新しい{thing}についての会議は{day}の午後に変更になりました。',
      '{city}支店の売上は前の四半期に{n}パーセント伸びました。',
      'すべての請求書には注文番号を記載してください。',
    ],
    fill: {
      thing: ['プリンター', 'コーヒーメーカー', 'ノートパソコン', 'ルーター'],
      city: ['大阪', '札幌', '福岡', '名古屋'],
      day: ['月曜日', '火曜日', '木曜日', '金曜日'],
    },
  },
  {
    code: 'ar',
    join: ' ',
    sentences: [
      'وصل الطرد الذي يحتوي على {thing} إلى {city} يوم {day}.',
      'يرجى إعادة العقد الموقع قبل يوم {day} حتى نتمكن من حجز القاعة.',
      'إذا لم يعمل {thing} فافصل الكهرباء لمدة دقيقة ثم حاول مرة أخرى.',
      'يتم رد المبلغ إلى البطاقة الأصلية خلال {n} أيام عمل.',
      'يحصل الموظفون المسافرون إلى {city} على ثمن تذكرة القطار وليلة في الفندق.',
      'تم تأجيل الاجتماع الخاص بـ{thing} الجديد إلى يوم {day}.',
      'ارتفعت مبيعات مكتب {city} بنسبة {n} في المئة.',
    ],
    fill: {
      thing: ['الطابعة', 'آلة القهوة', 'الحاسوب', 'جهاز التوجيه'],
      city: ['عمّان', 'الدوحة', 'تونس', 'الرباط'],
      day: ['الإثنين', 'الثلاثاء', 'الخميس', 'الجمعة'],
    },
  },
];

export interface CorpusPassage {
  lang: string;
  text: string;
}

/**
 * Sentence counts per passage: mostly short and medium, a long tail up to
 * ~40 sentences (past 512 tokens in some languages, where truncation applies).
 */
function sentenceCount(rand: () => number): number {
  const r = rand();
  if (r < 0.25) return 1 + Math.floor(rand() * 3);
  if (r < 0.6) return 4 + Math.floor(rand() * 8);
  if (r < 0.9) return 12 + Math.floor(rand() * 14);
  return 26 + Math.floor(rand() * 16);
}

export function benchmarkCorpus(count = 512, seed = 13): CorpusPassage[] {
  const rand = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const out: CorpusPassage[] = [];
  for (let i = 0; i < count; i++) {
    const lang = LANGUAGES[i % LANGUAGES.length];
    const sentences: string[] = [];
    for (let s = sentenceCount(rand); s > 0; s--) {
      sentences.push(
        pick(lang.sentences).replace(/\{(\w+)\}/g, (_, slot: string) => (slot === 'n' ? String(2 + Math.floor(rand() * 28)) : pick(lang.fill[slot]))),
      );
    }
    out.push({ lang: lang.code, text: sentences.join(lang.join) });
  }
  return out;
}

/** Short queries, one per language, for single-query latency. */
export function benchmarkQueries(count = 200, seed = 7): string[] {
  const rand = mulberry32(seed);
  const asks = [
    'how long does a refund take',
    'Wie lange dauert eine Rückerstattung?',
    'délai de remboursement carte',
    '¿cuándo llega el reembolso?',
    'rimborso quanti giorni',
    'ile trwa zwrot pieniędzy',
    '退款需要多长时间',
    '返金にかかる日数',
    'كم يستغرق استرداد المبلغ',
    'printer does not start',
    'Drucker reagiert nicht',
    'travel expenses train ticket',
  ];
  return Array.from({ length: count }, (_, i) => `${asks[i % asks.length]} ${Math.floor(rand() * 100)}`);
}
