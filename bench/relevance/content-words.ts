import { tokenize } from './tokenize.js';

/**
 * Content words for checking the suite's paraphrase queries ("shares no
 * content word with its answer"): the BM25 tokens of a text minus function
 * words. Lists are short on purpose — only words that carry no topic; for
 * CJK, single characters and a few grammatical bigrams.
 */
const FUNCTION_WORDS: Record<string, string> = {
  en: `a an the and or but if then than so to of in on at by for from with without into onto about as is are was were be been being am
    do does did done have has had having i me my mine we us our you your yours he him his she her it its they them their this that these those
    there here what which who whom whose when where why how can could may might must shall should will would not no nor any some all each
    every other another such only own same too very just also more most much many few up down out over under again once after before
    while during until because whether get got one someone something anything`,
  de: `der die das den dem des ein eine einen einem einer eines und oder aber wenn dann als wie so zu zum zur von vom in im an am auf aus bei
    mit nach seit für gegen ohne um über unter vor hinter neben zwischen durch ist sind war waren sein bin bist seid wird werden wurde
    hat haben hatte kann können muss müssen darf soll sollte will möchte ich mich mir mein meine meinen meinem meiner wir uns unser
    unsere du dich dir dein deine sie ihr ihre ihren ihrem ihnen er ihn ihm es sich man nicht kein keine keinen was wer wo wann warum
    wieso welche welcher welches noch schon auch nur sehr mehr viel gibt da dass ob bis`,
  fr: `le la les l un une des du de d et ou mais si donc que qu qui quoi quand comment pourquoi où dans en au aux à sur sous par pour
    avec sans chez vers entre est sont être ai as a avons avez ont été je j me m moi mon ma mes nous notre nos vous votre vos tu te t
    ton ta tes il elle ils elles lui leur leurs se s son sa ses ce cet cette ces ne n pas plus peut peux puis faut doit dois y on
    quel quelle quels quelles après avant ça cela`,
  es: `el la los las lo un una unos unas y o u pero si que qué quien quién cuando cuándo como cómo donde dónde por para con sin en de del
    al a ante sobre entre hasta desde es son ser está están estar soy he ha han hay yo me mi mis mío nosotros nuestro nuestra tú te
    tu tus usted ustedes su sus él ella ellos ellas le les se no más muy puedo puede pueden debo tengo tiene cuál cuánto cuánta cuántos
    cuántas este esta estos estas ese esa`,
  it: `il lo la i gli le un uno una un' e ed o ma se che chi cosa quando come dove perché per con senza in di del della dei delle degli
    dello al alla ai alle agli allo a da dal dalla dai su sul sulla tra fra è sono essere sei siamo ho ha hanno c io mi mio mia miei
    mie noi ci nostro nostra tu ti tuo tua voi vi lui lei loro si suo sua non più molto posso può possono devo deve quale quali quanto
    quanta quanti quante questo questa quello quella ne`,
};

/** Grammatical CJK bigrams (question words, copulas, polite endings) that say nothing about the topic. */
const FUNCTION_BIGRAMS = new Set(
  `怎么 什么 如何 可以 是否 哪里 需要 吗？ 的吗 了吗 一下 我的 我们 你们 他们 多少 为什么 这个 那个 能不 不能 要怎 么办
   ですか ますか します ください でき できる ません ました ている てい いる ある あり には ので から まで など ため この その
   どう どこ いつ 何が なに した して たい ます です ない なる れる られ 的に 방법 어떻 어떻게 떻게 하나 나요 있나 있나요 하는 되나 되나요 할까 수있 있어 어요 해요 하고 싶어 말고 아요 어요`
    .split(/\s+/)
    .filter(Boolean),
);

const stopSets = new Map<string, Set<string>>();
function stopSet(lang: string): Set<string> {
  let set = stopSets.get(lang);
  if (!set) {
    const words = (FUNCTION_WORDS[lang] ?? '').split(/\s+/).filter(Boolean);
    set = new Set(words.flatMap((w) => tokenize(w, lang)));
    stopSets.set(lang, set);
  }
  return set;
}

const CJK_TOKEN = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

export function contentWords(text: string, lang: string): Set<string> {
  const stop = stopSet(lang);
  return new Set(
    tokenize(text, lang).filter((t) => {
      if (CJK_TOKEN.test(t)) return [...t].length > 1 && !FUNCTION_BIGRAMS.has(t);
      return !stop.has(t) && !/^\d+$/.test(t);
    }),
  );
}

/** Content words of `query` (in its language) that also occur in `doc` (in its own). */
export function sharedContentWords(query: string, queryLang: string, doc: string, docLang: string): string[] {
  const inDoc = new Set(tokenize(doc, docLang));
  return [...contentWords(query, queryLang)].filter((w) => inDoc.has(w));
}
